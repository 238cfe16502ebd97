"""Beyond the paper: free-form masks, metrics on any mask, partial convolutions, the U-Net
and its trainer."""

import json

import keras
import numpy as np
import pytest

from synthetic import make_image_folder_tar, smooth_images
from helpers import metrics
from helpers.cli import train
from helpers.engine.checkpoints import CheckpointError, read_checkpoint
from helpers.holes import (CENTER_HOLE, apply_masks, center_masks, check_masks, composite,
                           cut_hole, random_masks, to_scale)
from helpers.holes import known_mask, unet_inputs
from helpers.inpainters import PConvInpainter
from helpers.pconv import PCONV_WIDTHS, PartialConv2D, build_pconv_unet, unet_widths
from helpers.steps import hole_and_known_loss
from helpers.trainers import PConvTrainer


def test_random_masks_are_seeded_and_cover_the_asked_share():
    masks = random_masks(200, coverage=(0.1, 0.4), seed=3)
    assert masks.dtype == bool and masks.shape == (200, 32, 32)
    share = masks.mean(axis=(1, 2))
    assert share.min() >= 0.1 and share.max() <= 0.4 and share.std() > 0.03
    assert np.array_equal(masks, random_masks(200, coverage=(0.1, 0.4), seed=3))
    assert np.array_equal(masks[7], random_masks(8, coverage=(0.1, 0.4), seed=3)[7])
    assert not np.array_equal(masks, random_masks(200, coverage=(0.1, 0.4), seed=4))
    narrow = random_masks(20, coverage=(0.3, 0.32), seed=0).mean(axis=(1, 2))
    assert narrow.min() >= 0.3 and narrow.max() <= 0.32
    with pytest.raises(ValueError, match="coverage"):
        random_masks(2, coverage=(0.5, 0.2))


def test_masks_check_and_the_centre_square_is_a_special_case():
    images = to_scale(smooth_images(4), "unit")
    square = center_masks(4)
    assert square.mean() == 0.25
    holed = apply_masks(images, square)
    np.testing.assert_array_equal(holed, cut_hole(images, CENTER_HOLE)[0])
    np.testing.assert_array_equal(composite(images, holed, square), holed)
    with pytest.raises(ValueError, match="one mask, or one per image"):
        check_masks(np.zeros((3, 32, 32), bool), 4)
    with pytest.raises(ValueError, match="0/1"):
        check_masks(np.full((32, 32), 0.5))
    with pytest.raises(ValueError, match="32x32"):
        check_masks(np.zeros((1, 16, 16), bool), 4, (32, 32))


def test_mask_metrics_agree_with_the_hole_metrics_on_the_square():
    rng = np.random.default_rng(0)
    truth = rng.random((5, 32, 32, 3)).astype(np.float32)
    pred = np.clip(truth + rng.normal(0, 0.1, truth.shape), 0, 1).astype(np.float32)
    square = center_masks(5)
    patch = lambda x: x[:, CENTER_HOLE.rows, CENTER_HOLE.cols]  # noqa: E731
    assert metrics.mask_mse(pred, truth, square) == pytest.approx(metrics.hole_mse(patch(pred), patch(truth)), rel=1e-5)
    assert metrics.mask_l1(pred, truth, square) == pytest.approx(metrics.hole_l1(patch(pred), patch(truth)), rel=1e-5)
    np.testing.assert_allclose(metrics.mask_psnr(pred, truth, square, per_image=True),
                               metrics.hole_psnr(patch(pred), patch(truth), per_image=True), rtol=1e-5)
    outside = pred.copy()
    outside[:, :4] = 0  # errors outside the hole do not count
    assert metrics.mask_mse(outside, truth, square) == metrics.mask_mse(pred, truth, square)
    with pytest.raises(ValueError, match="no missing pixels"):
        metrics.mask_mse(pred, truth, np.zeros((32, 32), bool))


