"""Classical fills on small synthetic images: shapes, exact values, smooth images, errors."""

import numpy as np
import pytest

from helpers.classical import (CLASSICAL_IDS, DEFAULT_IDS, BiharmonicFill, MeanColorFill, OpenCVFill,
                               classical_fills, shiftmap_unavailable)
from helpers.holes import CENTER_HOLE, Hole, cut_hole
from helpers.inpainters import Inpainter
from helpers.metrics import hole_mse

OFF_CENTRE = Hole(top=2, left=17, height=9, width=12)
RNG = np.random.default_rng(0)


def gradient_images(n=2):
    """Smooth images: every channel a linear function of row and column (unit scale)."""
    rows, cols = np.mgrid[0:32, 0:32] / 31.0
    image = np.stack([0.1 + 0.8 * cols, 0.1 + 0.8 * rows, 0.2 + 0.15 * (rows + cols)], axis=-1)
    return np.repeat(image[None], n, axis=0).astype(np.float32)


def random_uint8(n=3):
    return RNG.integers(0, 256, size=(n, 32, 32, 3), dtype=np.uint8)


def all_fills():
    return list(classical_fills(random_uint8(4)).values())


def test_classical_fills_ids_names_and_types():
    assert tuple(classical_fills(random_uint8(2))) == DEFAULT_IDS == CLASSICAL_IDS[:4]  # the slow one by name
    fills = classical_fills(random_uint8(2), methods=CLASSICAL_IDS, skip_unavailable=True)
    # shift-map where this OpenCV runs it (tests/test_classical_exemplar.py tests both cases)
    names = ["data-set mean colour", "OpenCV Telea", "OpenCV Navier-Stokes", "scikit-image biharmonic",
             "OpenCV shift-map (exemplar)"][:4 if shiftmap_unavailable() else 5]
    assert tuple(fills) == CLASSICAL_IDS[:len(names)]
    assert all(isinstance(f, Inpainter) for f in fills.values())
    assert [f.name for f in fills.values()] == names


def test_classical_fills_without_train_images_leaves_mean_out():
    fills = classical_fills()
    assert tuple(fills) == ("telea", "ns", "biharmonic")
    with pytest.raises(ValueError, match="training images"):
        classical_fills(methods=["mean"])


def test_classical_fills_selects_and_rejects_methods():
    assert tuple(classical_fills(methods=["ns", "telea"])) == ("ns", "telea")
    with pytest.raises(ValueError, match="biharmonic"):
        classical_fills(methods=["telea", "patchmatch"])


@pytest.mark.parametrize("hole", [CENTER_HOLE, OFF_CENTRE, Hole(0, 0, 4, 4), Hole(28, 30, 4, 2)],
                         ids=["centre", "off-centre", "corner", "edge"])
def test_fills_return_patches_of_the_hole_shape(hole):
    images = gradient_images(3)
    for fill in all_fills():
        patch = fill.fill(images, hole)
        assert patch.shape == (3, hole.height, hole.width, 3), fill.name
        assert patch.dtype == np.float32
        assert patch.min() >= 0.0 and patch.max() <= 1.0


def test_fills_accept_uint8_and_return_inpainted_images():
    images = random_uint8(2)
    for fill in all_fills():
        out = fill.inpaint(images, OFF_CENTRE)
        assert out.shape == (2, 32, 32, 3)
        outside = np.ones((32, 32), bool)
        outside[OFF_CENTRE.rows, OFF_CENTRE.cols] = False
        np.testing.assert_allclose(out[:, outside], images[:, outside] / 255.0, atol=1e-6)


def test_fills_never_look_inside_the_hole():
    images = gradient_images(2)
    for fill in all_fills():
        a, _ = cut_hole(images, CENTER_HOLE, "unit", fill=0.0)
        b, _ = cut_hole(images, CENTER_HOLE, "unit", fill=1.0)
        np.testing.assert_array_equal(fill.predict_patch(a, CENTER_HOLE),
                                      fill.predict_patch(b, CENTER_HOLE), err_msg=fill.name)


