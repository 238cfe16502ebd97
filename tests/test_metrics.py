"""Metrics against values worked out by hand, on small synthetic images."""

import numpy as np
import pytest

from helpers import metrics
from helpers.holes import CENTER_HOLE, Hole, paste_patch

RNG = np.random.default_rng(0)


def random_unit(shape, low=0.1, high=0.9):
    return RNG.uniform(low, high, size=shape).astype(np.float32)


# --------------------------------------------------------------------------- hand-computed


def test_offset_by_a_tenth_gives_known_errors():
    true = random_unit((3, 16, 16, 3))
    pred = true + 0.1
    assert metrics.hole_mse(pred, true) == pytest.approx(0.01, rel=1e-5)
    assert metrics.hole_l1(pred, true) == pytest.approx(0.1, rel=1e-5)
    assert metrics.hole_psnr(pred, true) == pytest.approx(20.0, abs=1e-3)


def test_mixed_errors_match_numpy_by_hand():
    true = np.zeros((2, 2, 2, 3))
    pred = true.copy()
    pred[0] = 0.5                      # image 0: every pixel off by 0.5 -> MSE 0.25
    pred[1, 0, 0, 0] = 1.0             # image 1: one value of 12 off by 1 -> MSE 1/12
    per = metrics.hole_mse(pred, true, per_image=True)
    np.testing.assert_allclose(per, [0.25, 1 / 12])
    assert metrics.hole_mse(pred, true) == pytest.approx((0.25 + 1 / 12) / 2)
    np.testing.assert_allclose(metrics.hole_l1(pred, true, per_image=True), [0.5, 1 / 12])
    np.testing.assert_allclose(metrics.hole_psnr(pred, true, per_image=True),
                               [10 * np.log10(4), 10 * np.log10(12)])


def test_psnr_is_mean_of_per_image_values_not_psnr_of_mean():
    true = np.zeros((2, 4, 4, 3))
    pred = true.copy()
    pred[0] += 0.1   # 20 dB
    pred[1] += 0.01  # 40 dB
    assert metrics.hole_psnr(pred, true) == pytest.approx(30.0, abs=1e-6)


def test_perfect_fill_psnr_is_capped():
    true = random_unit((2, 8, 8, 3))
    assert metrics.hole_psnr(true, true) == pytest.approx(100.0)
    assert np.all(np.isfinite(metrics.image_psnr(true, true, per_image=True)))
    assert metrics.hole_mse(true, true) == 0.0


def test_image_psnr_is_hole_psnr_plus_area_ratio():
    true = random_unit((4, 32, 32, 3))
    pred_patch = random_unit((4, 16, 16, 3))
    true_patch = true[:, CENTER_HOLE.rows, CENTER_HOLE.cols]
    pred = paste_patch(true, pred_patch)
    np.testing.assert_allclose(
        metrics.image_psnr(pred, true, per_image=True),
        metrics.hole_psnr(pred_patch, true_patch, per_image=True) + 10 * np.log10(4),
        rtol=1e-6,
    )


def test_ssim_identical_is_one_and_noise_lowers_it():
    true = random_unit((3, 32, 32, 3))
    assert metrics.image_ssim(true, true) == pytest.approx(1.0)
    noisy = np.clip(true + RNG.normal(0, 0.2, true.shape), 0, 1).astype(np.float32)
    per = metrics.image_ssim(noisy, true, per_image=True)
    assert per.shape == (3,)
    assert np.all(per < 0.9)
    assert metrics.image_ssim(noisy, true) == pytest.approx(per.mean())


def test_ssim_matches_skimage_directly():
    from skimage.metrics import structural_similarity

    a, b = random_unit((2, 32, 32, 3)), random_unit((2, 32, 32, 3))
    expected = [structural_similarity(a[i].astype(np.float64), b[i].astype(np.float64),
                                      data_range=1.0, channel_axis=-1) for i in range(2)]
    np.testing.assert_allclose(metrics.image_ssim(a, b, per_image=True), expected, rtol=1e-6)


# --------------------------------------------------------------------------- sharpness


def test_constant_patch_has_zero_sharpness():
    assert metrics.sharpness(np.full((2, 16, 16, 3), 0.3)) == 0.0


def test_ramps_have_known_gradient():
    step = 0.05
    ramp = np.arange(16) * step                                  # 0 .. 0.75
    horizontal = np.broadcast_to(ramp[None, None, :, None], (1, 16, 16, 3))
    vertical = np.broadcast_to(ramp[None, :, None, None], (1, 16, 16, 3))
    diagonal = np.broadcast_to(
        ((np.arange(16)[:, None] + np.arange(16)[None, :]) * 0.02)[None, :, :, None], (1, 16, 16, 3)
    )
    assert metrics.sharpness(horizontal) == pytest.approx(step)
    assert metrics.sharpness(vertical) == pytest.approx(step)
    assert metrics.sharpness(diagonal) == pytest.approx(0.02 * np.sqrt(2))


def test_checkerboard_sharpness_by_hand():
    board = (np.indices((4, 4)).sum(axis=0) % 2).astype(float)   # every neighbour differs by 1
    x = np.broadcast_to(board[None, :, :, None], (1, 4, 4, 3))
    assert metrics.sharpness(x) == pytest.approx(np.sqrt(2))


