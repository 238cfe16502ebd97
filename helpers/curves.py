"""Training curves: a run's logged history (``Trainer.history``) against iteration.

Each function returns a titled matplotlib Figure, made as :mod:`helpers.plots` makes its
figures (no ``pyplot``, no global state). A history is a dict of lists, one value per log
point (``None`` where a value was not logged then), beside its ``"iteration"`` list; values
that were not logged are skipped, never drawn as zeros.
"""

from __future__ import annotations

import math

from matplotlib.figure import Figure

from .plots import finish, new_figure


def series(history: dict, key: str) -> tuple[list, list]:
    """``key``'s logged values and their iterations, the points it was not logged at left out."""
    it = history.get("iteration", [])
    values = history.get(key, [])
    pairs = [(i, v) for i, v in zip(it, values) if v is not None]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def _positive(values) -> bool:
    return bool(values) and min(values) > 0


def _validation(ax, history: dict, color: str, label: str):
    """The validation curve; for a run that averaged its weights (``--average``), the
    average's (what it keeps) and, thin, the raw weights' beside it. Returns the points."""
    vx, vy = series(history, "val_hole_mse")
    rx, ry = series(history, "val_hole_mse_raw")
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
    x, y = series(history, "loss")
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


def _mark(ax, iteration: int | None, label: str = "this model") -> None:
    if iteration is not None:
        ax.axvline(iteration, color="black", ls=":", lw=1.2, label=f"{label}: iteration {iteration:,}")


def gan_curves(history: dict, title: str = "GAN training", caption: str | None = None,
               mark: int | None = None) -> Figure:
    """Three panels: D's losses on real and on generated patches (ln 2: D cannot tell); D's
    mean probability of 'real' for each (0.5 = cannot tell); G's L2 loss (and validation hole
    MSE) and its adversarial loss; and a fourth where the run validated its sharpness ratio."""
    sharp_x, sharp_y = series(history, "val_sharpness_ratio")
    fig, axes = new_figure(1, 4 if sharp_x else 3, figsize=(17 if sharp_x else 13, 4.1))
    if sharp_x:   # the validation fills' detail against the real patches' (1.0)
        ax = axes[0, 3]
        ax.plot(sharp_x, sharp_y, "o-", color="#8172b2", ms=4, label="validation fills")
        ax.axhline(1.0, color="gray", ls="--", lw=1, label="1.0: as sharp as the real patches")
        ax.set_ylim(0, max(1.1, max(sharp_y) * 1.1))
        ax.set_title("sharpness ratio (validation)", fontsize=10)
        ax.set_xlabel("iteration")
        ax.grid(True, alpha=0.3)
        ax.legend(fontsize=8)
        _mark(ax, mark)
    ax = axes[0, 0]
    for key, color, label in (("d_loss_real", "#55a868", "on real patches"),
                              ("d_loss_fake", "#c44e52", "on generated patches")):
        x, y = series(history, key)
        ax.plot(x, y, color=color, label=label)
    # a D that cannot tell (says 0.5 to everything) has the loss -ln 0.5 = ln 2 on both kinds
    ax.axhline(math.log(2), color="gray", ls="--", lw=1, label="ln 2 = 0.69: D cannot tell")
    ax.set_title("discriminator loss (BCE)", fontsize=10)
    ax = axes[0, 1]
    for key, color, label in (("d_real_prob", "#55a868", "D(real)"),
                              ("d_fake_prob", "#c44e52", "D(generated)")):
        x, y = series(history, key)
        ax.plot(x, y, color=color, label=label)
    ax.axhline(0.5, color="gray", ls="--", lw=1, label="0.5: cannot tell")
    ax.set_ylim(-0.02, 1.02)
    ax.set_title("D's probability of 'real'", fontsize=10)
    ax = axes[0, 2]
    x, y = series(history, "g_l2")
    ax.plot(x, y, color="#4c72b0", label="G: L2 (signed scale)")
    vx, vy = _validation(ax, history, "#8172b2", "validation hole MSE (unit)")
    if _positive(y + vy):
        ax.set_yscale("log")
    ax.set_title("generator: reconstruction", fontsize=10)
    twin = ax.twinx()
    ax_, ay_ = series(history, "g_adversarial")
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


def long_run_curves(history: dict, title: str = "The GAN over a long run", caption: str | None = None,
                    budget: int | None = None, mark: int | None = None, mark_label: str = "this model") -> Figure:
    """Validation hole MSE and sharpness ratio against iteration (two panels); ``budget``: the
    paper's iterations, dashed, so the run's length shows against it; ``mark``: an iteration to
    show, dotted, named ``mark_label`` (by default a model's: "this model"). A run that did not
    log the sharpness ratio says so in its panel."""
    fig, axes = new_figure(1, 2, figsize=(12, 3.9))
    axes[0, 1].sharex(axes[0, 0])   # an empty panel spans the same iterations
    iterations = history.get("iteration") or [0]
    axes[0, 0].set_xlim(0, 1.03 * max(iterations[-1], budget or 0, mark or 0, 1))
    for ax, key, label, color in ((axes[0, 0], "val_hole_mse", "validation hole MSE (unit scale)", "#8172b2"),
                                  (axes[0, 1], "val_sharpness_ratio", "validation sharpness ratio", "#dd8452")):
        x, y = series(history, key)
        if x:
            ax.plot(x, y, "o-", ms=3, color=color, label=label)
        else:
            ax.text(0.5, 0.5, f"this run did not log the {label.replace('validation ', '')}",
                    ha="center", va="center", transform=ax.transAxes, fontsize=9)
        if key == "val_sharpness_ratio" and x:
            ax.axhline(1.0, color="#55a868", ls="--", lw=1, label="the real patches (1.0)")
        if budget:
            ax.axvline(budget, color="gray", ls="--", lw=1, label=f"the paper's budget ({budget:,})")
        _mark(ax, mark, mark_label)
        ax.set_title(label, fontsize=10)
        ax.set_xlabel("iteration (one batch)")
        ax.grid(True, alpha=0.3)
        if ax.lines:
            ax.legend(fontsize=8)
    return finish(fig, title, caption)
