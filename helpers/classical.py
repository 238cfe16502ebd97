"""Classical fills: the baselines a learned model has to beat.

Why: the paper argues that procedural fills know only the image itself, so they cannot
invent what is not there. These are such fills, behind the same
:class:`helpers.inpainters.Inpainter` interface as the trained models, so one evaluation loop
and one widget serve both:

- :class:`MeanColorFill`: paints the data set's mean colour. The floor: any method that
  does not beat it has learned nothing about the image.
- :class:`OpenCVFill`: OpenCV's ``cv2.inpaint`` (Telea's fast marching method, or the
  Navier-Stokes method), which propagates the colours at the hole's border inwards.
- :class:`BiharmonicFill`: scikit-image's biharmonic inpainting, the smoothest surface that
  matches the border; the strongest of these on CIFAR-10.
- :class:`ExemplarFill`: OpenCV's shift-map inpainting (He and Sun 2012, in the contrib
  module ``cv2.xphoto``), an *exemplar* method: it copies pieces of the known image into the
  hole, as Criminisi et al. (2004) and PatchMatch (Photoshop's Content-Aware Fill) do. It
  continues a repeating texture where the three above (*diffusion* methods, which smooth the
  border inwards) blur it; it cannot paint what the image does not contain. The slowest. It
  needs ``cv2.xphoto.inpaint``, which some installations lack (several OpenCV wheels sharing
  one ``cv2`` folder, as on Colab): :func:`shiftmap_unavailable` says whether it runs here,
  and why not.

All work on any :class:`~helpers.holes.Hole` that fits in the image, on a batch, on the
unit scale [0, 1]. They do not look at the pixels inside the hole (those are overwritten
before :meth:`~helpers.inpainters.Inpainter.predict_patch` is called).
"""

from __future__ import annotations

import functools
import importlib.metadata
import numbers
import re
import sys

import numpy as np

from .holes import CENTER_HOLE, Hole, check_images, from_unit, hole_mask
from .inpainters import Inpainter

CLASSICAL_IDS = ("mean", "telea", "ns", "biharmonic", "shiftmap")
"""Short ids of the classical fills, in the order :func:`classical_fills` returns them."""
DEFAULT_IDS = ("mean", "telea", "ns", "biharmonic")
"""The fills :func:`classical_fills` gives unless asked: all but the exemplar one, the slowest
classical fill (docs/benchmark.md); ask for ``"shiftmap"`` by name."""
OPENCV_WHEELS = ("opencv-python", "opencv-python-headless", "opencv-contrib-python",
                 "opencv-contrib-python-headless")
"""The pip packages that each install OpenCV's ``cv2`` (into the same folder: the last one
installed wins); only the two ``contrib`` ones hold ``cv2.xphoto``."""


def _hole_mask(hole: Hole, height: int, width: int) -> np.ndarray:
    """Boolean (H, W) mask, True inside the hole (also for non-square images)."""
    hole.check_fits(height, width)
    if height == width:
        return hole_mask(hole, height)
    mask = np.zeros((height, width), dtype=bool)
    mask[hole.rows, hole.cols] = True
    return mask


def _check_holed(holed, hole: Hole) -> np.ndarray:
    holed = check_images(holed, "unit", "holed")
    hole.check_fits(holed.shape[1], holed.shape[2])
    return holed


