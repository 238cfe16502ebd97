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
(:func:`helpers.holes.random_masks`). Its loss and training step are in :mod:`helpers.steps`,
beside the paper's; :class:`~helpers.inpainters.PConvInpainter` fills holes with it.

:func:`plain_unet` rebuilds a trained U-Net from Keras's own layers only
(:func:`plain_partial_conv`), with the same outputs, so that its ``.keras`` file loads in
plain Keras (:func:`helpers.pretrained.export_keras`).
"""

from __future__ import annotations

import keras
from keras import layers, ops

from .settings import PCONV_WIDTHS, check_widths

LEAKY_SLOPE = 0.2  # the decoder's LeakyReLU, as in Liu et al.


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


def plain_partial_conv(filters: int, kernel_size: int, strides: int = 1, name: str | None = None):
    """:class:`PartialConv2D` made of Keras's own layers and ``keras.ops`` only, so that a model
    built with it is a standard functional model that plain ``keras.saving.load_model`` reads
    (in safe mode) without this project. Called like the layer, ``[x, known] -> (y, known')``:

    - ``<name>_conv``: a Conv2D without bias on ``x * known`` (the layer's inner convolution);
    - ``<name>_seen``: a frozen Conv2D(1) of ones on ``known``, the known pixels per window;
    - ``<name>_bias``: a 1x1 Conv2D(filters) without bias on the one-channel ``known'``, whose
      kernel is the layer's bias, so the bias is added exactly where the output is known.

    ``y = conv(x * known) * window / max(seen, 1) * known' + bias_conv(known')``: the layer's
    formula with the last product by ``known'`` moved onto the bias (``scale`` is 0 already
    where ``known'`` is), the same values."""
    def apply(inputs):
        x, known = inputs
        prefix = f"{name}_" if name else ""
        conv = layers.Conv2D(filters, kernel_size, strides=strides, padding="same", use_bias=False,
                             name=f"{prefix}conv" if name else None)
        count = layers.Conv2D(1, kernel_size, strides=strides, padding="same", use_bias=False,
                              kernel_initializer="ones", trainable=False, name=f"{prefix}seen" if name else None)
        bias = layers.Conv2D(filters, 1, use_bias=False, kernel_initializer="zeros",
                             name=f"{prefix}bias" if name else None)
        window = float(kernel_size * kernel_size * x.shape[-1])
        seen = count(known)                                   # known pixels per window
        new_known = ops.cast(ops.greater(seen, 0.0), x.dtype)  # 1 where any was known
        scale = window / ops.maximum(seen, 1.0) * new_known
        y = conv(x * known) * scale + bias(new_known)
        return y, ops.repeat(new_known, filters, axis=-1)

    return apply


def _encode(x, known, filters, kernel, name, partial_conv, batchnorm=True):
    x, known = partial_conv(filters, kernel, strides=2, name=name)([x, known])
    if batchnorm:
        x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.ReLU(name=f"{name}_relu")(x), known


def _decode(x, known, skip, skip_known, filters, name, partial_conv):
    up = layers.UpSampling2D(2, interpolation="nearest", name=f"{name}_up")
    x = layers.Concatenate(name=f"{name}_join")([up(x), skip])
    known = layers.Concatenate(name=f"{name}_join_known")([up(known), skip_known])
    x, known = partial_conv(filters, 3, name=name)([x, known])
    x = layers.BatchNormalization(name=f"{name}_bn")(x)
    return layers.LeakyReLU(negative_slope=LEAKY_SLOPE, name=f"{name}_leaky")(x), known


# The U-Net's partial convolutions, named by the size of their output, in the order they run.
LEVELS = ("encode16", "encode8", "encode4", "encode2", "decode4", "decode8", "decode16", "decode32")


def build_pconv_unet(widths=PCONV_WIDTHS, partial_conv=None) -> keras.Model:
    """Image on [0, 1] (missing pixels: any value) and its mask (1 = known, (H, W, 1)) ->
    the whole image predicted on [0, 1]. Paste the known pixels back to use it
    (:class:`~helpers.inpainters.PConvInpainter` does). ``widths``: the channels of the four levels; wider
    learns more per iteration and costs more per iteration (about 2.2x the arithmetic for
    1.5x the widths). ``partial_conv``: what makes each partial convolution, called as
    ``partial_conv(filters, kernel, strides=..., name=...)([x, known])``: :class:`PartialConv2D`
    (the default), a notebook's own layer, or :func:`plain_partial_conv` (see :func:`plain_unet`)."""
    widths = check_widths(widths)
    pc = partial_conv or PartialConv2D
    image = keras.Input((32, 32, 3), name="image")
    mask = keras.Input((32, 32, 1), name="known")
    known0 = layers.Concatenate(name="known_rgb")([mask, mask, mask])
    e1, k1 = _encode(image, known0, widths[0], 5, "encode16", pc, batchnorm=False)  # 16x16
    e2, k2 = _encode(e1, k1, widths[1], 3, "encode8", pc)                           # 8x8
    e3, k3 = _encode(e2, k2, widths[2], 3, "encode4", pc)                           # 4x4
    e4, k4 = _encode(e3, k3, widths[3], 3, "encode2", pc)                           # 2x2
    d3, j3 = _decode(e4, k4, e3, k3, widths[2], "decode4", pc)                      # 4x4
    d2, j2 = _decode(d3, j3, e2, k2, widths[1], "decode8", pc)                      # 8x8
    d1, j1 = _decode(d2, j2, e1, k1, widths[0], "decode16", pc)                     # 16x16
    up = layers.UpSampling2D(2, interpolation="nearest", name="decode32_up")
    x = layers.Concatenate(name="decode32_join")([up(d1), image])
    known = layers.Concatenate(name="decode32_join_known")([up(j1), known0])
    out, _ = pc(3, 3, name="decode32")([x, known])                                 # 32x32x3
    out = layers.Activation("sigmoid", name="sigmoid")(out)
    return keras.Model([image, mask], out, name="pconv_unet")


def _is_partial_conv(layer) -> bool:
    """The package's layer, or one written elsewhere (a notebook's) under the same name."""
    return isinstance(layer, PartialConv2D) or type(layer).__name__ == "PartialConv2D"


def unet_widths(model: keras.Model) -> tuple[int, ...]:
    """The four level widths a U-Net from :func:`build_pconv_unet` was built with (with any
    ``partial_conv``, or saved by older code with unnamed layers)."""
    names = {layer.name: layer for layer in model.layers}
    for suffix in ("", "_conv"):
        if all(f"{level}{suffix}" in names for level in LEVELS[:4]):
            return tuple(int(names[f"{level}{suffix}"].filters) for level in LEVELS[:4])
    return tuple(layer.filters for layer in model.layers if _is_partial_conv(layer))[:4]


def plain_unet(model: keras.Model) -> keras.Model:
    """``model`` (a U-Net from :func:`build_pconv_unet`) rebuilt from Keras's own layers
    (:func:`plain_partial_conv`) with its weights: the same name, inputs and outputs, in a form
    plain Keras saves and loads with nothing of this project imported. Each partial
    convolution's kernel goes to ``<level>_conv`` and its bias to ``<level>_bias``; each
    BatchNormalization to the layer of the same name."""
    names = {layer.name: layer for layer in model.layers}
    missing = [level for level in LEVELS if not _is_partial_conv(names.get(level))]
    if missing:
        raise ValueError(f"{model.name!r} is not a U-Net from build_pconv_unet with named levels: "
                         f"no partial convolution named {', '.join(missing)}.")
    plain = build_pconv_unet(unet_widths(model), partial_conv=plain_partial_conv)
    for level in LEVELS:
        layer = names[level]
        plain.get_layer(f"{level}_conv").set_weights([ops.convert_to_numpy(layer.conv.kernel)])
        bias = ops.convert_to_numpy(layer.bias)
        plain.get_layer(f"{level}_bias").set_weights([bias.reshape(1, 1, 1, -1)])
    for layer in model.layers:
        if isinstance(layer, layers.BatchNormalization):
            plain.get_layer(layer.name).set_weights(layer.get_weights())
    return plain
