"""Interactive widgets for the notebooks, with core ipywidgets only.

Every widget is two pieces:

- a *view*: a plain function of plain values (an image, an index, a hole...) that returns
  a matplotlib Figure, or a message string when a value is wrong (a hole that leaves the
  image, an index past the end). A view raises :class:`BadValue` with its message, and
  :func:`safe_view` (its decorator) returns the message instead, so views never raise,
  need no display, and are unit-tested (``tests/test_widgets.py``);
- a *builder* (``..._widget``) that wires sliders, dropdowns and buttons to an
  ``ipywidgets.Output`` and redraws the view into it when a control changes.

Only sliders, dropdowns, buttons, labels and ``Output`` are used, and figures are drawn
as plain images inside the ``Output`` (``display(fig)``, which is what ``plt.show()`` does
with the inline backend), so the widgets work in JupyterLab and Colab without any widget
extension. Run headless (nbval), each builder draws its first view once.
"""

from __future__ import annotations

import functools
import io
import numbers

import ipywidgets as w
import numpy as np
from IPython.display import display
from PIL import Image, UnidentifiedImageError

from . import plots
from .classical import BiharmonicFill, ExemplarFill, OpenCVFill, shiftmap_unavailable
from .holes import (CENTER_HOLE, SCALES, Hole, apply_masks, centered_hole, check_masks, cut_hole, hole_mask,
                    paste_patch, random_masks, to_scale)
from .inpainters import Inpainter
from .metrics import hole_mse, mask_mse, sharpness_ratio
from .study import weight_label

CLASSICAL_CHOICES = {"telea": "OpenCV Telea", "ns": "OpenCV Navier-Stokes",
                     "biharmonic": "scikit-image biharmonic", "shiftmap": "OpenCV shift-map (exemplar)",
                     "all": "all of them"}
BIHARMONIC_MAX_PIXELS = 20_000
"""Biharmonic fills of bigger holes take seconds; the widget asks for a smaller hole."""
SHIFTMAP_MAX_PIXELS = 80_000
"""Shift-map's time grows with the whole image, not the hole; the widget asks for a smaller image."""


# --------------------------------------------------------------------------- checks


class BadValue(ValueError):
    """A value a student typed or slid that the view cannot use; its text is shown."""


def _int(value, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (numbers.Integral, float, str, np.number)):
        raise BadValue(f"{name} must be a whole number, got {value!r}.")
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise BadValue(f"{name} must be a whole number, got {value!r}.") from None
    if not np.isfinite(number) or number != int(number):
        raise BadValue(f"{name} must be a whole number, got {value!r}.")
    return int(number)


def _rgb_image(image) -> np.ndarray:
    """One image (H, W, 3) or (H, W) -> uint8 RGB (gray is repeated on three channels)."""
    x = np.asarray(image)
    if x.ndim == 2:
        x = np.repeat(x[..., None], 3, axis=-1)
    if x.ndim != 3 or x.shape[-1] != 3:
        raise BadValue(f"Expected one RGB image of shape (height, width, 3), got shape {x.shape}.")
    if x.dtype != np.uint8:
        if not np.issubdtype(x.dtype, np.floating) or x.size == 0 or x.min() < 0 or x.max() > 1:
            raise BadValue(f"Expected a uint8 image (0..255) or floats in [0, 1], got {x.dtype} "
                           f"with values {x.min() if x.size else '-'}..{x.max() if x.size else '-'}.")
        x = np.round(x * 255).astype(np.uint8)
    return x


def _hole(top, left, height, width, image_height: int, image_width: int) -> Hole:
    hole = Hole(_int(top, "top"), _int(left, "left"), _int(height, "height"), _int(width, "width"))
    try:
        hole.check_fits(image_height, image_width)
    except ValueError as err:
        raise BadValue(str(err)) from None
    if hole.height * hole.width >= image_height * image_width:
        raise BadValue("The hole covers the whole image: nothing is left to fill it from. "
                       "Make it smaller.")
    return hole


def _index(index, n: int) -> int:
    i = _int(index, "index")
    if n == 0:
        raise BadValue("There are no images to show.")
    if not 0 <= i < n:
        raise BadValue(f"Image {i} does not exist: choose a number from 0 to {n - 1}.")
    return i


