"""The course's figures of images, and the small utilities every figure module shares.

Every function here that draws returns a titled matplotlib Figure: images with their holes,
fills and scores (:func:`image_grid`, :func:`result_figure`, :func:`method_grid`...), one
set of pixels on three value scales, and per-class bars. The other figures sit beside
this module and use its utilities (:func:`new_figure`, :func:`finish`, :func:`show_image`,
:func:`outline`): :mod:`helpers.curves` (training curves), :mod:`helpers.diagrams` (the
models), :mod:`helpers.study_figures` (notebook 7's study); :mod:`helpers.live_plot`, the live
training plot, is the one that displays its figures as well.

The figures are made with :class:`matplotlib.figure.Figure`, not with ``pyplot``: nothing
is drawn into a global state, nothing leaks in tests, and the backend does not matter
(``MPLBACKEND=Agg`` is fine). In a notebook, a cell that ends with the figure shows it
once; ``IPython.display.display(fig)`` shows it from inside a loop or a widget.

Images may be uint8 (0..255) or floats on the unit scale [0, 1]; patches are on [0, 1]
(convert the GAN's [-1, 1] with :func:`helpers.holes.to_unit`). Holes are drawn as a
thin outline so the eye finds them; pass ``hole=None`` to leave it out.
"""

from __future__ import annotations

import math
import textwrap

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .holes import CENTER_HOLE, Hole, cut_hole, paste_patch

OUTLINE = "#ffd400"
METHOD_COLORS = ["#4c72b0", "#55a868", "#c44e52", "#8172b2", "#ccb974", "#64b5cd",
                 "#dd8452", "#937860", "#da8bc3", "#8c8c8c"]


# --------------------------------------------------------------------------- basics


def as_unit(images) -> np.ndarray:
    """uint8 (0..255) or floats on [0, 1] -> float32 on [0, 1] (gray images stay 2-D)."""
    x = np.asarray(images)
    if x.dtype == np.uint8:
        return x.astype(np.float32) / 255.0
    return np.clip(x.astype(np.float32), 0.0, 1.0)


def new_figure(nrows: int, ncols: int, cell: float = 1.6, extra_height: float = 0.6,
               width_ratios=None, figsize=None):
    """A constrained-layout Figure with a 2-D array of axes."""
    if figsize is None:
        figsize = (max(3.0, cell * ncols), max(2.0, cell * nrows + extra_height))
    fig = Figure(figsize=figsize, layout="constrained")
    axes = fig.subplots(nrows, ncols, squeeze=False,
                        gridspec_kw={"width_ratios": width_ratios} if width_ratios else None)
    return fig, axes


def finish(fig: Figure, title: str, caption: str | None = None) -> Figure:
    """Give a figure its title (always) and an optional one-line caption under it."""
    if not title:
        raise ValueError("Every course figure needs a title.")
    fig.suptitle(title, fontsize=12, fontweight="bold")
    if caption:
        fig.supxlabel(caption, fontsize=9, style="italic")
    return fig


def show_image(ax, image, title: str | None = None, hole: Hole | None = None,
               color: str = OUTLINE, fontsize: float = 9) -> None:
    """Draw one image without ticks; small images without smoothing (pixels stay square)."""
    img = as_unit(image)
    small = max(img.shape[:2]) <= 64
    ax.imshow(img, cmap="gray" if img.ndim == 2 else None, vmin=0, vmax=1,
              interpolation="nearest" if small else "antialiased")
    ax.set_xticks([])
    ax.set_yticks([])
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title:
        ax.set_title(title, fontsize=fontsize)
    if hole is not None:
        outline(ax, hole, color)


def outline(ax, hole: Hole, color: str = OUTLINE, lw: float = 1.2) -> None:
    """Draw the hole's border (pixel edges) on an image axis."""
    ax.add_patch(Rectangle((hole.left - 0.5, hole.top - 0.5), hole.width, hole.height,
                           fill=False, edgecolor=color, linewidth=lw))


