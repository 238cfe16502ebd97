"""Published weights: publish a tiny run, load it by name, refuse damaged files, continue it;
and the weights shipped in weights/ are intact and load."""

import json
import re

import numpy as np
import pytest

from synthetic import make_image_folder_tar, smooth_images
from helpers import pretrained, train
from helpers.masks import CENTER_HOLE, cut_hole
from helpers.pretrained import PretrainedError
from helpers.training import AutoencoderTrainer, GANTrainer


@pytest.fixture
def weights(tmp_path, monkeypatch):
    folder = tmp_path / "weights"
    monkeypatch.setenv(pretrained.WEIGHTS_ENV, str(folder))
    return folder


def _publish(trainer, tmp_path, name, images, select="last"):
    run = tmp_path / f"run-{name}"
    trainer.fit(images[:48], 4, checkpoint_dir=run, checkpoint_every=2, log_every=2,
                validation=images[48:], validate_every=2, progress=False)
    pretrained.publish(run, name, select=select, data_source="synthetic", train_images=48,
                       validation_images=16, hardware="test machine", precision_check=images[48:])
    return trainer


def test_publish_load_and_card(weights, tmp_path):
    images = smooth_images(64)
    trainer = _publish(AutoencoderTrainer(batch_size=8, compile_mode="eager"), tmp_path, "tiny-ae", images)
    assert pretrained.available() == ["tiny-ae"]
    entry = json.loads((weights / "MANIFEST.json").read_text())["tiny-ae"]
    assert entry["kind"] == "autoencoder" and entry["iteration"] == 4
    with np.load(weights / "tiny-ae.npz") as f:
        assert {f[k].dtype for k in f.files if k != "__meta__"} >= {np.dtype(np.uint8)}
    assert {v.dtype for v in pretrained.read_weights("tiny-ae")[1].values()} >= {np.dtype(np.float16)}

    model = pretrained.load_pretrained("tiny-ae")
    original = trainer.models()["autoencoder"]
    for a, b in zip(model.weights, original.weights):
        np.testing.assert_allclose(np.asarray(a), np.asarray(b), rtol=2e-3, atol=1e-4)
    loaded = pretrained.load_pretrained_trainer("tiny-ae")
    assert loaded.iteration == 4 and loaded.history["iteration"] == trainer.history["iteration"]

    rec = pretrained.record("tiny-ae")
    check = rec["precision_check"]
    assert check["images"] == 16 and abs(check["relative_change"]) < 0.01
    card = (weights / "tiny-ae.md").read_text()
    assert "4 iterations at batch 8" in card and "synthetic" in card and "float16" in card
    assert "load_pretrained('tiny-ae')" in card


def test_a_run_that_averaged_publishes_its_average_or_its_raw_weights(weights, tmp_path):
    images = smooth_images(64, seed=5)
    trainer, run = AutoencoderTrainer(batch_size=4, compile_mode="eager", average_decay=0.9), tmp_path / "run"
    trainer.fit(images[:48], 12, checkpoint_dir=run, log_every=4, validation=images[48:],
                validate_every=4, progress=False)
    pretrained.publish(run, "avg-ae", data_source="synthetic", train_images=48,
                       validation_images=16, precision_check=images[48:])
    pretrained.publish(run, "raw-ae", raw=True, data_source="synthetic", train_images=48,
                       validation_images=16, precision_check=images[48:])
    averaged, raw = pretrained.read_weights("avg-ae")[1], pretrained.read_weights("raw-ae")[1]
    np.testing.assert_allclose(averaged["autoencoder/0/0"], trainer.average[0][0], rtol=2e-3, atol=1e-4)
    state = trainer.state["autoencoder"][0][0]
    np.testing.assert_allclose(raw["autoencoder/0/0"], np.asarray(state), rtol=2e-3, atol=1e-4)
    assert np.abs(averaged["autoencoder/0/0"].astype(np.float32) - raw["autoencoder/0/0"]).max() > 1e-4
    avg_rec, raw_rec = pretrained.record("avg-ae"), pretrained.record("raw-ae")
    assert avg_rec["config"]["average_decay"] == 0.9 and "average_decay" not in raw_rec["config"]
    # each record's validation curve is its own weights', and the precision check measured them
    assert avg_rec["history"]["val_hole_mse"] == trainer.history["val_hole_mse"]
    assert raw_rec["history"]["val_hole_mse"] == trainer.history["val_hole_mse_raw"]
    assert abs(avg_rec["precision_check"]["relative_change"]) < 0.01
    assert abs(raw_rec["precision_check"]["relative_change"]) < 0.01
    with pytest.raises(ValueError, match="select='last'"):
        pretrained.publish(run, "x", raw=True, select="best", data_source="synthetic",
                           train_images=48, validation_images=16)
    with pytest.raises(ValueError, match="did not average"):
        pretrained.publish(_plain_run(tmp_path, images), "x", raw=True, data_source="s",
                           train_images=1, validation_images=1)


