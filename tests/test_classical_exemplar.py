"""The exemplar fill (OpenCV's shift-map): it copies a repeating texture where diffusion blurs
it, it changes only the hole, and it says what to install when OpenCV lacks its contrib part."""

import numpy as np
import pytest

from helpers.classical import (CLASSICAL_IDS, BiharmonicFill, ExemplarFill, OpenCVFill,
                               classical_fills)
from helpers.holes import Hole, random_masks
from helpers.metrics import hole_mse, sharpness_ratio

HOLE = Hole(top=24, left=24, height=16, width=16)


def checker(size=64, period=8):
    """A periodic colour checkerboard on [0, 1]: squares of ``period // 2`` pixels."""
    rows, cols = np.mgrid[0:size, 0:size]
    on = ((rows // (period // 2) + cols // (period // 2)) % 2).astype(np.float32)
    image = np.stack([0.15 + 0.7 * on, 0.85 - 0.6 * on, 0.3 + 0.2 * on], axis=-1)
    return image[None].astype(np.float32)


def stripes(size=64, period=6):
    """Diagonal colour stripes on [0, 1], ``period`` pixels apart."""
    rows, cols = np.mgrid[0:size, 0:size]
    on = (((rows + cols) % period) < period // 2).astype(np.float32)
    image = np.stack([0.2 + 0.6 * on, 0.5 + 0.0 * on, 0.8 - 0.5 * on], axis=-1)
    return image[None].astype(np.float32)


@pytest.mark.parametrize("texture", [checker, stripes], ids=["checker", "stripes"])
def test_it_continues_a_repeating_texture_that_diffusion_blurs(texture):
    images = texture()
    truth = images[:, HOLE.rows, HOLE.cols]
    exemplar = ExemplarFill().fill(images, HOLE)
    errors = {name: hole_mse(fill.fill(images, HOLE), truth)
              for name, fill in (("telea", OpenCVFill("telea")), ("biharmonic", BiharmonicFill()))}
    assert hole_mse(exemplar, truth) < 0.005
    assert all(hole_mse(exemplar, truth) < error / 10 for error in errors.values()), errors
    assert sharpness_ratio(exemplar, truth) > 0.8  # the pattern's edges, not a blur


def test_known_pixels_are_unchanged_and_only_the_hole_is_filled():
    images = checker()
    fill = ExemplarFill()
    out = fill.inpaint(images, HOLE)
    outside = np.ones(images.shape[1:3], bool)
    outside[HOLE.rows, HOLE.cols] = False
    np.testing.assert_array_equal(out[:, outside], images[:, outside])
    np.testing.assert_array_equal(out[:, HOLE.rows, HOLE.cols], fill.fill(images, HOLE))
    # predict_masked itself (not only the composite of fill_masks) keeps every known pixel
    masks = random_masks(2, coverage=(0.1, 0.2), seed=3, size=64)
    pair = np.repeat(images, 2, axis=0)
    holed = np.where(masks[..., None], 0.5, pair).astype(np.float32)
    filled = fill.predict_masked(holed, masks)
    assert filled.shape == pair.shape and filled.dtype == np.float32
    np.testing.assert_array_equal(filled[~masks], pair[~masks])
    assert np.all((filled >= 0) & (filled <= 1))


def test_it_never_looks_inside_the_hole_and_is_deterministic():
    images = stripes()
    a = images.copy()
    a[:, HOLE.rows, HOLE.cols] = 0.0
    b = images.copy()
    b[:, HOLE.rows, HOLE.cols] = 1.0
    fill = ExemplarFill()
    first = fill.predict_patch(a, HOLE)
    np.testing.assert_array_equal(first, fill.predict_patch(b, HOLE))
    np.testing.assert_array_equal(first, fill.predict_patch(a, HOLE))


def test_cifar_sized_images_are_filled_everywhere():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 32, 32, 3), dtype=np.uint8)
    for hole in (Hole(8, 8, 16, 16), Hole(0, 0, 6, 6), Hole(26, 20, 6, 12)):
        patch = ExemplarFill().fill(images, hole)
        assert patch.shape == (3, hole.height, hole.width, 3)
        assert np.all(np.isfinite(patch)) and patch.min() >= 0 and patch.max() <= 1


def test_it_is_one_of_the_classical_fills():
    assert "shiftmap" in CLASSICAL_IDS
    fills = classical_fills(methods=["shiftmap"])
    assert isinstance(fills["shiftmap"], ExemplarFill)
    assert fills["shiftmap"].name == "OpenCV shift-map (exemplar)"


def test_whole_image_hole_is_refused():
    with pytest.raises(ValueError, match="whole image"):
        ExemplarFill().predict_masked(checker(16), np.ones((1, 16, 16), bool))


def test_missing_contrib_module_says_what_to_install(monkeypatch):
    import cv2

    monkeypatch.delattr(cv2, "xphoto", raising=False)
    with pytest.raises(ImportError, match="opencv-contrib-python-headless"):
        ExemplarFill()


def test_the_classical_widget_offers_it():
    from matplotlib.figure import Figure

    from helpers import widgets

    photo = np.round(np.repeat(checker(), 1, axis=0)[0] * 255).astype(np.uint8)
    fig = widgets.classical_view(photo, 24, 24, 16, 16, "shiftmap")
    assert isinstance(fig, Figure) and "OpenCV shift-map" in " ".join(
        ax.get_title() for ax in fig.axes)
    big = np.zeros((300, 300, 3), np.uint8)
    message = widgets.classical_view(big, 10, 10, 20, 20, "shiftmap")
    assert isinstance(message, str) and "smaller" in message
