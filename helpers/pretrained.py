"""The project's trained weights, by name: load them, fill holes with them, keep training them.

A class on laptops cannot train a GAN for 80,000 iterations, but it can look at one that
was. Everything the course shows about "the trained models" comes from files in
``weights/`` that this project trained with its own command line; each has a model card
(``weights/<name>.md``) that says how::

    from helpers.pretrained import load_published, load_pretrained_trainer
    gan = load_published("gan")          # the generator, its record and history; no D, no optimizer
    gan.inpainter().fill(images)         # fills holes like every method of the course
    trainer = load_pretrained_trainer("gan")   # both networks and fresh optimizers: to train on

Every load checks the file's SHA-256 against ``weights/MANIFEST.json`` first
(:func:`~helpers.engine.weightfiles.verify`). :func:`export_keras` writes any of them as a
standard ``.keras`` file that plain ``keras.saving.load_model`` reads.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import keras

from . import registry
from .engine.checkpoints import read_checkpoint, restore_states
from .engine.weightfiles import PretrainedError, read_record, read_weights
from .inpainters import Inpainter
from .models import save_model


def trainer_for(meta: dict, **overrides):
    """A fresh trainer with the settings of a record or checkpoint ``meta`` (``overrides``
    are trainer options such as ``compile_mode`` or ``fused``)."""
    config = meta["config"]
    if config.get("kind") not in registry.KINDS:
        raise PretrainedError(f"Published weights of unknown kind {config.get('kind')!r}.")
    kind = registry.kind(config["kind"])
    return kind.trainer_class()(settings=kind.settings.from_record(config), **overrides)


def record(name: str) -> dict:
    """How ``name`` was trained: data, budget, settings, seeds, hardware, time, history."""
    return read_record(name)


def load_pretrained_trainer(name: str, **trainer_kwargs):
    """A trainer holding ``name``'s published weights, iteration count, seed and loss history,
    ready to evaluate, fine-tune, or continue towards the paper's budget with ``trainer.fit``.
    The optimizers start afresh (their state is not published). Keyword arguments are trainer
    options that do not change the weights' meaning (e.g. ``compile_mode``)."""
    meta, arrays = read_weights(name)
    trainer = trainer_for(meta, **trainer_kwargs)
    return trainer.load_state(meta, arrays, f"weights/{name}", weights_only=True)


@dataclass
class PublishedModel:
    """A published model, loaded to fill holes: the network that fills them (its weights as
    published), and the record of how it was trained. Nothing else is built."""

    name: str
    model: keras.Model
    record: dict

    @property
    def kind(self) -> str:
        return self.record["kind"]

    @property
    def model_kind(self) -> registry.ModelKind:
        return registry.kind(self.kind)

    @property
    def history(self) -> dict:
        return self.record["history"]

    @property
    def iteration(self) -> int:
        return int(self.record["iteration"])

    @property
    def batch_size(self) -> int:
        return int(self.record["batch_size"])

    def inpainter(self, name: str | None = None) -> Inpainter:
        return self.model_kind.trainer_class().wrap_filling_net(self.model, name or self.name)


def load_net_weights(model: keras.Model, arrays: dict, net: str, where: str) -> keras.Model:
    """Write a published net's arrays (``<net>/0/i`` trainable, ``<net>/1/i`` the rest) into
    ``model``, after checking every shape."""
    state = (model.trainable_variables, model.non_trainable_variables)
    values = restore_states({net: state}, arrays, where, net)[net]
    for variables, group in zip(state, values):
        for variable, value in zip(variables, group):
            variable.assign(value)
    return model


def load_published(name: str) -> PublishedModel:
    """The published model ``name``: its network that fills holes with its weights, and its
    record. Builds no other network and no optimizer."""
    meta, arrays = read_weights(name)
    kind = registry.kind(meta["kind"])
    model = kind.trainer_class().build_filling_net(kind.settings.from_record(meta["config"]))
    return PublishedModel(name, load_net_weights(model, arrays, kind.filling_net, f"weights/{name}"), meta)


def load_pretrained(name: str) -> keras.Model:
    """The published network that fills holes, as a ``keras.Model``: the autoencoder, the
    GAN's generator, or the U-Net."""
    return load_published(name).model


def warm_start(trainer, name: str, nets=None):
    """Start ``trainer``, a new run, from the published weights ``name``: each of its networks
    ``nets`` (default: every one that ``name`` holds) takes those weights; its settings,
    optimizers, iteration (0) and history stay its own. For example the GAN's generator
    trained on L2 alone, before the adversarial term is turned on. Returns ``trainer``."""
    meta, arrays = read_weights(name)
    nets = nets or [net for net in trainer.nets if any(key.startswith(f"{net}/") for key in arrays)]
    for net in nets:
        load_net_weights(trainer.nets[net].model, arrays, net, f"weights/{name}")
        trainer.state[net] = trainer.nets[net].read()
    return trainer


def pretrained_inpainter(name: str, display_name: str | None = None) -> Inpainter:
    """The published model ``name`` behind the :class:`~helpers.inpainters.Inpainter` interface."""
    return load_published(name).inpainter(display_name)


def checkpoint_inpainter(path, display_name: str | None = None) -> Inpainter:
    """The model that fills holes in a training run's ``checkpoint.npz`` or ``best.npz`` (its
    averaged weights, where it averaged): to score a run that is not published."""
    meta, arrays = read_checkpoint(path)
    trainer = trainer_for(meta).load_state(meta, arrays, str(path), weights_only=True).adopt_average()
    name = display_name or (f"{trainer.kind} ({Path(path).parent.name}/{Path(path).name}, "
                            f"iteration {meta['iteration']:,})")
    return trainer.inpainter(name)


def export_keras(name: str, path: str | os.PathLike) -> Path:
    """Write the published network ``name`` that fills holes as a standard ``.keras`` file:
    ``keras.saving.load_model(path)`` reads it back with nothing of this project imported.
    A network with a layer of this project's own (the U-Net's ``PartialConv2D``) is written as
    its trainer's :meth:`~helpers.trainers.Trainer.plain_filling_net` rebuilds it from Keras's
    own layers: the same name, inputs and outputs (``tests/test_export.py`` checks). A
    ``.keras`` file loads in the Keras version that wrote it and newer ones, not in older
    ones: to hand a file to Colab, export it with a Keras no newer than Colab's."""
    published = load_published(name)
    return save_model(published.model_kind.trainer_class().plain_filling_net(published.model), path)
