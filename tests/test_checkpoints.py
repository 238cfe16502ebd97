"""The checkpoint file a run resumes from (helpers.engine.checkpoints), without Keras."""

import numpy as np
import pytest

from helpers.engine import checkpoints
from helpers.engine.checkpoints import CheckpointError
from helpers.settings import AutoencoderSettings, GANSettings, fixed_settings


def check_settings(saved, expected, where, settings_class=None):
    """The trainers' check: the kind, and the settings their class marks as fixed."""
    kind = expected.get("kind", saved.get("kind"))
    settings_class = settings_class or {"autoencoder": AutoencoderSettings, "gan": GANSettings}[kind]
    checkpoints.check_settings(saved, expected, where, ("kind", *fixed_settings(settings_class)))


def test_a_differing_fixed_setting_is_refused_by_name():
    saved = {"kind": "autoencoder", "batch_size": 64, "learning_rate": 1e-3, "flip": True,
             "shift": 2, "dropout": 0.2, "weight_decay": 0.004}
    check_settings(saved, dict(saved), "run/checkpoint.npz")
    check_settings(saved, {**saved, "learning_rate": 3e-4}, "run/checkpoint.npz")   # may change on resume
    for key, value in (("dropout", 0.6), ("flip", False), ("weight_decay", 0.0), ("shift", 0),
                       ("batch_size", 32), ("kind", "gan")):
        with pytest.raises(CheckpointError, match=f"{key}={saved[key]!r}, this run has {key}={value!r}"):
            check_settings(saved, {**saved, key: value}, "run/checkpoint.npz", AutoencoderSettings)
    with pytest.raises(CheckpointError, match="run/checkpoint.npz"):
        check_settings(saved, {**saved, "dropout": 0.5}, "run/checkpoint.npz")


def test_a_record_that_does_not_name_a_setting_is_refused():
    """No legacy readers: a record without a fixed setting this run has is not read with a
    guessed default (every published record names every setting)."""
    run = {"kind": "gan", "batch_size": 32, "l2_weight": 0.999, "adversarial_weight": 0.001, "dropout": 0.2}
    old = {k: v for k, v in run.items() if k != "dropout"}
    with pytest.raises(CheckpointError, match="dropout=None, this run has dropout=0.2"):
        check_settings(old, run, "old.npz")
    with pytest.raises(CheckpointError, match="average_decay=0.999, this run has average_decay=None"):
        check_settings({**run, "average_decay": 0.999}, run, "averaged.npz")


def test_checkpoints_round_trip_and_refuse_damage(tmp_path):
    meta = {"iteration": 7, "seed": 3, "config": {"kind": "autoencoder"}}
    arrays = {"autoencoder/0/0": np.arange(6, dtype=np.float32).reshape(2, 3)}
    path = checkpoints.write_checkpoint(tmp_path / "checkpoint.npz", meta, arrays)
    got_meta, got = checkpoints.read_checkpoint(path)
    assert got_meta == meta and np.array_equal(got["autoencoder/0/0"], arrays["autoencoder/0/0"])
    assert checkpoints.read_checkpoint(path, arrays=False) == (meta, {})
    assert checkpoints.validation_seed_of(meta) == 3 and checkpoints.validation_seed_of({**meta, "validation_seed": 0}) == 0
    assert not list(tmp_path.glob("*.tmp*"))
    with pytest.raises(CheckpointError, match="No checkpoint"):
        checkpoints.read_checkpoint(tmp_path / "missing.npz")
    (tmp_path / "broken.npz").write_bytes(b"PK\x03\x04 not a zip")
    with pytest.raises(CheckpointError, match="damaged"):
        checkpoints.read_checkpoint(tmp_path / "broken.npz")