def test_mean_fill_is_exactly_the_mean_colour():
    images = np.zeros((2, 4, 4, 3), np.uint8)
    images[0] = (255, 0, 30)
    images[1] = (0, 0, 90)
    fill = MeanColorFill.from_images(images)
    np.testing.assert_allclose(fill.mean_rgb, [0.5, 0.0, 60 / 255])
    patch = fill.fill(gradient_images(3), OFF_CENTRE)
    np.testing.assert_allclose(patch, np.broadcast_to(fill.mean_rgb, patch.shape), atol=1e-7)


def test_mean_colour_matches_float_mean_of_random_images():
    images = random_uint8(5)
    expected = images.reshape(-1, 3).astype(np.float64).mean(axis=0) / 255.0
    np.testing.assert_allclose(MeanColorFill.from_images(images).mean_rgb, expected, rtol=1e-12)


def test_mean_fill_rejects_bad_colours():
    with pytest.raises(ValueError, match="three numbers"):
        MeanColorFill([0.5, 0.5])
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        MeanColorFill([120, 120, 120])
    with pytest.raises(TypeError, match="uint8"):
        MeanColorFill.from_images(gradient_images(1))


def test_telea_fills_a_smooth_gradient_nearly_exactly():
    images = gradient_images(2)
    truth = images[:, CENTER_HOLE.rows, CENTER_HOLE.cols]
    mean_error = hole_mse(MeanColorFill([0.5, 0.5, 0.5]).fill(images), truth)
    telea_error = hole_mse(OpenCVFill("telea").fill(images), truth)
    assert telea_error < 0.005                 # RMSE under 0.07 over a 16x16 hole
    assert telea_error < mean_error / 5
    small = Hole(13, 13, 6, 6)
    small_error = hole_mse(OpenCVFill("telea").fill(images, small),
                           images[:, small.rows, small.cols])
    assert small_error < 1e-3


def test_navier_stokes_and_biharmonic_on_a_gradient():
    images = gradient_images(1)
    truth = images[:, CENTER_HOLE.rows, CENTER_HOLE.cols]
    assert hole_mse(OpenCVFill("ns").fill(images), truth) < 0.005
    # a linear function is biharmonic, so the biharmonic fill recovers it exactly
    assert hole_mse(BiharmonicFill().fill(images), truth) < 1e-8


def test_opencv_fill_arguments():
    assert OpenCVFill("telea").name == "OpenCV Telea"
    assert OpenCVFill("ns", radius=5).name == "OpenCV Navier-Stokes"
    with pytest.raises(ValueError, match="'ns'.*'telea'|telea.*ns"):
        OpenCVFill("fast")
    with pytest.raises(ValueError, match="radius"):
        OpenCVFill("telea", radius=0)


@pytest.mark.parametrize("hole", [Hole(20, 20, 16, 16), Hole(-1, 0, 4, 4), Hole(0, 0, 0, 4)])
def test_holes_outside_the_image_are_refused(hole):
    images = gradient_images(1)
    for fill in all_fills():
        with pytest.raises(ValueError, match="outside|empty"):
            fill.fill(images, hole)
        with pytest.raises(ValueError, match="outside|empty"):
            fill.predict_patch(images, hole)


def test_fills_refuse_wrong_scale():
    for fill in all_fills():
        with pytest.raises(ValueError, match="unit scale"):
            fill.fill(gradient_images(1) * 255.0)


def test_mean_colour_of_a_region():
    images = np.zeros((2, 8, 8, 3), np.uint8)
    images[:, 2:4, 3:6] = (255, 51, 0)
    region = Hole(2, 3, 2, 3)
    np.testing.assert_allclose(MeanColorFill.from_images(images, region).mean_rgb, [1.0, 0.2, 0.0])
    np.testing.assert_allclose(MeanColorFill.from_images(images).mean_rgb,
                               np.array([1.0, 0.2, 0.0]) * 6 / 64)
    with pytest.raises(ValueError, match="outside"):
        MeanColorFill.from_images(images, Hole(6, 6, 4, 4))