def _plain_run(tmp_path, images):
    run = tmp_path / "run-plain"
    AutoencoderTrainer(batch_size=8, compile_mode="eager").fit(images[:16], 1, checkpoint_dir=run, progress=False)
    return run


def test_best_selection_keeps_the_whole_history(weights, tmp_path):
    images = smooth_images(64, seed=3)
    _publish(AutoencoderTrainer(batch_size=8, compile_mode="eager"), tmp_path, "best-ae", images, "best")
    rec = pretrained.record("best-ae")
    assert rec["selection"] == "best" and rec["trained_iterations"] == 4
    assert rec["iteration"] in (2, 4)
    assert rec["history"]["iteration"][-1] == 4


def test_damaged_missing_and_unknown_weights_say_what_to_do(weights, tmp_path):
    _publish(AutoencoderTrainer(batch_size=8, compile_mode="eager"), tmp_path, "tiny-ae", smooth_images(64))
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
        pretrained.verify("tiny-ae")
    path.unlink()
    with pytest.raises(PretrainedError, match="missing"):
        pretrained.verify("tiny-ae")


def test_gan_continues_from_published_weights(weights, tmp_path, monkeypatch):
    tarball = tmp_path / "mini.tar.gz"
    make_image_folder_tar(tarball, per_class=4)
    monkeypatch.setenv("INPAINTING_CACHE", str(tmp_path / "cache"))
    images = smooth_images(64, seed=5)
    _publish(GANTrainer(batch_size=8, compile_mode="eager"), tmp_path, "tiny-gan", images)
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


def test_a_run_checkpoint_is_scored_without_publishing(tmp_path, monkeypatch, capsys):
    from helpers import evaluate

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


@pytest.mark.skipif(not pretrained.available(), reason="no weights published yet")
@pytest.mark.parametrize("name", pretrained.available())
def test_shipped_weights_are_intact_and_load(name):
    rec = pretrained.record(name)
    model = pretrained.load_pretrained(name)
    assert model.name.startswith(pretrained.FILLING_MODEL[rec["kind"]])  # pconv_unet for "pconv"
    images = smooth_images(2, seed=1)
    inpainter = pretrained.pretrained_inpainter(name)
    patch = inpainter.fill(images)
    assert patch.shape == (2, 16, 16, 3) and np.isfinite(patch).all()
    masks = np.zeros((2, 32, 32), bool)
    masks[:, 8:24, 8:24] = True
    filled = inpainter.fill_masks(images / np.float32(255), masks)
    assert filled.shape == (2, 32, 32, 3) and np.isfinite(filled).all()
    np.testing.assert_allclose(filled[~masks], images[~masks] / 255, atol=1e-6)
    card = (pretrained.weights_dir() / f"{name}.md").read_text()
    assert f"{rec['trained_iterations']:,} iterations" in card
    continued = re.search(r"--from-pretrained \S+ --iterations (\d+)", card)
    assert continued and int(continued.group(1)) > rec["iteration"], "the card's command must train something"


