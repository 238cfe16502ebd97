"""Holes and value scales: the paper's crop, and holes of any shape.

The paper's crop turns a 32x32 image into (the image with a hole, the patch cut out of it).
Everything about holes and value scales lives here, so that training, inference, metrics
and widgets all cut and paste the same way.

Value scales
------------
- ``"unit"``:   floats in [0, 1]   (the autoencoder works here; every metric is reported here)
- ``"signed"``: floats in [-1, 1]  (the GAN works here: tanh output, DCGAN practice)

The paper does not say what fills the hole in the model's input. We use mid-grey,
0.5 on the unit scale, which is 0.0 on the signed scale (Pathak et al. fill with the
data-set mean after mean subtraction, i.e. zero; CIFAR-10's mean colour is close to
mid-grey). The same value is used in training and inference.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .paper import HOLE_SIZE, IMAGE_SIZE

SCALES = {"unit": (0.0, 1.0), "signed": (-1.0, 1.0)}

HOLE_FILL_UNIT = 0.5
"""Value written into the hole, on the unit scale (0.0 on the signed scale)."""


@dataclass(frozen=True)
class Hole:
    """A rectangular hole: top-left corner (row ``top``, column ``left``) and its size."""

    top: int
    left: int
    height: int
    width: int

    @property
    def rows(self) -> slice:
        return slice(self.top, self.top + self.height)

    @property
    def cols(self) -> slice:
        return slice(self.left, self.left + self.width)

    @property
    def shape(self) -> tuple[int, int]:
        return (self.height, self.width)

    def check_fits(self, image_height: int, image_width: int) -> "Hole":
        """Raise a clear error if this hole does not lie inside an image of that size."""
        values = (self.top, self.left, self.height, self.width)
        if not all(isinstance(v, (int, np.integer)) for v in values):
            raise TypeError(f"{self} must have integer coordinates, got {values}.")
        if self.height < 1 or self.width < 1:
            raise ValueError(f"{self} is empty: height and width must be at least 1.")
        if (self.top < 0 or self.left < 0 or self.top + self.height > image_height
                or self.left + self.width > image_width):
            raise ValueError(
                f"{self} reaches outside the {image_height}x{image_width} image: rows "
                f"{self.top}..{self.top + self.height - 1} and columns "
                f"{self.left}..{self.left + self.width - 1} must lie in "
                f"0..{image_height - 1} and 0..{image_width - 1}. Move or shrink the hole."
            )
        return self


CENTER_HOLE = Hole(top=(IMAGE_SIZE - HOLE_SIZE) // 2, left=(IMAGE_SIZE - HOLE_SIZE) // 2,
                   height=HOLE_SIZE, width=HOLE_SIZE)
"""The paper's hole: the 16x16 centre of a 32x32 image (rows and columns 8..23)."""


def centered_hole(size: int, image_size: int = IMAGE_SIZE) -> Hole:
    """A square hole of side ``size`` in the centre of a square image."""
    top = (image_size - size) // 2
    return Hole(top, top, size, size).check_fits(image_size, image_size)


# --------------------------------------------------------------------------- checks


def check_images(images, scale: str | None = None, name: str = "images") -> np.ndarray:
    """Check a batch of RGB images (N, H, W, 3) and return it as a NumPy array.

    ``scale=None`` expects uint8 in 0..255; ``"unit"`` or ``"signed"`` expects floats in
    that range. The error says what was found and how to convert it.
    """
    images = np.asarray(images)
    if images.ndim == 3 and images.shape[-1] == 3:
        raise ValueError(
            f"{name} has shape {images.shape}: that is one image, but a batch is expected. "
            f"Use images[None] to make a batch of one."
        )
    if images.ndim != 4 or images.shape[-1] != 3:
        raise ValueError(
            f"{name} must be a batch of RGB images of shape (N, height, width, 3); "
            f"got shape {images.shape}."
        )
    if scale is None:
        if images.dtype != np.uint8:
            raise TypeError(
                f"{name} must be uint8 (0..255), got {images.dtype}. For floats on [0, 1] "
                f"pass scale='unit'; to convert, use helpers.holes.from_unit(x, None)."
            )
        return images
    if scale not in SCALES:
        raise ValueError(f"Unknown scale {scale!r}: use one of {sorted(SCALES)} or None for uint8.")
    if not np.issubdtype(images.dtype, np.floating):
        raise TypeError(
            f"{name} must be floats on the {scale} scale {SCALES[scale]}, got {images.dtype}. "
            f"Convert uint8 images with helpers.holes.to_scale(images, {scale!r})."
        )
    low, high = SCALES[scale]
    if images.size:
        found_low, found_high = float(np.min(images)), float(np.max(images))
        if not np.isfinite(found_low) or not np.isfinite(found_high):
            raise ValueError(f"{name} contains NaN or infinite values.")
        tol = 1e-3
        if found_low < low - tol or found_high > high + tol:
            raise ValueError(
                f"{name} should be on the {scale} scale [{low:g}, {high:g}] but its values span "
                f"[{found_low:.3g}, {found_high:.3g}]. Did you pass the other scale, or uint8 "
                f"values as floats? Convert with helpers.holes.to_scale / to_unit."
            )
    return images


