"""Training curves: each draws what was logged, skips what was not, and has a title."""

import numpy as np
from matplotlib.figure import Figure

from helpers import curves


def title_of(fig):
    assert isinstance(fig, Figure)
    text = fig._suptitle.get_text() if fig._suptitle is not None else ""
    assert text.strip(), "figure without a title"
    fig.canvas.draw()  # it renders (Agg or no backend at all)
    return text


def drawn(ax, label):
    """(x, y) of the line with this legend label."""
    (line,) = [line for line in ax.lines if line.get_label() == label]
    return list(line.get_xdata()), list(line.get_ydata())


def test_series_leaves_out_the_points_a_key_was_not_logged_at():
    history = {"iteration": [10, 20, 30, 40], "val_hole_mse": [None, 0.03, None, 0.02]}
    assert curves.series(history, "val_hole_mse") == ([20, 40], [0.03, 0.02])
    assert curves.series(history, "missing") == ([], [])


def test_loss_curves_skip_missing_values():
    history = {"iteration": [10, 20, 30], "loss": [0.05, None, 0.02], "val_hole_mse": [None, 0.03, None]}
    fig = curves.loss_curves(history, reference=0.009, reference_label="paper")
    assert title_of(fig) == "Training loss"
    ax = fig.axes[0]
    assert drawn(ax, "training loss (MSE, unit scale)") == ([10, 30], [0.05, 0.02])
    assert drawn(ax, "validation hole MSE (unit scale)") == ([20], [0.03])
    assert ax.get_yscale() == "log", "the values left are all positive"
    empty = curves.loss_curves({"iteration": []})
    assert "nothing logged yet" in [t.get_text() for t in empty.axes[0].texts]


def test_loss_curves_draw_an_averaged_run_and_mark_a_model():
    history = {"iteration": [10, 20], "loss": [0.05, 0.03], "val_hole_mse": [None, 0.03],
               "val_hole_mse_raw": [None, 0.035]}
    ax = curves.loss_curves(history, mark=20).axes[0]
    labels = [line.get_label() for line in ax.lines]
    assert "validation hole MSE (unit scale), averaged weights" in labels
    assert "validation hole MSE (unit scale), raw weights" in labels
    assert "this model: iteration 20" in labels


def test_gan_curves_skip_missing_values():
    gan = {"iteration": [1, 2, 3], "d_loss_real": [0.7, None, 0.6], "d_loss_fake": [0.7, 0.8, 0.9],
           "d_real_prob": [0.5, 0.6, None], "d_fake_prob": [0.5, 0.4, 0.3], "g_l2": [0.3, 0.2, 0.1],
           "g_adversarial": [0.7, 0.9, None], "val_hole_mse": [None, 0.05, None]}
    fig = curves.gan_curves(gan)
    assert title_of(fig) == "GAN training"
    losses, verdicts, generator, adversarial = fig.axes
    assert drawn(losses, "on real patches") == ([1, 3], [0.7, 0.6])
    assert drawn(verdicts, "D(real)") == ([1, 2], [0.5, 0.6])
    assert drawn(generator, "validation hole MSE (unit)") == ([2], [0.05])
    assert drawn(adversarial, "G: adversarial (right axis)") == ([1, 2], [0.7, 0.9])


def test_long_run_curves_say_what_the_run_did_not_log():
    history = {"iteration": [1000, 2000], "val_hole_mse": [0.03, 0.028]}
    fig = curves.long_run_curves(history, budget=80_000, mark=2000)
    assert title_of(fig) == "The GAN over a long run"
    assert "did not log the sharpness ratio" in " ".join(t.get_text() for t in fig.axes[1].texts)
    labels = [line.get_label() for line in fig.axes[0].lines]
    assert "the paper's budget (80,000)" in labels and "this model: iteration 2,000" in labels
    full = {**history, "val_sharpness_ratio": [0.5, None]}
    fig = curves.long_run_curves(full)
    assert not fig.axes[1].texts
    assert drawn(fig.axes[1], "validation sharpness ratio") == ([1000], [0.5])
    assert np.isclose(fig.axes[0].get_xlim()[1], 1.03 * 2000)
    fig = curves.long_run_curves(full, mark=1500, mark_label="where another run stopped")
    assert "where another run stopped: iteration 1,500" in [line.get_label() for line in fig.axes[1].lines]
