"""Published weights by name (helpers.pretrained): refuse damaged files, continue a published
run, score a run's checkpoint; and the weights shipped in weights/ are intact, load, and
name every setting of their trainer."""

import functools
import json
import re

import numpy as np
import pytest

from synthetic import make_image_folder_tar, publish_tiny, smooth_images
from helpers import pretrained, registry
from helpers.cli import evaluate, train
from helpers.engine import weightfiles
from helpers.holes import CENTER_HOLE, cut_hole
from helpers.engine.weightfiles import PretrainedError
from helpers.trainers import AutoencoderTrainer, GANTrainer


@pytest.mark.slow
def test_damaged_missing_and_unknown_weights_say_what_to_do(weights, tmp_path):
    publish_tiny(AutoencoderTrainer(batch_size=8, compile_mode="eager"), tmp_path, "tiny-ae", smooth_images(64))
    with pytest.raises(PretrainedError, match="No published weights named 'nope'.*tiny-ae"):
        pretrained.load_pretrained("nope")
    path = weights / "tiny-ae.npz"
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF
    path.write_bytes(bytes(data))
    with pytest.raises(PretrainedError, match="damaged.*git checkout"):
        pretrained.load_pretrained("tiny-ae")
    path.write_text("version https://git-lfs.github.com/spec/v1\n")
    with pytest.raises(PretrainedError, match="Git LFS pointer"):
        weightfiles.verify("tiny-ae")
    path.unlink()
    with pytest.raises(PretrainedError, match="missing"):
        weightfiles.verify("tiny-ae")


@pytest.mark.slow
def test_gan_continues_from_published_weights(weights, tmp_path, monkeypatch):
    tarball = tmp_path / "mini.tar.gz"
    make_image_folder_tar(tarball, per_class=4)
    monkeypatch.setenv("INPAINTING_CACHE", str(tmp_path / "cache"))
    images = smooth_images(64, seed=5)
    publish_tiny(GANTrainer(batch_size=8, compile_mode="eager"), tmp_path, "tiny-gan", images)
    out = tmp_path / "continued"
    args = ["gan", "--data", str(tarball), "--out", str(out), "--from-pretrained", "tiny-gan",
            "--iterations", "6", "--log-every", "2", "--test-size", "8", "--no-progress",
            "--compile", "eager"]
    assert train.main(args) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["iterations"] == 6
    history = json.loads((out / "history.json").read_text())
    assert history["iteration"][:2] == [2, 4] and history["iteration"][-1] == 6
    assert train.main(["autoencoder", "--data", str(tarball), "--out", str(tmp_path / "x"),
                       "--from-pretrained", "tiny-gan", "--no-progress"]) == 2


@pytest.mark.slow
def test_a_run_checkpoint_is_scored_without_publishing(tmp_path, monkeypatch, capsys):
    tarball = tmp_path / "mini.tar.gz"
    make_image_folder_tar(tarball, per_class=4)
    monkeypatch.setenv("INPAINTING_CACHE", str(tmp_path / "cache"))
    run = tmp_path / "run"
    trainer = AutoencoderTrainer(batch_size=8, compile_mode="eager")
    trainer.fit(smooth_images(16), 2, checkpoint_dir=run, checkpoint_every=2, progress=False)
    inpainter = pretrained.checkpoint_inpainter(run / "checkpoint.npz")
    assert "iteration 2" in inpainter.name
    images = smooth_images(3, seed=9)
    expected = trainer.predict_patch_unit(images)
    holed, _ = cut_hole(images / np.float32(255), CENTER_HOLE, "unit")
    got = inpainter.predict_patch(holed, CENTER_HOLE)
    np.testing.assert_allclose(got, expected, atol=1e-4)
    assert evaluate.main(["--data", str(tarball), "--methods", "mean", "--checkpoint",
                          str(run / "checkpoint.npz"), "--no-progress"]) == 0
    assert "autoencoder (run/checkpoint.npz, iteration 2)" in capsys.readouterr().out
    assert evaluate.main(["--data", str(tarball), "--methods", "none", "--checkpoint",
                          str(run / "best.npz"), "--no-progress"]) == 2
    assert "No checkpoint at" in capsys.readouterr().err