# --------------------------------------------------------------------------- scales


def to_scale(images_uint8, scale: str) -> np.ndarray:
    """uint8 images (0..255) -> float32 on ``scale``."""
    images = check_images(images_uint8, None)
    x = images.astype(np.float32) / 255.0
    return x if scale == "unit" else convert_scale(x, "unit", scale)


def convert_scale(x, source: str, target: str):
    """Convert floats between the unit and the signed scale (works on NumPy or Keras tensors)."""
    for s in (source, target):
        if s not in SCALES:
            raise ValueError(f"Unknown scale {s!r}: use one of {sorted(SCALES)}.")
    if source == target:
        return x
    if source == "unit":
        return x * 2.0 - 1.0
    return (x + 1.0) / 2.0


def to_unit(x, scale: str):
    """Floats on ``scale`` -> floats on [0, 1]."""
    return convert_scale(x, scale, "unit")


def from_unit(x, scale: str | None):
    """Floats on [0, 1] -> ``scale`` (``None`` gives uint8, rounded and clipped)."""
    if scale is None:
        return np.clip(np.round(np.asarray(x) * 255.0), 0, 255).astype(np.uint8)
    return convert_scale(x, "unit", scale)


def hole_fill_value(scale: str) -> float:
    """The value written into the hole, on the given scale."""
    return float(convert_scale(HOLE_FILL_UNIT, "unit", scale))


# --------------------------------------------------------------------------- the crop


def hole_mask(hole: Hole = CENTER_HOLE, image_size: int = IMAGE_SIZE) -> np.ndarray:
    """Boolean (H, W) mask, True inside the hole."""
    hole.check_fits(image_size, image_size)
    mask = np.zeros((image_size, image_size), dtype=bool)
    mask[hole.rows, hole.cols] = True
    return mask


