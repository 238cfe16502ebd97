"""The course's model kinds, each declared once: what it is, how it trains, how it fills holes.

Every other part of the package (the notebooks' runs, the shipped weights, the model cards,
the command lines, the live plot) reads a kind's facts from here. Adding a model kind means:
its settings class (:mod:`helpers.settings`), its trainer (a :class:`helpers.trainers.Trainer`
subclass), one :class:`ModelKind` in :data:`KINDS` (or :func:`register` from your own code),
and its tests::

    from helpers import registry
    registry.kind("gan").filling_net        # "generator"
    registry.kind("gan").trainer_class()    # GANTrainer (Keras is imported then, not before)

This module imports no Keras: a command line reads the kinds before it chooses a backend.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass

from . import paper
from .settings import AutoencoderSettings, GANSettings, PConvSettings, Settings


@dataclass(frozen=True)
class ModelKind:
    """One kind of model the course trains."""

    name: str                     # what runs, weights and commands call it: "gan"
    short_name: str               # what plots call it: "GAN"
    title: str                    # what it is, in words: "the paper's context-encoder GAN"
    trainer: str                  # where its trainer class lives: "helpers.trainers.GANTrainer"
    settings: type[Settings]      # its settings class, e.g. GANSettings
    filling_net: str              # the name of the network that fills holes: "generator"
    nets: tuple[str, ...]         # every network it trains: ("generator", "discriminator")
    scale: str                    # the values its filling net works on: "unit" [0, 1] or "signed" [-1, 1]
    training_loss: str            # the logged training loss watched for divergence: "g_l2"
    training_loss_words: str      # that loss in words, for model cards
    budget: paper.Budget          # the paper's budget (or the one it is compared at)
    quick_seconds: float          # the notebooks' quick run: seconds of training steps here, ...
    quick_minimum: int            # ... and at least this many iterations, however slow the machine
    smoke_iterations: int         # the test suite's smoke run

    def trainer_class(self):
        """The trainer class (importing it imports Keras: choose the backend first)."""
        module, _, name = self.trainer.rpartition(".")
        return getattr(importlib.import_module(module), name)


KINDS: dict[str, ModelKind] = {k.name: k for k in (
    ModelKind("autoencoder", "autoencoder", "the paper's convolutional autoencoder", "helpers.trainers.AutoencoderTrainer",
              AutoencoderSettings, "autoencoder", ("autoencoder",), "unit", "loss",
              "MSE of the patch, [0,1] scale", paper.BUDGETS["autoencoder"], 60, 500, 20),
    ModelKind("gan", "GAN", "the paper's context-encoder GAN (generator + discriminator)",
              "helpers.trainers.GANTrainer", GANSettings, "generator", ("generator", "discriminator"),
              "signed", "g_l2", "L2 of the patch, [-1,1] scale", paper.BUDGETS["gan"], 100, 200, 6),
    ModelKind("pconv", "partial-convolution U-Net", "the partial-convolution U-Net (beyond the paper; Liu et al. 2018)",
              "helpers.trainers.PConvTrainer", PConvSettings, "pconv", ("pconv",), "unit", "loss",
              "6 x hole + 1 x known pixel error", paper.BUDGETS["pconv"], 60, 300, 10),
)}


def kind(name: str) -> ModelKind:
    """The kind called ``name``, or an error that lists the kinds there are."""
    if name not in KINDS:
        raise ValueError(f"Unknown model kind {name!r}: use one of {', '.join(KINDS)}.")
    return KINDS[name]


def names() -> tuple[str, ...]:
    return tuple(KINDS)


def register(model_kind: ModelKind) -> ModelKind:
    """Add a kind (your own model, or a test's); a name already taken is refused."""
    if model_kind.name in KINDS:
        raise ValueError(f"A model kind named {model_kind.name!r} exists already.")
    KINDS[model_kind.name] = model_kind
    return model_kind


def unregister(name: str) -> None:
    KINDS.pop(name, None)
