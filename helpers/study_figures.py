"""The figures of the GAN's adversarial weight study (notebook 7, ``results/gan_weights_*.png``):
what :func:`helpers.study.load_study` reads, drawn. Each returns a titled matplotlib Figure.
"""

from __future__ import annotations

from matplotlib.figure import Figure

from .curves import series
from .plots import METHOD_COLORS, finish, new_figure
from .diagnosis import LAST_PART
from .study import weight_label


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
    runs = _study_runs(study)
    fig, axes = new_figure(1, max(len(runs), 1), figsize=(max(4.2 * len(runs), 5.0), 3.9))
    for ax in axes[0, 1:]:
        ax.sharey(axes[0, 0])
    for ax, (weight, run) in zip(axes[0], runs.items()):
        history = run["history"]
        drawn = []
        for key, color, label in (("g_grad_l2", "#4c72b0", f"L2 term ({run['l2_weight']:g} x L2)"),
                                  ("g_grad_adversarial", "#dd8452", f"adversarial term ({weight:g} x adv.)")):
            x, y = series(history, key)
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
