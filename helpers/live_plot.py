"""The live training plot: a callback that redraws a run's curves and fills while it trains.

This is the one module of figures with a side effect: :class:`LiveLossPlot` *displays* its
figures (``IPython.display``) and updates them in place; every other figure function of
the course (:mod:`helpers.plots`, :mod:`helpers.curves`, ...) only returns a Figure.
"""

from __future__ import annotations

import math
import time

import numpy as np
from matplotlib.figure import Figure

from . import registry
from .curves import gan_curves, loss_curves
from .holes import CENTER_HOLE, Hole, paste_patch
from .plots import as_unit, finish, new_figure, show_image


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
    extensions. Redraws are at most one every ``min_interval`` seconds (or four redraws' time,
    where drawing is slow: :meth:`redraw_every`), so drawing never slows training much.
    """

    def __init__(self, kind: str = "autoencoder", total: int | None = None, title: str | None = None,
                 min_interval: float = 2.0, caption: str | None = None, images=None, snapshots: int = 4):
        self.model_kind = registry.kind(kind)   # an unknown kind: an error that lists the kinds
        self.kind, self.total, self.min_interval = kind, total, min_interval
        name = self.model_kind.short_name
        self.label = title or f"{name[0].upper()}{name[1:]} training"
        self.caption = caption
        self.images = None if images is None else np.asarray(images)
        # the fills at the start (see start), then at a quarter, a half, ... and the end of the run
        self.milestones = [total * k // snapshots for k in range(1, snapshots + 1)] if total and images is not None else []
        self.snapshots: list = []   # (iteration, patches) at the milestones
        self.handles = {}
        self.last_figure = self.last_fills = None
        self.draws = 0
        self._redraw = None   # seconds one redraw takes here (redraw_seconds)
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
        label = f"training loss ({self.model_kind.training_loss_words})"
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

    def redraw_seconds(self) -> float:
        """What one redraw costs here (the curves and the fills, rendered as the notebook shows
        them), measured once on a made-up history: for a run's time estimate."""
        if self._redraw is None:
            import io

            n = 30
            history = {"iteration": list(range(1, n + 1))}
            history.update({key: [0.1] * n for key in ("loss", "g_l2", "g_adversarial", "d_loss_real",
                                                       "d_loss_fake", "d_real_prob", "d_fake_prob")})
            start = time.perf_counter()
            figures = [self.figure(history, n)]
            if self.images is not None:
                fills = np.zeros((len(self.images), CENTER_HOLE.height, CENTER_HOLE.width, 3), np.float32)
                figures.append(progress_fills(self.images, [(0, fills)] * (len(self.milestones) + 1)))
            for fig in figures:
                fig.savefig(io.BytesIO(), format="png")
            self._redraw = time.perf_counter() - start
        return self._redraw

    def redraw_every(self) -> float:
        """Seconds between the starts of two redraws: ``min_interval``, or four redraws' time where
        drawing is slow, so that plotting takes at most about a quarter of the run (besides the
        redraws at the snapshots)."""
        return max(self.min_interval, 4 * (self._redraw or 0.0))

    def start(self, trainer) -> None:
        """Before the first iteration (``Trainer.fit`` calls it): the first row of fills is the
        untrained model's, so the fills show what training changes."""
        if self.images is not None and not self.snapshots:
            self.snapshots.append((trainer.iteration, trainer.predict_patch_unit(self.images)))

    def __call__(self, trainer, logs: dict) -> None:
        if self._start_iteration is None:
            self._start_iteration = max(0, trainer.iteration - 1)
            self._started = time.monotonic()
        now = time.monotonic()
        at_milestone = bool(self.milestones) and trainer.iteration >= self.milestones[0]
        if now - self._last < self.redraw_every() and not at_milestone:
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
