"""The model registry and the settings as data: each model kind declared once, each setting
defined once, and what is derived from them (trainers' records, the settings a run keeps, the
command line's options, loading a published model to fill holes)."""

import dataclasses

import keras
import numpy as np
import pytest

import toy_kind
from synthetic import make_image_folder_tar, publish_tiny, smooth_images
from helpers import registry, runs
from helpers.cli import train
from helpers.engine.checkpoints import CheckpointError
from helpers.pretrained import load_published, trainer_for
from helpers.settings import GANSettings, VARIANTS, fixed_settings


def test_each_kind_names_its_trainer_settings_and_filling_net():
    assert registry.names() == ("autoencoder", "gan", "pconv")
    for name, kind in registry.KINDS.items():
        trainer_class = kind.trainer_class()
        assert trainer_class.kind == name and trainer_class.settings_class is kind.settings
        assert kind.filling_net in kind.nets and kind.scale in ("unit", "signed")
    with pytest.raises(ValueError, match="Unknown model kind 'vae': use one of autoencoder, gan, pconv"):
        registry.kind("vae")
    with pytest.raises(ValueError, match="exists already"):
        registry.register(registry.kind("gan"))


def test_a_setting_is_checked_once_where_it_is_declared():
    with pytest.raises(ValueError, match="shift must be a whole number of pixels from 0 to 7, got 9"):
        VARIANTS["paper"].replace(shift=9)
    with pytest.raises(ValueError, match="average_decay must be a decay between 0 and 1"):
        GANSettings(average_decay=1.5)
    with pytest.raises(TypeError, match="flip: not a setting of GANSettings"):
        GANSettings().replace(flip=True)
    assert GANSettings(adversarial_weight=0.01).l2_weight == 0.99, "the L2 weight follows unless given"
    assert GANSettings().replace(adversarial_weight=0.1, l2_weight=0.5).l2_weight == 0.5
    assert "average_decay" in fixed_settings(GANSettings) and "g_learning_rate" not in fixed_settings(GANSettings)


def test_the_command_line_options_are_the_settings_fields():
    """One option per setting: its name, its help and the models it is for come from the field."""
    parser = train.build_parser()
    options = {a.dest: a for a in parser._actions}
    for kind in registry.KINDS.values():
        for f in dataclasses.fields(kind.settings):
            action = options[f.name]
            assert train.option_name(f) in action.option_strings and f.metadata["help"] in action.help
    names = {f.name for k in registry.KINDS.values() for f in dataclasses.fields(k.settings)}
    settings_group = [a.dest for g in parser._action_groups if g.title == "settings" for a in g._group_actions]
    assert set(settings_group) == names


def test_a_command_line_setting_is_checked_by_the_settings_rule(capsys):
    assert train.main(["autoencoder", "--shift", "9", "--iterations", "1"]) == 2
    assert "shift must be a whole number of pixels from 0 to 7, got 9" in capsys.readouterr().err
    assert train.main(["gan", "--flip", "--iterations", "1"]) == 2
    assert "--flip is for autoencoder and pconv" in capsys.readouterr().err


@pytest.mark.slow
def test_a_published_gan_loads_to_fill_without_a_discriminator_or_an_optimizer(monkeypatch):
    from helpers import trainers

    def refuse(*args, **kwargs):
        raise AssertionError("built while loading a model to fill holes")

    monkeypatch.setattr(trainers, "build_discriminator", refuse)
    monkeypatch.setattr(keras.optimizers.Optimizer, "__init__", refuse)
    gan = load_published("gan")
    patch = gan.inpainter().fill(smooth_images(2))
    assert gan.model.name == "generator" and patch.shape == (2, 16, 16, 3)
    assert gan.iteration == gan.record["iteration"] and gan.history["iteration"]


@pytest.fixture
def toy():
    registry.register(toy_kind.TOY)
    yield toy_kind.TOY
    registry.unregister("toy")


@pytest.mark.slow
def test_a_fourth_kind_trains_publishes_and_loads_through_the_registry_alone(toy, weights, tmp_path, monkeypatch):
    images = smooth_images(64)
    trainer = publish_tiny(toy.trainer_class()(batch_size=8), tmp_path, "toy-1", images)
    assert trainer.config == {"batch_size": 8, "learning_rate": 1e-3, "filters": 3}
    published = load_published("toy-1")
    np.testing.assert_allclose(published.inpainter().fill(images[:4]), trainer.predict_patch_unit(images[:4]),
                               atol=1e-2)   # the published weights are float16
    again = trainer_for({"config": {"kind": "toy", "filters": 3, "batch_size": 8}})
    assert isinstance(again, toy_kind.ToyTrainer)
    with pytest.raises(CheckpointError, match="filters=3, this run has filters=4"):
        toy.trainer_class()(filters=4).load_checkpoint(tmp_path / "run-toy-1" / "checkpoint.npz")

    plan = runs.plan("toy", "quick", smoke=True)
    assert plan.iterations == toy.smoke_iterations and runs.plan("toy", "paper").iterations == 40

    tarball = tmp_path / "mini.tar.gz"
    make_image_folder_tar(tarball, per_class=4)
    monkeypatch.setenv("INPAINTING_CACHE", str(tmp_path / "cache"))
    out = tmp_path / "cli-toy"
    assert train.main(["toy", "--data", str(tarball), "--out", str(out), "--iterations", "2", "--filters", "2",
                       "--test-size", "8", "--no-progress", "--compile", "eager"]) == 0
    assert (out / "toy.keras").exists() and (out / "run.json").exists()
