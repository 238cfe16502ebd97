"""The course's figures: every function returns a titled matplotlib Figure.

The figures are made with :class:`matplotlib.figure.Figure`, not with ``pyplot``: nothing
is drawn into a global state, nothing leaks in tests, and the backend does not matter
(``MPLBACKEND=Agg`` is fine). In a notebook, a cell that ends with the figure shows it
once; ``IPython.display.display(fig)`` shows it from inside a loop or a widget.

Images may be uint8 (0..255) or floats on the unit scale [0, 1]; patches are on [0, 1]
(convert the GAN's [-1, 1] with :func:`helpers.masks.to_unit`). Holes are drawn as a
thin outline so the eye finds them; pass ``hole=None`` to leave it out.
"""

from __future__ import annotations

import math
import textwrap
import time

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .masks import CENTER_HOLE, Hole, cut_hole, paste_patch

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


def inpaint_row(image, patch, hole: Hole = CENTER_HOLE, method: str = "fill",
                title: str | None = None, caption: str | None = None, label: str | None = None) -> Figure:
    """One image: original / with the hole / filled by ``method`` (hole MSE in the title)."""
    unit = as_unit(np.asarray(image)[None])
    holed, true_patch = cut_hole(unit, hole, "unit")
    filled = paste_patch(unit, np.asarray(patch, np.float32)[None], hole)
    fig, axes = new_figure(1, 3, cell=2.6)
    what = f" ({label})" if label else ""
    show_image(axes[0, 0], unit[0], "original" + what, hole)
    show_image(axes[0, 1], holed[0], "with the hole")
    show_image(axes[0, 2], filled[0], f"{method}\nhole MSE {_hole_mse(patch, true_patch[0]):.4f}", hole)
    return finish(fig, title or f"Filled by {method}", caption)


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


# --------------------------------------------------------------------------- curves


def _series(history: dict, key: str):
    it = history.get("iteration", [])
    values = history.get(key, [])
    pairs = [(i, v) for i, v in zip(it, values) if v is not None]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _positive(values) -> bool:
    return bool(values) and min(values) > 0


def _validation(ax, history: dict, color: str, label: str):
    """The validation curve; for a run that averaged its weights (``--average``), the
    average's (what it keeps) and, thin, the raw weights' beside it. Returns the points."""
    vx, vy = _series(history, "val_hole_mse")
    rx, ry = _series(history, "val_hole_mse_raw")
    if rx:
        ax.plot(rx, ry, "-", color=color, lw=0.8, alpha=0.5, label=f"{label}, raw weights")
        label = f"{label}, averaged weights"
    if vx:
        ax.plot(vx, vy, "o-", color=color, ms=3 if rx else 6, label=label)
    return vx, vy + ry


def loss_curves(history: dict, title: str = "Training loss", caption: str | None = None,
                reference: float | None = None, reference_label: str = "",
                loss_label: str = "training loss (MSE, unit scale)") -> Figure:
    """The autoencoder's curves: training loss (MSE of the patch, unit scale) and, when
    logged, the validation hole MSE. Log scale when all values are positive."""
    fig, axes = new_figure(1, 1, figsize=(7.5, 3.6))
    ax = axes[0, 0]
    x, y = _series(history, "loss")
    ax.plot(x, y, color="#4c72b0", label=loss_label)
    vx, vy = _validation(ax, history, "#c44e52", "validation hole MSE (unit scale)")
    if reference is not None:
        ax.axhline(reference, color="gray", ls="--", lw=1, label=reference_label or f"{reference:g}")
    if _positive(y + vy):
        ax.set_yscale("log")
    ax.set_xlabel("iteration (one batch)")
    ax.set_ylabel("mean squared error")
    ax.grid(True, alpha=0.3)
    if x or vx:
        ax.legend(fontsize=8)
    else:
        ax.text(0.5, 0.5, "nothing logged yet", ha="center", va="center", transform=ax.transAxes)
    return finish(fig, title, caption)