class MeanColorFill(Inpainter):
    """Fill the hole with one colour: the mean colour of a data set (unit scale).

    ``mean_rgb`` is three numbers in [0, 1]. Use :meth:`from_images` to compute it from
    the training images (for CIFAR-10 it is close to (0.49, 0.48, 0.45); over the 16x16
    centre only, (0.49, 0.46, 0.43)).
    """

    name = "data-set mean colour"

    def __init__(self, mean_rgb):
        mean = np.asarray(mean_rgb, dtype=np.float64)
        if mean.shape != (3,):
            raise ValueError(f"mean_rgb must be three numbers (R, G, B), got shape {mean.shape}.")
        if not np.all(np.isfinite(mean)) or mean.min() < 0.0 or mean.max() > 1.0:
            raise ValueError(
                f"mean_rgb must lie in [0, 1] (unit scale), got {mean.tolist()}. "
                f"For uint8 colours divide by 255, or use MeanColorFill.from_images."
            )
        self.mean_rgb = mean

    @classmethod
    def from_images(cls, images_uint8, region: Hole | None = None) -> "MeanColorFill":
        """The mean colour of uint8 images (N, H, W, 3): mean per channel over all pixels.

        Summed exactly in integers (uint64), then divided in float64 and put on [0, 1].
        With ``region`` (a :class:`~helpers.holes.Hole`), only the pixels inside it count:
        the mean colour of what is usually *in* the hole, which is the constant fill with
        the lowest MSE there (CIFAR-10's objects sit in the centre, so its centre is a
        little darker and less blue than its borders).
        """
        images = check_images(images_uint8, None, "images_uint8")
        if images.shape[0] == 0:
            raise ValueError("images_uint8 is empty: cannot compute a mean colour.")
        if region is not None:
            region.check_fits(images.shape[1], images.shape[2])
            images = np.ascontiguousarray(images[:, region.rows, region.cols, :])
        # Summing over images first (rows of H*W*3 values) is ~10x faster than over pixels.
        totals = images.reshape(images.shape[0], -1).sum(axis=0, dtype=np.uint64)
        totals = totals.reshape(-1, 3).sum(axis=0, dtype=np.uint64)
        count = images.shape[0] * images.shape[1] * images.shape[2]
        return cls(totals.astype(np.float64) / count / 255.0)

    def predict_patch(self, holed: np.ndarray, hole: Hole) -> np.ndarray:
        holed = _check_holed(holed, hole)
        shape = (holed.shape[0], hole.height, hole.width, 3)
        return np.broadcast_to(self.mean_rgb.astype(np.float32), shape).copy()

    def predict_masked(self, holed: np.ndarray, masks: np.ndarray) -> np.ndarray:
        out = holed.copy()
        out[masks] = self.mean_rgb.astype(np.float32)
        return out

    def __repr__(self) -> str:
        rgb = ", ".join(f"{v:.4f}" for v in self.mean_rgb)
        return f"<MeanColorFill {self.name!r} ({rgb})>"


class OpenCVFill(Inpainter):
    """OpenCV's ``cv2.inpaint``: ``method="telea"`` (fast marching) or ``"ns"`` (Navier-Stokes).

    ``radius`` is the neighbourhood (in pixels) around each filled pixel that the method
    looks at; OpenCV's examples use 3. Works on uint8 internally, as OpenCV does: the unit
    image is rounded to 0..255, filled, and the patch converted back to [0, 1].
    """

    METHODS = {"telea": "OpenCV Telea", "ns": "OpenCV Navier-Stokes"}

    def __init__(self, method: str = "telea", radius: float = 3):
        if method not in self.METHODS:
            raise ValueError(
                f"Unknown OpenCV inpainting method {method!r}: use one of {sorted(self.METHODS)} "
                f"('telea' = fast marching, 'ns' = Navier-Stokes)."
            )
        if (not isinstance(radius, numbers.Real) or isinstance(radius, bool)
                or not np.isfinite(radius) or radius <= 0):
            raise ValueError(f"radius must be a positive number of pixels, got {radius!r}.")
        self.method = method
        self.radius = radius
        self.name = self.METHODS[method]

    def predict_patch(self, holed: np.ndarray, hole: Hole) -> np.ndarray:
        import cv2

        holed = _check_holed(holed, hole)
        flag = cv2.INPAINT_TELEA if self.method == "telea" else cv2.INPAINT_NS
        mask = _hole_mask(hole, holed.shape[1], holed.shape[2]).astype(np.uint8)
        images = np.ascontiguousarray(from_unit(holed, None))
        out = np.empty((holed.shape[0], hole.height, hole.width, 3), dtype=np.float32)
        for i, image in enumerate(images):
            # Both methods treat the channels alike, so RGB vs BGR order does not matter.
            filled = cv2.inpaint(image, mask, float(self.radius), flag)
            out[i] = filled[hole.rows, hole.cols, :]
        return out / 255.0

    def predict_masked(self, holed: np.ndarray, masks: np.ndarray) -> np.ndarray:
        import cv2

        flag = cv2.INPAINT_TELEA if self.method == "telea" else cv2.INPAINT_NS
        images = np.ascontiguousarray(from_unit(holed, None))
        out = [cv2.inpaint(image, mask.astype(np.uint8), float(self.radius), flag)
               for image, mask in zip(images, masks)]
        return np.stack(out).astype(np.float32) / 255.0

    def __repr__(self) -> str:
        return f"<OpenCVFill {self.name!r} radius={self.radius}>"