def holed_view(images, hole: Hole = CENTER_HOLE) -> np.ndarray:
    """Images (uint8 or unit) -> the model's input: the hole painted mid-grey (unit scale)."""
    unit = as_unit(images)
    holed, _ = cut_hole(unit, hole, "unit")
    return holed


def _hole_mse(pred_patch, true_patch) -> float:
    return float(np.mean((np.asarray(pred_patch, np.float64) - np.asarray(true_patch, np.float64)) ** 2))


# --------------------------------------------------------------------------- image figures


def image_grid(images, titles=None, ncols: int = 8, title: str = "Images", row_labels=None,
               hole: Hole | None = None, cell: float = 1.3, caption: str | None = None) -> Figure:
    """A grid of images with optional titles per image and labels per row."""
    images = list(images)
    if not images:
        raise ValueError("image_grid needs at least one image.")
    ncols = max(1, min(ncols, len(images)))
    nrows = math.ceil(len(images) / ncols)
    fig, axes = new_figure(nrows, ncols, cell)
    for i, ax in enumerate(axes.flat):
        if i < len(images):
            show_image(ax, images[i], titles[i] if titles is not None else None, hole)
        else:
            ax.set_axis_off()
    if row_labels is not None:
        for r, label in enumerate(row_labels[:nrows]):
            axes[r, 0].set_ylabel(label, fontsize=9, rotation=0, ha="right", va="center")
    return finish(fig, title, caption)


def image_row(images, titles, title: str, hole: Hole | None = None, cell: float = 2.0,
              caption: str | None = None) -> Figure:
    """A single row of images, each with its title."""
    return image_grid(images, titles, ncols=len(list(images)), title=title, hole=hole, cell=cell,
                      caption=caption)


def class_grid(images, labels, class_names, per_class: int = 8, title: str | None = None,
               seed: int = 0, caption: str | None = None) -> Figure:
    """``per_class`` random examples of each class, one class per row."""
    labels = np.asarray(labels)
    rng = np.random.default_rng(seed)
    rows, names = [], []
    for c, name in enumerate(class_names):
        idx = np.flatnonzero(labels == c)
        if len(idx) == 0:
            continue
        pick = rng.choice(idx, size=min(per_class, len(idx)), replace=False)
        rows.append([images[i] for i in pick] + [None] * (per_class - len(pick)))
        names.append(f"{name}\n({len(idx):,})")
    if not rows:
        raise ValueError("No images with these labels.")
    fig, axes = new_figure(len(rows), per_class, cell=1.0)
    for r, row in enumerate(rows):
        for c, img in enumerate(row):
            if img is None:
                axes[r, c].set_axis_off()
            else:
                show_image(axes[r, c], img)
        axes[r, 0].set_ylabel(names[r], fontsize=9, rotation=0, ha="right", va="center")
    return finish(fig, title or f"CIFAR-10: {per_class} random images of each class (count in brackets)",
                  caption)


def crop_figure(image, hole: Hole = CENTER_HOLE, title: str | None = None, label: str | None = None,
                caption: str | None = None) -> Figure:
    """The paper's Fig. 3: the original, the image with the hole (the model's input), and the
    patch that was cut out (the target), the patch drawn at the same pixel size."""
    unit = as_unit(np.asarray(image)[None])
    holed, patch = cut_hole(unit, hole, "unit")
    h, w = unit.shape[1:3]
    fig, axes = new_figure(1, 3, width_ratios=[w, w, hole.width], figsize=(8.5, 3.4))
    what = f" ({label})" if label else ""
    show_image(axes[0, 0], unit[0], f"original{what}\n{h}x{w}", hole)
    show_image(axes[0, 1], holed[0], f"input: hole filled grey\n{h}x{w}")
    show_image(axes[0, 2], patch[0], f"target: the patch\n{hole.height}x{hole.width}")
    return finish(fig, title or "The crop (the paper's Fig. 3): input and target", caption)


