"""The image figures build, on any backend, with a title; bad inputs give clear errors."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import plots
from helpers.holes import CENTER_HOLE, Hole

RNG = np.random.default_rng(0)


def images(n=4, size=32):
    return RNG.integers(0, 256, (n, size, size, 3), dtype=np.uint8)


def patches(n=4):
    return RNG.random((n, 16, 16, 3)).astype(np.float32)


def title_of(fig):
    assert isinstance(fig, Figure)
    text = fig._suptitle.get_text() if fig._suptitle is not None else ""
    assert text.strip(), "figure without a title"
    fig.canvas.draw()  # it renders (Agg or no backend at all)
    return text


def test_image_figures_have_titles():
    x = images(6)
    assert title_of(plots.image_grid(x, ncols=4, title="grid", hole=CENTER_HOLE)) == "grid"
    title_of(plots.image_grid(list(x[:3]) + list(patches(3)), ncols=3, row_labels=["a", "b"]))
    title_of(plots.image_row(x[:2], ["one", "two"], title="row"))
    title_of(plots.class_grid(x, np.array([0, 0, 1, 1, 2, 2]), ["a", "b", "c"], per_class=3))
    assert "Fig. 3" in title_of(plots.crop_figure(x[0], label="cat"))
    title_of(plots.result_figure(x[:3], patches(3), method="model", labels=["a", "b", "c"]))
    title_of(plots.method_grid(x[:2], {"A": patches(2), "B": patches(2)}, row_labels=["x", "y"]))
    title_of(plots.best_worst(x, {"A": patches(), "B": patches()}, {"A": RNG.random(4), "B": RNG.random(4)}, k=2))
    photo = images(1, 80)[0]
    hole = Hole(20, 30, 15, 25)
    title_of(plots.photo_fills(photo, hole, {"fill": photo}, title="photo", caption="zoomed below"))
    title_of(plots.photo_fills(photo[..., 0], hole, {}, title="grey photo"))
    title_of(plots.value_histograms(x))


def test_class_bars_draw_a_bar_per_method_and_class_and_the_references():
    fig = plots.class_bars({"A": np.arange(3.0), "B": np.array([1.0, np.nan, 2.0])}, ["x", "y", "z"],
                           "value", title="bars", reference={"A": 1.0})
    assert title_of(fig) == "bars"
    ax = fig.axes[0]
    assert len(ax.patches) == 2 * 3 and [t.get_text() for t in ax.get_xticklabels()] == ["x", "y", "z"]
    assert [line.get_ydata()[0] for line in ax.lines] == [1.0], "A's reference only"


def test_bad_inputs_raise_clear_errors():
    with pytest.raises(ValueError, match="at least one"):
        plots.image_grid([])
    with pytest.raises(ValueError, match="3 images but 2 patches"):
        plots.result_figure(images(3), patches(2))
    with pytest.raises(ValueError, match="2 patches for 3 images"):
        plots.method_grid(images(3), {"A": patches(2)})
    with pytest.raises(ValueError, match="title"):
        plots.finish(Figure(), "")
    with pytest.raises(TypeError, match="uint8"):
        plots.value_histograms(patches())


def test_as_unit_and_holed_view():
    x = images(2)
    unit = plots.as_unit(x)
    assert unit.dtype == np.float32 and unit.max() <= 1.0
    holed = plots.holed_view(x)
    assert np.all(holed[:, CENTER_HOLE.rows, CENTER_HOLE.cols] == 0.5)
