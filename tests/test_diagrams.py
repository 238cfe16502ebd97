"""The models' pictures (:mod:`helpers.diagrams`): a sequential model as one box per layer that
changes the shape; the U-Net as one box per partial convolution with its size, the skip
connections as arcs, for the U-Net built with any partial convolution."""

import keras
import pytest
from matplotlib.text import Annotation

from helpers import diagrams
from helpers.pconv import build_pconv_unet, plain_unet


def _texts(fig):
    return "\n".join(t.get_text() for ax in fig.axes for t in ax.texts)


def _arrows(fig):
    """(plain arrows, arcs) drawn on the figure."""
    arrows = [t for ax in fig.axes for t in ax.texts if isinstance(t, Annotation) and t.arrowprops]
    arcs = [a for a in arrows if "arc3" in a.arrowprops.get("connectionstyle", "")]
    return [a for a in arrows if a not in arcs], arcs


def test_model_diagram_draws_a_box_per_shape_and_marks_the_rest():
    keras.utils.set_random_seed(0)
    model = keras.Sequential([keras.Input((8, 8, 3)), keras.layers.Conv2D(4, 3, strides=2, padding="same"),
                              keras.layers.BatchNormalization(), keras.layers.Flatten(),
                              keras.layers.Dense(5, activation="relu")], name="tiny")
    fig = diagrams.model_diagram(model)
    assert fig._suptitle.get_text() == f"tiny: {model.count_params():,} parameters"
    ax = fig.axes[0]
    assert len(ax.patches) == 4, "Input, Conv, Flatten, Dense: BatchNorm is a mark, not a box"
    text = _texts(fig)
    assert "Conv\n3x3/2\n4x4x4" in text and "8x8x3" in text and "BN" in text and "Dense\nReLU\n5" in text
    path, arcs = _arrows(fig)
    assert len(path) == 3 and not arcs


def test_unet_diagram_draws_levels_sizes_and_skip_arcs():
    keras.utils.set_random_seed(0)
    model = build_pconv_unet((8, 8, 16, 16))
    fig = diagrams.unet_diagram(model)
    assert fig._suptitle.get_text() == f"pconv_unet: {model.count_params():,} parameters"
    text = _texts(fig)
    for level, size in (("encode16", "16x16x8"), ("encode2", "2x2x16"), ("decode8", "8x8x8"),
                        ("decode32", "32x32x3")):
        assert level in text and size in text
    assert text.count("skip:") == 4 and "the image, 32x32x3" in text
    path, arcs = _arrows(fig)
    assert len(path) == 8 and len(arcs) == 4  # input -> 8 partial convolutions; one arc per size
    # The plain rebuild (helpers.pconv.plain_unet) draws the same picture.
    plain = diagrams.unet_diagram(plain_unet(model), title="the same U-Net")
    assert _texts(plain) == text and [len(a) for a in _arrows(plain)] == [8, 4]


def test_unet_diagram_refuses_other_models():
    with pytest.raises(ValueError, match="not a U-Net"):
        diagrams.unet_diagram(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)]))
