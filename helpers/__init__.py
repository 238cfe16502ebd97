"""Helpers for the image-inpainting course: data, the crop, the paper's models, training,
metrics, classical fills, plots and widgets.

Importing this package does not import Keras, so that a notebook or a command can choose
the backend (``KERAS_BACKEND``) before the first model is built.
"""

__version__ = "0.1.0"
