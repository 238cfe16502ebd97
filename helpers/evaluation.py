"""Score classical fills and trained models on the same test images: one table, one scale.

Why: the paper shows three pictures per model and a training loss; it never compares its
models with each other or with a classical fill on the same images and the same scale.
This does, for every method behind the :class:`~helpers.inpainters.Inpainter` interface::

    from helpers.classical import classical_fills
    from helpers.evaluation import evaluate, format_table
    rows = evaluate(classical_fills(data.x_train), data.x_test[:1000])
    print(format_table(rows))

The same from a shell: ``python -m helpers.cli.evaluate --test-size 1000``.
Importing this module does not import Keras.
"""

from __future__ import annotations

import math
import time

import numpy as np
from tqdm.auto import tqdm

from .holes import CENTER_HOLE, Hole, check_images, check_masks, to_scale
from .inpainters import Inpainter
from .metrics import hole_mse, hole_psnr, mask_l1, mask_mse, mask_psnr, score, sharpness

# The free-form test holes of the report and of ``--free-form``: one seeded mask per test image.
FREE_FORM = dict(coverage=(0.1, 0.4), seed=2024)
FREE_FORM_TABLE_COLUMNS = (("method", "method", "{}"), ("hole MSE", "hole_mse", "{:.4f}"),
                           ("hole L1", "hole_l1", "{:.4f}"), ("hole PSNR (dB)", "hole_psnr", "{:.2f}"),
                           ("ms / image", "ms_per_image", "{:.2f}"))

SCALE_LABEL = "unit [0,1]"

TABLE_COLUMNS = (
    # (header, row key, format)
    ("method", "method", "{}"),
    ("hole MSE", "hole_mse", "{:.4f}"),
    ("hole PSNR (dB)", "hole_psnr", "{:.2f}"),
    ("SSIM", "ssim", "{:.3f}"),
    ("sharpness ratio", "sharpness_ratio", "{:.2f}"),
    ("ms / image", "ms_per_image", "{:.2f}"),
)


def evaluate(inpainters: dict[str, Inpainter], test_images_uint8, hole: Hole = CENTER_HOLE,
             batch_size: int = 256, progress: bool = True, warmup: bool = True,
             return_fills: bool = False):
    """Fill ``hole`` in every test image with every inpainter and score the fills.

    ``inpainters`` maps a short id to an :class:`~helpers.inpainters.Inpainter`;
    ``test_images_uint8`` is (N, H, W, 3) uint8 (floats on [0, 1] are accepted too).
    Each method's time is measured with ``time.perf_counter`` around all its batches
    (filling only, not scoring) and reported as milliseconds per image. With ``warmup``
    each method first fills one batch untimed, so one-off start-up costs (graph tracing,
    compilation, memory allocation in a model's first call) do not count.

    Returns one dict per method, in the order given, with keys ``id``, ``method`` (its
    name), ``hole_mse``, ``hole_l1``, ``hole_psnr``, ``image_psnr``, ``ssim``,
    ``sharpness_ratio`` (see :func:`helpers.metrics.score`; all on the unit scale),
    ``ms_per_image`` and ``n_images``. With ``return_fills`` it returns ``(rows, fills)``,
    ``fills[id]`` being that method's patches (unit scale), for per-image analyses.
    """
    images = np.asarray(test_images_uint8)
    unit = to_scale(images, "unit") if images.dtype == np.uint8 else check_images(images, "unit")
    n = unit.shape[0]
    if n == 0:
        raise ValueError("test_images_uint8 is empty: there is nothing to evaluate.")
    hole.check_fits(unit.shape[1], unit.shape[2])
    if int(batch_size) != batch_size or batch_size < 1:
        raise ValueError(f"batch_size must be a positive integer, got {batch_size!r}.")
    batch_size = int(batch_size)
    for key, inpainter in inpainters.items():
        if not isinstance(inpainter, Inpainter):
            raise TypeError(
                f"inpainters[{key!r}] is a {type(inpainter).__name__}, not a helpers.inpainters.Inpainter."
            )
        if not inpainter.supports(hole):
            raise ValueError(f"{inpainter.name} ({key!r}) cannot fill {hole}; leave it out.")

    rows, fills = [], {}
    for key, inpainter in inpainters.items():
        patches = np.empty((n, hole.height, hole.width, 3), dtype=np.float32)
        if warmup:
            inpainter.fill(unit[:batch_size], hole)
        with tqdm(total=n, desc=inpainter.name, unit="img", disable=not progress,
                  leave=False) as bar:
            start = time.perf_counter()
            for first in range(0, n, batch_size):
                last = min(first + batch_size, n)
                patches[first:last] = inpainter.fill(unit[first:last], hole)
                bar.update(last - first)
            elapsed = time.perf_counter() - start
        row = {"id": key, "method": inpainter.name}
        row.update(score(patches, unit, hole))
        row["ms_per_image"] = 1000.0 * elapsed / n
        row["n_images"] = n
        rows.append(row)
        if return_fills:
            fills[key] = patches
    return (rows, fills) if return_fills else rows


