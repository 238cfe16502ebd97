"""List, publish, repack and export the project's trained weights; rewrite their model cards.

    python -m helpers.cli.publish list
    python -m helpers.cli.publish publish runs/paper-autoencoder --name autoencoder --select best
    python -m helpers.cli.publish export gan generator.keras
    python -m helpers.cli.publish cards

docs/weights.md describes the files; :mod:`helpers.pretrained` loads them.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ..data import DataNotFoundError, load_cifar10, split_validation
from ..engine.checkpoints import CheckpointError, read_checkpoint, read_commands, validation_seed_of
from ..engine.weightfiles import (SIZE_BUDGET_BYTES, STORAGES, PretrainedError, as_stored, available,
                                  check_storage, read_manifest, read_record, read_stored, restored, storage_of,
                                  verify, weights_dir, write_weights)
from .cards import write_card


def publish(run_dir, name: str, *, select: str = "last", data_source: str, train_images: int,
            validation_images: int, hardware: str | None = None, notes: str = "", command: str = "",
            precision_check=None, folder: Path | None = None, storage: str = "float16",
            raw: bool = False) -> Path:
    """Publish a run's weights as ``name``: the weights file with its record, the manifest
    entry and the model card. ``select``: "last" (the final state) or "best" (the lowest
    validation hole MSE, ``best.npz``). ``storage``: "float16" or "int8".
    ``precision_check``: uint8 images on which the hole MSE of the float32 and the stored
    weights is measured and recorded. A run that averaged its weights publishes the average;
    ``raw=True`` publishes its raw weights, as if it had not averaged (training is the same
    either way), e.g. the paper's GAN and its averaged variant from one run."""
    from ..engine.backend import gpu_names  # Keras: main has chosen the backend
    from ..engine.machine import machine_description
    from ..pretrained import trainer_for

    check_storage(storage)  # a clear error before any work
    run_dir, folder = Path(run_dir), Path(folder or weights_dir())
    last_meta, last_arrays = read_checkpoint(run_dir / "checkpoint.npz")
    if select not in ("last", "best"):
        raise ValueError(f"select must be 'last' or 'best', got {select!r}.")
    meta, arrays = read_checkpoint(run_dir / "best.npz") if select == "best" else (last_meta, last_arrays)
    history = last_meta["history"]
    if raw:
        if "average_decay" not in meta["config"]:
            raise ValueError(f"{run_dir} did not average its weights: publish it without raw "
                             f"(--raw is for runs trained with --average).")
        if select == "best":
            raise ValueError("The best state of a run that averaged was chosen by the average's "
                             "validation error: publish its raw weights with select='last'.")
        meta = {**meta, "config": {k: v for k, v in meta["config"].items() if k != "average_decay"}}
        # the raw weights' validation errors are the ones their curves and card show
        history = {k: v for k, v in history.items() if k != "val_hole_mse_raw"}
        history["val_hole_mse"] = last_meta["history"].get("val_hole_mse_raw", [])
    trainer = trainer_for(meta).load_state(meta, arrays, str(run_dir)).adopt_average()
    stored = as_stored(trainer.weight_arrays(), storage)
    batch = int(meta["config"]["batch_size"])
    record = {
        "name": name, "kind": meta["config"]["kind"],
        "iteration": int(meta["iteration"]), "trained_iterations": int(last_meta["iteration"]),
        "selection": select, "seed": int(meta.get("seed", 0)), "config": meta["config"],
        **({"validation_seed": int(meta["validation_seed"])} if "validation_seed" in meta else {}),
        "batch_size": batch, "images_seen": int(last_meta["iteration"]) * batch,
        "data_source": data_source, "train_images": int(train_images),
        "validation_images": int(validation_images),
        "hardware": hardware or machine_description(gpu_names()),
        "train_seconds": round(float(last_meta.get("train_seconds", 0.0)), 1), "backend": meta.get("backend"),
        "history": history, "published": time.strftime("%Y-%m-%d"), "notes": notes,
        "command": command, "train_seconds_note": "wall time inside the training loop, all sessions",
    }
    commands = read_commands(run_dir)   # every command that trained it, as it logged them
    if commands:
        record["commands"] = commands
    if precision_check is not None:
        record["precision_check"] = _precision_check(trainer, restored(stored), precision_check, storage)
    path = write_weights(folder, name, record, stored)
    write_card(name, folder)
    return path