def _batch(images, name: str = "images") -> np.ndarray:
    x = np.asarray(images)
    if x.ndim != 4 or x.shape[-1] != 3:
        raise BadValue(f"{name} must be a batch of RGB images (N, height, width, 3), got shape {x.shape}.")
    return x


def _label(i: int, labels=None, class_names=None) -> str:
    if labels is None:
        return f"image #{i}"
    label = int(np.asarray(labels)[i])
    name = class_names[label] if class_names is not None and 0 <= label < len(class_names) else str(label)
    return f"image #{i} ({name})"


def safe_view(view):
    """Make ``view`` safe to call from a widget: a bad value (:class:`BadValue`), or anything
    unexpected, is returned as a message string instead of raised as a traceback. The view
    stays a plain function of plain values (the undecorated one is its ``__wrapped__``)."""

    @functools.wraps(view)
    def safe(*args, **kwargs):
        try:
            return view(*args, **kwargs)
        except BadValue as err:
            return str(err)
        except Exception as err:  # a widget must not crash the notebook
            return f"Could not draw this view ({type(err).__name__}: {err})."

    return safe


# --------------------------------------------------------------------------- (a) classical fills


@safe_view
def classical_view(image, top, left, height, width, method: str = "telea") -> object:
    """A photograph with a rectangular hole, filled by a classical method.

    ``method`` is "telea", "ns", "biharmonic", "shiftmap" or "all". Returns a Figure (top row: the
    image, the hole, the fill(s); bottom row: the same zoomed in on the hole) whose panel
    titles give each fill's hole MSE and its sharpness ratio (detail of the fill against
    the detail of what was cut out), or a message string. Where OpenCV cannot run shift-map
    (:func:`~helpers.classical.shiftmap_unavailable`), "all" leaves it out and says so in the
    caption, and "shiftmap" gives the reason as its message.
    """
    img = _rgb_image(image)
    hole = _hole(top, left, height, width, img.shape[0], img.shape[1])
    if method not in CLASSICAL_CHOICES:
        raise BadValue(f"Unknown method {method!r}: choose one of {', '.join(CLASSICAL_CHOICES)}.")
    keys = ["telea", "ns", "biharmonic", "shiftmap"] if method == "all" else [method]
    why_not = shiftmap_unavailable() if "shiftmap" in keys else None
    if why_not and method == "shiftmap":
        raise BadValue(why_not)
    if why_not:
        keys.remove("shiftmap")
    if "biharmonic" in keys and hole.height * hole.width > BIHARMONIC_MAX_PIXELS:
        raise BadValue(f"The biharmonic fill of a {hole.height}x{hole.width} hole would take a long "
                       f"time: make the hole smaller than {BIHARMONIC_MAX_PIXELS:,} pixels or pick "
                       f"Telea or Navier-Stokes.")
    if "shiftmap" in keys and img.shape[0] * img.shape[1] > SHIFTMAP_MAX_PIXELS:
        raise BadValue(f"The shift-map fill of a {img.shape[0]}x{img.shape[1]} image would take a long "
                       f"time: use an image smaller than {SHIFTMAP_MAX_PIXELS:,} pixels or pick "
                       f"another method.")
    methods = {"telea": OpenCVFill("telea"), "ns": OpenCVFill("ns"), "biharmonic": BiharmonicFill()}
    if "shiftmap" in keys:
        methods["shiftmap"] = ExemplarFill()
    unit = to_scale(img[None], "unit")
    true_patch = unit[:, hole.rows, hole.cols, :]
    fills = {}
    for key in keys:
        filled = methods[key].inpaint(unit, hole)
        patch = filled[:, hole.rows, hole.cols, :]
        fills[f"{CLASSICAL_CHOICES[key]}\nMSE {hole_mse(patch, true_patch):.4f}, "
              f"detail {sharpness_ratio(patch, true_patch):.0%}"] = filled[0]
    return plots.photo_fills(
        img, hole, fills,
        title=f"Classical fill of a {hole.height}x{hole.width} hole at row {hole.top}, column {hole.left}",
        caption="MSE: hole error on [0, 1]. Detail: the fill's sharpness against the original's "
                "(100% = as much detail as what was cut out)."
                + (" Shift-map is left out: OpenCV cannot run it here." if why_not else ""))


# --------------------------------------------------------------------------- (b) the crop


