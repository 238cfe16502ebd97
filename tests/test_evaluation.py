"""The evaluation loop, its table and its per-image and per-class views, on tiny synthetic
images (no data set, no Keras)."""

import json

import numpy as np
import pytest

from synthetic import synthetic_cifar10
from helpers.classical import MeanColorFill, classical_fills
from helpers.evaluation import evaluate, evaluate_with_per_image, format_table, per_class
from helpers.holes import Hole
from helpers.inpainters import Inpainter
from helpers.metrics import METRIC_NAMES


def tiny_images(n=6):
    rng = np.random.default_rng(1)
    rows, cols = np.mgrid[0:32, 0:32]
    base = np.stack([cols * 6, rows * 6, (rows + cols) * 3], axis=-1)
    noise = rng.integers(0, 20, size=(n, 32, 32, 3))
    return np.clip(base[None] + noise, 0, 255).astype(np.uint8)


class Perfect(Inpainter):
    """Cheats on purpose (for the test only): knows the truth."""

    name = "oracle"

    def __init__(self, truth_unit):
        self.truth = truth_unit

    def predict_patch(self, holed, hole):
        n = holed.shape[0]
        # find the matching images by their unchanged top-left pixels
        idx = [int(np.argmin(np.abs(self.truth[:, :2, :2] - h[:2, :2]).sum(axis=(1, 2, 3))))
               for h in holed]
        assert len(idx) == n
        return self.truth[idx][:, hole.rows, hole.cols]


def test_evaluate_classical_fills_rows():
    images = tiny_images()
    fills = classical_fills(images, methods=["mean", "telea", "ns", "biharmonic"])
    rows = evaluate(fills, images, batch_size=4, progress=False)
    assert [r["id"] for r in rows] == ["mean", "telea", "ns", "biharmonic"]
    for row in rows:
        assert set(METRIC_NAMES) <= set(row)
        assert row["n_images"] == 6
        assert row["ms_per_image"] > 0
        assert 0 < row["hole_mse"] < 1
    by_id = {r["id"]: r for r in rows}
    assert by_id["telea"]["hole_mse"] < by_id["mean"]["hole_mse"]
    json.dumps(rows)  # plain Python values only


def test_evaluate_oracle_is_perfect_and_off_centre_hole_works():
    images = tiny_images(5)
    oracle = Perfect(images / 255.0)
    rows = evaluate({"oracle": oracle}, images, hole=Hole(3, 4, 10, 7), batch_size=2,
                    progress=False)
    assert rows[0]["hole_mse"] == 0.0
    assert rows[0]["ssim"] == pytest.approx(1.0)


def test_evaluate_rejects_bad_input():
    images = tiny_images(2)
    fills = {"mean": MeanColorFill([0.5, 0.5, 0.5])}
    with pytest.raises(ValueError, match="empty"):
        evaluate(fills, images[:0], progress=False)
    with pytest.raises(ValueError, match="batch_size"):
        evaluate(fills, images, batch_size=0, progress=False)
    with pytest.raises(TypeError, match="Inpainter"):
        evaluate({"x": object()}, images, progress=False)
    with pytest.raises(ValueError, match="outside"):
        evaluate(fills, images, hole=Hole(30, 30, 4, 4), progress=False)


def test_format_table_is_markdown():
    rows = [
        {"method": "OpenCV Telea", "hole_mse": 0.03456, "hole_psnr": 15.61, "ssim": 0.7421,
         "sharpness_ratio": 0.412, "ms_per_image": 0.5},
        {"method": "a model", "hole_mse": 0.02, "hole_psnr": 17.0, "ssim": float("nan"),
         "sharpness_ratio": None, "ms_per_image": 1.25},
    ]
    table = format_table(rows)
    lines = table.splitlines()
    assert len(lines) == 4
    assert all(line.startswith("|") and line.endswith("|") for line in lines)
    assert len({len(line) for line in lines}) == 1          # aligned columns
    assert "hole MSE" in lines[0] and "SSIM" in lines[0] and "ms / image" in lines[0]
    assert set(lines[1]) <= set("|-:")
    assert "0.0346" in lines[2] and "15.61" in lines[2] and "0.742" in lines[2]
    assert "0.41" in lines[2] and "0.50" in lines[2]
    assert "–" in lines[3]
    assert format_table([]).count("\n") == 1


def test_evaluate_with_per_image_agrees_with_evaluate():
    data = synthetic_cifar10(64, 12)
    fills = classical_fills(data.x_train, methods=["mean", "telea"])
    rows, patches, per_image = evaluate_with_per_image(fills, data.x_test)
    reference = evaluate(fills, data.x_test, progress=False)
    for ours, theirs in zip(rows, reference):
        assert set(ours) == set(theirs)
        for key in ("hole_mse", "hole_psnr", "ssim", "sharpness_ratio", "image_psnr", "hole_l1"):
            assert ours[key] == pytest.approx(theirs[key], rel=1e-6)
    assert patches["telea"].shape == (12, 16, 16, 3)
    assert per_image["mean"]["hole_mse"].shape == (12,)
    assert np.mean(per_image["telea"]["hole_mse"]) == pytest.approx(rows[1]["hole_mse"])


def test_per_class_means_and_empty_classes():
    values = np.array([1.0, 3.0, 10.0])
    out = per_class(values, np.array([0, 0, 2]), 4)
    assert out[0] == 2.0 and out[2] == 10.0 and np.isnan(out[1]) and np.isnan(out[3])
