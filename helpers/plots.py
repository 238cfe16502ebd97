"""The course's figures: every function returns a titled matplotlib Figure.

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
import time

import numpy as np
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from .architecture import keras_rows
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
                loss_label: str = "training loss (MSE, unit scale)", mark: int | None = None) -> Figure:
    """The autoencoder's curves: training loss (MSE of the patch, unit scale) and, when
    logged, the validation hole MSE. Log scale when all values are positive. ``mark``: the
    iteration of the state a model holds (a dotted line), when its run went on past it."""
    fig, axes = new_figure(1, 1, figsize=(7.5, 3.6))
    ax = axes[0, 0]
    x, y = _series(history, "loss")
    ax.plot(x, y, color="#4c72b0", label=loss_label)
    vx, vy = _validation(ax, history, "#c44e52", "validation hole MSE (unit scale)")
    if reference is not None:
        ax.axhline(reference, color="gray", ls="--", lw=1, label=reference_label or f"{reference:g}")
    _mark(ax, mark)
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


def _mark(ax, iteration: int | None) -> None:
    if iteration is not None:
        ax.axvline(iteration, color="black", ls=":", lw=1.2, label=f"this model: iteration {iteration:,}")


def gan_curves(history: dict, title: str = "GAN training", caption: str | None = None,
               mark: int | None = None) -> Figure:
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
        _mark(a, mark)
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


def progress_fills(images, snapshots: list, hole: Hole = CENTER_HOLE, title: str = "Fills while training",
                   caption: str | None = None) -> Figure:
    """The same few images filled at several points of a run: one row per snapshot
    ``(iteration, patches on [0, 1])``, the truth in the first row."""
    unit = as_unit(images)
    fig, axes = new_figure(1 + len(snapshots), len(unit), cell=1.25, extra_height=0.7)
    for c, image in enumerate(unit):
        show_image(axes[0, c], image, None, hole)
    axes[0, 0].set_ylabel("truth", fontsize=9)
    for r, (iteration, patches) in enumerate(snapshots, start=1):
        for c, image in enumerate(unit):
            show_image(axes[r, c], paste_patch(image[None], np.asarray(patches)[c:c + 1], hole)[0], None, hole)
        axes[r, 0].set_ylabel(f"iteration\n{iteration:,}", fontsize=9)
    return finish(fig, title, caption)


class LiveLossPlot:
    """A training callback that redraws the loss curves while a model trains and, given a few
    validation ``images``, their fills: the current one and snapshots at a quarter, half,
    three quarters and the end of the run, so the blur turning into structure shows.

    Pass it as ``callback=`` to ``Trainer.fit``; call :meth:`finish` after training for the
    final figures. It shows each figure once and updates it in place (``display(...,
    display_id=True)``), which works in JupyterLab, Colab and nbval without widget
    extensions. Redraws are at most one every ``min_interval`` seconds, so drawing never
    slows training much.
    """

    def __init__(self, kind: str = "autoencoder", total: int | None = None, title: str | None = None,
                 min_interval: float = 2.0, caption: str | None = None, images=None, snapshots: int = 4):
        if kind not in ("autoencoder", "gan", "pconv"):
            raise ValueError(f"kind must be 'autoencoder', 'gan' or 'pconv', got {kind!r}.")
        self.kind, self.total, self.min_interval = kind, total, min_interval
        self.label = title or {"autoencoder": "Autoencoder training", "gan": "GAN training",
                               "pconv": "Partial-convolution U-Net training"}[kind]
        self.caption = caption
        self.images = None if images is None else np.asarray(images)
        self.milestones = [total * k // snapshots for k in range(1, snapshots + 1)] if total and images is not None else []
        self.snapshots: list = []   # (iteration, patches) at the milestones
        self.handles = {}
        self.last_figure = self.last_fills = None
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
        label = ("training loss (6 x hole + 1 x known pixel error)" if self.kind == "pconv"
                 else "training loss (MSE, unit scale)")
        return loss_curves(history, title=self.title(iteration, logs), caption=self.caption, loss_label=label)

    def _show(self, name: str, fig: Figure) -> None:
        from IPython.display import display

        if name not in self.handles:
            self.handles[name] = display(fig, display_id=True) or False  # False: not in IPython
        elif self.handles[name] is not False:
            self.handles[name].update(fig)
        self.draws += 1

    def _fills(self, trainer) -> None:
        """Snapshot the fills at each milestone passed, and draw them with the current ones."""
        if self.images is None:
            return
        patches = trainer.predict_patch_unit(self.images)
        while self.milestones and trainer.iteration >= self.milestones[0]:
            self.milestones.pop(0)
            self.snapshots.append((trainer.iteration, patches))
        shown = self.snapshots + ([] if self.snapshots and self.snapshots[-1][0] == trainer.iteration
                                  else [(trainer.iteration, patches)])
        self.last_fills = progress_fills(self.images, shown, title=f"{self.label}: the same validation "
                                         f"holes, filled as training goes on")
        self._show("fills", self.last_fills)

    def __call__(self, trainer, logs: dict) -> None:
        if self._start_iteration is None:
            self._start_iteration = max(0, trainer.iteration - 1)
            self._started = time.monotonic()
        now = time.monotonic()
        at_milestone = bool(self.milestones) and trainer.iteration >= self.milestones[0]
        if now - self._last < self.min_interval and not at_milestone:
            return
        self._last = now
        self.last_figure = self.figure(trainer.history, trainer.iteration, logs)
        self._show("curves", self.last_figure)
        self._fills(trainer)

    def finish(self, trainer) -> None:
        """Draw the final curves and fills in place of the live ones (kept as ``last_figure``
        and ``last_fills``)."""
        history = trainer.history
        last = {k: v[-1] for k, v in history.items() if k != "iteration" and v}
        self.last_figure = self.figure(history, trainer.iteration, last)
        self._show("curves", self.last_figure)
        self._fills(trainer)


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


# --------------------------------------------------------------------------- model diagrams

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


# --------------------------------------------------------------------------- notebook 4: the adversarial weight study


def _plain_log_y(ax) -> None:
    """A log-scale y axis labelled 0.05, 0.1, 0.2, 0.5, 1, 2, 5... (not 5 x 10^-2)."""
    from matplotlib.ticker import FixedLocator, FormatStrFormatter, NullFormatter

    ax.set_yscale("log")
    low, high = ax.get_ylim()
    ticks = [m * 10.0 ** e for e in range(-6, 7) for m in (1, 2, 5) if low <= m * 10.0 ** e <= high]
    if len(ticks) >= 2:
        ax.yaxis.set_major_locator(FixedLocator(ticks))
        ax.yaxis.set_major_formatter(FormatStrFormatter("%g"))
        ax.yaxis.set_minor_formatter(NullFormatter())


def _study_runs(study: dict) -> dict:
    """``study["runs"]`` as {adversarial weight: run}, sorted (a loaded study's dict, or the
    JSON's list)."""
    runs = study["runs"]
    if isinstance(runs, list):
        runs = {float(run["adversarial_weight"]): run for run in runs}
    return dict(sorted(runs.items()))


def adversarial_tradeoff(study: dict, references: dict | None = None, title: str | None = None,
                         caption: str | None = None) -> Figure:
    """Hole MSE against sharpness ratio, one labelled point per adversarial weight of the study
    (:func:`helpers.study.load_study`), joined in the order of the weights; the real patches'
    sharpness (1.0) dashed. ``references``: more points, ``{label: (hole MSE, sharpness ratio)}``
    (e.g. the shipped models), drawn in grey."""
    from .study import weight_label

    runs = _study_runs(study)
    fig, axes = new_figure(1, 1, figsize=(7.5, 4.6))
    ax = axes[0, 0]
    mse = [run["metrics"]["hole_mse"] for run in runs.values()]
    sharp = [run["metrics"]["sharpness_ratio"] for run in runs.values()]
    ax.plot(mse, sharp, "-", color="#c0c0c0", lw=1, zorder=1)
    for i, (weight, x, y) in enumerate(zip(runs, mse, sharp)):
        ax.scatter([x], [y], s=60, color=METHOD_COLORS[i % len(METHOD_COLORS)], zorder=3,
                   label=f"adversarial weight {weight_label(weight)}, iteration {runs[weight]['iteration']:,}")
        ax.annotate(f"W = {weight:g}", (x, y), textcoords="offset points", xytext=(7, 5), fontsize=9)
    for j, (label, (x, y)) in enumerate((references or {}).items()):   # named in the legend: no clutter
        ax.scatter([x], [y], s=50, marker="sD^v<>"[j % 6], color="#8c8c8c", zorder=2, label=label)
        mse.append(x)
        sharp.append(y)
    ax.axhline(1.0, color="#55a868", ls="--", lw=1.2, label="the real patches (sharpness ratio 1.0)")
    ax.margins(x=0.18, y=0.12)
    if sharp and min(sharp) > 0 and max(sharp + [1.0]) / min(sharp + [1.0]) > 5:
        _plain_log_y(ax)
    ax.set_xlabel("hole MSE on [0, 1] (lower: closer to the truth)")
    ax.set_ylabel("sharpness ratio (1.0: as sharp as the real patches)")
    ax.grid(True, alpha=0.3)
    ax.legend(fontsize=8, loc="best")
    n = study.get("n_test_images")
    return finish(fig, title or "The adversarial weight: error against sharpness"
                  + (f" ({n:,} test images)" if n else ""), caption)


def gradient_sizes(study: dict, title: str | None = None, caption: str | None = None) -> Figure:
    """For each adversarial weight of the study, the sizes of the gradients of G's two weighted
    terms (``g_grad_l2``, ``g_grad_adversarial``) against iteration, on a log scale: the term
    with the larger gradient steers G's update. The shaded part is the last quarter of each run,
    what the study's table averages."""
    from .study import LAST_PART, weight_label

    runs = _study_runs(study)
    fig, axes = new_figure(1, max(len(runs), 1), figsize=(max(4.2 * len(runs), 5.0), 3.9))
    for ax in axes[0, 1:]:
        ax.sharey(axes[0, 0])
    for ax, (weight, run) in zip(axes[0], runs.items()):
        history = run["history"]
        drawn = []
        for key, color, label in (("g_grad_l2", "#4c72b0", f"L2 term ({run['l2_weight']:g} x L2)"),
                                  ("g_grad_adversarial", "#dd8452", f"adversarial term ({weight:g} x adv.)")):
            x, y = _series(history, key)
            points = [(i, v) for i, v in zip(x, y) if v > 0]
            if points:
                ax.plot(*zip(*points), color=color, label=label)
                drawn.append(key)
        if "g_grad_adversarial" not in drawn:
            ax.text(0.5, 0.08, "no adversarial term: its gradient is 0", transform=ax.transAxes,
                    ha="center", fontsize=8, color="#dd8452")
        iterations = history.get("iteration") or [0]
        ax.axvspan((1 - LAST_PART) * iterations[-1], iterations[-1], color="#eeeeee", zorder=0)
        if drawn:
            ax.set_yscale("log")
            ax.legend(fontsize=8, loc="upper left")
        ax.set_title(f"adversarial weight {weight_label(weight)}", fontsize=10)
        ax.set_xlabel("iteration")
        ax.grid(True, alpha=0.3)
    axes[0, 0].set_ylabel("gradient size (global L2 norm)")
    if axes[0, 0].get_yscale() == "log":
        _plain_log_y(axes[0, 0])
    return finish(fig, title or "What pulls on G: the gradient sizes of its two weighted terms",
                  caption or "sizes on the last batch of each log point; shaded: the last quarter of each run")


def long_run(history: dict, title: str = "The GAN over a long run", caption: str | None = None,
             budget: int | None = None, mark: int | None = None) -> Figure:
    """Validation hole MSE and sharpness ratio against iteration (two panels); ``budget``: the
    paper's iterations, dashed, so the run's length shows against it; ``mark``: a model's
    iteration. A run that did not log the sharpness ratio says so in its panel."""
    fig, axes = new_figure(1, 2, figsize=(12, 3.9))
    axes[0, 1].sharex(axes[0, 0])   # an empty panel spans the same iterations
    iterations = history.get("iteration") or [0]
    axes[0, 0].set_xlim(0, 1.03 * max(iterations[-1], budget or 0, mark or 0, 1))
    for ax, key, label, color in ((axes[0, 0], "val_hole_mse", "validation hole MSE (unit scale)", "#8172b2"),
                                  (axes[0, 1], "val_sharpness_ratio", "validation sharpness ratio", "#dd8452")):
        x, y = _series(history, key)
        if x:
            ax.plot(x, y, "o-", ms=3, color=color, label=label)
        else:
            ax.text(0.5, 0.5, f"this run did not log the {label.replace('validation ', '')}",
                    ha="center", va="center", transform=ax.transAxes, fontsize=9)
        if key == "val_sharpness_ratio" and x:
            ax.axhline(1.0, color="#55a868", ls="--", lw=1, label="the real patches (1.0)")
        if budget:
            ax.axvline(budget, color="gray", ls="--", lw=1, label=f"the paper's budget ({budget:,})")
        _mark(ax, mark)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("iteration (one batch)")
        ax.grid(True, alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    return finish(fig, title, caption)


# --------------------------------------------------------------------------- notebook 6: the U-Net diagram

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
