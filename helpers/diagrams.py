"""Pictures of the course's models: a sequential model as a row of boxes, and the
partial-convolution U-Net with its skip connections. :mod:`helpers.architecture` tabulates
the same layers; each function here returns a titled matplotlib Figure.
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .architecture import keras_rows
from .plots import finish

_DIAGRAM_COLORS = {"Conv": "#4c72b0", "Deconv": "#55a868", "Dense": "#dd8452", "Input": "#8c8c8c",
                   "Flatten": "#c0c0c0", "Reshape": "#c0c0c0"}


def _box_size(output: str) -> tuple[float, float]:
    """Box (width, height) for an output shape "HxWxC" or "N": height grows with the image
    size, width with the number of channels (both on a log scale, so 2x2 and 32x32 both show)."""
    dims = [int(d) for d in output.split("x")]
    if len(dims) == 1:  # a vector: a thin, tall bar
        return 0.25, 1.0 + math.log2(max(dims[0], 2)) / 4
    h, _, c = dims
    return 0.3 + math.log2(max(c, 2)) / 6, 0.4 + math.log2(max(h, 2)) / 2.2


def model_diagram(model, title: str | None = None, caption: str | None = None) -> Figure:
    """A picture of a sequential model: one box per layer that changes the shape (taller for a
    bigger image, wider for more channels), its kind, kernel and stride above it and its
    output below; BatchNorm and Dropout as small marks between boxes."""
    rows = keras_rows(model)
    first = "x".join(str(int(d)) for d in model.inputs[0].shape[1:])
    boxes, marks = [("Input", "", first)], {}
    for row in rows:
        if row["layer"] in ("BatchNorm", "Dropout"):
            marks.setdefault(len(boxes) - 1, []).append("BN" if row["layer"] == "BatchNorm" else "drop")
            continue
        detail = f"{row['kernel']}/{row['stride']}" if row["kernel"] else ""
        if row["activation"]:
            detail += (" " if detail else "") + row["activation"]
        boxes.append((row["layer"], detail, row["output"]))
    fig = Figure(figsize=(max(6.0, 0.95 * len(boxes)), 3.4), layout="constrained")
    ax = fig.subplots()
    x = 0.0
    for i, (kind, detail, output) in enumerate(boxes):
        width, height = _box_size(output)
        ax.add_patch(Rectangle((x, -height / 2), width, height, facecolor=_DIAGRAM_COLORS.get(kind, "#8172b2"),
                               edgecolor="black", lw=0.6, alpha=0.85))
        ax.text(x + width / 2, height / 2 + 0.12, f"{kind}\n{detail}" if detail else kind,
                ha="center", va="bottom", fontsize=7)
        ax.text(x + width / 2, -height / 2 - 0.12, output, ha="center", va="top", fontsize=7)
        if i in marks:
            ax.text(x + width + 0.2, 0.12, "+".join(marks[i]), ha="center", va="bottom", fontsize=6,
                    color="#444444")
        if i + 1 < len(boxes):
            ax.annotate("", xy=(x + width + 0.4, 0), xytext=(x + width, 0),
                        arrowprops=dict(arrowstyle="->", lw=0.8))
        x += width + 0.4
    ax.set_xlim(-0.2, x)
    ax.set_ylim(-2.4, 2.6)
    ax.set_axis_off()
    return finish(fig, title or f"{model.name}: {model.count_params():,} parameters", caption)


_UNET_ENCODE, _UNET_DECODE, _UNET_SKIP = "#4c72b0", "#55a868", "#dd8452"


def _unet_levels(model) -> list[dict]:
    """What :func:`unet_diagram` draws of each partial convolution of a U-Net from
    :func:`helpers.pconv.build_pconv_unet` (with any ``partial_conv``): its name, kernel,
    stride, output size and channels, and what follows it."""
    from .pconv import LEVELS

    names = {layer.name: layer for layer in model.layers}
    levels = []
    for level in LEVELS:
        conv = names.get(level) or names.get(f"{level}_conv")
        if conv is None:
            raise ValueError(f"{model.name!r} is not a U-Net from helpers.pconv.build_pconv_unet: it has no "
                             f"partial convolution named {level!r}. model_diagram draws other models.")
        kernel = conv.kernel_size if isinstance(conv.kernel_size, int) else conv.kernel_size[0]
        stride = conv.strides if isinstance(conv.strides, int) else conv.strides[0]
        after = [label for suffix, label in (("_bn", "BN"), ("_relu", "ReLU"), ("_leaky", "LeakyReLU"))
                 if f"{level}{suffix}" in names] or (["sigmoid"] if "sigmoid" in names else [])
        levels.append({"name": level, "kernel": int(kernel), "stride": int(stride), "size": int(level[6:]),
                       "channels": int(conv.filters), "after": after})
    return levels


def _unet_extent(boxes: dict, key: str):
    """(x, y, width, height) of a U-Net diagram's box: taller for a bigger image, wider for more channels."""
    x, y, channels, side, _ = boxes[key]
    return x, y, 0.22 + math.log2(max(channels, 2)) / 9, 0.25 + math.log2(max(side, 2)) / 7


