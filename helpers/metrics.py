"""How good is a fill? Error, similarity and sharpness, all on the unit scale [0, 1].

Why one module: the paper's two models work on different scales (the autoencoder on
[0, 1], the GAN on [-1, 1]) and quote "errors" without saying which. Every number here is
computed on [0, 1], so rows of one table can be compared. Convert uint8 images with
``helpers.holes.to_scale(x, "unit")`` and GAN outputs with ``helpers.holes.to_unit(x, "signed")``.

What each metric tells you
--------------------------
- :func:`hole_mse`, :func:`hole_l1`: the mean per-pixel error inside the hole, what the
  models are trained to minimise (MSE) or its more outlier-tolerant cousin (L1).
- :func:`hole_psnr`, :func:`image_psnr`: the same error on a log scale (dB, higher is
  better), averaged per image, the way image-processing papers report it.
- :func:`image_ssim`: structural similarity of the whole pasted image, closer to what a
  person notices (edges, contrast) than a per-pixel error.
- :func:`sharpness`, :func:`sharpness_ratio`: how much detail a fill has. A model trained
  only on MSE learns to predict the average of all plausible fills, which is blurry: it
  can win on MSE and still look worse. The ratio makes that visible (1.0 is as sharp as
  the truth, lower is blurrier).

All functions take batches ``(N, height, width, 3)`` and are vectorised over the batch
(except SSIM, which loops over images with scikit-image). Each has a ``per_image=True``
option that returns one value per image, shape ``(N,)``, instead of the mean.
"""

from __future__ import annotations

import numpy as np

from .holes import CENTER_HOLE, Hole, check_images, check_masks, paste_patch

MSE_FLOOR = 1e-10
"""PSNR clamps an image's MSE to at least this, so a perfect fill scores 100 dB, not infinity."""

SSIM_WINDOW = 7
"""scikit-image's default SSIM window (7x7); images must be at least this large."""


# --------------------------------------------------------------------------- checks


def _as_unit(x, name: str) -> np.ndarray:
    """A batch of float images on [0, 1] as float64, or a clear error saying what is wrong."""
    x = np.asarray(x)
    if x.dtype == np.uint8:
        raise TypeError(
            f"{name} is uint8 (0..255), but metrics are computed on floats in [0, 1]. "
            f"Convert first with helpers.holes.to_scale({name}, 'unit')."
        )
    x = check_images(x, "unit", name)
    if x.shape[0] == 0:
        raise ValueError(f"{name} is an empty batch (shape {x.shape}): there is nothing to score.")
    return x.astype(np.float64, copy=False)


def _check_pair(pred, true, pred_name: str, true_name: str) -> tuple[np.ndarray, np.ndarray]:
    pred = _as_unit(pred, pred_name)
    true = _as_unit(true, true_name)
    if pred.shape != true.shape:
        raise ValueError(
            f"{pred_name} has shape {pred.shape} but {true_name} has shape {true.shape}: "
            f"they must match (same number of images, same height, width and channels)."
        )
    return pred, true


def _reduce(values: np.ndarray, per_image: bool):
    """Per-image values (N,) -> themselves, or their mean as a Python float."""
    return values if per_image else float(np.mean(values))


# --------------------------------------------------------------------------- errors


def hole_mse(pred_patch, true_patch, per_image: bool = False):
    """Mean squared error over every hole pixel and channel (unit scale).

    Why: it is the training loss of both of the paper's models, so it is the number their
    "error converged to 0.009" can be compared with (once on the same scale). With
    ``per_image=False`` the mean is over all pixels of all images (which equals the mean of
    the per-image values, since every patch has the same size).
    """
    pred, true = _check_pair(pred_patch, true_patch, "pred_patch", "true_patch")
    return _reduce(np.mean((pred - true) ** 2, axis=(1, 2, 3)), per_image)


def hole_l1(pred_patch, true_patch, per_image: bool = False):
    """Mean absolute error over every hole pixel and channel (unit scale).

    Why: L1 punishes a few very wrong pixels less than MSE does, so it is a second opinion
    on whether a method is wrong everywhere a little or somewhere a lot.
    """
    pred, true = _check_pair(pred_patch, true_patch, "pred_patch", "true_patch")
    return _reduce(np.mean(np.abs(pred - true), axis=(1, 2, 3)), per_image)


