"""Widget views: valid values draw a figure, wrong values give a readable message (never a
traceback); builders wire their controls to the views."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from helpers import widgets
from helpers.classical import MeanColorFill, OpenCVFill
from helpers.holes import Hole
from synthetic import smooth_images

RNG = np.random.default_rng(0)
X = RNG.integers(0, 256, (6, 32, 32, 3), dtype=np.uint8)
Y = np.array([0, 1, 2, 0, 1, 2])
NAMES = ["cat", "dog", "frog"]
PHOTO = RNG.integers(0, 256, (60, 80, 3), dtype=np.uint8)


def is_message(result, *words):
    assert isinstance(result, str), f"expected a message, got {type(result).__name__}"
    for word in words:
        assert word in result, f"{word!r} not in {result!r}"
    assert "Traceback" not in result
    return True


# --------------------------------------------------------------------------- (a) classical


@pytest.mark.parametrize("method", ["telea", "ns", "biharmonic", "all"])
def test_classical_view_draws(method):
    fig = widgets.classical_view(PHOTO, 10, 20, 15, 25, method)
    assert isinstance(fig, Figure) and "15x25 hole" in fig._suptitle.get_text()


def test_classical_view_accepts_grey_and_float_images():
    assert isinstance(widgets.classical_view(PHOTO[..., 0], 5, 5, 10, 10, "telea"), Figure)
    assert isinstance(widgets.classical_view(PHOTO / 255.0, 5, 5, 10, 10, "ns"), Figure)


def test_classical_view_messages():
    assert is_message(widgets.classical_view(PHOTO, 50, 20, 15, 25, "telea"), "outside", "60x80")
    assert is_message(widgets.classical_view(PHOTO, -1, 20, 15, 25, "telea"), "outside")
    assert is_message(widgets.classical_view(PHOTO, 0, 0, 60, 80, "telea"), "whole image")
    assert is_message(widgets.classical_view(PHOTO, 0, 0, 0, 5, "telea"), "empty")
    assert is_message(widgets.classical_view(PHOTO, "x", 0, 5, 5, "telea"), "top", "whole number")
    assert is_message(widgets.classical_view(PHOTO, 1.5, 0, 5, 5, "telea"), "whole number")
    assert is_message(widgets.classical_view(PHOTO, 0, 0, 5, 5, "magic"), "Unknown method", "telea")
    assert is_message(widgets.classical_view(np.zeros((4, 4, 4)), 0, 0, 2, 2, "telea"), "RGB")
    assert is_message(widgets.classical_view(PHOTO * 3.0, 0, 0, 2, 2, "telea"), "uint8")
    big = np.zeros((300, 300, 3), np.uint8)
    assert is_message(widgets.classical_view(big, 0, 0, 200, 200, "biharmonic"), "smaller")


# --------------------------------------------------------------------------- (b) crop


@pytest.mark.parametrize("scale, low", [("unit", "0"), ("signed", "-1")])
def test_crop_view_draws_with_value_ranges(scale, low):
    fig = widgets.crop_view(X, 2, 8, 8, 16, scale, Y, NAMES)
    assert isinstance(fig, Figure)
    assert "frog" in fig._suptitle.get_text()
    assert f"[{low}, 1]" in fig._supxlabel.get_text()


def test_crop_view_messages():
    assert is_message(widgets.crop_view(X, 6), "Image 6 does not exist", "0 to 5")
    assert is_message(widgets.crop_view(X, 0, 20, 8, 16), "outside", "32x32")
    assert is_message(widgets.crop_view(X, 0, 8, 8, 0), "empty")
    assert is_message(widgets.crop_view(X, 0, scale="percent"), "Unknown scale")
    assert is_message(widgets.crop_view(X[0], 0), "batch")
    assert is_message(widgets.crop_view(X[:0], 0), "no images")


# --------------------------------------------------------------------------- (c) reconstructions


def test_reconstruction_view_draws_one_or_several_methods():
    telea = OpenCVFill("telea")
    assert isinstance(widgets.reconstruction_view(telea, X, 1, Y, NAMES), Figure)
    several = {"Telea": telea, "mean": MeanColorFill([0.5, 0.5, 0.5])}
    fig = widgets.reconstruction_view(several, X, 1, Y, NAMES)
    assert isinstance(fig, Figure) and "dog" in fig._suptitle.get_text()


def test_reconstruction_view_messages():
    assert is_message(widgets.reconstruction_view(OpenCVFill(), X, 10), "does not exist")
    assert is_message(widgets.reconstruction_view({}, X, 0), "inpainter")
    assert is_message(widgets.reconstruction_view({"x": "not a model"}, X, 0), "not an inpainter")


def test_reconstruction_view_turns_a_model_error_into_a_message():
    class Broken(OpenCVFill):
        def predict_patch(self, holed, hole):
            raise RuntimeError("the model is broken")

    assert is_message(widgets.reconstruction_view(Broken(), X, 0), "the model is broken")


# --------------------------------------------------------------------------- (d) comparison


def test_comparison_view_draws_and_messages():
    patches = {"A": RNG.random((6, 16, 16, 3)), "B": RNG.random((6, 16, 16, 3))}
    fig = widgets.comparison_view(X, patches, 3, Y, NAMES)
    assert isinstance(fig, Figure) and "cat" in fig._suptitle.get_text()
    assert is_message(widgets.comparison_view(X, patches, 9), "does not exist")
    assert is_message(widgets.comparison_view(X, {"A": patches["A"][:2]}, 0), "2 fills for 6 images")
    assert is_message(widgets.comparison_view(X, {}, 0), "dict")


def test_browse_order_filters_and_sorts():
    errors = np.array([0.1, 0.5, 0.3, 0.9, 0.2, 0.0])
    assert list(widgets.browse_order(Y)) == list(range(6))
    assert list(widgets.browse_order(Y, 0)) == [0, 3]
    assert list(widgets.browse_order(Y, None, errors, "hardest")) == [3, 1, 2, 4, 0, 5]
    assert list(widgets.browse_order(Y, 1, errors, "easiest")) == [4, 1]
    with pytest.raises(widgets.BadValue):
        widgets.browse_order(Y, None, None, "hardest")


# --------------------------------------------------------------------------- builders


@pytest.fixture
def shown(monkeypatch):
    """Record what the builders would show instead of displaying it."""
    results = []
    monkeypatch.setattr(widgets, "_show", lambda out, result: results.append(result))
    return results


def controls(box):
    """All leaf controls of a widget box, by description."""
    found = {}
    stack = [box]
    while stack:
        w = stack.pop()
        if hasattr(w, "children"):
            stack.extend(w.children)
        elif getattr(w, "description", None):
            found[w.description] = w
    return found


def test_classical_widget_redraws_and_reports_bad_holes(shown):
    box = widgets.classical_widget({"photo": PHOTO, "small": PHOTO[:40, :40]}, holes={"photo": Hole(5, 5, 10, 10)})
    assert len(shown) == 1 and isinstance(shown[-1], Figure)
    c = controls(box)
    c["method"].value = "biharmonic"
    assert isinstance(shown[-1], Figure) and len(shown) == 2
    c["top"].value = 55  # 55 + 10 > 60 rows
    assert is_message(shown[-1], "outside")
    before = len(shown)
    c["image"].value = "small"  # several sliders change, one redraw
    assert len(shown) == before + 1 and c["top"].max == 39


def test_crop_widget_responds_to_controls(shown):
    box = widgets.crop_widget(X, Y, NAMES)
    c = controls(box)
    assert isinstance(shown[-1], Figure)
    c["top"].value = 20
    assert is_message(shown[-1], "outside")
    c["centre the hole"].click()
    assert isinstance(shown[-1], Figure) and c["top"].value == 8
    c["hole size"].value = 8
    c["centre the hole"].click()
    assert c["top"].value == c["left"].value == 12
    c["random image"].click()
    c["scale"].value = "signed"
    assert isinstance(shown[-1], Figure)


def test_reconstruction_widget_steps_through_images(shown):
    box = widgets.reconstruction_widget(OpenCVFill("telea"), X, Y, NAMES)
    c = controls(box)
    c["next ▶"].click()
    assert c["test image"].value == 1 and isinstance(shown[-1], Figure)
    c["◀ previous"].click()
    c["◀ previous"].click()
    assert c["test image"].value == 0


def test_comparison_widget_filters_by_class_and_error(shown):
    patches = {"A": RNG.random((6, 16, 16, 3)), "B": RNG.random((6, 16, 16, 3))}
    errors = {"A": np.array([0.1, 0.5, 0.3, 0.9, 0.2, 0.0])}
    box = widgets.comparison_widget(X, patches, Y, NAMES, errors=errors)
    c = controls(box)
    assert isinstance(shown[-1], Figure)
    c["class"].value = 0
    assert c["position"].max == 1
    c["order"].value = ("hardest", "A")
    assert "image #3" in shown[-1]._suptitle.get_text()
    c["random"].click()
    assert isinstance(shown[-1], Figure)


# --------------------------------------------------------------------------- the playground


def test_photo_to_cifar_crops_the_centre_and_refuses_non_images():
    import io

    from PIL import Image

    photo = np.zeros((60, 100, 3), np.uint8)
    photo[:, 20:80] = 255  # a white square in the middle of a wide black photo
    buf = io.BytesIO()
    Image.fromarray(photo).save(buf, format="PNG")
    small = widgets.photo_to_cifar(buf.getvalue())
    assert small.shape == (32, 32, 3) and small.dtype == np.uint8 and small.mean() > 240
    with pytest.raises(widgets.BadValue, match="not an image"):
        widgets.photo_to_cifar(b"hello")


def test_playground_masks_and_view():
    from helpers.classical import classical_fills
    from helpers.holes import hole_mask
    from helpers.inpainters import ModelInpainter
    from helpers.models import build_autoencoder

    square = widgets.playground_mask("square")
    assert square.sum() == 256 and np.array_equal(square, hole_mask())
    rect = widgets.playground_mask("rectangle", 2, 3, 4, 5)
    assert rect.sum() == 20 and rect[2, 3] and not rect[6, 3]
    strokes = widgets.playground_mask("strokes", seed=4, coverage=30)
    assert 0.25 <= strokes.mean() <= 0.35
    assert np.array_equal(strokes, widgets.playground_mask("strokes", seed=4, coverage=30))
    with pytest.raises(widgets.BadValue, match="coverage"):
        widgets.playground_mask("strokes", coverage=90)
    with pytest.raises(widgets.BadValue, match="leaves|outside|fit"):
        widgets.playground_mask("rectangle", 30, 30, 16, 16)

    image = smooth_images(1)[0]
    methods = {**classical_fills(None, methods=["telea"]),
               "autoencoder": ModelInpainter(build_autoencoder(), "unit", name="autoencoder")}
    fig = widgets.playground_view(image, strokes, methods)
    labels = [ax.get_xlabel() for ax in fig.axes]
    assert any("hole MSE" in t for t in labels) and any("paper's square" in t for t in labels)
    fig = widgets.playground_view(image, square, methods)
    assert sum("hole MSE" in ax.get_xlabel() for ax in fig.axes) == 2, "the paper's model fills its square"
    assert "empty" in widgets.playground_view(image, np.zeros((32, 32), bool), methods)
    assert "No methods" in widgets.playground_view(image, square, {})


def test_playground_widget_draws_every_method_on_the_chosen_hole(shown):
    from helpers.classical import classical_fills

    box = widgets.playground_widget(smooth_images(3), classical_fills(None, methods=["telea"]), Y[:3], NAMES)
    fig = shown[-1]
    assert isinstance(fig, Figure) and fig._suptitle.get_text() == "Every method on image #0 (cat)"
    assert [ax.get_title() for ax in fig.axes][::2] == ["original", "telea"]
    assert "hole MSE" in fig.axes[2].get_xlabel()
    c = controls(box)
    c["hole"].value = "square"
    assert shown[-1].axes[1].get_title() == "hole: 25% of the pixels", "the paper's 16x16 of 32x32"
    c["test image"].value = 2
    assert shown[-1]._suptitle.get_text() == "Every method on image #2 (frog)"


def test_safe_view_turns_errors_into_messages_and_keeps_the_view():
    @widgets.safe_view
    def view(value):
        """A view."""
        if value < 0:
            raise widgets.BadValue("negative")
        return 1 / value

    assert view(2) == 0.5 and view.__doc__ == "A view." and view.__wrapped__(4) == 0.25
    assert view(-1) == "negative"
    assert is_message(view(0), "Could not draw this view", "ZeroDivisionError")
