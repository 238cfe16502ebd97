"""What each training iteration sees: a seeded batch of images, mirrored and moved when a
recipe asks for it, and (for the U-Net) its holes.

Iteration ``t`` of a run always gets the same batch, the same flips, moves and holes for the
same seed, so a run resumed from a checkpoint sees exactly the data it would have seen.
"""

from __future__ import annotations

import numpy as np

from .holes import CENTER_HOLE, Hole, check_images, hole_mask


class BatchSampler:
    """Seeded batches of uint8 images, reshuffled each pass without copying the data."""

    def __init__(self, images: np.ndarray, batch_size: int, seed: int = 0):
        self.images = check_images(images, None, "training images")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
        if len(self.images) < batch_size:
            raise ValueError(f"batch_size {batch_size} is larger than the {len(self.images)} "
                             f"training images; use a smaller batch or more images.")
        self.batch_size, self.seed = batch_size, seed
        self.per_pass = len(self.images) // batch_size  # the remainder of each pass is dropped
        self._pass, self._order = None, None

    def indices(self, iteration: int) -> np.ndarray:
        pass_index, position = divmod(iteration, self.per_pass)
        if pass_index != self._pass:
            rng = np.random.default_rng([self.seed, pass_index])
            self._pass, self._order = pass_index, rng.permutation(len(self.images))
        start = position * self.batch_size
        return self._order[start:start + self.batch_size]

    def batch(self, iteration: int) -> np.ndarray:
        return self.images[self.indices(iteration)]


# --------------------------------------------------------------------------- flips and moves


def mirror_half(images: np.ndarray, seed: int, iteration: int) -> np.ndarray:
    """Each image flipped left-right with probability 1/2 (the centre hole stays where it is)."""
    flip = np.random.default_rng([seed, iteration, 7]).random(len(images)) < 0.5
    out = images.copy()
    out[flip] = out[flip, :, ::-1]
    return out


def shift_images(images: np.ndarray, seed: int, iteration: int, max_shift: int) -> np.ndarray:
    """Each image moved by up to ``max_shift`` pixels along each axis, its edges mirrored in.
    The hole stays in the centre, so the model sees new contexts and new patches to paint:
    the translations of the usual CIFAR-10 recipe."""
    if max_shift == 0:
        return images
    n, h, w = images.shape[:3]
    rng = np.random.default_rng([seed, iteration, 11])
    dy, dx = rng.integers(-max_shift, max_shift + 1, (2, n))
    padded = np.pad(images, ((0, 0), (max_shift, max_shift), (max_shift, max_shift), (0, 0)), mode="reflect")
    rows = np.arange(h)[None, :] + max_shift + dy[:, None]
    cols = np.arange(w)[None, :] + max_shift + dx[:, None]
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def augment(images: np.ndarray, seed: int, iteration: int, flip: bool, shift: int) -> np.ndarray:
    """The training images of (seed, iteration) mirrored (``flip``) and moved (``shift``);
    unchanged when both are off."""
    if flip:
        images = mirror_half(images, seed, iteration)
    return shift_images(images, seed, iteration, shift)


# --------------------------------------------------------------------------- holes of any shape


def free_form_holes(bank: np.ndarray, seed: int, iteration: int, n: int, center_fraction: float,
                    hole: Hole = CENTER_HOLE) -> np.ndarray:
    """The holes (True = missing) of iteration ``iteration``'s ``n`` images: masks drawn from
    ``bank`` (:func:`helpers.holes.random_masks`), each turned or mirrored at random (8 ways),
    so drawing masks never slows training; with probability ``center_fraction`` the paper's
    square instead."""
    rng = np.random.default_rng([seed, iteration, 13])
    masks = bank[rng.integers(0, len(bank), n)]
    turns, mirror = rng.integers(0, 4, n), rng.random(n) < 0.5
    masks = np.stack([np.rot90(m[:, ::-1] if f else m, k) for m, k, f in zip(masks, turns, mirror)])
    center = rng.random(n) < center_fraction
    masks[center] = hole_mask(hole, masks.shape[1])
    return masks