def test_partial_convolution_ignores_missing_pixels_and_shrinks_the_hole():
    layer = PartialConv2D(4, 3)
    missing = random_masks(2, seed=1)
    known = (~missing)[..., None].astype(np.float32)
    x = np.random.default_rng(0).random((2, 32, 32, 3)).astype(np.float32)
    noisy = np.where(missing[..., None], 123.0, x).astype(np.float32)
    a, k1 = layer([x, np.repeat(known, 3, -1)])
    b, _ = layer([noisy, np.repeat(known, 3, -1)])
    np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-5)
    shares = [missing.mean()]
    k = np.asarray(k1)[..., :1]
    shares.append(1 - k.mean())
    for _ in range(2):
        _, k = PartialConv2D(1, 3)([np.zeros_like(k), k])
        k = np.asarray(k)
        shares.append(1 - k.mean())
    assert all(later <= earlier for earlier, later in zip(shares, shares[1:])) and shares[-1] < shares[0]
    # a window with no known pixel gives 0, and stays unknown
    _, k = PartialConv2D(2, 3)([np.zeros((1, 8, 8, 1), np.float32), np.zeros((1, 8, 8, 1), np.float32)])
    assert float(np.max(k)) == 0.0


@pytest.mark.slow
def test_unet_fills_any_hole_and_keeps_the_known_pixels(tmp_path):
    model = build_pconv_unet()
    assert model.count_params() < 1_000_000, "keep the beyond-the-paper model light"
    images = smooth_images(3)
    masks = random_masks(3, seed=2)
    inpainter = PConvInpainter(model)
    filled = inpainter.fill_masks(images, masks)
    unit = to_scale(images, "unit")
    np.testing.assert_array_equal(filled[~masks], unit[~masks])
    assert inpainter.fill(images).shape == (3, 16, 16, 3)
    x, known = unet_inputs(unit, known_mask(masks))
    assert np.all(x[masks] == 0) and known.shape == (3, 32, 32, 1)
    model.save(tmp_path / "pconv.keras")
    again = keras.saving.load_model(tmp_path / "pconv.keras")
    np.testing.assert_allclose(np.asarray(again([x, known])), np.asarray(model([x, known])), atol=1e-5)


