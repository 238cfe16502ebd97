"""The live training plot: it redraws at most once an interval, snapshots the fills at its
milestones, and finishes with the final curves (shown in place: no IPython needed here)."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import live_plot


class FakeTrainer:
    def __init__(self):
        self.iteration = 0
        self.history = {"iteration": [], "loss": []}

    def step(self):
        self.iteration += 1
        self.history["iteration"].append(self.iteration)
        self.history["loss"].append(1.0 / self.iteration)

    def predict_patch_unit(self, images):
        return np.full((len(images), 16, 16, 3), self.iteration / 10, np.float32)


def title_of(fig):
    assert isinstance(fig, Figure)
    fig.canvas.draw()
    return fig._suptitle.get_text()


def test_live_plot_redraws_at_most_every_interval_and_finishes():
    trainer = FakeTrainer()
    live = live_plot.LiveLossPlot("autoencoder", total=5, min_interval=3600)
    for _ in range(3):
        trainer.step()
        live(trainer, {"loss": trainer.history["loss"][-1], "images_per_second": 100.0})
    assert live.draws == 1
    live.finish(trainer)
    assert live.draws == 2 and "iteration 3 / 5" in title_of(live.last_figure)
    gan = live_plot.LiveLossPlot("gan", total=2, min_interval=0)
    gan_trainer = FakeTrainer()
    gan_trainer.iteration = 1
    gan_trainer.history = {"iteration": [1], "d_real_prob": [0.5], "d_fake_prob": [0.5], "g_l2": [0.1]}
    gan.finish(gan_trainer)
    assert title_of(gan.last_figure).startswith("GAN training: iteration 1 / 2")
    with pytest.raises(ValueError):
        live_plot.LiveLossPlot("vae")


def test_live_plot_snapshots_the_fills_at_each_milestone():
    images = np.random.default_rng(0).integers(0, 256, (3, 32, 32, 3), dtype=np.uint8)
    trainer = FakeTrainer()
    live = live_plot.LiveLossPlot("autoencoder", total=8, min_interval=3600, images=images, snapshots=4)
    for _ in range(8):
        trainer.step()
        live(trainer, {})
    assert [iteration for iteration, _ in live.snapshots] == [2, 4, 6, 8]
    assert live.snapshots[0][1].mean() == pytest.approx(0.2), "the fills of that iteration"
    rows = [ax.get_ylabel() for ax in live.last_fills.axes if ax.get_ylabel()]
    assert rows == ["truth", "iteration\n2", "iteration\n4", "iteration\n6", "iteration\n8"]
    assert len(live.last_fills.axes) == 5 * 3


def test_a_redraw_is_measured_once_as_the_notebook_renders_it(monkeypatch):
    images = np.random.default_rng(0).integers(0, 256, (4, 32, 32, 3), dtype=np.uint8)
    live = live_plot.LiveLossPlot("autoencoder", total=8, images=images)
    rendered = []
    monkeypatch.setattr(live_plot, "_render", lambda fig: rendered.append(fig))
    seconds = live.redraw_seconds()
    assert seconds > 0 and live.redraw_seconds() == seconds, "measured once, then kept"
    assert len(rendered) == 6, "the curves and the fills: once to warm up, then twice (their mean counts)"
    assert len(rendered[1].axes) == (1 + 4 + 1) * 4, "the fills with every row they will have"
    monkeypatch.undo()
    live_plot._render(rendered[0])   # outside a notebook: a PNG, cropped as the notebook crops it