def result_figure(images, patches, hole: Hole = CENTER_HOLE, method: str = "model",
                  title: str | None = None, labels=None, caption: str | None = None) -> Figure:
    """The paper's result figure: for each image, original / with the hole / reconstructed.
    Each reconstruction's hole MSE (unit scale) is in its title."""
    unit = as_unit(images)
    patches = np.asarray(patches, np.float32)
    if len(unit) != len(patches):
        raise ValueError(f"{len(unit)} images but {len(patches)} patches.")
    holed, true_patch = cut_hole(unit, hole, "unit")
    filled = paste_patch(unit, patches, hole)
    fig, axes = new_figure(len(unit), 3, cell=2.2)
    for r in range(len(unit)):
        what = f" ({labels[r]})" if labels is not None else ""
        show_image(axes[r, 0], unit[r], "original" + what, hole)
        show_image(axes[r, 1], holed[r], "with the hole")
        show_image(axes[r, 2], filled[r],
                   f"{method}: hole MSE {_hole_mse(patches[r], true_patch[r]):.4f}", hole)
    return finish(fig, title or f"{method} on {len(unit)} test images", caption)


def method_grid(images, patches: dict, hole: Hole = CENTER_HOLE, title: str = "Every method on the same images",
                row_labels=None, caption: str | None = None, cell: float = 1.5) -> Figure:
    """Rows: images. Columns: original, with the hole, then each method's fill (its hole
    MSE under it). ``patches`` maps a method name to its patches (unit scale)."""
    unit = as_unit(images)
    if not patches:
        raise ValueError("method_grid needs at least one method's patches.")
    for name, p in patches.items():
        if len(p) != len(unit):
            raise ValueError(f"{name}: {len(p)} patches for {len(unit)} images.")
    holed, true_patch = cut_hole(unit, hole, "unit")
    fig, axes = new_figure(len(unit), 2 + len(patches), cell=cell, extra_height=0.9)
    for r in range(len(unit)):
        show_image(axes[r, 0], unit[r], "original" if r == 0 else None, hole)
        show_image(axes[r, 1], holed[r], "with the hole" if r == 0 else None)
        for c, (name, p) in enumerate(patches.items()):
            ax = axes[r, 2 + c]
            show_image(ax, paste_patch(unit[r:r + 1], np.asarray(p[r:r + 1], np.float32), hole)[0],
                       textwrap.fill(name, 16) if r == 0 else None, hole)
            ax.set_xlabel(f"MSE {_hole_mse(p[r], true_patch[r]):.4f}", fontsize=8)
        if row_labels is not None:
            axes[r, 0].set_ylabel(row_labels[r], fontsize=9, rotation=0, ha="right", va="center")
    return finish(fig, title, caption or "Under each fill: its hole MSE on [0, 1] (lower is closer to the original).")


def best_worst(images, patches: dict, errors: dict, hole: Hole = CENTER_HOLE, k: int = 3,
               title: str = "Best and worst fills of each method", caption: str | None = None) -> Figure:
    """One row per method: its ``k`` lowest-error fills, then its ``k`` highest-error fills
    (``errors[name]`` are per-image hole MSEs, the same order as ``images``)."""
    unit = as_unit(images)
    k = max(1, min(k, len(unit)))
    fig, axes = new_figure(len(patches), 2 * k, cell=1.4, extra_height=0.9)
    for r, (name, p) in enumerate(patches.items()):
        err = np.asarray(errors[name])
        order = np.argsort(err, kind="stable")
        picks = list(order[:k]) + list(order[::-1][:k])
        for c, i in enumerate(picks):
            ax = axes[r, c]
            filled = paste_patch(unit[i:i + 1], np.asarray(p[i:i + 1], np.float32), hole)[0]
            show_image(ax, filled, None, hole, color="#2ca02c" if c < k else "#d62728")
            ax.set_xlabel(f"#{i}: {err[i]:.4f}", fontsize=8)
            if r == 0:
                ax.set_title("best" if c < k else "worst", fontsize=9)
        axes[r, 0].set_ylabel(textwrap.fill(name, 16), fontsize=9, rotation=0, ha="right", va="center")
    return finish(fig, title, caption or "Green: the lowest hole MSE; red: the highest "
                                         "(test-image number: hole MSE on [0, 1]).")


