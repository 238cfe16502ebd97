"""The exemplar fill (OpenCV's shift-map): it copies a repeating texture where diffusion blurs
it, it changes only the hole, and where OpenCV cannot run it (no ``cv2.xphoto.inpaint``) the
course says why and how to get it, and leaves it out."""

import numpy as np
import pytest

from helpers import classical
from helpers.classical import (CLASSICAL_IDS, BiharmonicFill, ExemplarFill, OpenCVFill,
                               classical_fills, contrib_wheel_for, shiftmap_unavailable)
from helpers.holes import Hole, random_masks
from helpers.metrics import hole_mse, sharpness_ratio
from opencv_standin import COLAB_WHEELS, broken_cv2, fresh_answer

HOLE = Hole(top=24, left=24, height=16, width=16)
# The tests of the fill itself need an OpenCV that runs it; shiftmap_unavailable() says why not.
needs_shiftmap = pytest.mark.skipif(bool(shiftmap_unavailable()), reason=str(shiftmap_unavailable()))
_fresh = pytest.fixture(autouse=True)(fresh_answer)


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


@needs_shiftmap
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


@needs_shiftmap
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


@needs_shiftmap
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


@needs_shiftmap
def test_cifar_sized_images_are_filled_everywhere():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 256, size=(3, 32, 32, 3), dtype=np.uint8)
    for hole in (Hole(8, 8, 16, 16), Hole(0, 0, 6, 6), Hole(26, 20, 6, 12)):
        patch = ExemplarFill().fill(images, hole)
        assert patch.shape == (3, hole.height, hole.width, 3)
        assert np.all(np.isfinite(patch)) and patch.min() >= 0 and patch.max() <= 1


@needs_shiftmap
def test_it_is_one_of_the_classical_fills():
    assert "shiftmap" in CLASSICAL_IDS
    fills = classical_fills(methods=["shiftmap"])
    assert isinstance(fills["shiftmap"], ExemplarFill)
    assert fills["shiftmap"].name == "OpenCV shift-map (exemplar)"


@needs_shiftmap
def test_whole_image_hole_is_refused():
    with pytest.raises(ValueError, match="whole image"):
        ExemplarFill().predict_masked(checker(16), np.ones((1, 16, 16), bool))


def test_the_real_opencv_is_judged_by_whether_xphoto_inpaint_is_there():
    import cv2

    works = hasattr(getattr(cv2, "xphoto", None), "inpaint")
    reason = shiftmap_unavailable()
    assert (reason is None) == works, reason
    if works:
        assert isinstance(ExemplarFill(), ExemplarFill)
    else:
        assert cv2.__version__ in reason and "opencv-contrib-python-headless==" in reason
        with pytest.raises(ImportError, match="left out"):
            ExemplarFill()
    assert shiftmap_unavailable() is reason  # asked once


def test_a_cv2_without_xphoto_inpaint_is_left_out_with_the_fix(monkeypatch):
    broken_cv2(monkeypatch)  # Colab's three wheels, opencv-python 5.0.0 last
    reason = shiftmap_unavailable()
    assert reason.startswith("The shift-map fill is left out: this OpenCV 5.0.0 has a cv2.xphoto without inpaint "
                             "(several OpenCV wheels share its folder, and one without the contrib modules was "
                             "installed last); to get it, run ")
    assert "`pip install --no-deps --force-reinstall opencv-contrib-python-headless==5.0.0.93`" in reason
    assert "restart the kernel" in reason
    with pytest.raises(ImportError, match="left out"):
        ExemplarFill()
    with pytest.raises(ImportError, match="left out"):
        classical_fills(methods=["telea", "shiftmap"])
    assert list(classical_fills(methods=["telea", "shiftmap"], skip_unavailable=True)) == ["telea"]
    assert list(classical_fills(methods=["biharmonic"], skip_unavailable=True)) == ["biharmonic"]


def test_on_colab_the_fix_is_the_set_up_cell(monkeypatch):
    import types

    cv2 = broken_cv2(monkeypatch, version="4.11.0", wheels={"opencv-python": "4.11.0.86"})
    del cv2.xphoto  # a lone non-contrib wheel: no cv2.xphoto at all
    monkeypatch.setitem(__import__("sys").modules, "google.colab", types.ModuleType("google.colab"))
    reason = shiftmap_unavailable()
    assert "has no cv2.xphoto (it is OpenCV without the contrib modules)" in reason
    assert "run the notebook's first cell again (or `pip install --no-deps --force-reinstall " \
           "opencv-contrib-python-headless==4.11.0.86`)" in reason
    assert "Runtime > Restart session" in reason


def test_an_opencv_that_does_not_import_is_left_out_too(monkeypatch):
    import sys

    monkeypatch.setitem(sys.modules, "cv2", None)  # `import cv2` raises ImportError
    classical.shiftmap_unavailable.cache_clear()
    assert "OpenCV does not import here" in shiftmap_unavailable()
    assert list(classical_fills(methods=["shiftmap", "biharmonic"], skip_unavailable=True)) == ["biharmonic"]


def test_the_contrib_wheel_matches_the_installed_cv2():
    assert contrib_wheel_for("5.0.0", COLAB_WHEELS) == "opencv-contrib-python-headless==5.0.0.93"
    assert contrib_wheel_for("4.14.0", COLAB_WHEELS) == "opencv-contrib-python-headless==4.14.0.94"
    assert contrib_wheel_for("4.11.0", {"opencv-python": "4.11.0.84", "opencv-python-headless": "4.11.0.86"}) \
        == "opencv-contrib-python-headless==4.11.0.86"
    assert contrib_wheel_for("4.12.0-dev", {}) == "opencv-contrib-python-headless==4.12.0.*"  # built from source


@needs_shiftmap
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


def test_the_classical_widget_leaves_it_out_where_opencv_cannot_run_it(monkeypatch):
    from matplotlib.figure import Figure

    from helpers import widgets

    reason = "The shift-map fill is left out: this OpenCV has no cv2.xphoto (a stand-in's answer)."
    monkeypatch.setattr(widgets, "shiftmap_unavailable", lambda: reason)  # the real cv2 still runs Telea
    photo = np.round(checker()[0] * 255).astype(np.uint8)
    fig = widgets.classical_view(photo, 24, 24, 16, 16, "all")  # the three diffusion fills still draw
    assert isinstance(fig, Figure) and "left out" in fig._supxlabel.get_text()
    titles = " ".join(ax.get_title() for ax in fig.axes)
    assert "OpenCV Telea" in titles and "biharmonic" in titles and "shift-map" not in titles
    message = widgets.classical_view(photo, 24, 24, 16, 16, "shiftmap")
    assert message == reason