def _unet_paths(ax, boxes: dict, levels: list) -> None:
    """The boxes, the main path (down, then up) and the skip connections, one arc per size."""
    for key in boxes:
        x, y, w, h = _unet_extent(boxes, key)
        color = (_DIAGRAM_COLORS["Input"] if key == "input" else _UNET_ENCODE if key.startswith("encode")
                 else _UNET_DECODE)
        ax.add_patch(Rectangle((x - w / 2, y - h / 2), w, h, facecolor=color, edgecolor="black", lw=0.6,
                               alpha=0.85, zorder=3))
    keys = list(boxes)
    for a, b in zip(keys, keys[1:]):
        (xa, ya, wa, ha), (xb, yb, wb, hb) = _unet_extent(boxes, a), _unet_extent(boxes, b)
        start = (xa + wa / 2, ya) if ya == yb else (xa, ya - ha / 2) if yb < ya else (xa, ya + ha / 2)
        end = (xb - wb / 2, yb) if ya == yb else (xb, yb + hb / 2) if yb < ya else (xb, yb - hb / 2)
        ax.annotate("", xy=end, xytext=start, arrowprops=dict(arrowstyle="-|>", lw=0.9, color="#333333"),
                    zorder=2)
    encoders = ["input"] + [lv["name"] for lv in levels if lv["name"].startswith("encode")][:-1]
    decoders = [lv["name"] for lv in levels if lv["name"].startswith("decode")][::-1]
    for enc, dec in zip(encoders, decoders):
        (xa, ya, wa, ha), (xb, yb, wb, hb) = _unet_extent(boxes, enc), _unet_extent(boxes, dec)
        _, _, channels, side, _ = boxes[enc]
        start, end = (xa + 0.06, ya + ha / 2), (xb - 0.06, yb + hb / 2)
        ax.annotate("", xy=end, xytext=start, zorder=1, arrowprops=dict(
            arrowstyle="-|>", lw=1.3, color=_UNET_SKIP, ls="--", connectionstyle="arc3,rad=-0.22"))
        top = ya + ha / 2 + 0.22 * (xb - xa) / 2
        what = "the image" if enc == "input" else f"{enc}'s output"
        ax.text((xa + xb) / 2, top + 0.06, f"skip: {what}, {side}x{side}x{channels}, and its mask", ha="center",
                va="bottom", fontsize=7.5, color="#9c4a1a")


def _unet_labels(ax, boxes: dict, levels: list, size: int, dy: float) -> None:
    """Each level's name, kind and size beside its box, the input's, and the legend."""
    for lv in levels:
        x, y, w, h = _unet_extent(boxes, lv["name"])
        kind = (f"partial conv {lv['kernel']}x{lv['kernel']}, stride {lv['stride']}" if lv["stride"] > 1
                else f"up 2x, join, partial conv {lv['kernel']}x{lv['kernel']}")
        text = f"$\\bf{{{lv['name']}}}$\n{kind}\n{lv['size']}x{lv['size']}x{lv['channels']}"
        text += (" · " + " · ".join(lv["after"])) if lv["after"] else ""
        bottom = lv is levels[3]
        left = lv["name"].startswith("encode") and not bottom
        ax.text(x + (0 if bottom else -w / 2 - 0.12 if left else w / 2 + 0.12), y - h / 2 - 0.12 if bottom else y,
                text, ha="center" if bottom else "right" if left else "left", va="top" if bottom else "center",
                fontsize=7.5, linespacing=1.3, zorder=4)
    x, y, w, h = _unet_extent(boxes, "input")
    ax.text(x - w / 2 - 0.12, y, f"$\\bf{{input}}$\nimage {size}x{size}x3\n+ mask {size}x{size}x1",
            ha="right", va="center", fontsize=7.5, linespacing=1.3)
    for label, color, row in (("encoder: each level halves the image", _UNET_ENCODE, 0),
                              ("decoder: each level doubles it", _UNET_DECODE, 1),
                              ("skip connection (features + mask)", _UNET_SKIP, 2)):
        ax.add_patch(Rectangle((-1.9, -4.2 * dy - row * 0.3), 0.22, 0.16, facecolor=color, edgecolor="black",
                               lw=0.5))
        ax.text(-1.6, -4.2 * dy - row * 0.3 + 0.08, label, va="center", fontsize=7.5)


def unet_diagram(model, title: str | None = None, caption: str | None = None) -> Figure:
    """A picture of the partial-convolution U-Net: the encoder's levels going down the left
    (each halves the image), the decoder's coming up the right (each doubles it), one box per
    partial convolution (taller: a bigger image; wider: more channels) with its size, and
    the skip connections as arcs: each decoder level joins the encoder's features *and mask*
    of its size (the last one, the input image and its mask)."""
    levels = _unet_levels(model)
    size = int(model.inputs[0].shape[1])
    dx, dy = 1.55, 1.35
    boxes = {"input": (0.0, 0.0, 3, size, "input")}
    for i, lv in enumerate(levels, start=1):
        depth = int(round(math.log2(size / lv["size"])))
        boxes[lv["name"]] = (i * dx, -depth * dy, lv["channels"], lv["size"], lv["name"])
    fig = Figure(figsize=(11.5, 6.4), layout="constrained")
    ax = fig.subplots()
    _unet_paths(ax, boxes, levels)
    _unet_labels(ax, boxes, levels, size, dy)
    ax.set_xlim(-2.3, 9 * dx + 2.1)
    ax.set_ylim(-4 * dy - 1.6, 0.22 * 8 * dx / 2 + 0.9)
    ax.set_aspect("equal")
    ax.set_axis_off()
    return finish(fig, title or f"{model.name}: {model.count_params():,} parameters", caption)
