"""The crop: the paper's hole, value scales, cutting and pasting, and clear errors."""

import numpy as np
import pytest

from helpers import holes
from helpers.holes import CENTER_HOLE, Hole


def test_center_hole_is_the_papers():
    assert CENTER_HOLE == Hole(8, 8, 16, 16)
    mask = holes.hole_mask()
    assert mask.sum() == 16 * 16
    assert mask[8:24, 8:24].all() and not mask[7].any() and not mask[:, 24].any()
    assert holes.centered_hole(16) == CENTER_HOLE


def test_centered_hole_of_any_size():
    assert holes.centered_hole(8) == Hole(12, 12, 8, 8)
    assert holes.centered_hole(5, image_size=9) == Hole(2, 2, 5, 5)
    with pytest.raises(ValueError, match="reaches outside"):
        holes.centered_hole(40)


def test_cut_and_paste_roundtrip(images):
    x = holes.to_scale(images, "unit")
    holed, patch = holes.cut_hole(x)
    assert holed.shape == x.shape and patch.shape == (len(x), 16, 16, 3)
    np.testing.assert_array_equal(patch, x[:, 8:24, 8:24])
    assert np.all(holed[:, 8:24, 8:24] == holes.HOLE_FILL_UNIT)
    np.testing.assert_array_equal(holed[:, :8], x[:, :8])      # outside untouched
    np.testing.assert_array_equal(holes.paste_patch(holed, patch), x)
    assert not np.shares_memory(holed, x)


def test_scales_convert_in_one_place(images):
    unit = holes.to_scale(images, "unit")
    signed = holes.to_scale(images, "signed")
    assert unit.min() >= 0 and unit.max() <= 1 and signed.min() >= -1 and signed.max() <= 1
    np.testing.assert_allclose(holes.to_unit(signed, "signed"), unit, atol=1e-6)
    np.testing.assert_array_equal(holes.from_unit(unit, None), images)
    assert holes.hole_fill_value("signed") == 0.0 and holes.hole_fill_value("unit") == 0.5
    holed, _ = holes.make_pairs(images, "signed")
    assert np.all(holed[:, 8:24, 8:24] == 0.0)


def test_any_rectangle(images):
    hole = Hole(2, 20, 5, 9)
    holed, patch = holes.cut_hole(holes.to_scale(images, "unit"), hole)
    assert patch.shape == (len(images), 5, 9, 3)
    assert np.all(holed[:, 2:7, 20:29] == 0.5)


@pytest.mark.parametrize("hole, why", [(Hole(20, 20, 16, 16), "reaches outside the 32x32 image"),
                                       (Hole(-1, 0, 4, 4), "reaches outside the 32x32 image"),
                                       (Hole(0, 0, 0, 4), "is empty")])
def test_a_hole_outside_the_image_or_empty_is_refused(images, hole, why):
    with pytest.raises(ValueError, match=why):
        holes.cut_hole(holes.to_scale(images, "unit"), hole)


def test_bad_images_get_clear_errors(images):
    with pytest.raises(ValueError, match="one image"):
        holes.check_images(images[0], None)
    with pytest.raises(ValueError, match=r"\(N, height, width, 3\)"):
        holes.check_images(images[..., :1], None)
    with pytest.raises(TypeError, match="uint8"):
        holes.check_images(images.astype(np.float32), None)
    with pytest.raises(ValueError, match="unit scale"):
        holes.cut_hole(images.astype(np.float32), scale="unit")  # 0..255 passed as floats
    with pytest.raises(ValueError, match="signed scale"):
        holes.check_images(holes.to_scale(images, "unit") * 3, "signed")
    with pytest.raises(ValueError, match="Unknown scale"):
        holes.to_scale(images, "percent")
    with pytest.raises(ValueError, match="patch has shape"):
        holes.paste_patch(holes.to_scale(images, "unit"), np.zeros((1, 8, 8, 3)))
