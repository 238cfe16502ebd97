"""The paper's models, layer by layer as its tables say, and how to save and load them.

Choices the paper leaves open are named at the layer (docs/paper.md lists them all):

- padding: ``"same"`` everywhere, so that every stride-2 layer halves the size as the
  tables' output shapes require;
- dropout rate: :data:`~helpers.settings.AUTOENCODER_DROPOUT` in the autoencoder and
  :data:`~helpers.settings.GAN_DROPOUT` in the GAN's two networks (the settings say why);
- LeakyReLU slope: :data:`LEAKY_SLOPE` (0.2, as in DCGAN and Pathak et al.);
- weight initialisation: Keras's default (Glorot uniform, zero biases);
- BatchNormalization: Keras's defaults (momentum 0.99, epsilon 1e-3).

The two places where a printed table contradicts itself are marked where they apply.
"""

from __future__ import annotations

import os
from pathlib import Path

import keras
from keras import layers

from .engine.files import replacing
from . import registry
from .inpainters import ModelInpainter
from .settings import AUTOENCODER_DROPOUT, GAN_DROPOUT

LEAKY_SLOPE = 0.2

# Parameter counts of the models built here (the tables with their two typos read as
# docs/paper.md says); tests hold them.
PARAMETER_COUNTS = {"autoencoder": 4_365_635, "generator": 7_440_643, "discriminator": 1_440_961}


def build_autoencoder(dropout: float = AUTOENCODER_DROPOUT) -> keras.Model:
    """Model A (section IV-A): 32x32x3 holed image on [0, 1] -> 16x16x3 patch on [0, 1]."""
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),    # 16x16x32
        layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),    # 8x8x64
        layers.Conv2D(128, 3, strides=2, padding="same", activation="relu"),   # 4x4x128
        layers.BatchNormalization(),
        layers.Flatten(),                                                      # 2048
        layers.Dropout(dropout),
        layers.Dense(2048, activation="relu"),
        layers.Reshape((4, 4, 128)),
        layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu"),  # 8x8x64
        layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"),   # 16x16x3
    ], name="autoencoder")


def _conv_block(filters: int, kernel: int, strides: int) -> list:
    """Conv -> LeakyReLU -> BatchNorm: the paper's order ("LeakyReLU followed by BN")."""
    return [layers.Conv2D(filters, kernel, strides=strides, padding="same"),
            layers.LeakyReLU(negative_slope=LEAKY_SLOPE),
            layers.BatchNormalization()]


def _deconv_block(filters: int, kernel: int, strides: int) -> list:
    return [layers.Conv2DTranspose(filters, kernel, strides=strides, padding="same"),
            layers.LeakyReLU(negative_slope=LEAKY_SLOPE),
            layers.BatchNormalization()]


def build_discriminator(dropout: float = GAN_DROPOUT) -> keras.Model:
    """Table I: 16x16x3 patch on [-1, 1] -> probability that it is real."""
    return keras.Sequential([
        keras.Input((16, 16, 3)),
        # The table prints stride 2 here, but its output stays 16x16 and the
        # Flatten of 1024 = 2x2x256 needs it, so the first conv has stride 1.
        *_conv_block(32, 3, strides=1),     # 16x16x32
        *_conv_block(64, 3, strides=2),     # 8x8x64
        *_conv_block(128, 3, strides=2),    # 4x4x128
        *_conv_block(256, 3, strides=2),    # 2x2x256
        layers.Flatten(),                   # 1024
        layers.Dropout(dropout),
        layers.Dense(1024, activation="relu"),
        layers.Dense(1, activation="sigmoid"),
    ], name="discriminator")


