"""Score classical fills and trained models on the CIFAR-10 test set, and print one table.

    python -m helpers.cli.evaluate --test-size 1000
    python -m helpers.cli.evaluate --methods telea --pretrained autoencoder --json results.json

All metrics on the unit scale [0, 1]; :mod:`helpers.evaluation` does the work.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from ..classical import CLASSICAL_IDS, DEFAULT_IDS, classical_fills
from ..data import DataNotFoundError, load_cifar10
from ..engine.checkpoints import CheckpointError
from ..engine.files import write_json
from ..engine.weightfiles import PretrainedError
from ..evaluation import (FREE_FORM, FREE_FORM_TABLE_COLUMNS, SCALE_LABEL, evaluate, evaluate_masks,
                          format_table)
from ..holes import CENTER_HOLE, random_masks
from ..inpainters import Inpainter, MirrorAveraged
from .options import positive_int


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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.cli.evaluate",
        description=(
            "Score classical fills and saved models on the CIFAR-10 test set (16x16 centre "
            "hole) and print one table. All metrics are on the unit scale [0, 1]."
        ),
        epilog=(
            "Example: python -m helpers.cli.evaluate --test-size 1000 --methods telea,mean "
            "--model runs/autoencoder.keras --json results.json"
        ),
    )
    _data_options(parser)
    _method_options(parser)
    _run_options(parser)
    return parser


def _data_options(parser: argparse.ArgumentParser) -> None:
    """Which data: where CIFAR-10 is, and how many of its test images."""
    parser.add_argument(
        "--data", metavar="PATH", default=None,
        help="CIFAR-10 to load: a .tar.gz or folder of the JPEG export, or a cache the loader "
             "understands. Default: the loader's own search (see helpers.data; it honours "
             "$INPAINTING_DATA).",
    )
    parser.add_argument(
        "--test-size", metavar="N", type=positive_int, default=None,
        help="Score only N test images (a random subset chosen with --seed). Default: all 10,000.",
    )


def _method_options(parser: argparse.ArgumentParser) -> None:
    """What to score: classical fills, saved models, and how (mirror-averaged, free-form holes)."""
    parser.add_argument(
        "--methods", metavar="LIST", type=_parse_methods, default=list(DEFAULT_IDS),
        help="Comma-separated classical fills to score, from: " + ",".join(CLASSICAL_IDS)
             + " (default: " + ",".join(DEFAULT_IDS) + "; 'none' for models only). 'mean' paints "
               "the training set's mean colour; shiftmap, the exemplar fill, is the slowest by far "
               "(docs/benchmark.md times each), so it is scored only when named.",
    )
    parser.add_argument(
        "--model", metavar="PATH", action="append", default=[],
        help="A saved model file to score as well (repeat the option for several models).",
    )
    parser.add_argument(
        "--checkpoint", metavar="PATH", action="append", default=[],
        help="A training run's checkpoint.npz or best.npz (python -m helpers.cli.train) to score "
             "as well: the state with the lowest validation error is best.npz (repeatable).",
    )
    parser.add_argument(
        "--pretrained", metavar="NAME", action="append", default=[],
        help="The project's published weights NAME (python -m helpers.cli.publish list) to "
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


def _run_options(parser: argparse.ArgumentParser) -> None:
    """How to run: the test subset's seed, the batch size, where to write, progress bars."""
    parser.add_argument(
        "--seed", type=int, default=0,
        help="Seed for choosing the --test-size subset (default 0), so runs are comparable.",
    )
    parser.add_argument(
        "--batch-size", metavar="N", type=positive_int, default=256,
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


def main(argv=None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not (args.methods or args.model or args.checkpoint or args.pretrained):
        parser.error("nothing to evaluate: give at least one of --methods, --model, "
                     "--checkpoint or --pretrained")
    if args.mirror_average and not (args.model or args.checkpoint or args.pretrained):
        parser.error("--mirror-average needs a model: give --model, --checkpoint or --pretrained")

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide TensorFlow's start-up chatter
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
    models = _model_inpainters(args, inpainters)
    if models is None:
        return 2
    inpainters.update(models)
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
        path = write_json(Path(args.json), result)
        print(f"\nWrote {path}")
    return 0


def _model_inpainters(args, taken) -> dict[str, Inpainter] | None:
    """The models the options name (--model, --checkpoint, --pretrained), keyed by a short id
    not in ``taken``; None after printing why one could not be loaded."""
    if not (args.model or args.checkpoint or args.pretrained):
        return {}
    # Keras is imported here, after main has set its log level
    from ..models import ModelLoadError, load_inpainter
    from ..pretrained import checkpoint_inpainter, pretrained_inpainter

    found = {}
    try:
        for path in args.model:
            key = stem = Path(path).stem
            copy = 1
            while key in taken or key in found:
                copy += 1
                key = f"{stem}-{copy}"
            found[key] = load_inpainter(path)
        for number, path in enumerate(args.checkpoint):
            found[f"checkpoint-{number}"] = checkpoint_inpainter(path)
        for name in args.pretrained:
            found[f"pretrained-{name}"] = pretrained_inpainter(name)
    except (ModelLoadError, CheckpointError, PretrainedError, OSError) as err:
        print(f"error: {err}", file=sys.stderr)
        return None
    return found


def _free_form_rows(inpainters: dict[str, Inpainter], x_test, args, seed: int) -> list[dict]:
    """``--free-form``: the table for the methods that fill any hole; the others say why not."""
    masks = random_masks(len(x_test), FREE_FORM["coverage"], seed=seed)
    rows = []
    for key, inpainter in inpainters.items():
        try:
            rows += evaluate_masks({key: inpainter}, x_test, masks, batch_size=args.batch_size,
                                   progress=not args.no_progress)
        except ValueError as err:  # a model of the paper's square only: its own message
            print(f"\nFree-form holes: {inpainter.name} is left out: {err}")
    print(f"\nFree-form holes (helpers.holes.random_masks, seed {seed}, "
          f"{masks.mean():.0%} of the pixels missing on average), scored on the missing pixels:\n")
    print(format_table(rows, FREE_FORM_TABLE_COLUMNS) if rows else "(no method here fills free-form holes)")
    return rows


if __name__ == "__main__":
    sys.exit(main())