@pytest.mark.slow
def test_trainer_learns_resumes_exactly_and_trains_from_the_command_line(tmp_path, monkeypatch):
    images = smooth_images(64)
    one = PConvTrainer(batch_size=16, mask_bank=100, compile_mode="eager")
    assert np.array_equal(one.masks_for(3, 16), one.masks_for(3, 16))
    assert one.masks_for(3, 400).mean(axis=(1, 2)).min() >= 0.1
    history = one.fit(images, 12, log_every=4, progress=False, checkpoint_dir=tmp_path / "a",
                      checkpoint_every=6, validation=images[:16], validate_every=12)
    assert history["loss"][-1] < history["loss"][0]
    two = PConvTrainer(batch_size=16, mask_bank=100, compile_mode="eager")
    two.fit(images, 6, progress=False, checkpoint_dir=tmp_path / "b", checkpoint_every=6, log_every=6)
    three = PConvTrainer(batch_size=16, mask_bank=100, compile_mode="eager")
    three.fit(images, 12, progress=False, checkpoint_dir=tmp_path / "b", resume=True, log_every=6)
    for a, b in zip(one.models()["pconv"].weights, three.models()["pconv"].weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), atol=1e-5)

    tarball = tmp_path / "mini.tar.gz"
    make_image_folder_tar(tarball, per_class=4)
    monkeypatch.setenv("INPAINTING_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "run"
    assert train.main(["pconv", "--data", str(tarball), "--out", str(out), "--iterations", "2",
                       "--batch-size", "8", "--test-size", "8", "--no-progress", "--widths", "8,16,16,24", "--compile", "eager"]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["model"] == "pconv" and run["iterations"] == 2 and (out / "pconv.keras").exists()
    assert read_checkpoint(out / "checkpoint.npz")[0]["config"]["widths"] == [8, 16, 16, 24]


@pytest.mark.slow
def test_widths_build_a_wider_or_narrower_u_net_that_its_runs_keep(tmp_path, capsys):
    from helpers.pretrained import checkpoint_inpainter

    small = build_pconv_unet((8, 16, 16, 24))
    assert unet_widths(small) == (8, 16, 16, 24) and unet_widths(build_pconv_unet()) == PCONV_WIDTHS
    assert small.count_params() < build_pconv_unet().count_params() < build_pconv_unet((48, 96, 192, 192)).count_params()
    for bad in [(32, 64, 128), (0, 64, 128, 128), "wide", (32.5, 64, 128, 128)]:
        with pytest.raises(ValueError, match="four positive whole numbers"):
            build_pconv_unet(bad)
    with pytest.raises(ValueError, match="give one or the other"):
        PConvTrainer(small, widths=(8, 16, 16, 32), mask_bank=10)
    assert PConvTrainer(small, mask_bank=10).config["widths"] == [8, 16, 16, 24], "read from the model"

    run = PConvTrainer(batch_size=8, mask_bank=20, compile_mode="eager", widths=(8, 16, 16, 24))
    run.fit(smooth_images(16), 2, progress=False, checkpoint_dir=tmp_path, checkpoint_every=2, log_every=2)
    with pytest.raises(CheckpointError, match=r"widths=\[8, 16, 16, 24\]"):  # the default cannot resume it
        PConvTrainer(batch_size=8, mask_bank=20, compile_mode="eager").load_checkpoint(tmp_path / "checkpoint.npz")
    resumed = PConvTrainer(batch_size=8, mask_bank=20, compile_mode="eager", widths=[8, 16, 16, 24])
    assert resumed.load_checkpoint(tmp_path / "checkpoint.npz").iteration == 2
    scored = checkpoint_inpainter(tmp_path / "checkpoint.npz")       # evaluate --checkpoint builds it
    assert unet_widths(scored.model) == (8, 16, 16, 24)

    assert train.main(["pconv", "--widths", "48,96", "--iterations", "1"]) == 2
    assert "--widths: widths must be four positive whole numbers" in capsys.readouterr().err
    assert train.main(["autoencoder", "--widths", "8,8,8,8", "--iterations", "1"]) == 2
    assert "--widths is for pconv" in capsys.readouterr().err


@pytest.mark.slow
def test_the_l2_loss_squares_liu_et_al_s_two_terms_and_is_kept_by_its_runs(tmp_path, capsys):
    pred = np.array([[[[0.5], [0.2]]]], np.float32)             # two pixels, one channel
    truth = np.array([[[[0.1], [0.4]]]], np.float32)
    known = np.array([[[[0.0], [1.0]]]], np.float32)             # the first one is missing
    l1 = float(hole_and_known_loss(pred, truth, known, "l1"))
    l2 = float(hole_and_known_loss(pred, truth, known))                 # the default
    np.testing.assert_allclose(l1, (6 * 0.4 + 1 * 0.2) / 2, rtol=1e-6)
    np.testing.assert_allclose(l2, (6 * 0.16 + 1 * 0.04) / 2, rtol=1e-6)
    with pytest.raises(ValueError, match="l1"):
        hole_and_known_loss(pred, truth, known, "huber")
    with pytest.raises(ValueError, match="squared"):
        PConvTrainer(loss="L2", mask_bank=10)

    images = smooth_images(16)
    run = PConvTrainer(batch_size=8, mask_bank=20, compile_mode="eager")
    run.fit(images, 2, progress=False, checkpoint_dir=tmp_path, checkpoint_every=2, log_every=2)
    assert run.config["loss"] == "l2"
    with pytest.raises(CheckpointError, match="loss='l2'"):     # an L1 run cannot resume it
        PConvTrainer(batch_size=8, mask_bank=20, compile_mode="eager", loss="l1").load_checkpoint(
            tmp_path / "checkpoint.npz")
    assert train.main(["autoencoder", "--loss", "l2", "--iterations", "1"]) == 2
    assert "--loss is for pconv" in capsys.readouterr().err
    assert train.main(["pconv", "--center-fraction", "1.5", "--iterations", "1"]) == 2
    assert "--center-fraction: center_fraction must be a share from 0 to 1" in capsys.readouterr().err


@pytest.mark.slow
def test_flips_and_shifts_reach_the_u_net_s_steps_and_are_kept_by_its_runs(tmp_path, capsys):
    from helpers.batches import augment

    images = smooth_images(8, seed=2)
    seen = []

    def spy(trainer):
        def step(state, image, known):
            seen.append(np.asarray(image))
            return state, {"loss": 0.0}
        trainer._step = step
        return trainer

    plain = spy(PConvTrainer(batch_size=8, mask_bank=10, compile_mode="eager", seed=3))
    plain.iteration = 5
    plain.train_step(images)
    np.testing.assert_array_equal(seen.pop(), images / np.float32(255))
    moved = spy(PConvTrainer(batch_size=8, mask_bank=10, compile_mode="eager", seed=3, flip=True, shift=2))
    moved.iteration = 5
    moved.train_step(images)
    expected = augment(images, 3, 5, flip=True, shift=2)
    assert not np.array_equal(expected, images), "seed 3, iteration 5 moves some of the 8 images"
    np.testing.assert_array_equal(seen.pop(), expected / np.float32(255))
    with pytest.raises(ValueError, match="0 to 7"):
        PConvTrainer(shift=9, mask_bank=10)

    run = PConvTrainer(batch_size=8, mask_bank=20, compile_mode="eager", flip=True, shift=1)
    run.fit(smooth_images(16), 2, progress=False, checkpoint_dir=tmp_path, checkpoint_every=2, log_every=2)
    with pytest.raises(CheckpointError, match="flip=True"):   # a run without flips cannot resume it
        PConvTrainer(batch_size=8, mask_bank=20, compile_mode="eager", shift=1).load_checkpoint(
            tmp_path / "checkpoint.npz")
    resumed = PConvTrainer(batch_size=8, mask_bank=20, compile_mode="eager", flip=True, shift=1)
    assert resumed.load_checkpoint(tmp_path / "checkpoint.npz").iteration == 2
    assert train.main(["gan", "--flip", "--iterations", "1"]) == 2
    assert "--flip is for autoencoder and pconv; the gan has no flip setting" in capsys.readouterr().err


@pytest.mark.slow
def test_every_method_fills_free_form_holes_or_says_it_cannot():
    from helpers.classical import classical_fills
    from helpers.evaluation import evaluate_masks
    from helpers.inpainters import ModelInpainter
    from helpers.models import build_autoencoder

    images = smooth_images(12, seed=4)
    masks = random_masks(12, seed=5)
    methods = {**classical_fills(images), "pconv": PConvInpainter(build_pconv_unet())}
    rows = evaluate_masks(methods, images, masks, batch_size=5, progress=False)
    assert [r["id"] for r in rows] == ["mean", "telea", "ns", "biharmonic", "pconv"]
    unit = to_scale(images, "unit")
    for key, method in methods.items():
        filled = method.fill_masks(images, masks)
        np.testing.assert_array_equal(filled[~masks], unit[~masks])
    by_id = {r["id"]: r for r in rows}
    assert by_id["biharmonic"]["hole_mse"] < by_id["mean"]["hole_mse"], "smooth images: smooth fills win"
    assert 0.1 <= rows[0]["coverage"] <= 0.4 and rows[0]["n_images"] == 12
    with pytest.raises(ValueError, match="only the paper's centre square"):
        ModelInpainter(build_autoencoder(), "unit").fill_masks(images, masks)
