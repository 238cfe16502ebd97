"""Beyond the paper: the partial-convolution U-Net of Liu et al. 2018 ("Image inpainting for
irregular holes using partial convolutions", which the paper cites), for holes of any shape.

Why partial convolutions? The paper's models see the hole as grey pixels and must learn to
ignore them, for one fixed square. A partial convolution is told which pixels are missing:
it convolves only the known ones, scales the result by how many of its window were known,
and marks its output pixel known if any input in the window was. Layer by layer the hole
shrinks, until the deepest layers see no hole at all.

Here, in the same readable style as the paper's models: :class:`PartialConv2D`, and
:func:`build_pconv_unet`, a small U-Net for 32x32 images (channels 32-64-128-128, about 0.7 M
parameters). Masks inside the network are per channel and 1 = known (Liu et al.'s
convention); everywhere else in the project masks are True = missing
(:func:`helpers.masks.random_masks`). Simplification, named: the loss keeps Liu et al.'s two
pixel terms (6 x hole + 1 x known) without their VGG perceptual, style and total-variation
terms, and squares them by default (``"l2"``: the project scores hole MSE, and this U-Net
reached a lower validation error with it); ``"l1"`` is Liu et al.'s own form.
"""

from __future__ import annotations

import keras
import numpy as np
from keras import layers, ops

from .masks import Hole, Inpainter, hole_mask

HOLE_WEIGHT, VALID_WEIGHT = 6.0, 1.0  # Liu et al.'s weights of the two L1 terms
LEAKY_SLOPE = 0.2                      # the decoder's LeakyReLU, as in Liu et al.