def repack(name: str, folder: Path | None = None, storage: str | None = None,
           check_images=None, notes: str | None = None) -> Path:
    """Rewrite published weights in the current file format, in ``storage`` (default: the one
    they have; then the values stay bit for bit). A change of storage is measured on
    ``check_images`` (uint8) when given: hole MSE before and after, kept in the record.
    ``notes`` replaces the model card's paragraph, e.g. when a model it compares with changed."""
    folder = Path(folder or weights_dir())
    meta, stored = read_stored(name, folder)
    if notes is not None:
        meta["notes"] = notes
    before = storage_of(stored)
    storage = storage or before
    if storage != before:
        values = restored(stored)
        stored = as_stored(values, storage)
        meta["repacked"] = {"from": before, "to": storage, "on": time.strftime("%Y-%m-%d")}
        if check_images is not None:
            from ..pretrained import trainer_for  # Keras: main has chosen the backend

            trainer = trainer_for(meta).load_state(meta, values, f"weights/{name}", weights_only=True)
            check = _precision_check(trainer, restored(stored), check_images, storage)
            meta["repacked"].update(images=check["images"], hole_mse_before=check["hole_mse_float32"],
                                    hole_mse_after=check["hole_mse_stored"],
                                    relative_change=check["relative_change"])
    path = write_weights(folder, name, meta, stored)
    write_card(name, folder)
    return path


def _precision_check(trainer, stored_values: dict, images_uint8, storage: str) -> dict:
    """Hole MSE (unit scale) with the trainer's weights (float32) and with ``stored_values``
    (what loading the stored copy gives); the trainer ends holding the stored copy."""
    full = trainer.validate(images_uint8)
    meta = {"iteration": trainer.iteration, **trainer.seeds(), "history": trainer.history,
            "config": {"kind": trainer.kind, **trainer.config}, "train_seconds": trainer.train_seconds}
    trainer.load_state(meta, stored_values, f"{storage} copy", weights_only=True)
    stored = trainer.validate(images_uint8)
    return {"images": int(len(images_uint8)), "storage": storage, "hole_mse_float32": full,
            "hole_mse_stored": stored, "relative_change": (stored - full) / full}


def _validation_images(data_path, meta: dict):
    """The validation images a published model (its record ``meta``) was chosen on: its
    split, recomputed."""
    data = load_cifar10(data_path, seed=int(meta["seed"]), progress=False)
    return split_validation(data.x_train, data.y_train, int(meta["validation_images"]),
                            validation_seed_of(meta))[2]