def _psnr(pred: np.ndarray, true: np.ndarray) -> np.ndarray:
    mse = np.mean((pred - true) ** 2, axis=(1, 2, 3))
    return 10.0 * np.log10(1.0 / np.maximum(mse, MSE_FLOOR))


def hole_psnr(pred_patch, true_patch, per_image: bool = False):
    """Peak signal-to-noise ratio of the hole, in dB (data range 1, higher is better).

    Why: PSNR is how image-restoration papers report error; it is the per-pixel MSE on a
    log scale, so a halving of the MSE is always +3 dB. Defined per image as
    ``10 * log10(1 / MSE_i)`` and then averaged over images (the mean of per-image PSNRs,
    not the PSNR of the mean MSE; the two differ because log is not linear). An MSE of 0
    (a perfect fill) is clamped to :data:`MSE_FLOOR` = 1e-10, i.e. 100 dB, so means stay finite.
    """
    pred, true = _check_pair(pred_patch, true_patch, "pred_patch", "true_patch")
    return _reduce(_psnr(pred, true), per_image)


def image_psnr(pred_images, true_images, per_image: bool = False):
    """PSNR of whole images, in dB: same definition as :func:`hole_psnr` on the full image.

    Why: some papers report PSNR of the completed image rather than of the hole. Outside
    the hole a pasted prediction equals the truth, so this is the hole PSNR plus
    ``10 * log10(image area / hole area)`` (+6.02 dB for the paper's 16x16 hole in 32x32):
    a "better-looking" number that says the same. Quote which one you use.
    """
    pred, true = _check_pair(pred_images, true_images, "pred_images", "true_images")
    return _reduce(_psnr(pred, true), per_image)


def image_ssim(pred_images, true_images, per_image: bool = False):
    """Mean structural similarity (SSIM) of whole images, between -1 and 1 (1 is identical).

    Why: SSIM compares local means, contrasts and correlations in 7x7 windows, so it
    rewards fills whose edges and texture line up with the surroundings, closer to what a
    viewer notices than a per-pixel error. Computed with
    ``skimage.metrics.structural_similarity(data_range=1.0, channel_axis=-1)`` (default 7x7
    uniform window) on each image, then averaged over images.
    """
    from skimage.metrics import structural_similarity

    pred, true = _check_pair(pred_images, true_images, "pred_images", "true_images")
    if min(pred.shape[1:3]) < SSIM_WINDOW:
        raise ValueError(
            f"SSIM needs images of at least {SSIM_WINDOW}x{SSIM_WINDOW} pixels (its window); "
            f"got {pred.shape[1]}x{pred.shape[2]}."
        )
    values = np.array([
        structural_similarity(p, t, data_range=1.0, channel_axis=-1)
        for p, t in zip(pred, true)
    ])
    return _reduce(values, per_image)


# --------------------------------------------------------------------------- sharpness


def sharpness(patches, per_image: bool = False):
    """Mean gradient magnitude of patches (unit scale per pixel): how much detail they have.

    Why: blur is what an MSE-trained model gets wrong and MSE does not show. Computed
    with finite differences inside the patch only (the surrounding image does not count):
    ``gx`` = difference along columns, ``gy`` = difference along rows, both cropped to the
    common ``(h-1, w-1)`` grid, magnitude ``sqrt(gx**2 + gy**2)``, averaged over pixels and
    channels. A constant patch has sharpness 0; a horizontal ramp that rises by ``s`` per
    column has sharpness ``s``.
    """
    x = _as_unit(patches, "patches")
    if x.shape[1] < 2 or x.shape[2] < 2:
        raise ValueError(
            f"sharpness needs patches of at least 2x2 pixels to take differences; "
            f"got {x.shape[1]}x{x.shape[2]}."
        )
    gx = np.diff(x, axis=2)[:, :-1, :, :]
    gy = np.diff(x, axis=1)[:, :, :-1, :]
    return _reduce(np.mean(np.sqrt(gx ** 2 + gy ** 2), axis=(1, 2, 3)), per_image)