@safe_view
def crop_view(images, index, top=8, left=8, size=16, scale: str = "unit", labels=None,
              class_names=None) -> object:
    """One CIFAR-10 image cut as the paper cuts it, with any square hole: the original, the
    model's input (hole filled grey) and the target patch, with their value ranges on
    ``scale`` ("unit" or "signed"). Returns a Figure or a message string."""
    x = _batch(images)
    i = _index(index, len(x))
    s = _int(size, "size")
    hole = _hole(top, left, s, s, x.shape[1], x.shape[2])
    if scale not in SCALES:
        raise BadValue(f"Unknown scale {scale!r}: choose 'unit' ([0, 1], the autoencoder) or "
                       f"'signed' ([-1, 1], the GAN).")
    values = to_scale(x[i:i + 1], scale) if x.dtype == np.uint8 else np.asarray(x[i:i + 1], np.float32)
    holed, patch = cut_hole(values, hole, scale)
    fill = float(holed[0, hole.top, hole.left, 0])
    low, high = SCALES[scale]
    caption = (f"On the {scale} scale [{low:g}, {high:g}]: input {holed.min():.2f}..{holed.max():.2f} "
               f"(hole = {fill:g}), target {patch.shape[1]}x{patch.shape[2]}x3 in "
               f"{patch.min():.2f}..{patch.max():.2f}.")
    return plots.crop_figure(x[i], hole, title=f"The crop of {_label(i, labels, class_names)}: "
                             f"{s}x{s} hole at row {hole.top}, column {hole.left}", caption=caption)


# --------------------------------------------------------------------------- (c) reconstructions


def _inpainters(inpainters) -> dict:
    if isinstance(inpainters, Inpainter):
        return {inpainters.name: inpainters}
    if not isinstance(inpainters, dict) or not inpainters:
        raise BadValue("Give an inpainter (a trained model or a classical fill) or a dict of them.")
    for name, inp in inpainters.items():
        if not isinstance(inp, Inpainter):
            raise BadValue(f"{name!r} is a {type(inp).__name__}, not an inpainter.")
    return dict(inpainters)


@safe_view
def reconstruction_view(inpainters, images, index, labels=None, class_names=None,
                        hole: Hole = CENTER_HOLE) -> object:
    """One test image filled by a model (or several, given as a dict name -> inpainter):
    original / with the hole / each fill with its hole MSE. Figure or message string."""
    methods = _inpainters(inpainters)
    x = _batch(images)
    i = _index(index, len(x))
    patches = {name: inp.fill(x[i:i + 1], hole) for name, inp in methods.items()}
    return plots.method_grid(x[i:i + 1], patches, hole, title=f"Test {_label(i, labels, class_names)}",
                             cell=2.2)


# --------------------------------------------------------------------------- (d) comparison


@safe_view
def comparison_view(images, patches: dict, index, labels=None, class_names=None,
                    hole: Hole = CENTER_HOLE) -> object:
    """One test image with every method's precomputed fill side by side (``patches[name]``
    holds that method's patches for all images, unit scale). Figure or message string."""
    x = _batch(images)
    if not isinstance(patches, dict) or not patches:
        raise BadValue("patches must be a dict: method name -> its fills of every image.")
    for name, p in patches.items():
        if len(p) != len(x):
            raise BadValue(f"{name!r} has {len(p)} fills for {len(x)} images.")
    i = _index(index, len(x))
    one = {name: np.asarray(p[i:i + 1]) for name, p in patches.items()}
    return plots.method_grid(x[i:i + 1], one, hole, cell=2.0,
                             title=f"Every method on test {_label(i, labels, class_names)}")


# --------------------------------------------------------------------------- builders


def _show(out, result) -> None:
    """Replace what ``out`` shows by a figure or a message."""

    with out:
        out.clear_output(wait=True)
        if isinstance(result, str):
            print("⚠ " + result)
        else:
            display(result)


def _slider(description: str, value: int, low: int, high: int):
    return w.IntSlider(value=value, min=low, max=high, description=description,
                       continuous_update=False, style={"description_width": "initial"},
                       layout=w.Layout(width="320px"))


class _Panel:
    """Controls + an Output, redrawn by ``draw()``; ``hold()`` batches control changes."""

    def __init__(self, draw):

        self.out = w.Output()
        self._draw = draw
        self._held = 0

    def redraw(self, *_):
        if not self._held:
            _show(self.out, self._draw())

    def hold(self):
        panel = self

        class _Hold:
            def __enter__(self):
                panel._held += 1

            def __exit__(self, *exc):
                panel._held -= 1
                panel.redraw()

        return _Hold()

    def watch(self, *controls):
        for control in controls:
            control.observe(self.redraw, names="value")