class BiharmonicFill(Inpainter):
    """scikit-image's ``inpaint_biharmonic``: the smoothest surface that matches the border.

    Solves a biharmonic equation for the hole's pixels, channel by channel
    (``channel_axis=-1``), in float64 on the unit scale.
    """

    name = "scikit-image biharmonic"

    def predict_patch(self, holed: np.ndarray, hole: Hole) -> np.ndarray:
        from skimage.restoration import inpaint_biharmonic

        holed = _check_holed(holed, hole)
        mask = _hole_mask(hole, holed.shape[1], holed.shape[2])
        out = np.empty((holed.shape[0], hole.height, hole.width, 3), dtype=np.float32)
        for i, image in enumerate(holed):
            filled = inpaint_biharmonic(image.astype(np.float64), mask, channel_axis=-1)
            out[i] = filled[hole.rows, hole.cols, :]
        return out


    def predict_masked(self, holed: np.ndarray, masks: np.ndarray) -> np.ndarray:
        from skimage.restoration import inpaint_biharmonic

        return np.stack([inpaint_biharmonic(image.astype(np.float64), mask, channel_axis=-1)
                         for image, mask in zip(holed, masks)]).astype(np.float32)


def opencv_wheels() -> dict[str, str]:
    """The OpenCV pip packages installed here (:data:`OPENCV_WHEELS`), name -> version."""
    found = {}
    for name in OPENCV_WHEELS:
        try:
            found[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            pass
    return found


def contrib_wheel_for(cv2_version: str, wheels: dict[str, str]) -> str:
    """The pip requirement of the contrib OpenCV wheel that matches the ``cv2`` in use: the
    headless contrib wheel at the version of the installed wheel that ``cv2_version`` comes
    from (``"5.0.0"`` and ``{"opencv-python": "5.0.0.93"}`` give
    ``"opencv-contrib-python-headless==5.0.0.93"``), or at ``5.0.0.*`` when no installed
    wheel has that version."""
    release = ".".join(re.findall(r"\d+", cv2_version)[:3])
    matching = sorted((v for v in wheels.values() if v == release or v.startswith(release + ".")),
                      key=lambda v: [int(n) for n in re.findall(r"\d+", v)])
    return f"opencv-contrib-python-headless=={matching[-1] if matching else release + '.*'}"


@functools.lru_cache(maxsize=1)
def shiftmap_unavailable() -> str | None:
    """None where OpenCV's shift-map fill (:class:`ExemplarFill`) runs; otherwise why not, and
    how to get it, in a sentence a student can act on. Asked once per process (cached; the
    answer changes only with a restart after installing OpenCV).

    Shift-map needs ``cv2.xphoto.inpaint``, in the contrib wheels only. Several OpenCV wheels
    can be installed at once (Colab has three); they share one ``cv2`` folder and the last one
    installed wins, which may leave a ``cv2.xphoto`` without ``inpaint``.
    """
    try:
        import cv2
    except ImportError as err:
        return (f"The shift-map fill is left out: OpenCV does not import here ({err}); install it with "
                f"`pip install opencv-contrib-python-headless` and restart the kernel.")
    xphoto = getattr(cv2, "xphoto", None)
    if hasattr(xphoto, "inpaint") and hasattr(xphoto, "INPAINT_SHIFTMAP"):
        try:
            known = np.full((8, 8), 255, np.uint8)
            known[3:5, 3:5] = 0
            xphoto.inpaint(np.ones((8, 8, 3), np.float32), known, np.zeros((8, 8, 3), np.float32),
                           xphoto.INPAINT_SHIFTMAP)
            return None
        except Exception as err:  # a broken build: say so rather than fail in a notebook's loop
            problem = f"cv2.xphoto.inpaint fails here ({type(err).__name__}: {err})"
    else:
        wheels = opencv_wheels()
        why = ("several OpenCV wheels share its folder, and one without the contrib modules was installed last"
               if len(wheels) > 1 else "it is OpenCV without the contrib modules")
        problem = (f"this OpenCV {cv2.__version__} has {'a cv2.xphoto without inpaint' if xphoto else 'no cv2.xphoto'}"
                   f" ({why})")
    spec = contrib_wheel_for(cv2.__version__, opencv_wheels())
    command = f"`pip install --no-deps --force-reinstall {spec}`"
    how = (f"run the notebook's first cell again (or {command}), then Runtime > Restart session"
           if "google.colab" in sys.modules else f"run {command} and restart the kernel")
    return f"The shift-map fill is left out: {problem}; to get it, {how}."


# OpenCV's 8-bit Lab layout (L on 0..255, a and b shifted by 128), kept in float32 so nothing is
# rounded. Shift-map weighs the channels as they come; this layout is the one it is tuned for,
# and a and b + 128 are never 0 for a real colour, so an all-zero output pixel means "not filled".
_LAB_SCALE = np.array([255.0 / 100.0, 1.0, 1.0], np.float32)
_LAB_OFFSET = np.array([0.0, 128.0, 128.0], np.float32)


class ExemplarFill(Inpainter):
    """OpenCV's shift-map inpainting (He and Sun 2012; ``cv2.xphoto.inpaint`` with
    ``INPAINT_SHIFTMAP``): an *exemplar* method, which copies pieces of the known image.

    It finds the shifts (offsets) that map many patches of the image onto similar patches,
    then fills each missing pixel with the known pixel one of those shifts away, choosing the
    shifts by a graph cut so that neighbouring pieces join without seams. On a repeating
    texture (bricks, stripes) it continues the pattern; on a face with the eyes cut out it
    pastes skin, hair or a mouth: it can only copy what the image contains.

    Needs ``cv2.xphoto.inpaint``, from OpenCV's contrib wheels (:func:`shiftmap_unavailable`
    says whether it runs here, and how to get it where not). Works on each
    image alone, in float32 Lab. Known pixels are returned unchanged (OpenCV re-synthesises a
    4-pixel ring around the hole too; only the hole's pixels are kept). On tiny images OpenCV
    leaves some hole pixels without a source (5 to 10 % of a CIFAR-10 centre hole); those are
    filled by Telea from their neighbours. Deterministic.

    On CIFAR-10's centre hole there is rarely anything in the 32x32 image that fits, so its
    fills are sharp and wrong: a higher hole MSE than even the mean colour. On a repeating
    texture (notebook 1's bricks) it beats every diffusion fill.

    **Slow**: the slowest classical fill, by far (docs/benchmark.md measures it): minutes for
    thousands of CIFAR-10 test images, seconds for one photograph. Its time grows with the
    whole image, not only with the hole.
    """

    name = "OpenCV shift-map (exemplar)"

    def __init__(self):
        why_not = shiftmap_unavailable()
        if why_not:  # fail here, with the fix, rather than in the middle of an evaluation
            raise ImportError(why_not)

    def _fill_one(self, image: np.ndarray, missing: np.ndarray) -> np.ndarray:
        """One image (H, W, 3) on [0, 1] and its hole (True = missing) -> the filled image."""
        import cv2

        if missing.all():
            raise ValueError("The hole covers the whole image: there is nothing to copy from.")
        image = image.astype(np.float32)
        known = np.where(missing, 0, 255).astype(np.uint8)  # xphoto: nonzero = KNOWN (the
        # opposite of cv2.inpaint), and it must be 255, not any nonzero value
        lab = cv2.cvtColor(image, cv2.COLOR_RGB2Lab) * _LAB_SCALE + _LAB_OFFSET
        lab[missing] = 0.0
        out_lab = np.zeros_like(lab)
        cv2.setRNGSeed(0)
        cv2.xphoto.inpaint(lab, known, out_lab, cv2.xphoto.INPAINT_SHIFTMAP)
        unfilled = missing & np.all(out_lab == 0.0, axis=-1)
        rgb = cv2.cvtColor((out_lab - _LAB_OFFSET) / _LAB_SCALE, cv2.COLOR_Lab2RGB)
        filled = image.copy()
        filled[missing] = np.clip(rgb[missing], 0.0, 1.0)
        if unfilled.any():  # pixels shift-map found no source for: Telea from their neighbours
            as_uint8 = np.ascontiguousarray(from_unit(filled[None], None)[0])
            telea = cv2.inpaint(as_uint8, unfilled.astype(np.uint8), 3.0, cv2.INPAINT_TELEA)
            filled[unfilled] = telea[unfilled].astype(np.float32) / 255.0
        return filled

    def predict_patch(self, holed: np.ndarray, hole: Hole) -> np.ndarray:
        holed = _check_holed(holed, hole)
        missing = _hole_mask(hole, holed.shape[1], holed.shape[2])
        out = np.empty((holed.shape[0], hole.height, hole.width, 3), dtype=np.float32)
        for i, image in enumerate(holed):
            out[i] = self._fill_one(image, missing)[hole.rows, hole.cols, :]
        return out

    def predict_masked(self, holed: np.ndarray, masks: np.ndarray) -> np.ndarray:
        return np.stack([self._fill_one(image, np.asarray(mask, bool))
                         for image, mask in zip(holed, masks)]).astype(np.float32)

    def __repr__(self) -> str:
        return f"<ExemplarFill {self.name!r}>"


def classical_fills(train_images_uint8=None, methods=None, mean_region: Hole | None = CENTER_HOLE,
                    skip_unavailable: bool = False) -> dict[str, Inpainter]:
    """The classical fills keyed by short id: ``"mean"``, ``"telea"``, ``"ns"``, ``"biharmonic"``
    and, when asked for by name (:data:`DEFAULT_IDS`), ``"shiftmap"`` (:class:`ExemplarFill`,
    which needs OpenCV's contrib modules and is slow).

    The ``"mean"`` fill paints the training set's mean colour *over* ``mean_region`` (by
    default the paper's centre hole: the best constant fill there); ``mean_region=None`` averages whole images.

    ``"mean"`` needs the training images (uint8) to compute the data-set mean colour; when
    ``train_images_uint8`` is None it is left out (unless asked for by name in ``methods``,
    which is then an error). ``methods`` (optional) is a list of ids to keep, in that
    order; unknown ids raise a ValueError listing the valid ones.

    ``skip_unavailable=True`` leaves out ``"shiftmap"`` where it cannot run here (OpenCV without
    ``cv2.xphoto.inpaint``; :func:`shiftmap_unavailable` says why) instead of raising an
    ImportError, so that every other fill still runs.
    """
    if methods is None:
        wanted = [m for m in DEFAULT_IDS if m != "mean" or train_images_uint8 is not None]
    else:
        wanted = list(methods)
        unknown = [m for m in wanted if m not in CLASSICAL_IDS]
        if unknown:
            raise ValueError(
                f"Unknown classical fill(s) {unknown}: valid ids are {list(CLASSICAL_IDS)}."
            )
        if "mean" in wanted and train_images_uint8 is None:
            raise ValueError(
                "The 'mean' fill needs the training images to compute the data-set mean "
                "colour: pass train_images_uint8, or leave 'mean' out."
            )
    if skip_unavailable and "shiftmap" in wanted and shiftmap_unavailable():
        wanted.remove("shiftmap")
    fills: dict[str, Inpainter] = {}
    for m in wanted:
        if m == "mean":
            fills[m] = MeanColorFill.from_images(train_images_uint8, region=mean_region)
        elif m in ("telea", "ns"):
            fills[m] = OpenCVFill(m, radius=3)
        elif m == "shiftmap":
            fills[m] = ExemplarFill()
        else:
            fills[m] = BiharmonicFill()
    return fills