def test_shipped_report_scores_the_shipped_weights():
    """results/ must be regenerated (python -m helpers.report) whenever weights/ changes, so
    that every number the course quotes comes from the weights it ships."""
    from helpers.report import load_report

    report = load_report()
    if report is None:
        pytest.skip("no results report yet")
    scored = {row["pretrained"]: row["sha256"] for row in report["results"] if row.get("pretrained")}
    manifest = pretrained.read_manifest()
    assert set(scored) == set(manifest), "the report and weights/ list different models"
    stale = [name for name, sha in scored.items() if manifest[name]["sha256"] != sha]
    assert not stale, f"results/ scored other weights for {stale}: run python -m helpers.report"


def test_shipped_weights_fit_the_size_budget():
    total = sum(e["bytes"] for e in pretrained.read_manifest().values())
    assert total <= 25e6, f"published weights take {total / 1e6:.1f} MB, over the 25 MB budget"


def test_half_precision_never_makes_infinities():
    arrays = {"small": np.array([1.5, -2.0], np.float32), "big": np.array([1.0, 9e4], np.float32),
              "seed": np.array([3, 4], np.uint32)}
    half = pretrained.half_precision(arrays)
    assert half["small"].dtype == np.float16 and half["big"].dtype == np.float32
    assert half["seed"].dtype == np.uint32 and np.isfinite(half["big"]).all()


def test_byte_planes_round_trip_bit_for_bit():
    rng = np.random.default_rng(0)
    arrays = {"kernel": rng.normal(size=(3, 3, 5, 7)).astype(np.float16),
              "scalar": np.array(0.5, dtype=np.float16), "empty": np.zeros((0, 4), np.float16),
              "big_variance": np.array([87146.0], np.float32), "seed": np.array([7], np.int64)}
    packed, shapes = pretrained.pack_byte_planes(arrays)
    assert set(shapes) == {"kernel", "scalar", "empty"} and packed["kernel"].shape == (2, 315)
    restored = pretrained.unpack_byte_planes(packed, shapes)
    for key, value in arrays.items():
        assert restored[key].dtype == value.dtype and restored[key].shape == value.shape
        assert restored[key].tobytes() == value.tobytes()
    with pytest.raises(PretrainedError, match="byte planes"):
        pretrained.unpack_byte_planes({"kernel": packed["kernel"][:, :-1]}, {"kernel": shapes["kernel"]})


def test_repack_turns_format_1_files_into_byte_planes_with_the_same_values(weights, tmp_path):
    images = smooth_images(64, seed=5)
    _publish(AutoencoderTrainer(batch_size=8, compile_mode="eager"), tmp_path, "old-ae", images)
    meta, arrays = pretrained.read_weights("old-ae")
    meta = {k: v for k, v in meta.items() if k != "byte_planes"} | {"format": 1, "storage": "float16"}
    np.savez_compressed(weights / "old-ae.npz", __meta__=np.str_(json.dumps(meta)), **arrays)
    manifest = json.loads((weights / "MANIFEST.json").read_text())
    manifest["old-ae"].update(bytes=(weights / "old-ae.npz").stat().st_size,
                              sha256=pretrained.sha256(weights / "old-ae.npz"))
    (weights / "MANIFEST.json").write_text(json.dumps(manifest))
    assert pretrained.record("old-ae")["format"] == 1          # format 1 still loads

    pretrained.repack("old-ae")
    meta2, arrays2 = pretrained.read_weights("old-ae")
    assert meta2["format"] == 2 and meta2["history"] == meta["history"]
    assert all(arrays2[k].tobytes() == v.tobytes() and arrays2[k].dtype == v.dtype for k, v in arrays.items())
    assert pretrained.main(["repack", "no-such-model"]) == 2   # a clear error, not a KeyError


def _rewrite(weights, name, meta, arrays):
    """Write a weights file by hand and fix its manifest entry (to fake old or damaged files)."""
    np.savez_compressed(weights / f"{name}.npz", __meta__=np.str_(json.dumps(meta)), **arrays)
    manifest = json.loads((weights / "MANIFEST.json").read_text())
    manifest[name].update(bytes=(weights / f"{name}.npz").stat().st_size,
                          sha256=pretrained.sha256(weights / f"{name}.npz"))
    (weights / "MANIFEST.json").write_text(json.dumps(manifest))


