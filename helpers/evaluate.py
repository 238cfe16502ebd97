"""Score classical fills and saved models on the CIFAR-10 test set: one table, one scale.

Why: the paper shows three pictures per model and a training loss; it never compares
its models with each other or with a classical fill on the same images and the same
scale. This does, for every method behind the :class:`helpers.masks.Inpainter` interface.

From a notebook::

    from helpers.classical import classical_fills
    from helpers.evaluate import evaluate, format_table
    rows = evaluate(classical_fills(data.x_train), data.x_test[:1000])
    print(format_table(rows))

From a shell::

    python -m helpers.evaluate --test-size 1000
    python -m helpers.evaluate --methods telea --model runs/autoencoder.keras --json results.json

Importing this module does not import Keras; the command line imports the data loader
and the model loader only when it runs.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from pathlib import Path

import numpy as np

from helpers.classical import CLASSICAL_IDS, classical_fills
from helpers.masks import CENTER_HOLE, Hole, Inpainter, MirrorAveraged, check_images, to_scale
from helpers.metrics import score

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

    ``inpainters`` maps a short id to an :class:`~helpers.masks.Inpainter`;
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
    from tqdm.auto import tqdm

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
                f"inpainters[{key!r}] is a {type(inpainter).__name__}, not a helpers.masks.Inpainter."
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
    from tqdm.auto import tqdm

    from helpers.masks import check_masks
    from helpers.metrics import mask_l1, mask_mse, mask_psnr

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


# --------------------------------------------------------------------------- command line


def _parse_methods(text: str) -> list[str]:
    if text.strip().lower() in ("", "none"):
        return []
    methods = [m.strip().lower() for m in text.split(",") if m.strip()]
    unknown = [m for m in methods if m not in CLASSICAL_IDS]
    if unknown:
        raise argparse.ArgumentTypeError(
            f"unknown method(s) {unknown}: choose from {','.join(CLASSICAL_IDS)} (or 'none')"
        )
    return list(dict.fromkeys(methods))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.evaluate",
        description=(
            "Score classical fills and saved models on the CIFAR-10 test set (16x16 centre "
            "hole) and print one table. All metrics are on the unit scale [0, 1]."
        ),
        epilog=(
            "Example: python -m helpers.evaluate --test-size 1000 --methods telea,mean "
            "--model runs/autoencoder.keras --json results.json"
        ),
    )
    parser.add_argument(
        "--data", metavar="PATH", default=None,
        help="CIFAR-10 to load: a .tar.gz or folder of the JPEG export, or a cache the loader "
             "understands. Default: the loader's own search (see helpers.data; it honours "
             "$INPAINTING_DATA).",
    )
    parser.add_argument(
        "--test-size", metavar="N", type=_positive_int, default=None,
        help="Score only N test images (a random subset chosen with --seed). Default: all 10,000.",
    )
    parser.add_argument(
        "--methods", metavar="LIST", type=_parse_methods, default=list(CLASSICAL_IDS),
        help="Comma-separated classical fills to score, from: " + ",".join(CLASSICAL_IDS)
             + " (default: all four; 'none' for models only). 'mean' paints the training "
               "set's mean colour; biharmonic is the slowest (about 3 ms per image).",
    )
    parser.add_argument(
        "--model", metavar="PATH", action="append", default=[],
        help="A saved model file to score as well (repeat the option for several models).",
    )
    parser.add_argument(
        "--checkpoint", metavar="PATH", action="append", default=[],
        help="A training run's checkpoint.npz or best.npz (python -m helpers.train) to score "
             "as well: the state with the lowest validation error is best.npz (repeatable).",
    )
    parser.add_argument(
        "--pretrained", metavar="NAME", action="append", default=[],
        help="The project's published weights NAME (python -m helpers.pretrained list) to "
             "score as well (repeatable).",
    )
    parser.add_argument(
        "--mirror-average", action="store_true",
        help="Also score every model (--model, --checkpoint, --pretrained) averaged with its "
             "fill of the mirrored image: test-time augmentation, not in the paper; two passes.",
    )
    parser.add_argument(
        "--free-form", action="store_true",
        help="Also score every method that fills holes of any shape (the classical fills, the "
             "partial-convolution U-Net) on the report's free-form holes: one seeded random "
             "mask per test image, 10-40%% of its pixels, scored on the missing pixels.",
    )
    parser.add_argument(
        "--free-form-seed", type=int, default=None, metavar="SEED",
        help=f"--free-form with other holes: the masks' seed (default {FREE_FORM['seed']}, the "
             "report's), to see whether a comparison holds beyond one draw of masks; implies --free-form.",
    )
    parser.add_argument(
        "--seed", type=int, default=0,
        help="Seed for choosing the --test-size subset (default 0), so runs are comparable.",
    )
    parser.add_argument(
        "--batch-size", metavar="N", type=_positive_int, default=256,
        help="Images per call to a method (default 256); lower it if a model runs out of memory.",
    )
    parser.add_argument(
        "--json", metavar="PATH", default=None,
        help="Also write the results (all metrics, hole L1 and image PSNR included, number of "
             "images, data source, scale) to this JSON file.",
    )
    parser.add_argument(
        "--no-progress", action="store_true", help="Do not show progress bars.",
    )
    return parser


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not (args.methods or args.model or args.checkpoint or args.pretrained):
        parser.error("nothing to evaluate: give at least one of --methods, --model, "
                     "--checkpoint or --pretrained")
    if args.mirror_average and not (args.model or args.checkpoint or args.pretrained):
        parser.error("--mirror-average needs a model: give --model, --checkpoint or --pretrained")

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide TensorFlow's start-up chatter
    from helpers.data import DataNotFoundError, load_cifar10

    try:
        data = load_cifar10(args.data, test_size=args.test_size, seed=args.seed,
                            progress=not args.no_progress)
    except (DataNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    inpainters: dict[str, Inpainter] = {}
    if args.methods:
        train = data.x_train if "mean" in args.methods else None
        inpainters.update(classical_fills(train, methods=args.methods))
    if args.model:
        from helpers.models import ModelLoadError, load_inpainter

        for path in args.model:
            key = stem = Path(path).stem
            copy = 1
            while key in inpainters:
                copy += 1
                key = f"{stem}-{copy}"
            try:
                inpainters[key] = load_inpainter(path)
            except ModelLoadError as err:
                print(f"error: {err}", file=sys.stderr)
                return 2
    for number, path in enumerate(args.checkpoint):
        from helpers.pretrained import checkpoint_inpainter
        from helpers.training import CheckpointError

        try:
            inpainters[f"checkpoint-{number}"] = checkpoint_inpainter(path)
        except (CheckpointError, OSError) as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    for name in args.pretrained:
        from helpers.pretrained import PretrainedError, pretrained_inpainter

        try:
            inpainters[f"pretrained-{name}"] = pretrained_inpainter(name)
        except PretrainedError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    if args.mirror_average:
        for key in [key for key in inpainters if key not in CLASSICAL_IDS]:
            inpainters[f"{key}-mirror"] = MirrorAveraged(inpainters[key])

    hole = CENTER_HOLE
    x_test = data.x_test
    rows = evaluate(inpainters, x_test, hole=hole, batch_size=args.batch_size,
                    progress=not args.no_progress)
    print(f"Data: {data.source}, {len(x_test):,} test images")
    print(f"Scale: {SCALE_LABEL}; hole: {hole.height}x{hole.width} at row {hole.top}, "
          f"column {hole.left}")
    print()
    print(format_table(rows))
    mask_seed = FREE_FORM["seed"] if args.free_form_seed is None else args.free_form_seed
    wants_free_form = args.free_form or args.free_form_seed is not None
    free_form = _free_form_rows(inpainters, x_test, args, mask_seed) if wants_free_form else None

    if args.json:
        result = {
            "data_source": data.source,
            "scale": SCALE_LABEL,
            "n_images": int(len(x_test)),
            "seed": args.seed,
            "hole": {"top": hole.top, "left": hole.left, "height": hole.height,
                     "width": hole.width},
            "results": rows,
        }
        if free_form is not None:
            result["free_form"] = {"coverage": list(FREE_FORM["coverage"]), "seed": mask_seed,
                                   "results": free_form}
        path = Path(args.json)
        if path.parent and not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"\nWrote {path}")
    return 0


def _free_form_rows(inpainters: dict[str, Inpainter], x_test, args, seed: int) -> list[dict]:
    """``--free-form``: the table for the methods that fill any hole; the others say why not."""
    from helpers.masks import random_masks

    masks = random_masks(len(x_test), FREE_FORM["coverage"], seed=seed)
    rows = []
    for key, inpainter in inpainters.items():
        try:
            rows += evaluate_masks({key: inpainter}, x_test, masks, batch_size=args.batch_size,
                                   progress=not args.no_progress)
        except ValueError as err:  # a model of the paper's square only: its own message
            print(f"\nFree-form holes: {inpainter.name} is left out: {err}")
    print(f"\nFree-form holes (helpers.masks.random_masks, seed {seed}, "
          f"{masks.mean():.0%} of the pixels missing on average), scored on the missing pixels:\n")
    print(format_table(rows, FREE_FORM_TABLE_COLUMNS) if rows else "(no method here fills free-form holes)")
    return rows


if __name__ == "__main__":
    sys.exit(main())
