import numpy as np
import pytest

from helpers import masks
from helpers.masks import CENTER_HOLE, Hole


def test_center_hole_is_the_papers():
    assert CENTER_HOLE == Hole(8, 8, 16, 16)
    mask = masks.hole_mask()
    assert mask.sum() == 16 * 16
    assert mask[8:24, 8:24].all() and not mask[7].any() and not mask[:, 24].any()
    assert masks.centered_hole(16) == CENTER_HOLE


def test_cut_and_paste_roundtrip(images):
    x = masks.to_scale(images, "unit")
    holed, patch = masks.cut_hole(x)
    assert holed.shape == x.shape and patch.shape == (len(x), 16, 16, 3)
    np.testing.assert_array_equal(patch, x[:, 8:24, 8:24])
    assert np.all(holed[:, 8:24, 8:24] == masks.HOLE_FILL_UNIT)
    np.testing.assert_array_equal(holed[:, :8], x[:, :8])      # outside untouched
    np.testing.assert_array_equal(masks.paste_patch(holed, patch), x)
    assert not np.shares_memory(holed, x)


def test_scales_convert_in_one_place(images):
    unit = masks.to_scale(images, "unit")
    signed = masks.to_scale(images, "signed")
    assert unit.min() >= 0 and unit.max() <= 1 and signed.min() >= -1 and signed.max() <= 1
    np.testing.assert_allclose(masks.to_unit(signed, "signed"), unit, atol=1e-6)
    np.testing.assert_array_equal(masks.from_unit(unit, None), images)
    assert masks.hole_fill_value("signed") == 0.0 and masks.hole_fill_value("unit") == 0.5
    holed, _ = masks.make_pairs(images, "signed")
    assert np.all(holed[:, 8:24, 8:24] == 0.0)


def test_any_rectangle(images):
    hole = Hole(2, 20, 5, 9)
    holed, patch = masks.cut_hole(masks.to_scale(images, "unit"), hole)
    assert patch.shape == (len(images), 5, 9, 3)
    assert np.all(holed[:, 2:7, 20:29] == 0.5)


@pytest.mark.parametrize("hole", [Hole(20, 20, 16, 16), Hole(-1, 0, 4, 4), Hole(0, 0, 0, 4)])
def test_hole_outside_image_is_refused(images, hole):
    with pytest.raises(ValueError, match="hole|Hole|empty"):
        masks.cut_hole(masks.to_scale(images, "unit"), hole)


def test_bad_images_get_clear_errors(images):
    with pytest.raises(ValueError, match="one image"):
        masks.check_images(images[0], None)
    with pytest.raises(ValueError, match=r"\(N, height, width, 3\)"):
        masks.check_images(images[..., :1], None)
    with pytest.raises(TypeError, match="uint8"):
        masks.check_images(images.astype(np.float32), None)
    with pytest.raises(ValueError, match="unit scale"):
        masks.cut_hole(images.astype(np.float32), scale="unit")  # 0..255 passed as floats
    with pytest.raises(ValueError, match="signed scale"):
        masks.check_images(masks.to_scale(images, "unit") * 3, "signed")
    with pytest.raises(ValueError, match="Unknown scale"):
        masks.to_scale(images, "percent")
    with pytest.raises(ValueError, match="patch has shape"):
        masks.paste_patch(masks.to_scale(images, "unit"), np.zeros((1, 8, 8, 3)))


def test_inpainter_never_sees_the_truth(images):
    class Spy(masks.Inpainter):
        name = "spy"

        def predict_patch(self, holed, hole):
            self.seen = holed[:, hole.rows, hole.cols].copy()
            return np.zeros((len(holed), *hole.shape, 3))

    spy = Spy()
    patch = spy.fill(images)
    assert patch.shape == (len(images), 16, 16, 3)
    assert np.all(spy.seen == masks.HOLE_FILL_UNIT)
    full = spy.inpaint(images)
    assert np.all(full[:, 8:24, 8:24] == 0)


class _LeftHalfGuess(masks.Inpainter):
    """A deliberately lopsided method: fills with the mean of the image's left half."""

    name = "left half"

    def predict_patch(self, holed, hole):
        mean = holed[:, :, :16].mean(axis=(1, 2), keepdims=True)
        return np.broadcast_to(mean, (len(holed), hole.height, hole.width, 3)).copy()

    def predict_masked(self, holed, missing):
        return np.broadcast_to(holed[:, :, :16].mean(axis=(1, 2), keepdims=True), holed.shape).copy()


def test_mirror_averaged_is_the_mean_of_the_two_fills():
    rng = np.random.default_rng(0)
    images = rng.random((3, 32, 32, 3)).astype(np.float32)
    inner = _LeftHalfGuess()
    both = masks.MirrorAveraged(inner)
    assert both.name == "left half, mirror-averaged"
    hole = Hole(4, 2, 6, 9)                     # off centre: the mirror has its own hole
    assert masks.mirrored(hole) == Hole(4, 21, 6, 9)
    assert masks.mirrored(CENTER_HOLE) == CENTER_HOLE
    plain = inner.fill(images, hole)
    flipped = inner.fill(images[:, :, ::-1], masks.mirrored(hole))[:, :, ::-1]
    np.testing.assert_allclose(both.fill(images, hole), (plain + flipped) / 2, atol=1e-6)
    assert not np.allclose(plain, flipped), "the test method must not be mirror-symmetric"

    missing = masks.random_masks(3, seed=1)
    got = both.fill_masks(images, missing)
    one = inner.fill_masks(images, missing)
    other = inner.fill_masks(images[:, :, ::-1], missing[:, :, ::-1])[:, :, ::-1]
    np.testing.assert_allclose(got, (one + other) / 2, atol=1e-6)
    np.testing.assert_array_equal(got[~missing], images[~missing])


def test_mirror_averaged_knows_what_its_method_supports():
    class CentreOnly(_LeftHalfGuess):
        def supports(self, hole):
            return hole == CENTER_HOLE

    both = masks.MirrorAveraged(CentreOnly(), name="x")
    assert both.supports(CENTER_HOLE) and not both.supports(Hole(0, 0, 8, 8))
    with pytest.raises(ValueError, match="cannot fill"):
        both.fill(np.zeros((1, 32, 32, 3), np.float32), Hole(0, 0, 8, 8))