def cut_hole(images, hole: Hole = CENTER_HOLE, scale: str = "unit",
             fill: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Split images into (image with the hole filled, the patch that was cut out).

    ``images`` are floats on ``scale`` (use :func:`to_scale` on uint8 first). The hole is
    filled with :data:`HOLE_FILL_UNIT` converted to ``scale`` unless ``fill`` is given.
    Returns copies; the input is not modified.
    """
    images = check_images(images, scale)
    hole.check_fits(images.shape[1], images.shape[2])
    patch = images[:, hole.rows, hole.cols, :].copy()
    holed = images.copy()
    holed[:, hole.rows, hole.cols, :] = hole_fill_value(scale) if fill is None else fill
    return holed, patch


def paste_patch(images, patch, hole: Hole = CENTER_HOLE) -> np.ndarray:
    """Put ``patch`` (N, h, w, 3) back into a copy of ``images`` at ``hole``."""
    images = np.asarray(images)
    patch = np.asarray(patch)
    if images.ndim != 4:
        raise ValueError(f"images must have shape (N, H, W, 3), got {images.shape}.")
    hole.check_fits(images.shape[1], images.shape[2])
    expected = (images.shape[0], hole.height, hole.width, images.shape[3])
    if patch.shape != expected:
        raise ValueError(
            f"patch has shape {patch.shape} but {hole} in these images needs {expected}."
        )
    out = images.copy()
    out[:, hole.rows, hole.cols, :] = patch
    return out


def make_pairs(images_uint8, scale: str, hole: Hole = CENTER_HOLE) -> tuple[np.ndarray, np.ndarray]:
    """uint8 images -> the model's training pair (holed input, target patch) on ``scale``."""
    return cut_hole(to_scale(images_uint8, scale), hole, scale)


# --------------------------------------------------------------------------- free-form holes


def check_masks(masks, n_images: int | None = None, size: tuple[int, int] | None = None) -> np.ndarray:
    """Boolean (N, H, W) masks, True where pixels are missing; a clear error otherwise."""
    masks = np.asarray(masks)
    if masks.ndim == 4 and masks.shape[-1] == 1:
        masks = masks[..., 0]
    if masks.ndim == 2:
        masks = masks[None]
    if masks.ndim != 3:
        raise ValueError(f"masks must have shape (N, H, W) (True = missing), got {masks.shape}.")
    if masks.dtype != bool:
        values = np.unique(masks)
        if not np.all(np.isin(values, (0, 1))):
            raise ValueError("masks must be boolean, or 0/1 (1 = missing pixel); got other values.")
        masks = masks.astype(bool)
    if n_images is not None and len(masks) not in (1, n_images):
        raise ValueError(f"{len(masks)} masks for {n_images} images: give one mask, or one per image.")
    if size is not None and masks.shape[1:] != tuple(size):
        raise ValueError(f"masks are {masks.shape[1]}x{masks.shape[2]} but the images are "
                         f"{size[0]}x{size[1]}.")
    return masks


def random_masks(n: int, coverage: tuple[float, float] = (0.1, 0.4), seed: int = 0,
                 size: int = IMAGE_SIZE, rectangles: bool = True) -> np.ndarray:
    """``n`` random free-form holes: brush strokes of random width and length, plus now and
    then a rectangle, until the share of missing pixels falls in ``coverage``.

    Why: a model trained on one fixed square learns that square; a model for holes people
    draw must see holes of every shape. Mask ``i`` depends only on ``(seed, i)``, so the
    same call always gives the same masks (and one mask can be regenerated alone).
    Returns bool (n, size, size), True = missing.
    """
    import cv2

    low, high = coverage
    if not 0 < low <= high < 1:
        raise ValueError(f"coverage must be (low, high) with 0 < low <= high < 1, got {coverage}.")
    if n < 0:
        raise ValueError(f"n must be at least 0, got {n}.")
    out = np.zeros((n, size, size), dtype=bool)
    for i in range(n):
        rng = np.random.default_rng([seed, i])
        target = rng.uniform(low, high)
        for _attempt in range(50):
            canvas = np.zeros((size, size), np.uint8)
            while canvas.mean() < target:
                if rectangles and rng.random() < 0.2:
                    h, w = rng.integers(size // 8, size // 2, size=2)
                    top, left = rng.integers(0, size - h), rng.integers(0, size - w)
                    canvas[top:top + h, left:left + w] = 1
                    continue
                point = rng.uniform(0, size, 2)
                width = int(rng.integers(1, max(2, size // 8) + 1))
                for _ in range(int(rng.integers(1, 5))):
                    angle, length = rng.uniform(0, 2 * np.pi), rng.uniform(size / 8, size / 2)
                    end = np.clip(point + length * np.array([np.cos(angle), np.sin(angle)]), 0, size - 1)
                    cv2.line(canvas, tuple(int(v) for v in point), tuple(int(v) for v in end), 1, width)
                    point = end
            if canvas.mean() <= high:
                break
        else:  # strokes kept overshooting: trim the last rows of holes until inside the range
            while canvas.mean() > high:
                rows = np.flatnonzero(canvas.any(axis=1))
                canvas[rows[-1]] = 0
        out[i] = canvas.astype(bool)
    return out


def center_masks(n: int = 1, hole: Hole = CENTER_HOLE, size: int = IMAGE_SIZE) -> np.ndarray:
    """The paper's square as free-form masks: one special case of a mask."""
    return np.repeat(hole_mask(hole, size)[None], n, axis=0)


def apply_masks(images, masks, scale: str = "unit", fill: float | None = None) -> np.ndarray:
    """Images (on ``scale``) with the masked pixels overwritten, like :func:`cut_hole`."""
    images = check_images(images, scale)
    masks = check_masks(masks, len(images), images.shape[1:3])
    out = images.copy()
    value = hole_fill_value(scale) if fill is None else fill
    out[np.broadcast_to(masks, images.shape[:3])] = value
    return out


def composite(images, filled, masks) -> np.ndarray:
    """Known pixels from ``images``, missing ones from ``filled``: a fill never changes
    what was there."""
    images, filled = np.asarray(images), np.asarray(filled)
    masks = check_masks(masks, len(images), images.shape[1:3])
    return np.where(masks[..., None], filled, images)


def known_mask(missing) -> np.ndarray:
    """Holes (True = missing), shape (N, H, W), as the partial-convolution U-Net's mask: 1 =
    known, float32, shape (N, H, W, 1)."""
    return (~np.asarray(missing, bool))[..., None].astype(np.float32)


def unet_inputs(images, known):
    """The partial-convolution U-Net's two inputs: the images with the missing pixels zeroed,
    so nothing of the truth reaches the model, and the mask (1 = known, (N, H, W, 1)). The one
    place this rule is written: training steps (on backend tensors) and fills (on NumPy
    arrays) both call it."""
    return [images * known, known]
