"""The project's trained weights, by name: load them, fill holes with them, keep training them.

A class on laptops cannot train a GAN for 80,000 iterations, but it can look at one that
was. Everything the course shows about "the trained models" comes from files in
``weights/`` that this project trained with its own command line; each has a model card
(``weights/<name>.md``) that says how::

    from helpers.pretrained import load_pretrained, load_pretrained_trainer
    autoencoder = load_pretrained("autoencoder")      # a keras.Model; "gan" gives the generator
    trainer = load_pretrained_trainer("gan")          # weights, iteration count, loss history

Every load checks the file's SHA-256 against ``weights/MANIFEST.json`` first
(:func:`~helpers.engine.weightfiles.verify`). :func:`export_keras` writes any of them as a
standard ``.keras`` file that plain ``keras.saving.load_model`` reads.
"""

from __future__ import annotations

import os
from pathlib import Path

from .engine.checkpoints import read_checkpoint
from .engine.weightfiles import PretrainedError, available, read_weights, verify, weights_dir  # noqa: F401
from .inpainters import ModelInpainter, PConvInpainter
from .models import save_model
from .pconv import plain_unet
from .trainers import AutoencoderTrainer, GANTrainer, PConvTrainer

TRAINERS = {"autoencoder": AutoencoderTrainer, "gan": GANTrainer, "pconv": PConvTrainer}
# The network of each kind that fills holes: the one a notebook, a report or an export uses.
FILLING_NET = {kind: trainer.filling_net for kind, trainer in TRAINERS.items()}


def trainer_for(meta: dict, **overrides):
    """A fresh trainer with the settings of a record or checkpoint ``meta`` (``overrides``
    replace some, e.g. ``compile_mode``)."""
    config = {k: v for k, v in meta["config"].items() if k != "kind"}
    kind = meta["config"]["kind"]
    if kind not in TRAINERS:
        raise PretrainedError(f"Published weights of unknown kind {kind!r}.")
    if "coverage" in config:
        config["coverage"] = tuple(config["coverage"])
    return TRAINERS[kind](**{**config, **overrides})


def record(name: str) -> dict:
    """How ``name`` was trained: data, budget, settings, seeds, hardware, time, history."""
    return read_weights(name)[0]


def load_pretrained_trainer(name: str, **trainer_kwargs):
    """A trainer holding ``name``'s published weights, iteration count, seed and loss history,
    ready to evaluate, fine-tune, or continue towards the paper's budget with ``trainer.fit``.
    The optimizers start afresh (their state is not published). Keyword arguments override
    training settings that do not change the weights' meaning (e.g. ``compile_mode``)."""
    meta, arrays = read_weights(name)
    trainer = trainer_for(meta, **trainer_kwargs)
    return trainer.load_state(meta, arrays, f"weights/{name}", weights_only=True)


def load_pretrained(name: str):
    """The published network that fills holes, as a ``keras.Model``: the autoencoder, the
    GAN's generator, or the U-Net."""
    trainer = load_pretrained_trainer(name)
    return trainer.models()[trainer.filling_net]


def inpainter(model, kind: str, name: str):
    """A model of ``kind`` behind the :class:`~helpers.inpainters.Inpainter` interface."""
    return PConvInpainter(model, name=name) if kind == "pconv" else ModelInpainter(model, name=name)


def pretrained_inpainter(name: str, display_name: str | None = None):
    """The published model ``name`` behind the :class:`~helpers.inpainters.Inpainter` interface."""
    trainer = load_pretrained_trainer(name)
    return inpainter(trainer.models()[trainer.filling_net], trainer.kind, display_name or name)


def checkpoint_inpainter(path, display_name: str | None = None):
    """The model that fills holes in a training run's ``checkpoint.npz`` or ``best.npz`` (its
    averaged weights, where it averaged): to score a run that is not published."""
    meta, arrays = read_checkpoint(path)
    trainer = trainer_for(meta).load_state(meta, arrays, str(path), weights_only=True).adopt_average()
    name = display_name or (f"{trainer.kind} ({Path(path).parent.name}/{Path(path).name}, "
                            f"iteration {meta['iteration']:,})")
    return inpainter(trainer.models()[trainer.filling_net], trainer.kind, name)


def export_keras(name: str, path: str | os.PathLike) -> Path:
    """Write the published network ``name`` that fills holes as a standard ``.keras`` file:
    ``keras.saving.load_model(path)`` reads it back with nothing of this project imported.
    The U-Net is written as :func:`helpers.pconv.plain_unet` rebuilds it, from Keras's own
    layers (its ``PartialConv2D`` would need this project): the same name, inputs and
    outputs (bit for bit on the same kernels; ``tests/test_export.py`` checks). A ``.keras``
    file loads in the Keras version that wrote it and newer ones, not in older ones: to hand a
    file to Colab, export it with a Keras no newer than Colab's."""
    trainer = load_pretrained_trainer(name)
    model = trainer.models()[trainer.filling_net]
    return save_model(plain_unet(model) if trainer.kind == "pconv" else model, path)