def test_sharpness_per_image_and_ratio():
    flat = np.full((1, 8, 8, 3), 0.5)
    ramp = np.broadcast_to((np.arange(8) * 0.1)[None, None, :, None], (1, 8, 8, 3))
    both = np.concatenate([flat, ramp])
    np.testing.assert_allclose(metrics.sharpness(both, per_image=True), [0.0, 0.1])
    assert metrics.sharpness(both) == pytest.approx(0.05)
    half = np.broadcast_to((np.arange(8) * 0.05)[None, None, :, None], (1, 8, 8, 3))
    assert metrics.sharpness_ratio(half, ramp) == pytest.approx(0.5)
    assert metrics.sharpness_ratio(ramp, ramp) == pytest.approx(1.0)
    # ratio of the means over all images, not mean of ratios
    preds = np.concatenate([ramp, flat])
    truth = np.concatenate([ramp, ramp])
    assert metrics.sharpness_ratio(preds, truth) == pytest.approx(0.5)


def test_sharpness_ratio_flat_truth():
    flat = np.full((2, 8, 8, 3), 0.5)
    assert metrics.sharpness_ratio(flat, flat) == 1.0
    assert metrics.sharpness_ratio(random_unit((2, 8, 8, 3)), flat) == float("inf")


# --------------------------------------------------------------------------- consistency


@pytest.mark.parametrize("fn", [metrics.hole_mse, metrics.hole_l1, metrics.hole_psnr,
                                metrics.image_psnr, metrics.image_ssim])
def test_per_image_mean_equals_mean(fn):
    a, b = random_unit((5, 16, 16, 3)), random_unit((5, 16, 16, 3))
    per = fn(a, b, per_image=True)
    assert per.shape == (5,)
    total = fn(a, b)
    assert isinstance(total, float)
    assert total == pytest.approx(float(np.mean(per)))


def test_score_has_all_metrics_and_agrees_with_parts():
    true = random_unit((4, 32, 32, 3))
    pred_patch = random_unit((4, 16, 16, 3))
    result = metrics.score(pred_patch, true)
    assert tuple(result) == metrics.METRIC_NAMES
    assert all(isinstance(v, float) for v in result.values())
    true_patch = true[:, 8:24, 8:24]
    assert result["hole_mse"] == pytest.approx(metrics.hole_mse(pred_patch, true_patch))
    assert result["hole_l1"] == pytest.approx(metrics.hole_l1(pred_patch, true_patch))
    assert result["hole_psnr"] == pytest.approx(metrics.hole_psnr(pred_patch, true_patch))
    assert result["image_psnr"] == pytest.approx(result["hole_psnr"] + 10 * np.log10(4), rel=1e-6)
    pred_full = paste_patch(true, pred_patch)
    assert result["ssim"] == pytest.approx(metrics.image_ssim(pred_full, true))
    assert result["sharpness_ratio"] == pytest.approx(
        metrics.sharpness_ratio(pred_patch, true_patch))


def test_score_perfect_and_off_centre_hole():
    true = random_unit((2, 32, 32, 3))
    hole = Hole(2, 20, 8, 10)
    result = metrics.score(true[:, hole.rows, hole.cols], true, hole)
    assert result["hole_mse"] == 0.0
    assert result["ssim"] == pytest.approx(1.0)
    assert result["sharpness_ratio"] == pytest.approx(1.0)
    assert result["hole_psnr"] == pytest.approx(100.0)


def test_score_does_not_modify_inputs():
    true = random_unit((2, 32, 32, 3))
    before = true.copy()
    metrics.score(np.zeros((2, 16, 16, 3), np.float32), true)
    np.testing.assert_array_equal(true, before)


# --------------------------------------------------------------------------- errors


def test_shape_mismatch_names_both_shapes():
    with pytest.raises(ValueError, match=r"\(2, 16, 16, 3\).*\(3, 16, 16, 3\)"):
        metrics.hole_mse(np.zeros((2, 16, 16, 3)), np.zeros((3, 16, 16, 3)))
    with pytest.raises(ValueError, match="needs patches of shape"):
        metrics.score(np.zeros((2, 8, 8, 3)), np.zeros((2, 32, 32, 3)))


def test_uint8_input_is_refused_with_conversion_hint():
    x = np.zeros((1, 16, 16, 3), np.uint8)
    with pytest.raises(TypeError, match="to_scale"):
        metrics.hole_mse(x, np.zeros((1, 16, 16, 3)))
    with pytest.raises(TypeError, match="to_scale"):
        metrics.sharpness(x)
    with pytest.raises(TypeError, match="to_scale"):
        metrics.score(np.zeros((1, 16, 16, 3)), np.zeros((1, 32, 32, 3), np.uint8))


def test_values_off_the_unit_scale_are_refused():
    with pytest.raises(ValueError, match="unit scale"):
        metrics.hole_mse(np.full((1, 4, 4, 3), 255.0), np.zeros((1, 4, 4, 3)))
    with pytest.raises(ValueError, match="unit scale"):
        metrics.hole_psnr(np.full((1, 4, 4, 3), -1.0), np.zeros((1, 4, 4, 3)))
    with pytest.raises(ValueError, match="NaN"):
        metrics.hole_l1(np.full((1, 4, 4, 3), np.nan), np.zeros((1, 4, 4, 3)))


def test_bad_shapes_are_refused():
    with pytest.raises(ValueError, match="one image"):
        metrics.hole_mse(np.zeros((16, 16, 3)), np.zeros((16, 16, 3)))
    with pytest.raises(ValueError, match="empty"):
        metrics.hole_mse(np.zeros((0, 16, 16, 3)), np.zeros((0, 16, 16, 3)))
    with pytest.raises(ValueError, match="2x2"):
        metrics.sharpness(np.zeros((1, 1, 5, 3)))
    with pytest.raises(ValueError, match="7x7"):
        metrics.image_ssim(np.zeros((1, 5, 5, 3)), np.zeros((1, 5, 5, 3)))
    with pytest.raises(ValueError, match="outside"):
        metrics.score(np.zeros((1, 16, 16, 3)), np.zeros((1, 32, 32, 3)), Hole(20, 20, 16, 16))