def classical_widget(images: dict, holes: dict | None = None, method: str = "telea"):
    """Move and resize a hole on any of ``images`` (name -> image) and switch the classical
    method. ``holes`` (name -> Hole) gives each image's starting hole."""

    images = {name: _rgb_image(img) for name, img in images.items()}
    holes = dict(holes or {})
    names = list(images)

    def default_hole(name):
        h, wd = images[name].shape[:2]
        return holes.get(name, Hole(h // 3, wd // 3, h // 4, wd // 4))

    image_dd = w.Dropdown(options=names, value=names[0], description="image")
    method_dd = w.Dropdown(options=[(label, key) for key, label in CLASSICAL_CHOICES.items()],
                           value=method, description="method")
    first = images[names[0]]
    hole0 = default_hole(names[0])
    top = _slider("top", hole0.top, 0, first.shape[0] - 1)
    left = _slider("left", hole0.left, 0, first.shape[1] - 1)
    height = _slider("height", hole0.height, 1, first.shape[0])
    width = _slider("width", hole0.width, 1, first.shape[1])
    panel = _Panel(lambda: classical_view(images[image_dd.value], top.value, left.value,
                                          height.value, width.value, method_dd.value))

    def on_image(change):
        img, hole = images[change["new"]], default_hole(change["new"])
        with panel.hold():
            for slider, value, high in ((top, hole.top, img.shape[0] - 1), (left, hole.left, img.shape[1] - 1),
                                        (height, hole.height, img.shape[0]), (width, hole.width, img.shape[1])):
                slider.max = max(high, slider.min)
                slider.value = value

    image_dd.observe(on_image, names="value")
    panel.watch(method_dd, top, left, height, width)
    panel.redraw()
    return w.VBox([w.HBox([image_dd, method_dd]), w.HBox([top, left]), w.HBox([height, width]), panel.out])


def crop_widget(images, labels=None, class_names=None):
    """Browse CIFAR-10 images and move or resize the square hole; switch the value scale."""

    x = _batch(images)
    rng = np.random.default_rng(0)
    index = _slider("image", 0, 0, len(x) - 1)
    size = _slider("hole size", 16, 1, x.shape[1])
    top = _slider("top", 8, 0, x.shape[1] - 1)
    left = _slider("left", 8, 0, x.shape[2] - 1)
    scale = w.Dropdown(options=[("unit [0, 1] (autoencoder)", "unit"), ("signed [-1, 1] (GAN)", "signed")],
                       value="unit", description="scale")
    random_button = w.Button(description="random image", icon="random")
    centre_button = w.Button(description="centre the hole")
    panel = _Panel(lambda: crop_view(x, index.value, top.value, left.value, size.value, scale.value,
                                     labels, class_names))

    def on_random(_):
        index.value = int(rng.integers(len(x)))

    def on_centre(_):
        with panel.hold():
            top.value = left.value = centered_hole(size.value, x.shape[1]).top

    random_button.on_click(on_random)
    centre_button.on_click(on_centre)
    panel.watch(index, size, top, left, scale)
    panel.redraw()
    return w.VBox([w.HBox([index, random_button]), w.HBox([size, centre_button]),
                   w.HBox([top, left]), scale, panel.out])


def reconstruction_widget(inpainters, images, labels=None, class_names=None, hole: Hole = CENTER_HOLE):
    """Browse test images filled by a trained model (or a dict of models)."""

    x = _batch(images)
    rng = np.random.default_rng(1)
    index = _slider("test image", 0, 0, len(x) - 1)
    previous = w.Button(description="◀ previous")
    following = w.Button(description="next ▶")
    random_button = w.Button(description="random", icon="random")
    panel = _Panel(lambda: reconstruction_view(inpainters, x, index.value, labels, class_names, hole))
    previous.on_click(lambda _: setattr(index, "value", max(0, index.value - 1)))
    following.on_click(lambda _: setattr(index, "value", min(len(x) - 1, index.value + 1)))
    random_button.on_click(lambda _: setattr(index, "value", int(rng.integers(len(x)))))
    panel.watch(index)
    panel.redraw()
    return w.VBox([w.HBox([index, previous, following, random_button]), panel.out])


def browse_order(labels, class_filter: int | None = None, errors=None, order: str = "index") -> np.ndarray:
    """The test-image numbers a browser steps through: all, or one class; in test-set
    order, or by a method's error ("hardest" first or "easiest" first)."""
    n = len(labels) if labels is not None else len(errors)
    idx = np.arange(n)
    if class_filter is not None and labels is not None:
        idx = idx[np.asarray(labels)[idx] == class_filter]
    if order != "index":
        if errors is None:
            raise BadValue("Sorting by error needs the per-image errors.")
        e = np.asarray(errors)[idx]
        idx = idx[np.argsort(-e if order == "hardest" else e, kind="stable")]
    return idx


def comparison_widget(images, patches: dict, labels=None, class_names=None, errors: dict | None = None,
                      hole: Hole = CENTER_HOLE):
    """Browse test images with every method's fill side by side. Filter by class; with
    ``errors`` (method -> per-image hole MSE) also step from the hardest or easiest images
    of one method."""

    x = _batch(images)
    classes = [("all classes", -1)]
    if labels is not None and class_names is not None:
        classes += [(name, c) for c, name in enumerate(class_names)]
    class_dd = w.Dropdown(options=classes, value=-1, description="class")
    orders = [("test-set order", ("index", None))]
    for name in (errors or {}):
        orders += [(f"hardest first for {name}", ("hardest", name)),
                   (f"easiest first for {name}", ("easiest", name))]
    order_dd = w.Dropdown(options=orders, value=orders[0][1], description="order",
                          layout=w.Layout(width="420px"))
    position = _slider("position", 0, 0, len(x) - 1)
    random_button = w.Button(description="random", icon="random")
    status = w.Label()
    rng = np.random.default_rng(2)
    state = {"order": np.arange(len(x))}

    def current_index():
        order = state["order"]
        return int(order[min(position.value, len(order) - 1)]) if len(order) else -1

    def draw():
        order = state["order"]
        if len(order) == 0:
            status.value = ""
            return "No test images of this class in this subset."
        status.value = f"{position.value + 1} of {len(order)}"
        return comparison_view(x, patches, current_index(), labels, class_names, hole)

    panel = _Panel(draw)

    def on_filter(_=None):
        kind, name = order_dd.value
        class_filter = None if class_dd.value == -1 else class_dd.value
        state["order"] = browse_order(labels, class_filter, None if name is None else errors[name], kind) \
            if labels is not None or name is not None else np.arange(len(x))
        with panel.hold():
            position.max = max(0, len(state["order"]) - 1)
            position.value = 0

    class_dd.observe(on_filter, names="value")
    order_dd.observe(on_filter, names="value")
    random_button.on_click(lambda _: setattr(position, "value", int(rng.integers(position.max + 1))))
    panel.watch(position)
    panel.redraw()
    return w.VBox([w.HBox([class_dd, order_dd]), w.HBox([position, random_button, status]), panel.out])


# --------------------------------------------------------------------------- beyond the paper


MASK_KINDS = {"square": "the paper's centre square", "rectangle": "a rectangle (sliders)",
              "strokes": "random brush strokes"}


def photo_to_cifar(data: bytes, size: int = 32) -> np.ndarray:
    """An uploaded photo (JPEG/PNG bytes) -> a ``size`` x ``size`` uint8 RGB image: the
    central square, shrunk. At 32x32 a face is a few pixels wide: the models were trained
    on such tiny images, so that is what they can fill."""


    try:
        photo = Image.open(io.BytesIO(data)).convert("RGB")
    except (UnidentifiedImageError, OSError) as err:
        raise BadValue(f"That file is not an image Pillow can read ({err}). Upload a JPEG or PNG.") from None
    side = min(photo.size)
    left, top = (photo.size[0] - side) // 2, (photo.size[1] - side) // 2
    square = photo.crop((left, top, left + side, top + side))
    return np.asarray(square.resize((size, size), Image.LANCZOS), dtype=np.uint8)


def playground_mask(kind: str, top=8, left=8, height=16, width=16, seed=0, coverage=25,
                    size: int = 32) -> np.ndarray:
    """The hole the playground's controls describe, as a bool (size, size) mask (True =
    missing). ``coverage`` (percent) is for random strokes."""

    if kind == "square":
        return hole_mask(CENTER_HOLE, size)
    if kind == "rectangle":
        hole = _hole(top, left, height, width, size, size)
        return hole_mask(hole, size)
    if kind == "strokes":
        share = _int(coverage, "coverage") / 100
        if not 0.05 <= share <= 0.6:
            raise BadValue(f"coverage must be between 5 and 60 percent, got {coverage}.")
        return random_masks(1, (share * 0.9, min(share * 1.1, 0.95)), seed=_int(seed, "seed"), size=size)[0]
    raise BadValue(f"Unknown hole kind {kind!r}: choose one of {sorted(MASK_KINDS)}.")


@safe_view
def playground_view(image, mask, methods: dict, title: str | None = None) -> object:
    """One image, one hole of any shape, every method's fill with its hole MSE (unit scale).
    A method that knows only the paper's square says so in its panel. Returns a Figure or
    a message string."""
    img = to_scale(_rgb_image(image)[None], "unit")
    if not methods:
        raise BadValue("No methods to compare: pass at least one.")
    try:
        masks = check_masks(mask, 1, img.shape[1:3])
    except ValueError as err:
        raise BadValue(str(err)) from None
    if not masks.any():
        raise BadValue("The hole is empty: make it bigger.")
    fig, axes = plots.new_figure(1, 2 + len(methods), cell=1.9, extra_height=1.0)
    plots.show_image(axes[0, 0], img[0], "original")
    holed = apply_masks(img, masks)
    plots.show_image(axes[0, 1], holed[0], f"hole: {100 * masks.mean():.0f}% of the pixels")
    for ax, (name, method) in zip(axes[0, 2:], methods.items()):
        try:
            filled = method.fill_masks(img, masks)
        except ValueError:
            plots.show_image(ax, holed[0], name)
            ax.set_xlabel("fills only the\npaper's square", fontsize=8, color="#c44e52")
            continue
        plots.show_image(ax, filled[0], name)
        ax.set_xlabel(f"hole MSE {mask_mse(filled, img, masks):.4f}", fontsize=8)
    return plots.finish(fig, title or "Every method on your hole",
                        "Hole MSE on [0, 1], over the missing pixels only (lower is closer to the original).")


def playground_widget(images, methods: dict, labels=None, class_names=None):
    """Pick a test image (or upload a photo), draw a hole (the paper's square, a rectangle,
    or random strokes) and compare every method's fill."""

    x = _batch(images)
    state = {"photo": None}
    index = _slider("test image", 0, 0, len(x) - 1)
    kind = w.Dropdown(options=[(label, key) for key, label in MASK_KINDS.items()], value="strokes",
                      description="hole")
    top, left = _slider("top", 6, 0, 31), _slider("left", 10, 0, 31)
    height, width = _slider("height", 12, 1, 32), _slider("width", 8, 1, 32)
    seed, coverage = _slider("stroke seed", 0, 0, 999), _slider("coverage %", 25, 5, 60)
    upload = w.FileUpload(accept="image/*", multiple=False, description="your photo")
    back = w.Button(description="back to test images")
    note = w.Label("")

    def current_image():
        return state["photo"] if state["photo"] is not None else x[index.value]

    def draw():
        try:
            mask = playground_mask(kind.value, top.value, left.value, height.value, width.value,
                                   seed.value, coverage.value)
        except BadValue as err:
            return str(err)
        what = "your photo (32x32)" if state["photo"] is not None else _label(index.value, labels, class_names)
        return playground_view(current_image(), mask, methods, title=f"Every method on {what}")

    panel = _Panel(draw)

    def on_upload(change):
        files = change["new"]
        if not files:
            return
        item = files[0] if isinstance(files, (list, tuple)) else next(iter(files.values()))
        try:
            state["photo"] = photo_to_cifar(bytes(item["content"]))
            note.value = "Your photo, cut to its central square and shrunk to 32x32 pixels."
        except BadValue as err:
            note.value = str(err)
        panel.redraw()

    def on_back(_):
        state["photo"] = None
        note.value = ""
        panel.redraw()

    upload.observe(on_upload, names="value")
    back.on_click(on_back)
    panel.watch(index, kind, top, left, height, width, seed, coverage)
    panel.redraw()
    return w.VBox([w.HBox([index, upload, back]), note, kind, w.HBox([seed, coverage]),
                   w.HBox([top, left]), w.HBox([height, width]), panel.out])


# --------------------------------------------------------------------------- notebook 7: the adversarial weight


def _study_weight(study, weight) -> float:
    """The study's weight that ``weight`` names (a number, or its text), or a BadValue."""
    if not isinstance(study, dict) or "fills" not in study:
        raise BadValue("Give the study as helpers.study.load_study() returns it.")
    try:
        value = float(weight)
    except (TypeError, ValueError):
        raise BadValue(f"The adversarial weight must be a number, got {weight!r}.") from None
    for known in study["weights"]:
        if abs(known - value) <= 1e-9 * max(1.0, abs(known)):
            return known
    raise BadValue(f"The study has no run with adversarial weight {weight!r}: choose one of "
                   f"{', '.join(f'{w:g}' for w in study['weights'])}.")


@safe_view
def adversarial_weight_view(study, weight, index=0, per_page: int = 8, compare: float | None = 0.0) -> object:
    """A page of the study's test images (page ``index``, ``per_page`` images): the truth, the
    fills of the run with adversarial weight ``weight``, and, when the study has it, those of
    the run with weight ``compare`` (0: G on L2 alone), with ``weight``'s hole MSE and
    sharpness ratio in the title. Figure or message string."""
    weight = _study_weight(study, weight)
    per_page = _int(per_page, "images per page")
    if per_page < 1:
        raise BadValue("Show at least one image per page.")
    images = _batch(study["images"], "the study's images")
    pages = -(-len(images) // per_page)
    page = _int(index, "page")
    if not 0 <= page < pages:
        raise BadValue(f"Page {page} does not exist: the study's {len(images)} images make pages 0 to {pages - 1}.")
    shown = np.arange(page * per_page, min((page + 1) * per_page, len(images)))
    rows = [("truth", None), (f"W = {weight:g}", weight)]
    if compare is not None and compare in study["fills"] and compare != weight:
        rows.append((f"W = {compare:g}", compare))
    fig, axes = plots.new_figure(len(rows), len(shown), cell=1.3, extra_height=1.0)
    class_names = study.get("class_names")
    for c, i in enumerate(shown):
        image = plots.as_unit(images[i])
        name = class_names[int(study["labels"][i])] if class_names is not None else ""
        for r, (label, w_row) in enumerate(rows):
            picture = image if w_row is None else paste_patch(
                image[None], plots.as_unit(study["fills"][w_row][i])[None], CENTER_HOLE)[0]
            plots.show_image(axes[r, c], picture, f"#{int(study['indices'][i])}\n{name}" if r == 0 else None,
                             CENTER_HOLE, fontsize=8)
            if c == 0:
                axes[r, 0].set_ylabel(label, fontsize=9)
    m = study["runs"][weight]["metrics"]
    n = study.get("n_test_images")
    return plots.finish(
        fig, f"Adversarial weight {weight_label(weight)}: hole MSE {m['hole_mse']:.4f}, sharpness ratio "
             f"{m['sharpness_ratio']:.2f}" + (f" ({n:,} test images)" if n else ""),
        f"Test images {shown[0] + 1}-{shown[-1] + 1} of the {len(images)} the study filled (page {page + 1} of "
        f"{pages}); values on [0, 1]; the sharpness ratio is 1.0 for the real patches.")


def adversarial_weight_widget(study, per_page: int = 8):
    """Slide through the study's adversarial weights and its pages of test images: each
    weight's fills beside the truth and the fills of G trained on L2 alone (weight 0)."""
    weights = list(study["weights"])
    start = study.get("paper_weight", weights[0])
    weight = w.SelectionSlider(options=[(f"{x:g}", x) for x in weights],
                               value=start if start in weights else weights[0],
                               description="adversarial weight", continuous_update=False,
                               style={"description_width": "initial"}, layout=w.Layout(width="420px"))
    n = len(study["images"])
    pages = max(1, -(-n // per_page))
    page = w.Dropdown(options=[(f"images {p * per_page + 1}-{min((p + 1) * per_page, n)}", p) for p in range(pages)],
                      value=0, description="page")
    panel = _Panel(lambda: adversarial_weight_view(study, weight.value, page.value, per_page))
    panel.watch(weight, page)
    panel.redraw()
    return w.VBox([w.HBox([weight, page]), panel.out])