@keras.saving.register_keras_serializable(package="inpainting")
class PartialConv2D(layers.Layer):
    """A convolution of the known pixels only: ``[x, known] -> [y, known']``.

    ``y = W * (x . known) * (window size / known pixels in the window) + b`` where the window
    held any known pixel, 0 elsewhere; ``known'`` is 1 exactly where the window held one.
    """

    def __init__(self, filters: int, kernel_size: int, strides: int = 1, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.strides = filters, kernel_size, strides
        self.conv = layers.Conv2D(filters, kernel_size, strides=strides, padding="same", use_bias=False)

    def build(self, input_shape):
        image_shape, _ = input_shape
        self.conv.build(image_shape)
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")
        self.window = float(self.kernel_size * self.kernel_size * image_shape[-1])

    def call(self, inputs):
        x, known = inputs
        ones = ops.ones((self.kernel_size, self.kernel_size, ops.shape(known)[-1], 1), dtype=known.dtype)
        seen = ops.conv(known, ones, strides=self.strides, padding="same")  # known pixels per window
        new_known = ops.cast(seen > 0, x.dtype)
        scale = self.window / ops.maximum(seen, 1.0) * new_known
        y = (self.conv(x * known) * scale + self.bias) * new_known
        return y, ops.repeat(new_known, self.filters, axis=-1)

    def compute_output_spec(self, input_shape):
        image, _ = input_shape
        h, w = image.shape[1], image.shape[2]
        out = lambda d: None if d is None else -(-d // self.strides)  # noqa: E731
        shape = (image.shape[0], out(h), out(w), self.filters)
        return keras.KerasTensor(shape, image.dtype), keras.KerasTensor(shape, image.dtype)

    def get_config(self):
        return {**super().get_config(), "filters": self.filters, "kernel_size": self.kernel_size,
                "strides": self.strides}


def _encode(x, known, filters, kernel, batchnorm=True):
    x, known = PartialConv2D(filters, kernel, strides=2)([x, known])
    if batchnorm:
        x = layers.BatchNormalization()(x)
    return layers.ReLU()(x), known


def _decode(x, known, skip, skip_known, filters):
    up = layers.UpSampling2D(2, interpolation="nearest")
    x = layers.Concatenate()([up(x), skip])
    known = layers.Concatenate()([up(known), skip_known])
    x, known = PartialConv2D(filters, 3)([x, known])
    x = layers.BatchNormalization()(x)
    return layers.LeakyReLU(negative_slope=LEAKY_SLOPE)(x), known



PCONV_WIDTHS = (32, 64, 128, 128)  # channels of the four levels (16x16, 8x8, 4x4, 2x2)


def check_widths(widths) -> tuple[int, ...]:
    """``widths`` as four positive whole numbers, else a ValueError that says what fits."""
    try:
        values = tuple(int(w) for w in widths)
        whole = all(float(w) == int(w) for w in widths)
    except (TypeError, ValueError):
        values, whole = (), False
    if len(values) != 4 or not whole or min(values) < 1:
        raise ValueError(f"widths must be four positive whole numbers, the channels of the U-Net's "
                         f"levels at 16x16, 8x8, 4x4 and 2x2 (default {PCONV_WIDTHS}), got {widths!r}")
    return values


def build_pconv_unet(widths=PCONV_WIDTHS) -> keras.Model:
    """Image on [0, 1] (missing pixels: any value) and its mask (1 = known, (H, W, 1)) ->
    the whole image predicted on [0, 1]. Paste the known pixels back to use it
    (:class:`PConvInpainter` does). ``widths``: the channels of the four levels; wider
    learns more per iteration and costs more per iteration (about 2.2x the arithmetic for
    1.5x the widths)."""
    widths = check_widths(widths)
    image = keras.Input((32, 32, 3), name="image")
    mask = keras.Input((32, 32, 1), name="known")
    known0 = layers.Concatenate()([mask, mask, mask])
    e1, k1 = _encode(image, known0, widths[0], 5, batchnorm=False)   # 16x16
    e2, k2 = _encode(e1, k1, widths[1], 3)                            # 8x8
    e3, k3 = _encode(e2, k2, widths[2], 3)                            # 4x4
    e4, k4 = _encode(e3, k3, widths[3], 3)                            # 2x2
    d3, j3 = _decode(e4, k4, e3, k3, widths[2])                       # 4x4
    d2, j2 = _decode(d3, j3, e2, k2, widths[1])                       # 8x8
    d1, j1 = _decode(d2, j2, e1, k1, widths[0])                       # 16x16
    up = layers.UpSampling2D(2, interpolation="nearest")
    x = layers.Concatenate()([up(d1), image])
    known = layers.Concatenate()([up(j1), known0])
    out, _ = PartialConv2D(3, 3)([x, known])                          # 32x32x3
    out = layers.Activation("sigmoid")(out)
    return keras.Model([image, mask], out, name="pconv_unet")


def unet_widths(model: keras.Model) -> tuple[int, ...]:
    """The four level widths a U-Net from :func:`build_pconv_unet` was built with."""
    return tuple(layer.filters for layer in model.layers if isinstance(layer, PartialConv2D))[:4]


def model_inputs(images_unit: np.ndarray, missing: np.ndarray) -> list[np.ndarray]:
    """(images, True-=-missing masks) -> the U-Net's two inputs; missing pixels zeroed so
    nothing of the truth reaches the model."""
    known = (~missing)[..., None].astype(np.float32)
    return [images_unit.astype(np.float32) * known, known]


PCONV_LOSSES = ("l1", "l2")


def check_pconv_loss(kind: str) -> str:
    """``kind`` if it names one of :data:`PCONV_LOSSES`, else a ValueError that lists them."""
    if kind not in PCONV_LOSSES:
        raise ValueError(f"loss must be one of {PCONV_LOSSES} (Liu et al.'s absolute errors, or "
                         f"the same terms squared), got {kind!r}")
    return kind


def pconv_loss(pred, truth, known, kind: str = "l2"):
    """Liu et al.'s two pixel terms: 6 x the error over the missing pixels + 1 x the error
    over the known ones, each a mean over all pixels (so bigger holes weigh more, as in their
    paper). ``kind="l1"``: absolute errors, as Liu et al.; ``"l2"``: squared errors, what the
    hole MSE metric rewards."""
    diff = ops.abs(pred - truth) if check_pconv_loss(kind) == "l1" else ops.square(pred - truth)
    return HOLE_WEIGHT * ops.mean(diff * (1.0 - known)) + VALID_WEIGHT * ops.mean(diff * known)


class PConvInpainter(Inpainter):
    """The U-Net behind the :class:`~helpers.masks.Inpainter` interface: :meth:`fill` for
    the paper's square (patches, like every method) and :meth:`fill_masks` for any hole."""

    def __init__(self, model: keras.Model, name: str = "partial-conv U-Net", batch_size: int = 500):
        self.model, self.name, self.batch_size = model, name, batch_size

    def predict_images(self, images_unit: np.ndarray, missing: np.ndarray) -> np.ndarray:
        outs = []
        for i in range(0, len(images_unit), self.batch_size):
            x, m = model_inputs(images_unit[i:i + self.batch_size], missing[i:i + self.batch_size])
            outs.append(keras.ops.convert_to_numpy(self.model([x, m], training=False)))
        return np.concatenate(outs) if outs else np.zeros_like(images_unit)

    def predict_masked(self, holed: np.ndarray, masks: np.ndarray) -> np.ndarray:
        return self.predict_images(holed, masks)

    def predict_patch(self, holed: np.ndarray, hole: Hole) -> np.ndarray:
        missing = np.broadcast_to(hole_mask(hole, holed.shape[1])[None], holed.shape[:3])
        pred = self.predict_images(holed, np.asarray(missing))
        return pred[:, hole.rows, hole.cols, :]



def mask_through_layers(missing: np.ndarray, layers_: int = 4, kernel: int = 3) -> list[np.ndarray]:
    """How a hole shrinks through ``layers_`` partial convolutions (stride 1, for the
    picture): the missing pixels (bool, True = missing) before each layer and after the last."""
    known = (~np.asarray(missing, bool))[None, ..., None].astype(np.float32)
    steps = [np.asarray(missing, bool)]
    for _ in range(layers_):
        _, known = PartialConv2D(1, kernel)([np.zeros_like(known), known])
        known = keras.ops.convert_to_numpy(known)
        steps.append(known[0, ..., 0] < 0.5)
    return steps