def gan_curves(history: dict, title: str = "GAN training", caption: str | None = None) -> Figure:
    """Three panels: D's losses on real and on generated patches; D's mean probability of
    'real' for each (0.5 = cannot tell); G's L2 loss (and validation hole MSE) and its
    adversarial loss."""
    fig, axes = new_figure(1, 3, figsize=(13, 4.1))
    ax = axes[0, 0]
    for key, color, label in (("d_loss_real", "#55a868", "on real patches"),
                              ("d_loss_fake", "#c44e52", "on generated patches")):
        x, y = _series(history, key)
        ax.plot(x, y, color=color, label=label)
    ax.set_title("discriminator loss (BCE)", fontsize=10)
    ax = axes[0, 1]
    for key, color, label in (("d_real_prob", "#55a868", "D(real)"),
                              ("d_fake_prob", "#c44e52", "D(generated)")):
        x, y = _series(history, key)
        ax.plot(x, y, color=color, label=label)
    ax.axhline(0.5, color="gray", ls="--", lw=1, label="0.5: cannot tell")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("D's probability of 'real'", fontsize=10)
    ax = axes[0, 2]
    x, y = _series(history, "g_l2")
    ax.plot(x, y, color="#4c72b0", label="G: L2 (signed scale)")
    vx, vy = _validation(ax, history, "#8172b2", "validation hole MSE (unit)")
    if _positive(y + vy):
        ax.set_yscale("log")
    ax.set_title("generator: reconstruction", fontsize=10)
    twin = ax.twinx()
    ax_, ay_ = _series(history, "g_adversarial")
    twin.plot(ax_, ay_, color="#dd8452", alpha=0.8, label="G: adversarial (right axis)")
    twin.tick_params(labelsize=8)
    for a in (axes[0, 0], axes[0, 1], axes[0, 2]):
        a.set_xlabel("iteration")
        a.grid(True, alpha=0.3)
    handles = []
    for a in (axes[0, 0], axes[0, 1]):
        if a.lines:
            a.legend(fontsize=8)
    for a in (ax, twin):
        handles += a.get_legend_handles_labels()[0]
    if handles:   # below the panel: inside, it hid the curves (and the twin axis drew over it)
        twin.legend(handles, [h.get_label() for h in handles], fontsize=8, loc="upper center",
                    bbox_to_anchor=(0.5, -0.16), ncols=2, frameon=False)
    return finish(fig, title, caption)


class LiveLossPlot:
    """A training callback that redraws the loss curves while a model trains.

    Pass it as ``callback=`` to ``Trainer.fit``; call :meth:`finish` after training for the
    final figure. It shows one figure and updates it in place (``display(..., display_id=True)``),
    which works in JupyterLab, Colab and nbval without widget extensions. Redraws are at
    most one every ``min_interval`` seconds, so drawing never slows training much.
    """

    def __init__(self, kind: str = "autoencoder", total: int | None = None, title: str | None = None,
                 min_interval: float = 2.0, caption: str | None = None):
        if kind not in ("autoencoder", "gan", "pconv"):
            raise ValueError(f"kind must be 'autoencoder', 'gan' or 'pconv', got {kind!r}.")
        self.kind, self.total, self.min_interval = kind, total, min_interval
        self.label = title or {"autoencoder": "Autoencoder training", "gan": "GAN training",
                               "pconv": "Partial-convolution U-Net training"}[kind]
        self.caption = caption
        self.handle = None
        self.last_figure = None
        self.draws = 0
        self._last = -math.inf
        self._started = time.monotonic()
        self._start_iteration = None

    def title(self, iteration: int, logs: dict | None) -> str:
        parts = [f"{self.label}: iteration {iteration:,}" + (f" / {self.total:,}" if self.total else "")]
        speed = (logs or {}).get("images_per_second")
        if speed:
            parts.append(f"{speed:,.0f} images/s")
        if self.total and self._start_iteration is not None and iteration < self.total:
            done = iteration - self._start_iteration
            elapsed = time.monotonic() - self._started
            if done > 0:
                left = elapsed / done * (self.total - iteration)
                parts.append(f"about {left / 60:.0f} min left" if left >= 90 else f"about {left:.0f} s left")
        return " · ".join(parts)

    def figure(self, history: dict, iteration: int, logs: dict | None = None) -> Figure:
        if self.kind == "gan":
            return gan_curves(history, title=self.title(iteration, logs), caption=self.caption)
        label = ("training loss (6 x L1 of the hole + L1 of the rest)" if self.kind == "pconv"
                 else "training loss (MSE, unit scale)")
        return loss_curves(history, title=self.title(iteration, logs), caption=self.caption, loss_label=label)

    def _show(self, fig: Figure) -> None:
        from IPython.display import display

        if self.handle is None:
            self.handle = display(fig, display_id=True)
            if self.handle is None:  # not in IPython: nothing to update in place
                self.handle = False
        elif self.handle is not False:
            self.handle.update(fig)
        self.draws += 1

    def __call__(self, trainer, logs: dict) -> None:
        if self._start_iteration is None:
            self._start_iteration = max(0, trainer.iteration - 1)
            self._started = time.monotonic()
        now = time.monotonic()
        if now - self._last < self.min_interval:
            return
        self._last = now
        self.last_figure = self.figure(trainer.history, trainer.iteration, logs)
        self._show(self.last_figure)

    def finish(self, history: dict, iteration: int | None = None) -> None:
        """Draw the final curves in place of the live ones (kept as ``last_figure``)."""
        iteration = iteration if iteration is not None else (history.get("iteration") or [0])[-1]
        last = {k: v[-1] for k, v in history.items() if k != "iteration" and v}
        self.last_figure = self.figure(history, iteration, last)
        self._show(self.last_figure)


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
