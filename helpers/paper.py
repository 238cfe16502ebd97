"""The paper's facts, in one place: its budgets, hyper-parameters, tables and reported numbers.

Everything the course takes from the paper lives here, so a notebook, a trainer, a command
and a test that need one of these values import it from this file. The paper counts
iterations (batches) and calls them "epochs"; so do these numbers, as iterations.
Where the paper is silent, the choices the course makes are in ``docs/paper.md`` and beside
the layers in :mod:`helpers.models`.
"""

from __future__ import annotations

from dataclasses import dataclass

TITLE = "Reconstrução Digital de Imagens com Redes Neurais Convolucionais"
TITLE_EN = "Digital image reconstruction with convolutional neural networks"
AUTHOR = "M. G. de Andrade (Insper)"

IMAGE_SIZE = 32   # CIFAR-10's 32x32 images
HOLE_SIZE = 16    # the 16x16 centre is cut out (rows and columns 8..23)


@dataclass(frozen=True)
class Budget:
    """How long the paper trains a model: iterations (batches) at a batch size."""

    iterations: int
    batch_size: int

    @property
    def images_seen(self) -> int:
        return self.iterations * self.batch_size


# The paper's budgets, section IV. The partial-convolution U-Net (beyond the paper) is
# measured against the autoencoder's budget, so the two compare at equal images seen.
BUDGETS = {"autoencoder": Budget(50_000, 64), "gan": Budget(80_000, 32), "pconv": Budget(50_000, 64)}

# Hyper-parameters the paper gives (section IV), and the usual values where it gives none.
AUTOENCODER_LEARNING_RATE = 1e-3     # not given: Keras's default for Adam
G_LEARNING_RATE = 2e-3
D_LEARNING_RATE = 2e-4               # ten times lower than G's
L2_WEIGHT, ADVERSARIAL_WEIGHT = 0.999, 0.001   # Pathak et al.'s weights of G's two losses
GAN_BETA_1 = 0.5                     # not given: DCGAN's and Pathak et al.'s Adam beta_1

# What the paper reports about its trained models (scale not stated; see docs/paper.md).
REPORTED_LOSS = {"autoencoder": 0.009, "gan": 0.008}

# The (layer, kernel, stride, activation, output) rows of the paper's tables as printed,
# typos included; the Input row is left out.
TABLES = {
    "autoencoder": [
        ("Conv", "3x3", "2", "ReLU", "16x16x32"),
        ("Conv", "3x3", "2", "ReLU", "8x8x64"),
        ("Conv", "3x3", "2", "ReLU", "4x4x128"),
        ("BatchNorm", "", "", "", "4x4x128"),
        ("Flatten", "", "", "", "2048"),
        ("Dropout", "", "", "", "2048"),
        ("Dense", "", "", "ReLU", "2048"),
        ("Reshape", "", "", "", "4x4x128"),
        ("Deconv", "3x3", "2", "ReLU", "8x8x64"),
        ("Deconv", "3x3", "2", "ReLU", "16x16x3"),
    ],
    "discriminator": [
        ("Conv", "3x3", "2", "LeakyReLU", "16x16x32"),
        ("BatchNorm", "", "", "", "16x16x32"),
        ("Conv", "3x3", "2", "LeakyReLU", "8x8x64"),
        ("BatchNorm", "", "", "", "8x8x64"),
        ("Conv", "3x3", "2", "LeakyReLU", "4x4x128"),
        ("BatchNorm", "", "", "", "4x4x128"),
        ("Conv", "3x3", "2", "LeakyReLU", "2x2x256"),
        ("BatchNorm", "", "", "", "2x2x256"),
        ("Flatten", "", "", "", "1024"),
        ("Dropout", "", "", "", "1024"),
        ("Dense", "", "", "ReLU", "1024"),
        ("Dense", "", "", "Sigmoid", "1"),
    ],
    "generator": [
        ("Conv", "5x5", "2", "LeakyReLU", "16x16x64"),
        ("BatchNorm", "", "", "", "16x16x64"),
        ("Conv", "5x5", "2", "LeakyReLU", "8x8x128"),
        ("BatchNorm", "", "", "", "8x8x128"),
        ("Conv", "3x3", "2", "LeakyReLU", "4x4x256"),
        ("BatchNorm", "", "", "", "4x4x256"),
        ("Conv", "2x2", "2", "LeakyReLU", "2x2x512"),
        ("BatchNorm", "", "", "", "2x2x512"),
        ("Flatten", "", "", "", "2048"),
        ("Dropout", "", "", "", "2048"),
        ("Dense", "", "", "ReLU", "2048"),
        ("Reshape", "", "", "", "2x2x512"),
        ("Deconv", "3x3", "2", "LeakyReLU", "4x4x256"),
        ("BatchNorm", "", "", "", "4x4x512"),
        ("Deconv", "5x5", "2", "LeakyReLU", "8x8x128"),
        ("BatchNorm", "", "", "", "8x8x128"),
        ("Deconv", "5x5", "2", "LeakyReLU", "16x16x64"),
        ("BatchNorm", "", "", "", "16x16x64"),
        ("Deconv", "5x5", "1", "Tanh", "16x16x3"),
    ],
}

# Where a printed table contradicts itself, and the only consistent reading (docs/paper.md).
TABLE_NOTES = {
    ("discriminator", 0, "stride"): ("the output stays 16x16 and the Flatten of 1024 = 2x2x256 "
                                     "needs it, so the first conv has stride 1"),
    ("generator", 13, "output"): ("a typo: BatchNorm cannot change the number of channels, "
                                  "so it is 4x4x256"),
}

# Sizes the paper quotes (section IV).
PARAMETERS = {"autoencoder": 4.4e6, "generator": 7.5e6}
MULTIPLY_ADDS = {"autoencoder": 12e6, "generator": 150e6}
