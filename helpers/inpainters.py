"""One interface for everything that paints a hole: classical fills and trained models.

Every method in the course, from OpenCV's Telea to the GAN, is an :class:`Inpainter`, so
one evaluation loop, one table and one widget serve them all. Trained models take their
place through :class:`ModelInpainter` (the paper's autoencoder and generator) and
:class:`PConvInpainter` (the partial-convolution U-Net, for holes of any shape).

Importing this module does not import Keras: a model's output is read with ``np.asarray``.
"""

from __future__ import annotations

import numpy as np

from .holes import (CENTER_HOLE, IMAGE_SIZE, Hole, apply_masks, check_images, check_masks, composite,
                    SCALES, convert_scale, cut_hole, hole_mask, known_mask, paste_patch, to_scale,
                    unet_inputs)

class Inpainter:
    """Anything that paints a hole: a classical fill or a trained model.

    Subclasses implement :meth:`predict_patch`, which receives the holed images on the
    unit scale (the hole already overwritten, so the truth cannot leak in) and returns
    the patch on the unit scale. :meth:`fill` and :meth:`inpaint` are what callers use.
    """

    name = "inpainter"

    def predict_patch(self, holed: np.ndarray, hole: Hole) -> np.ndarray:
        raise NotImplementedError

    def supports(self, hole: Hole) -> bool:
        """Whether this method can fill ``hole`` (the paper's models only know the centre)."""
        return True

    def fill(self, images, hole: Hole = CENTER_HOLE) -> np.ndarray:
        """Images on [0, 1] (or uint8) -> the predicted patches on [0, 1], float32."""
        images = np.asarray(images)
        images = to_scale(images, "unit") if images.dtype == np.uint8 else check_images(images, "unit")
        if not self.supports(hole):
            raise ValueError(
                f"{self.name} cannot fill {hole}: it was trained for {CENTER_HOLE} only. "
                f"Use a classical fill for other holes."
            )
        holed, _ = cut_hole(images, hole, "unit")
        patch = np.asarray(self.predict_patch(holed, hole), dtype=np.float32)
        expected = (images.shape[0], hole.height, hole.width, 3)
        if patch.shape != expected:
            raise ValueError(f"{self.name} returned patches of shape {patch.shape}, expected {expected}.")
        return np.clip(patch, 0.0, 1.0)

    def predict_masked(self, holed: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Free-form holes: holed images and their masks (True = missing) -> whole images
        on [0, 1]. Methods that know only the paper's square do not implement it."""
        raise ValueError(f"{self.name} fills only the paper's centre square, not free-form holes. "
                         f"Use a classical fill or the partial-convolution U-Net for those.")

    def fill_masks(self, images, masks) -> np.ndarray:
        """Images (uint8 or [0, 1]) with holes ``masks`` ((N, H, W) or one (H, W) mask, True =
        missing) -> the filled images on [0, 1], float32; the known pixels are unchanged."""
        images = np.asarray(images)
        unit = to_scale(images, "unit") if images.dtype == np.uint8 else check_images(images, "unit")
        masks = np.array(np.broadcast_to(check_masks(masks, len(unit), unit.shape[1:3]), unit.shape[:3]))
        holed = apply_masks(unit, masks)
        out = np.asarray(self.predict_masked(holed, masks), dtype=np.float32)
        if out.shape != unit.shape:
            raise ValueError(f"{self.name} returned images of shape {out.shape}, expected {unit.shape}.")
        return composite(unit, np.clip(out, 0.0, 1.0), masks).astype(np.float32)

    def inpaint(self, images, hole: Hole = CENTER_HOLE) -> np.ndarray:
        """Images -> the same images with the hole painted by this method (unit scale)."""
        images = np.asarray(images)
        unit = to_scale(images, "unit") if images.dtype == np.uint8 else check_images(images, "unit")
        return paste_patch(unit, self.fill(unit, hole), hole)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}>"


def mirrored(hole: Hole, image_width: int = IMAGE_SIZE) -> Hole:
    """``hole`` in the left-right mirror image (the centre square is its own mirror)."""
    return Hole(hole.top, image_width - hole.left - hole.width, hole.height, hole.width)