def evaluate_masks(inpainters: dict[str, Inpainter], test_images_uint8, masks,
                   batch_size: int = 256, progress: bool = True) -> list[dict]:
    """:func:`evaluate` for free-form holes: every method fills ``masks`` (True = missing,
    one per image) and is scored on the missing pixels only (unit scale): ``hole_mse``,
    ``hole_l1``, ``hole_psnr`` (mean of per-image PSNRs), ``ms_per_image``,
    ``coverage`` (the mean share of missing pixels) and ``n_images``."""
    images = np.asarray(test_images_uint8)
    unit = to_scale(images, "unit") if images.dtype == np.uint8 else check_images(images, "unit")
    masks = np.broadcast_to(check_masks(masks, len(unit), unit.shape[1:3]), unit.shape[:3])
    rows = []
    for key, inpainter in inpainters.items():
        filled = np.empty_like(unit)
        inpainter.fill_masks(unit[:1], masks[:1])  # warm-up (and a clear error if unsupported)
        start = time.perf_counter()
        for first in tqdm(range(0, len(unit), batch_size), desc=inpainter.name, disable=not progress, leave=False):
            last = first + batch_size
            filled[first:last] = inpainter.fill_masks(unit[first:last], masks[first:last])
        elapsed = time.perf_counter() - start
        rows.append({"id": key, "method": inpainter.name, "hole_mse": mask_mse(filled, unit, masks),
                     "hole_l1": mask_l1(filled, unit, masks), "hole_psnr": mask_psnr(filled, unit, masks),
                     "ms_per_image": 1000.0 * elapsed / len(unit), "coverage": float(masks.mean()),
                     "n_images": int(len(unit))})
    return rows


def format_table(rows: list[dict], columns=TABLE_COLUMNS) -> str:
    """Rows from :func:`evaluate` -> a Markdown table (method, hole MSE, hole PSNR, SSIM,
    sharpness ratio, ms per image; or ``columns``), columns padded so it also reads well in
    a terminal. Missing or non-finite values show as "–"."""
    headers = [h for h, _, _ in columns]
    body = []
    for row in rows:
        cells = []
        for _, key, fmt in columns:
            value = row.get(key)
            if value is None or (isinstance(value, float) and not math.isfinite(value)):
                cells.append("–")
            else:
                cells.append(fmt.format(value))
        body.append(cells)
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h)
              for i, h in enumerate(headers)]

    def line(cells):
        padded = [c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(
        ("-" * (w + 1) + "-") if i == 0 else ("-" * (w + 1) + ":") for i, w in enumerate(widths)
    ) + "|"
    return "\n".join([line(headers), rule, *(line(r) for r in body)])




def evaluate_with_per_image(inpainters: dict, test_images_uint8, hole: Hole = CENTER_HOLE,
                            batch_size: int = 256, progress: bool = False) -> tuple[list[dict], dict, dict]:
    """Fill every test image with every method once, then score: ``(rows, patches, per_image)``.

    ``rows`` are what :func:`evaluate` returns; ``patches[id]`` are the fills (unit scale) and
    ``per_image[id]`` holds each image's ``hole_mse``, ``hole_psnr`` and ``sharpness``, for
    per-class bars and best and worst cases, without filling a second time."""
    rows, patches = evaluate(inpainters, test_images_uint8, hole, batch_size=batch_size,
                             progress=progress, return_fills=True)
    true_patch = to_scale(np.asarray(test_images_uint8), "unit")[:, hole.rows, hole.cols, :]
    per_image = {key: {"hole_mse": hole_mse(out, true_patch, per_image=True),
                       "hole_psnr": hole_psnr(out, true_patch, per_image=True),
                       "sharpness": sharpness(out, per_image=True)}
                 for key, out in patches.items()}
    return rows, patches, per_image


def per_class(values: np.ndarray, labels: np.ndarray, n_classes: int = 10) -> np.ndarray:
    """Mean of per-image ``values`` for each class (NaN for a class with no images)."""
    values, labels = np.asarray(values, dtype=np.float64), np.asarray(labels)
    out = np.full(n_classes, np.nan)
    for c in range(n_classes):
        if np.any(labels == c):
            out[c] = float(np.mean(values[labels == c]))
    return out
