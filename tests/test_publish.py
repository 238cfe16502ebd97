"""Publishing weights (helpers.cli.publish): publish a tiny run, load it by name, repack it,
export it as a plain .keras file."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from synthetic import publish_tiny, smooth_images
from helpers import pretrained, registry
from helpers.cli import publish
from helpers.engine import weightfiles
from helpers.engine.weightfiles import PretrainedError
from helpers.trainers import AutoencoderTrainer


@pytest.mark.slow
def test_publish_load_and_card(weights, tmp_path):
    images = smooth_images(64)
    trainer = publish_tiny(AutoencoderTrainer(batch_size=8, compile_mode="eager"), tmp_path, "tiny-ae", images)
    assert weightfiles.available() == ["tiny-ae"]
    entry = json.loads((weights / "MANIFEST.json").read_text())["tiny-ae"]
    assert entry["kind"] == "autoencoder" and entry["iteration"] == 4
    with np.load(weights / "tiny-ae.npz") as f:
        assert {f[k].dtype for k in f.files if k != "__meta__"} >= {np.dtype(np.uint8)}
    assert {v.dtype for v in weightfiles.read_stored("tiny-ae")[1].values()} >= {np.dtype(np.float16)}

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


@pytest.mark.slow
def test_a_published_card_lists_every_command_that_trained_the_run(weights, tmp_path):
    from helpers.engine.checkpoints import log_command

    images, run = smooth_images(64, seed=2), tmp_path / "run"
    AutoencoderTrainer(batch_size=8, compile_mode="eager").fit(images[:48], 4, checkpoint_dir=run, log_every=2,
                                                               progress=False)
    log_command(run, "python -m helpers.cli.train autoencoder --iterations 2", "2026-01-01 10:00:00")
    log_command(run, "python -m helpers.cli.train autoencoder --iterations 4 --resume", "2026-01-02 09:00:00")
    publish.publish(run, "logged", data_source="synthetic", train_images=48, validation_images=16)
    assert [c["command"][-8:] for c in pretrained.record("logged")["commands"]] == ["ations 2", "--resume"]
    card = (weights / "logged.md").read_text()
    assert ("`python -m helpers.cli.train autoencoder --iterations 2` (2026-01-01 10:00:00); "
            "`python -m helpers.cli.train autoencoder --iterations 4 --resume` (2026-01-02 09:00:00).") in card


def test_list_says_each_file_is_intact_and_the_total_against_the_budget(weights, tmp_path, capsys):
    weights.mkdir()
    (weights / "tiny.npz").write_bytes(b"x" * 1_500_000)
    (weights / "MANIFEST.json").write_text(json.dumps({"tiny": {
        "file": "tiny.npz", "kind": "autoencoder", "bytes": 1_500_000, "iteration": 7,
        "sha256": weightfiles.sha256(weights / "tiny.npz")}}))
    assert publish.main(["list"]) == 0
    out = capsys.readouterr().out
    assert "tiny" in out and "1.5 MB  ok" in out
    assert f"Together 1.5 MB of the course's {weightfiles.SIZE_BUDGET_BYTES / 1e6:.0f} MB budget" in out


@pytest.mark.slow
def test_a_run_that_averaged_publishes_its_average_or_its_raw_weights(weights, tmp_path):
    images = smooth_images(64, seed=5)
    trainer, run = AutoencoderTrainer(batch_size=4, compile_mode="eager", average_decay=0.9), tmp_path / "run"
    trainer.fit(images[:48], 12, checkpoint_dir=run, log_every=4, validation=images[48:],
                validate_every=4, progress=False)
    publish.publish(run, "avg-ae", data_source="synthetic", train_images=48,
                       validation_images=16, precision_check=images[48:])
    publish.publish(run, "raw-ae", raw=True, data_source="synthetic", train_images=48,
                       validation_images=16, precision_check=images[48:])
    averaged, raw = weightfiles.read_weights("avg-ae")[1], weightfiles.read_weights("raw-ae")[1]
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
        publish.publish(run, "x", raw=True, select="best", data_source="synthetic",
                           train_images=48, validation_images=16)
    with pytest.raises(ValueError, match="did not average"):
        publish.publish(_plain_run(tmp_path, images), "x", raw=True, data_source="s",
                           train_images=1, validation_images=1)


def _plain_run(tmp_path, images):
    run = tmp_path / "run-plain"
    AutoencoderTrainer(batch_size=8, compile_mode="eager").fit(images[:16], 1, checkpoint_dir=run, progress=False)
    return run


@pytest.mark.slow
def test_best_selection_keeps_the_whole_history(weights, tmp_path):
    images = smooth_images(64, seed=3)
    publish_tiny(AutoencoderTrainer(batch_size=8, compile_mode="eager"), tmp_path, "best-ae", images, "best")
    rec = pretrained.record("best-ae")
    assert rec["selection"] == "best" and rec["trained_iterations"] == 4
    assert rec["iteration"] in (2, 4)
    assert rec["history"]["iteration"][-1] == 4


@pytest.mark.slow
def test_repack_turns_format_1_files_into_byte_planes_with_the_same_values(weights, tmp_path):
    images = smooth_images(64, seed=5)
    publish_tiny(AutoencoderTrainer(batch_size=8, compile_mode="eager"), tmp_path, "old-ae", images)
    meta, arrays = weightfiles.read_stored("old-ae")                # float16, as stored
    meta = {k: v for k, v in meta.items() if k != "byte_planes"} | {"format": 1, "storage": "float16"}
    np.savez_compressed(weights / "old-ae.npz", __meta__=np.str_(json.dumps(meta)), **arrays)
    manifest = json.loads((weights / "MANIFEST.json").read_text())
    manifest["old-ae"].update(bytes=(weights / "old-ae.npz").stat().st_size,
                              sha256=weightfiles.sha256(weights / "old-ae.npz"))
    (weights / "MANIFEST.json").write_text(json.dumps(manifest))
    assert pretrained.record("old-ae")["format"] == 1          # format 1 still loads

    publish.repack("old-ae")
    meta2, arrays2 = weightfiles.read_stored("old-ae")
    assert meta2["format"] == weightfiles.FORMAT and meta2["history"] == meta["history"] and meta2["byte_planes"]
    assert all(arrays2[k].tobytes() == v.tobytes() and arrays2[k].dtype == v.dtype for k, v in arrays.items())
    assert publish.main(["repack", "no-such-model"]) == 2   # a clear error, not a KeyError


def _rewrite(weights, name, meta, arrays):
    """Write a weights file by hand and fix its manifest entry (to fake old or damaged files)."""
    np.savez_compressed(weights / f"{name}.npz", __meta__=np.str_(json.dumps(meta)), **arrays)
    manifest = json.loads((weights / "MANIFEST.json").read_text())
    manifest[name].update(bytes=(weights / f"{name}.npz").stat().st_size,
                          sha256=weightfiles.sha256(weights / f"{name}.npz"))
    (weights / "MANIFEST.json").write_text(json.dumps(manifest))


@pytest.mark.slow
def test_int8_storage_publishes_loads_and_repacks(weights, tmp_path):
    images = smooth_images(64, seed=6)
    trainer = AutoencoderTrainer(batch_size=8, compile_mode="eager")
    run = tmp_path / "run-int8"
    trainer.fit(images[:48], 4, checkpoint_dir=run, checkpoint_every=2, log_every=2, progress=False)
    for name, storage in (("ae-16", "float16"), ("ae-8", "int8")):
        publish.publish(run, name, data_source="synthetic", train_images=48, validation_images=16,
                           precision_check=images[48:], storage=storage)
    sizes = {n: (weights / f"{n}.npz").stat().st_size for n in ("ae-16", "ae-8")}
    assert sizes["ae-8"] < 0.7 * sizes["ae-16"]
    meta, arrays = weightfiles.read_weights("ae-8")
    assert meta["format"] == 3 and meta["int8_scales"] and meta["precision_check"]["storage"] == "int8"
    assert abs(meta["precision_check"]["relative_change"]) < 0.05
    model = pretrained.load_pretrained("ae-8")
    for a, b in zip(model.weights, trainer.models()["autoencoder"].weights):
        b = np.asarray(b)
        np.testing.assert_allclose(np.asarray(a), b, atol=np.abs(b).max() / 127 + 1e-3)
    assert "int8 kernels" in (weights / "ae-8.md").read_text()

    _, stored = weightfiles.read_stored("ae-8")
    publish.repack("ae-8")                             # same storage: bit for bit
    _, again = weightfiles.read_stored("ae-8")
    assert all(again[k].tobytes() == v.tobytes() for k, v in stored.items())
    publish.repack("ae-16", storage="int8", check_images=images[48:])
    moved = pretrained.record("ae-16")["repacked"]
    assert moved["from"] == "float16" and moved["to"] == "int8" and moved["images"] == 16
    assert "Repacked from float16 to int8" in (weights / "ae-16.md").read_text()
    assert pretrained.record("ae-16")["int8_scales"] == meta["int8_scales"]

    assert publish.main(["repack", "ae-8", "--notes", "Compared with a retrained model."]) == 0
    _, renoted = weightfiles.read_stored("ae-8")
    assert all(renoted[k].tobytes() == v.tobytes() for k, v in stored.items()), "notes leave values alone"
    assert "Compared with a retrained model." in (weights / "ae-8.md").read_text()
    assert publish.main(["repack", "ae-8", "ae-16", "--notes", "x"]) == 2

    newer = dict(meta, format=weightfiles.FORMAT + 1)
    _rewrite(weights, "ae-8", newer, {k: v for k, v in stored.items()})
    with pytest.raises(PretrainedError, match="newer than this copy"):
        pretrained.load_pretrained("ae-8")


# A fresh process in which the project cannot be imported: only Keras reads the exported files.
PLAIN_LOAD = r'''
import importlib.util, json, sys
import numpy as np
import keras
assert importlib.util.find_spec("helpers") is None, "the project is importable here"
folder, report = sys.argv[1], {}
for name in sys.argv[2:]:
    try:
        model = keras.saving.load_model(f"{folder}/{name}.keras", compile=False)
        stored = np.load(f"{folder}/{name}-inputs.npz")
        inputs = [stored[key] for key in sorted(stored.files)]
        out = model(inputs if len(inputs) > 1 else inputs[0], training=False)
        np.save(f"{folder}/{name}-outputs.npy", keras.ops.convert_to_numpy(out))
        report[name] = {"name": model.name}
    except Exception as err:
        report[name] = {"error": f"{type(err).__name__}: {err}"}
with open(f"{folder}/report.json", "w") as f:
    json.dump(report, f)
'''
EXPORTED = registry.names()


def _inputs(kind):
    """Inputs the exported network of ``kind`` takes: holed images on its scale, or (pconv)
    images with free-form holes and their masks."""
    from helpers.holes import make_pairs, random_masks
    from helpers.holes import known_mask, unet_inputs

    images = smooth_images(4, seed=7)
    if kind == "pconv":
        return unet_inputs(images / np.float32(255), known_mask(random_masks(4, seed=3)))
    return [make_pairs(images, "unit" if kind == "autoencoder" else "signed")[0]]


@pytest.fixture(scope="module")
def exported_by_the_command(tmp_path_factory):
    """`python -m helpers.cli.publish export NAME PATH` for each shipped name, every file then
    loaded and run by plain Keras in one fresh process; returns (folder, codes, printed,
    report, the package's own outputs)."""
    names = [name for name in EXPORTED if name in weightfiles.available()]
    folder = tmp_path_factory.mktemp("exported")
    codes, ours = {}, {}
    for name in names:
        codes[name] = publish.main(["export", name, str(folder / f"{name}.keras")])
        x = _inputs(pretrained.record(name)["kind"])
        np.savez(folder / f"{name}-inputs.npz", **{f"input_{i}": a for i, a in enumerate(x)})
        ours[name] = np.asarray(pretrained.load_pretrained(name)(x if len(x) > 1 else x[0], training=False))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", PLAIN_LOAD, str(folder), *names], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder, codes, json.loads((folder / "report.json").read_text()), ours


@pytest.mark.slow
@pytest.mark.parametrize("name", EXPORTED)
def test_export_command_writes_a_keras_file_that_plain_keras_loads(exported_by_the_command, name):
    """The command writes the network that fills holes as a standard .keras file, which
    ``keras.saving.load_model`` reads in a process that cannot import the project, and which
    fills as the published weights do."""
    if name not in weightfiles.available():
        pytest.skip(f"no shipped weights {name!r}")
    folder, codes, report, ours = exported_by_the_command
    assert codes[name] == 0 and (folder / f"{name}.keras").exists()
    assert "error" not in report[name], report[name].get("error")
    kind = pretrained.record(name)["kind"]
    assert report[name]["name"].startswith(registry.kind(kind).filling_net)    # pconv_unet for pconv
    np.testing.assert_allclose(np.load(folder / f"{name}-outputs.npy"), ours[name], rtol=0, atol=1e-5)


def test_export_command_refuses_an_unknown_name(tmp_path, capsys):
    assert publish.main(["export", "no-such-model", str(tmp_path / "x.keras")]) == 2
    assert "No published weights named 'no-such-model'" in capsys.readouterr().err
    assert not (tmp_path / "x.keras").exists()