# --------------------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers.cli.publish",
                                     description="List, check, publish, repack or export the "
                                                 "project's trained weights.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the published weights and whether each file is intact")
    pub = sub.add_parser("publish", help="publish a run's weights (float16 or int8) with its model card")
    pub.add_argument("run_dir", help="the run folder of `python -m helpers.cli.train` (checkpoint.npz)")
    pub.add_argument("--name", required=True, help="the name to load it by, e.g. autoencoder")
    pub.add_argument("--select", choices=["last", "best"], default="last",
                     help="publish the final state or the one with the lowest validation error")
    pub.add_argument("--hardware", default=None, help="where it trained (default: this machine)")
    pub.add_argument("--notes", default="", help="a paragraph for the model card")
    pub.add_argument("--command-line", default="", help="the command that trained it, for the card")
    pub.add_argument("--validation-size", type=int, default=5000,
                     help="the run's --validation-size (its split is recomputed with its seeds)")
    pub.add_argument("--data", default=None, help="CIFAR-10 location, as for helpers.cli.train")
    pub.add_argument("--raw", action="store_true",
                     help="a run trained with --average: publish its raw (not averaged) weights, "
                          "as if it had not averaged (with --select last)")
    pub.add_argument("--storage", choices=STORAGES, default="float16",
                     help="float16 (default), or int8 kernels with a scale per channel: about half "
                          "the bytes again; the change in hole MSE is measured and printed, so check "
                          "it before you keep it")
    sub.add_parser("cards", help="rewrite every model card (after the results report changed)")
    rep = sub.add_parser("repack", help="rewrite published weights in the current file format")
    rep.add_argument("names", nargs="+", help="published names, e.g. autoencoder gan")
    rep.add_argument("--storage", choices=STORAGES, default=None,
                     help="change the storage (measured on the model's validation images)")
    rep.add_argument("--data", default=None, help="CIFAR-10 location, for that measurement")
    rep.add_argument("--notes", default=None,
                     help="replace the model card's paragraph (one name only; the values stay)")
    exp = sub.add_parser("export", help="write a published model as a standard .keras file")
    exp.add_argument("name", help="a published name, e.g. gan (its generator is exported)")
    exp.add_argument("path", help="the .keras file to write")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    try:
        return COMMANDS[args.command](args)
    except (PretrainedError, CheckpointError, DataNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _list(args) -> int:
    names, manifest = available(), read_manifest()
    for name in names:
        try:
            verify(name)
            state = "ok"
        except PretrainedError as err:
            state = f"NOT OK: {err}"
        entry = manifest[name]
        print(f"{name:24s} {entry['kind']:12s} iteration {entry['iteration']:>7,}  "
              f"{entry['bytes'] / 1e6:5.1f} MB  {state}")
    if not names:
        print(f"No published weights in {weights_dir()}.")
    else:
        total = sum(manifest[name]["bytes"] for name in names)
        print(f"Together {total / 1e6:.1f} MB of the course's {SIZE_BUDGET_BYTES / 1e6:.0f} MB budget for weights.")
    return 0


def _cards(args) -> int:
    for name in available():
        print(write_card(name))
    return 0


def _repack(args) -> int:
    if args.notes is not None and len(args.names) != 1:
        print("error: --notes replaces one model's paragraph: give one name", file=sys.stderr)
        return 2
    for name in args.names:
        before = verify(name).stat().st_size
        meta, stored = read_stored(name)
        check = None
        if args.storage and args.storage != storage_of(stored):
            check = _validation_images(args.data, meta)
        path = repack(name, storage=args.storage, check_images=check, notes=args.notes)
        moved = read_record(name).get("repacked", {})
        change = (f"hole MSE on {moved['images']:,} validation images {moved['hole_mse_before']:.5f} -> "
                  f"{moved['hole_mse_after']:.5f}" if check is not None else "same values")
        if args.notes is not None:
            change += "; new notes"
        print(f"Repacked {path}: {before / 1e6:.2f} MB -> {path.stat().st_size / 1e6:.2f} MB, {change}.")
    return 0


def _publish(args) -> int:
    run = read_checkpoint(Path(args.run_dir) / "checkpoint.npz", arrays=False)[0]
    data = load_cifar10(args.data, seed=int(run.get("seed", 0)), progress=False)
    x_train, _, x_val, _ = split_validation(data.x_train, data.y_train, args.validation_size,
                                            validation_seed_of(run))
    path = publish(args.run_dir, args.name, select=args.select, data_source=data.source,
                   train_images=len(x_train), validation_images=len(x_val), hardware=args.hardware,
                   notes=args.notes, command=args.command_line, precision_check=x_val,
                   storage=args.storage, raw=args.raw)
    meta = read_record(args.name)
    check = meta["precision_check"]
    print(f"Published {path} ({path.stat().st_size / 1e6:.1f} MB), iteration {meta['iteration']:,}; "
          f"validation hole MSE float32 {check['hole_mse_float32']:.5f}, {args.storage} "
          f"{check['hole_mse_stored']:.5f}.")
    return 0


def _export(args) -> int:
    from ..pretrained import export_keras  # Keras: imported after the log level above

    path = export_keras(args.name, args.path)
    print(f"Wrote {path}: load it with keras.saving.load_model({str(path)!r}).")
    return 0


COMMANDS = {"list": _list, "cards": _cards, "repack": _repack, "publish": _publish, "export": _export}


if __name__ == "__main__":
    sys.exit(main())