def sharpness_ratio(pred_patch, true_patch) -> float:
    """Mean sharpness of the predictions divided by mean sharpness of the truth.

    Why: a single number for "how blurry": 1.0 is as sharp as the real patches, 0.5 has
    half their detail, above 1 is noisier than the truth. It is the ratio of the two means
    over all images (not the mean of per-image ratios, which flat true patches would blow
    up). If the truth has no detail at all (sharpness 0), the ratio is 1.0 when the
    predictions are flat too and ``inf`` otherwise.
    """
    pred, true = _check_pair(pred_patch, true_patch, "pred_patch", "true_patch")
    pred_sharp = sharpness(pred)
    true_sharp = sharpness(true)
    if true_sharp == 0.0:
        return 1.0 if pred_sharp == 0.0 else float("inf")
    return float(pred_sharp / true_sharp)


# --------------------------------------------------------------------------- everything


METRIC_NAMES = ("hole_mse", "hole_l1", "hole_psnr", "image_psnr", "ssim", "sharpness_ratio")
"""The keys of the dictionary that :func:`score` returns."""


def score(pred_patch, true_images, hole: Hole = CENTER_HOLE) -> dict[str, float]:
    """All metrics at once, from predicted patches and the true full images (unit scale).

    Why: one call, one definition, so every table in the course is computed the same way.
    The predicted patch is pasted into a copy of the truth (:func:`helpers.holes.paste_patch`)
    to make the full predicted image for the image-level metrics. Returns a dict with keys
    :data:`METRIC_NAMES`: ``hole_mse``, ``hole_l1``, ``hole_psnr`` (dB), ``image_psnr`` (dB),
    ``ssim`` (full image) and ``sharpness_ratio``, each a Python float.
    """
    true_images = _as_unit(true_images, "true_images")
    hole.check_fits(true_images.shape[1], true_images.shape[2])
    true_patch = true_images[:, hole.rows, hole.cols, :]
    pred_patch = _as_unit(pred_patch, "pred_patch")
    if pred_patch.shape != true_patch.shape:
        raise ValueError(
            f"pred_patch has shape {pred_patch.shape} but {hole} in true_images of shape "
            f"{true_images.shape} needs patches of shape {true_patch.shape}."
        )
    pred_images = paste_patch(true_images, pred_patch, hole)
    return {
        "hole_mse": hole_mse(pred_patch, true_patch),
        "hole_l1": hole_l1(pred_patch, true_patch),
        "hole_psnr": hole_psnr(pred_patch, true_patch),
        "image_psnr": image_psnr(pred_images, true_images),
        "ssim": image_ssim(pred_images, true_images),
        "sharpness_ratio": sharpness_ratio(pred_patch, true_patch),
    }


# --------------------------------------------------------------------------- any mask


def _masked_errors(pred_images, true_images, masks, power: int):
    pred, true = _check_pair(pred_images, true_images, "pred_images", "true_images")
    masks = np.broadcast_to(check_masks(masks, len(pred), pred.shape[1:3]), pred.shape[:3])
    counts = masks.sum(axis=(1, 2)) * pred.shape[3]
    if np.any(counts == 0):
        raise ValueError("A mask has no missing pixels: there is no hole to score.")
    diff = np.abs(pred - true) ** power
    return np.sum(diff * masks[..., None], axis=(1, 2, 3)) / counts


def mask_mse(pred_images, true_images, masks, per_image: bool = False):
    """:func:`hole_mse` for any hole: the mean squared error over the missing pixels
    (``masks`` True) of whole images, unit scale. For the paper's square it equals
    ``hole_mse`` of the patches."""
    return _reduce(_masked_errors(pred_images, true_images, masks, 2), per_image)


def mask_l1(pred_images, true_images, masks, per_image: bool = False):
    """:func:`hole_l1` for any hole (mean absolute error over the missing pixels)."""
    return _reduce(_masked_errors(pred_images, true_images, masks, 1), per_image)


def mask_psnr(pred_images, true_images, masks, per_image: bool = False):
    """:func:`hole_psnr` for any hole: per-image PSNR of the missing pixels, in dB."""
    mse = _masked_errors(pred_images, true_images, masks, 2)
    return _reduce(10.0 * np.log10(1.0 / np.maximum(mse, MSE_FLOOR)), per_image)