def build_generator(dropout: float = GAN_DROPOUT) -> keras.Model:
    """Table II: 32x32x3 holed image on [-1, 1] -> 16x16x3 patch on [-1, 1] (tanh)."""
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        *_conv_block(64, 5, strides=2),     # 16x16x64
        *_conv_block(128, 5, strides=2),    # 8x8x128
        *_conv_block(256, 3, strides=2),    # 4x4x256
        *_conv_block(512, 2, strides=2),    # 2x2x512
        layers.Flatten(),                   # 2048
        layers.Dropout(dropout),
        layers.Dense(2048, activation="relu"),
        layers.Reshape((2, 2, 512)),
        # The table prints 4x4x512 for the BatchNorm below: a typo, it is 4x4x256.
        *_deconv_block(256, 3, strides=2),  # 4x4x256
        *_deconv_block(128, 5, strides=2),  # 8x8x128
        *_deconv_block(64, 5, strides=2),   # 16x16x64
        layers.Conv2DTranspose(3, 5, strides=1, padding="same", activation="tanh"),  # 16x16x3
    ], name="generator")


BUILDERS = {"autoencoder": build_autoencoder, "generator": build_generator,
            "discriminator": build_discriminator}


def build(kind: str, **kwargs) -> keras.Model:
    """Build one of the paper's models by name."""
    if kind not in BUILDERS:
        raise ValueError(f"Unknown model {kind!r}: choose one of {sorted(BUILDERS)}.")
    return BUILDERS[kind](**kwargs)


# --------------------------------------------------------------------------- save and load


class ModelLoadError(ValueError):
    """A model file is missing, damaged, or holds another architecture."""


def weight_shapes(model: keras.Model) -> list[tuple[int, ...]]:
    return [tuple(int(d) for d in w.shape) for w in model.weights]


def check_architecture(model: keras.Model, kind: str, where: str = "the model") -> keras.Model:
    """Raise :class:`ModelLoadError` unless ``model`` has exactly the paper's ``kind`` layout."""
    reference = build(kind)
    if weight_shapes(model) != weight_shapes(reference):
        raise ModelLoadError(
            f"{where} is not the paper's {kind}: it has {model.count_params():,} parameters in "
            f"{len(model.weights)} weight arrays, the paper's {kind} has "
            f"{reference.count_params():,} in {len(reference.weights)}. Load a file saved from "
            f"helpers.models.build_{kind}() (or pass the right kind).")
    return model


def save_model(model: keras.Model, path: str | os.PathLike) -> Path:
    """Save to a ``.keras`` file atomically: a crash never leaves a half-written file."""
    path = Path(path)
    if path.suffix != ".keras":
        raise ValueError(f"Model files end in .keras, got {str(path)!r}.")
    with replacing(path) as tmp:
        model.save(tmp)
    return path


def load_model(path: str | os.PathLike, kind: str | None = None) -> keras.Model:
    """Load a ``.keras`` file saved by :func:`save_model`, checking its architecture.

    ``kind`` defaults to the model's own name ("autoencoder", "generator", "discriminator").
    """
    path = Path(path)
    if not path.exists():
        raise ModelLoadError(f"No model file at {str(path)!r}. Train one with "
                             f"`python -m helpers.cli.train` or check the path.")
    try:
        model = keras.saving.load_model(path, compile=False)
    except Exception as err:
        raise ModelLoadError(
            f"Could not load a model from {str(path)!r} ({type(err).__name__}: {err}). The file "
            f"is damaged or is not a Keras .keras file; save it again or retrain.") from err
    kind = kind or model.name
    if kind not in BUILDERS:
        raise ModelLoadError(f"{str(path)!r} holds a model named {model.name!r}, which is not "
                             f"one of the paper's models {sorted(BUILDERS)}; pass kind=...")
    return check_architecture(model, kind, repr(str(path)))


def load_inpainter(path: str | os.PathLike, name: str | None = None) -> ModelInpainter:
    """A saved autoencoder or generator, ready to fill holes (unit scale in and out)."""
    model = load_model(path)
    if model.name == "discriminator":
        raise ModelLoadError(f"{str(path)!r} is a discriminator: it judges patches but cannot "
                             f"fill holes. Load the generator saved beside it.")
    (kind,) = [k for k in registry.KINDS.values() if k.filling_net == model.name]
    return ModelInpainter(model, kind.scale, name=name or f"{model.name} ({Path(path).stem})")
