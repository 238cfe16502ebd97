"""Helpers for the image-inpainting course: data, the crop, the paper's models, training,
metrics, classical fills, plots and widgets.

Importing this package does not import Keras, so that a notebook or a command can choose
the backend (``KERAS_BACKEND``) before the first model is built.
"""

import os

# TensorFlow leaves its oneDNN kernels off by default on some x86 CPUs (this project's AMD
# machine among them). There they train the autoencoder about 1.5x and the GAN about 2.4x
# faster, with the same losses (README, "Benchmark"). This takes effect when helpers is
# imported before TensorFlow; set TF_ENABLE_ONEDNN_OPTS=0 first to keep them off.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

__version__ = "0.1.0"