def test_int8_quantization_is_per_output_channel_and_bounded():
    rng = np.random.default_rng(0)
    kernel = (rng.normal(size=(3, 3, 4, 6)) * [1, 10, 100, 0.01, 1, 1]).astype(np.float32)
    kernel[..., 5] = 0                                    # a dead channel: no division by zero
    arrays = {"kernel": kernel, "bias": np.array([0.25, -1.5], np.float32),
              "seed": np.array([7], np.int64)}
    stored = pretrained.quantize_int8(arrays)
    assert stored["kernel"].dtype == np.int8 and stored["kernel" + pretrained.SCALE_SUFFIX].shape == (1, 1, 1, 6)
    assert stored["bias"].dtype == np.float16 and stored["seed"].dtype == np.int64
    back = pretrained.restored(stored)
    assert set(back) == set(arrays) and back["kernel"].dtype == np.float32
    scale = stored["kernel" + pretrained.SCALE_SUFFIX]
    assert np.all(np.abs(back["kernel"] - kernel) <= scale / 2 + 1e-7), "error within half a step"
    assert np.all(back["kernel"][..., 5] == 0)
    with pytest.raises(PretrainedError, match="int8 with one scale"):
        pretrained.dequantize_int8({"kernel": stored["kernel"]}, ["kernel"])
    with pytest.raises(ValueError, match="storage must be one of"):
        pretrained.as_stored(arrays, "int4")


def test_int8_storage_publishes_loads_and_repacks(weights, tmp_path):
    images = smooth_images(64, seed=6)
    trainer = AutoencoderTrainer(batch_size=8, compile_mode="eager")
    run = tmp_path / "run-int8"
    trainer.fit(images[:48], 4, checkpoint_dir=run, checkpoint_every=2, log_every=2, progress=False)
    for name, storage in (("ae-16", "float16"), ("ae-8", "int8")):
        pretrained.publish(run, name, data_source="synthetic", train_images=48, validation_images=16,
                           precision_check=images[48:], storage=storage)
    sizes = {n: (weights / f"{n}.npz").stat().st_size for n in ("ae-16", "ae-8")}
    assert sizes["ae-8"] < 0.7 * sizes["ae-16"]
    meta, arrays = pretrained.read_weights("ae-8")
    assert meta["format"] == 3 and meta["int8_scales"] and meta["precision_check"]["storage"] == "int8"
    assert abs(meta["precision_check"]["relative_change"]) < 0.05
    model = pretrained.load_pretrained("ae-8")
    for a, b in zip(model.weights, trainer.models()["autoencoder"].weights):
        b = np.asarray(b)
        np.testing.assert_allclose(np.asarray(a), b, atol=np.abs(b).max() / 127 + 1e-3)
    assert "int8 kernels" in (weights / "ae-8.md").read_text()

    _, stored = pretrained._read_stored("ae-8")
    pretrained.repack("ae-8")                             # same storage: bit for bit
    _, again = pretrained._read_stored("ae-8")
    assert all(again[k].tobytes() == v.tobytes() for k, v in stored.items())
    pretrained.repack("ae-16", storage="int8", check_images=images[48:])
    moved = pretrained.record("ae-16")["repacked"]
    assert moved["from"] == "float16" and moved["to"] == "int8" and moved["images"] == 16
    assert "Repacked from float16 to int8" in (weights / "ae-16.md").read_text()
    assert pretrained.record("ae-16")["int8_scales"] == meta["int8_scales"]

    assert pretrained.main(["repack", "ae-8", "--notes", "Compared with a retrained model."]) == 0
    _, renoted = pretrained._read_stored("ae-8")
    assert all(renoted[k].tobytes() == v.tobytes() for k, v in stored.items()), "notes leave values alone"
    assert "Compared with a retrained model." in (weights / "ae-8.md").read_text()
    assert pretrained.main(["repack", "ae-8", "ae-16", "--notes", "x"]) == 2

    newer = dict(meta, format=pretrained.NEWEST_FORMAT + 1)
    _rewrite(weights, "ae-8", newer, {k: v for k, v in stored.items()})
    with pytest.raises(PretrainedError, match="newer than this copy"):
        pretrained.load_pretrained("ae-8")