class MirrorAveraged(Inpainter):
    """A method's fill averaged with its fill of the mirror image (mirrored back).

    Not in the paper: test-time augmentation, a named improvement measured beside the
    paper's models. Why it helps a model trained with a per-pixel error: a left-right mirror
    is as likely a photo as the original, the model's errors on the two differ in part, and
    the mean of two guesses has a lower expected squared error than either. It costs two
    passes, and, like every average, it blurs a little: use it for error, not for a GAN's
    sharpness.
    """

    def __init__(self, inpainter: Inpainter, name: str | None = None):
        self.inpainter = inpainter
        self.name = name or f"{inpainter.name}, mirror-averaged"

    def supports(self, hole: Hole) -> bool:
        return self.inpainter.supports(hole) and self.inpainter.supports(mirrored(hole))

    def predict_patch(self, holed: np.ndarray, hole: Hole) -> np.ndarray:
        mirror = np.ascontiguousarray(holed[:, :, ::-1])
        plain = np.asarray(self.inpainter.predict_patch(holed, hole), np.float32)
        flipped = np.asarray(self.inpainter.predict_patch(mirror, mirrored(hole, holed.shape[2])),
                             np.float32)[:, :, ::-1]
        return (plain + flipped) / 2

    def predict_masked(self, holed: np.ndarray, masks: np.ndarray) -> np.ndarray:
        plain = np.asarray(self.inpainter.predict_masked(holed, masks), np.float32)
        flipped = self.inpainter.predict_masked(np.ascontiguousarray(holed[:, :, ::-1]),
                                                np.ascontiguousarray(masks[:, :, ::-1]))
        return (plain + np.asarray(flipped, np.float32)[:, :, ::-1]) / 2


class ModelInpainter(Inpainter):
    """A trained model of the paper's square (the autoencoder, or the GAN's generator) behind
    the same interface as the classical fills. ``scale``: the values it works on, "unit"
    ([0, 1], the autoencoder) or "signed" ([-1, 1], the generator); its kind in
    :mod:`helpers.registry` says which (a trainer's ``inpainter()`` passes it)."""

    def __init__(self, model, scale: str, name: str | None = None, batch_size: int = 512):
        if scale not in SCALES:
            raise ValueError(f"scale must be one of {', '.join(SCALES)}, got {scale!r}.")
        self.model = model
        self.scale = scale
        self.name = name or model.name
        self.batch_size = batch_size

    def supports(self, hole: Hole) -> bool:
        return hole == CENTER_HOLE

    def predict_masked(self, holed: np.ndarray, masks: np.ndarray) -> np.ndarray:
        """Free-form masks, where every mask is the paper's square (else the base error)."""
        if not np.all(masks == hole_mask(CENTER_HOLE, holed.shape[1])):
            return super().predict_masked(holed, masks)
        out = holed.copy()
        out[:, CENTER_HOLE.rows, CENTER_HOLE.cols, :] = self.predict_patch(holed, CENTER_HOLE)
        return out

    def predict_patch(self, holed: np.ndarray, hole: Hole) -> np.ndarray:
        x = convert_scale(holed, "unit", self.scale).astype(np.float32)
        out = [np.asarray(self.model(x[i:i + self.batch_size], training=False))
               for i in range(0, len(x), self.batch_size)]
        patch = np.concatenate(out) if out else np.zeros((0, *hole.shape, 3), np.float32)
        return convert_scale(patch, self.scale, "unit")


class PConvInpainter(Inpainter):
    """The partial-convolution U-Net behind the interface: :meth:`fill` for the paper's
    square (patches, like every method) and :meth:`fill_masks` for any hole."""

    def __init__(self, model, name: str = "partial-conv U-Net", batch_size: int = 500):
        self.model, self.name, self.batch_size = model, name, batch_size

    def predict_images(self, images_unit: np.ndarray, missing: np.ndarray) -> np.ndarray:
        outs = []
        for i in range(0, len(images_unit), self.batch_size):
            inputs = unet_inputs(images_unit[i:i + self.batch_size], known_mask(missing[i:i + self.batch_size]))
            outs.append(np.asarray(self.model(inputs, training=False)))
        return np.concatenate(outs) if outs else np.zeros_like(images_unit)

    def predict_masked(self, holed: np.ndarray, masks: np.ndarray) -> np.ndarray:
        return self.predict_images(holed, masks)

    def predict_patch(self, holed: np.ndarray, hole: Hole) -> np.ndarray:
        missing = np.broadcast_to(hole_mask(hole, holed.shape[1])[None], holed.shape[:3])
        pred = self.predict_images(holed, np.asarray(missing))
        return pred[:, hole.rows, hole.cols, :]