def photo_fills(image, hole: Hole, fills: dict, title: str, caption: str | None = None,
                margin: int | None = None) -> Figure:
    """A photograph with a hole and several fills; the second row zooms in on the hole."""
    unit = as_unit(image)
    if unit.ndim == 2:  # grey: show it as RGB
        unit = np.repeat(unit[..., None], 3, axis=-1)
    holed = holed_view(unit[None], hole)[0]
    panels = {"original": unit, "with the hole": holed, **{k: as_unit(v) for k, v in fills.items()}}
    h, w = unit.shape[:2]
    m = margin if margin is not None else max(hole.height, hole.width) // 2
    top, left = max(0, hole.top - m), max(0, hole.left - m)
    bottom, right = min(h, hole.top + hole.height + m), min(w, hole.left + hole.width + m)
    zoom_hole = Hole(hole.top - top, hole.left - left, hole.height, hole.width)
    fig, axes = new_figure(2, len(panels), figsize=(3.0 * len(panels), 5.6))
    for c, (name, img) in enumerate(panels.items()):
        show_image(axes[0, c], img, name, hole if c != 1 else None)
        show_image(axes[1, c], img[top:bottom, left:right], "zoom", zoom_hole if c != 1 else None)
    return finish(fig, title, caption)


# --------------------------------------------------------------------------- data figures


def value_histograms(images_uint8, title: str = "One set of pixels on three value scales",
                     caption: str | None = None) -> Figure:
    """The same pixels as uint8 (0..255), on the unit scale [0, 1] and the signed [-1, 1]."""
    x = np.asarray(images_uint8)
    if x.dtype != np.uint8:
        raise TypeError(f"value_histograms expects uint8 images, got {x.dtype}.")
    values = x.reshape(-1).astype(np.float32)
    scales = [("uint8 (stored)", values, (0, 255)), ("unit [0, 1]: autoencoder", values / 255.0, (0, 1)),
              ("signed [-1, 1]: GAN", values / 127.5 - 1.0, (-1, 1))]
    fig, axes = new_figure(1, 3, figsize=(10, 2.9))
    for ax, (name, v, rng) in zip(axes[0], scales):
        ax.hist(v, bins=64, range=rng, color="#4c72b0")
        ax.set_title(name, fontsize=10)
        ax.set_xlim(*rng)
        ax.set_yticks([])
    axes[0, 0].set_ylabel("pixels")
    return finish(fig, title, caption)


# --------------------------------------------------------------------------- comparisons


def class_bars(values: dict, class_names, ylabel: str, title: str, caption: str | None = None,
               reference: dict | None = None) -> Figure:
    """Grouped bars: one group per class, one bar per method (``values[method]`` is an
    array with one number per class). ``reference`` draws each method's overall mean as a
    dashed line in its colour."""
    if not values:
        raise ValueError("class_bars needs at least one method.")
    names = list(values)
    n = len(class_names)
    width = 0.8 / len(names)
    fig, axes = new_figure(1, 1, figsize=(max(8, 0.9 * n + 2), 3.8))
    ax = axes[0, 0]
    for j, name in enumerate(names):
        color = METHOD_COLORS[j % len(METHOD_COLORS)]
        ax.bar(np.arange(n) - 0.4 + width * (j + 0.5), values[name], width, label=name, color=color)
        if reference and name in reference:
            ax.axhline(reference[name], color=color, ls="--", lw=1)
    ax.set_xticks(np.arange(n))
    ax.set_xticklabels(class_names, rotation=30, ha="right", fontsize=9)
    ax.set_ylabel(ylabel)
    ax.grid(True, axis="y", alpha=0.3)
    ax.legend(fontsize=8, ncols=min(len(names), 4), loc="lower center", bbox_to_anchor=(0.5, 1.0),
              frameon=False)
    return finish(fig, title, caption)