@pytest.mark.slow
@pytest.mark.skipif(not weightfiles.available(), reason="no weights published yet")
@pytest.mark.parametrize("name", weightfiles.available())
def test_shipped_weights_are_intact_and_load(name):
    rec = pretrained.record(name)
    model = pretrained.load_pretrained(name)
    assert model.name.startswith(registry.kind(rec["kind"]).filling_net)  # pconv_unet for "pconv"
    images = smooth_images(2, seed=1)
    inpainter = pretrained.pretrained_inpainter(name)
    patch = inpainter.fill(images)
    assert patch.shape == (2, 16, 16, 3) and np.isfinite(patch).all()
    masks = np.zeros((2, 32, 32), bool)
    masks[:, 8:24, 8:24] = True
    filled = inpainter.fill_masks(images / np.float32(255), masks)
    assert filled.shape == (2, 32, 32, 3) and np.isfinite(filled).all()
    np.testing.assert_allclose(filled[~masks], images[~masks] / 255, atol=1e-6)
    card = (weightfiles.weights_dir() / f"{name}.md").read_text()
    assert f"{rec['trained_iterations']:,} iterations" in card
    continued = re.search(r"--from-pretrained \S+ --iterations (\d+)", card)
    assert continued and int(continued.group(1)) > rec["iteration"], "the card's command must train something"


def test_shipped_report_scores_the_shipped_weights():
    """results/ must be regenerated (python -m helpers.cli.report) whenever weights/ changes, so
    that every number the course quotes comes from the weights it ships."""
    from helpers.cli.report import load_report

    report = load_report()
    if report is None:
        pytest.skip("no results report yet")
    scored = {row["pretrained"]: row["sha256"] for row in report["results"] if row.get("pretrained")}
    manifest = weightfiles.read_manifest()
    assert set(scored) == set(manifest), "the report and weights/ list different models"
    stale = [name for name, sha in scored.items() if manifest[name]["sha256"] != sha]
    assert not stale, f"results/ scored other weights for {stale}: run python -m helpers.cli.report"


def test_shipped_weights_fit_the_size_budget():
    total = sum(e["bytes"] for e in weightfiles.read_manifest().values())
    budget = weightfiles.SIZE_BUDGET_BYTES
    assert total <= budget, f"published weights take {total / 1e6:.1f} MB, over the {budget / 1e6:.0f} MB budget"


@functools.lru_cache(maxsize=None)
def _default_settings(kind):
    """The settings a trainer of ``kind`` has (its settings class's fields)."""
    return frozenset(registry.kind(kind).settings.names())


@pytest.mark.skipif(not weightfiles.available(), reason="no weights published yet")
@pytest.mark.parametrize("name", weightfiles.available())
def test_shipped_records_name_every_setting_of_their_trainer(name):
    """Every published record names every setting its trainer has (so no record is read with
    a default it does not state, and no legacy reader is needed), and only those."""
    rec = weightfiles.read_record(name)
    config = set(rec["config"]) - {"kind"}
    assert rec["config"]["kind"] == rec["kind"]
    optional = {"lr_drop_at", "average_decay"}   # in a trainer's config only where a run set them
    missing = _default_settings(rec["kind"]) - optional - config
    assert not missing, f"{name}'s record does not name {sorted(missing)}"
    unknown = config - _default_settings(rec["kind"]) - optional
    assert not unknown, f"{name}'s record names {sorted(unknown)}, which its trainer does not have"


@pytest.mark.slow
def test_a_new_run_starts_from_published_weights(weights, tmp_path):
    """A warm start: the new run's networks take the published weights, and keep their own
    settings, iteration and history."""
    images = smooth_images(64, seed=5)
    publish_tiny(GANTrainer(batch_size=8, compile_mode="eager", adversarial_weight=0.0), tmp_path, "l2-only", images)
    fresh = GANTrainer(batch_size=8, compile_mode="eager", seed=3)
    started = pretrained.warm_start(fresh, "l2-only", nets=["generator"])
    assert started is fresh and fresh.iteration == 0 and fresh.settings.adversarial_weight == 0.001
    published = pretrained.load_published("l2-only").model
    for a, b in zip(fresh.models()["generator"].weights, published.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    fresh.fit(images[:48], 2, log_every=1, progress=False)   # and it trains on from there
    assert fresh.iteration == 2
