"""Train the paper's models from the command line.

    python -m helpers.cli.train autoencoder --iterations 3000
    python -m helpers.cli.train gan --iterations 80000 --out runs/gan --resume

Iterations are counted as the paper counts its "epochs": one iteration is one batch.
A run writes into ``--out``: ``checkpoint.npz`` (every ``--checkpoint-every`` iterations,
atomically; ``--resume`` continues from it), the trained model(s) as ``.keras`` files,
``history.json`` (the logged losses) and ``run.json`` (settings, data, hardware, time).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import platform
import shlex
import signal
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

from .. import registry
from ..data import DataNotFoundError, load_cifar10, split_validation
from ..engine.checkpoints import CheckpointError, log_command, read_checkpoint, read_commands, validation_seed_of
from ..engine.files import write_json, write_text
from ..engine.weightfiles import PretrainedError, read_record
from ..settings import VARIANTS


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers.cli.train",
        description="Train the paper's autoencoder or context-encoder GAN on CIFAR-10 "
                    "(16x16 centre hole). Iterations are batches, as the paper's 'epochs'.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("model", choices=registry.names(),
                   help="which model to train: " + "; ".join(f"{k.name}, {k.title}" for k in registry.KINDS.values()))
    _run_options(p)
    _settings_options(p)
    _machine_options(p)
    return p


def _run_options(p) -> None:
    """How long, on what data, where to: the run, not the model."""
    p.add_argument("--iterations", type=int, default=None,
                   help="total iterations (batches) to reach; default: the paper's budget ("
                        + ", ".join(f"{k.name} {k.budget.iterations:,}" for k in registry.KINDS.values()) + ")")
    p.add_argument("--data", default=None,
                   help="CIFAR-10 location (official tarball/folder or image-folder tree/.tar.gz); "
                        "default: $INPAINTING_DATA, then the usual places, then a download")
    p.add_argument("--train-size", type=int, default=None, help="use a random subset of the training set")
    p.add_argument("--validation-size", type=int, default=0,
                   help="carve this many images out of the training set for validation "
                        "(never the test set); the best state is kept as best.npz")
    p.add_argument("--validate-every", type=int, default=1000, help="iterations between validations")
    p.add_argument("--test-size", type=int, default=10_000,
                   help="test images scored at the end (hole MSE on [0,1]); 0 to skip")
    p.add_argument("--out", default=None, help="run folder; default: runs/<model>")
    p.add_argument("--resume", action="store_true",
                   help="continue the run in --out from its checkpoint (required if one exists)")
    p.add_argument("--from-pretrained", metavar="NAME", default=None,
                   help="start from the project's published weights NAME (see `python -m "
                        "helpers.cli.publish list`): continue their run towards --iterations, or "
                        "fine-tune; the optimizer state starts afresh")
    p.add_argument("--seed", type=int, default=None,
                   help="seed for weights, data order and dropout (default 0; a resumed run keeps its own)")
    p.add_argument("--validation-seed", type=int, default=None, metavar="SEED",
                   help="seed of the validation split (default: --seed); give several seeds the "
                        "same one to compare them on the same validation images")
    p.add_argument("--checkpoint-every", type=int, default=1000, help="iterations between checkpoints")
    p.add_argument("--log-every", type=int, default=50, help="iterations between logged losses")
    p.add_argument("--time-limit", type=float, default=None, metavar="SECONDS",
                   help="stop after this many seconds of training (checkpointed; continue later "
                        "with --resume), e.g. to fit a lesson or a Colab session")
    p.add_argument("--variant", default="paper", choices=list(VARIANTS),
                   help="autoencoder: 'paper' (its exact recipe) or 'regularized' (the paper's "
                        "layers plus left-right flips, shifts of up to 2 pixels, AdamW weight "
                        "decay 0.004, dropout 0.2 and a tenfold learning-rate drop at "
                        "iteration 44,000: a named improvement measured beside it); options given "
                        "replace the variant's")


def _machine_options(p) -> None:
    """How the steps run: compiled how, on which backend and devices, with what output."""
    p.add_argument("--fused", action="store_true",
                   help="GAN: compile D-real, D-fake and the combined step as one function")
    p.add_argument("--devices", default=None, metavar="N|all",
                   help="data-parallel training over N devices ('all': every GPU, else every "
                        "CPU device): JAX uses keras.distribution.DataParallel, TensorFlow "
                        "tf.distribute.MirroredStrategy; the batch is split evenly (the GAN "
                        "then runs its fused step)")
    p.add_argument("--compile", default="auto", choices=["auto", "eager", "graph", "xla"],
                   help="how steps are compiled; auto: XLA on JAX, graph mode on TensorFlow")
    p.add_argument("--backend", default=None, choices=["tensorflow", "jax"],
                   help="Keras backend; default: $KERAS_BACKEND or tensorflow")
    p.add_argument("--no-progress", action="store_true",
                   help="no progress bar: print one plain line per --log-every instead (for log files)")


# --------------------------------------------------------------------------- the settings' options


def settings_fields() -> dict:
    """Every setting of every model kind: ``{name: (its dataclass field, [kinds that have it])}``."""
    found = {}
    for kind in registry.KINDS.values():
        for f in dataclasses.fields(kind.settings):
            found.setdefault(f.name, (f, []))[1].append(kind.name)
    return found


def _help(name: str, kinds: list) -> str:
    """A setting's help: its field's, or each kind's where they say different things."""
    helps = {k: next(f for f in dataclasses.fields(registry.kind(k).settings) if f.name == name).metadata["help"]
             for k in kinds}
    if len(set(helps.values())) == 1:
        return next(iter(helps.values()))
    return "; ".join(f"{k}: {h}" for k, h in helps.items())


def option_name(f) -> str:
    """The command line's name of a setting: ``--batch-size`` for ``batch_size``."""
    return f.metadata.get("option") or "--" + f.name.replace("_", "-")


def _commas(f, option: str):
    """The parser of a setting written as numbers separated by commas (``--widths 32,64,128,128``)."""
    number = type(f.default[0])

    def parse(text: str):
        try:
            return tuple(number(part) for part in text.split(","))
        except ValueError:
            example = ",".join(str(v) for v in f.default)
            raise argparse.ArgumentTypeError(f"{option} is numbers separated by commas, e.g. {example}; "
                                             f"got {text!r}") from None
    return parse


def _settings_options(p) -> None:
    """One option per setting (helpers.settings): its name, help and type come from the field."""
    group = p.add_argument_group("settings", "the model's settings (helpers.settings); each option "
                                             "names the models that have it; default: the paper's recipe")
    for name, (f, kinds) in settings_fields().items():
        option = option_name(f)
        for_whom = "" if len(kinds) == len(registry.KINDS) else f"{' and '.join(kinds)}: "
        defaults = {k: registry.kind(k).settings().record().get(name) for k in kinds}
        shown = ", ".join(f"{k} {v}" for k, v in defaults.items() if v not in (None, []))
        kwargs = dict(dest=name, default=argparse.SUPPRESS, metavar=f.metadata.get("metavar"),
                      help=for_whom + _help(name, kinds) + (f" (default: {shown})" if shown else ""))
        if isinstance(f.default, bool):
            kwargs.update(action=argparse.BooleanOptionalAction, metavar=None)
        elif isinstance(f.default, tuple) and not f.default:
            kwargs.update(type=int, nargs="+")
        elif isinstance(f.default, tuple):
            kwargs.update(type=_commas(f, option))
        else:
            kwargs.update(type={str: str, int: int}.get(type(f.default), float))
        group.add_argument(option, **kwargs)


def given_settings(args) -> dict:
    """The settings the options gave (argparse leaves the others out)."""
    return {name: getattr(args, name) for name in settings_fields() if hasattr(args, name)}


def _options_hold(args, iterations: int, out: Path) -> bool:
    """Whether the options fit together; if not, print why (each check names its option)."""
    fields = settings_fields()
    for name in given_settings(args):
        f, kinds = fields[name]
        if args.model not in kinds:
            print(f"error: {option_name(f)} is for {' and '.join(kinds)}; the {args.model} has no "
                  f"{name.replace('_', ' ')} setting", file=sys.stderr)
            return False
    if iterations < 1:
        print("error: --iterations must be positive", file=sys.stderr)
        return False
    if args.variant != "paper" and args.model != "autoencoder":
        print("error: --variant is for the autoencoder", file=sys.stderr)
        return False
    try:
        args.settings = _base_settings(args).replace(**given_settings(args))
    except (TypeError, ValueError) as err:
        named = [option_name(fields[n][0]) for n in given_settings(args) if str(err).startswith(n)]
        print(f"error: {named[0] + ': ' if named else ''}{err}", file=sys.stderr)
        return False
    if args.time_limit is not None and not args.time_limit > 0:
        print(f"error: --time-limit must be a positive number of seconds, got {args.time_limit:g}",
              file=sys.stderr)
        return False
    if (out / "checkpoint.npz").exists() and not args.resume:
        print(f"error: {out} already holds a run (checkpoint.npz). Pass --resume to continue it, "
              f"or choose another --out; nothing was overwritten.", file=sys.stderr)
        return False
    return True


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.command_line = "python -m helpers.cli.train " + shlex.join(argv)
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide TensorFlow's start-up chatter
    iterations = registry.kind(args.model).budget.iterations if args.iterations is None else args.iterations
    out = Path(args.out or Path("runs") / args.model)
    if not _options_hold(args, iterations, out) or not _settle_seeds(args, out):
        return 2
    return _train(args, iterations, out)


def _base_settings(args):
    """The settings the options start from: the autoencoder's variant, or the paper's recipe."""
    return VARIANTS[args.variant] if args.model == "autoencoder" else registry.kind(args.model).settings()


def _train(args, iterations: int, out: Path) -> int:
    """Load the data, build the trainer, train, save. Keras is imported from here on, after
    ``main`` has chosen the backend."""
    import keras

    from ..engine.backend import gpu_names
    from ..engine.parallel import DataParallel

    try:
        data = load_cifar10(args.data, train_size=args.train_size, seed=args.seed,
                            progress=not args.no_progress)
    except (DataNotFoundError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    x_train, validation = data.x_train, None
    if args.validation_size:
        x_train, _, validation, _ = split_validation(data.x_train, data.y_train,
                                                     args.validation_size, args.validation_seed)

    try:
        parallel = (nullcontext() if args.devices is None else
                    DataParallel(None if args.devices == "all" else int(args.devices)))
    except ValueError as err:
        print(f"error: --devices {args.devices}: {err}", file=sys.stderr)
        return 2
    if args.devices is not None and args.model == "gan" and not args.fused:
        args.fused = True
        print("Data-parallel GAN training runs the fused step (--fused).", flush=True)
    with parallel:
        try:
            trainer = _make_trainer(args, out)
        except ValueError as err:  # e.g. a batch that does not split over the devices
            print(f"error: {err}", file=sys.stderr)
            return 2
    if trainer is None:
        return 2
    trainer.validation_seed = args.validation_seed
    devices = ", ".join(gpu_names()) or "CPU"
    if args.devices is not None:
        devices += f"; data-parallel over {parallel.n} devices"
    what = _what(args, trainer)
    print(f"Training {what} to {iterations:,} iterations at batch {trainer.batch_size} "
          f"on {data.describe()}; backend {keras.backend.backend()} ({trainer.compile_mode}), "
          f"{devices}. Run folder: {out}", flush=True)
    return _fit_and_save(args, trainer, data, x_train, validation, iterations, out, devices)


def _what(args, trainer) -> str:
    """What is trained, in words: the model, and the settings the options changed."""
    what = registry.kind(args.model).title
    if args.model == "autoencoder" and args.variant != "paper":
        what = f"the {args.variant} variant of {what}"
    settings = [f"{name.replace('_', ' ')} {_shown(value)}" for name, value in given_settings(args).items()
                if name not in ("batch_size", "average_decay")]   # the batch is named next, the average below
    if settings:
        what += " with " + ", ".join(settings)
    if trainer.average_decay is not None:
        what += f", its weights averaged (decay {trainer.average_decay:g})"
    return what


def _shown(value) -> str:
    if isinstance(value, (list, tuple)):
        return ",".join(_shown(v) for v in value)
    return f"{value:g}" if isinstance(value, float) else str(value)


def _settle_seeds(args, out: Path) -> bool:
    """Fill in ``args.seed`` and ``args.validation_seed``. A resumed run keeps the seeds it
    was started with: another split would put validation images into training."""
    saved = out / "checkpoint.npz"
    if args.resume and saved.exists():
        try:
            meta = read_checkpoint(saved, arrays=False)[0]
        except CheckpointError as err:
            print(f"error: {err}", file=sys.stderr)
            return False
        seed, split = int(meta.get("seed", 0)), validation_seed_of(meta)
        for option, given, was in (("--seed", args.seed, seed), ("--validation-seed", args.validation_seed, split)):
            if given is not None and given != was:
                print(f"error: the run in {out} was started with {option} {was}; resume it with "
                      f"the same (or leave {option} out), or start a new run in another folder.",
                      file=sys.stderr)
                return False
        args.seed, args.validation_seed = seed, split
    args.seed = 0 if args.seed is None else args.seed
    if args.validation_seed is None:
        args.validation_seed = args.seed
    return True


# Settings a run continued from published weights may take anew; every other one it keeps.
CONTINUED_MAY_CHANGE = ("lr_drop_at", "average_decay", "learning_rate", "g_learning_rate", "d_learning_rate")


def _make_trainer(args, out):
    """The trainer the options ask for, or None after printing why not."""
    kind = registry.kind(args.model)
    options = {"fused": args.fused, "gradient_sizes": True} if args.model == "gan" else {}
    if args.from_pretrained and not (args.resume and (out / "checkpoint.npz").exists()):
        return _continue_published(args, options)
    # the GAN logs how hard each of G's two terms pulls (cheap, at log points only)
    return kind.trainer_class()(settings=args.settings, seed=args.seed, compile_mode=args.compile, **options)


def _continue_published(args, options):
    """A trainer holding the published weights ``--from-pretrained``, with the options that a
    continued run may change; None after printing why not."""
    from ..pretrained import load_pretrained_trainer

    try:
        kind = read_record(args.from_pretrained)["kind"]
        if kind != args.model:
            print(f"error: {args.from_pretrained!r} holds a {kind}, not a {args.model}.", file=sys.stderr)
            return None
        trainer = load_pretrained_trainer(args.from_pretrained, compile_mode=args.compile, **options)
    except PretrainedError as err:
        print(f"error: {err}", file=sys.stderr)
        return None
    fields = settings_fields()
    kept = [name for name, given in given_settings(args).items()
            if name not in CONTINUED_MAY_CHANGE and given != getattr(trainer.settings, name)]
    if kept:
        print(f"error: {args.from_pretrained!r} was trained with "
              f"{' and '.join(f'{n.replace(chr(95), chr(32))} {getattr(trainer.settings, n)!r}' for n in kept)}; "
              f"continuing it keeps those settings. Leave out "
              f"{', '.join(option_name(fields[n][0]) for n in kept)}, or train a new run without "
              f"--from-pretrained.", file=sys.stderr)
        return None
    changes = {k: v for k, v in given_settings(args).items() if k in CONTINUED_MAY_CHANGE}
    trainer.settings = trainer.settings.replace(**changes)
    trainer.average = None
    print(f"Starting from the published weights {args.from_pretrained!r} at iteration "
          f"{trainer.iteration:,}.", flush=True)
    return trainer


def print_log_line(trainer, logs) -> None:
    """One flushed line per log point, so a log file (nohup, a Colab background job) shows
    progress while the run goes on, not only when it ends."""
    count = len(trainer.history["iteration"])
    logged_now = [key for key in logs if len(trainer.history.get(key, [])) == count
                  and trainer.history[key][-1] is not None]  # not a validation from before
    shown = "  ".join(f"{key.replace('_per_second', '/s')} {logs[key]:.4g}" for key in logged_now)
    print(f"iteration {trainer.iteration:,}  {shown}", flush=True)


LOCK_NAME = "train.lock"


class RunFolderInUse(RuntimeError):
    pass


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextmanager
def run_folder_lock(out: Path):
    """One training process per run folder. A second one (say, a run resumed while the first
    still trains in the background) would write its checkpoints over the first one's. A lock
    left by a process that no longer exists (a crash, a killed machine) is taken over."""
    out.mkdir(parents=True, exist_ok=True)
    lock = out / LOCK_NAME
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        try:
            pid = int(lock.read_text().strip() or 0)
        except (OSError, ValueError):
            pid = 0
        # Windows has no harmless "is it alive" signal (os.kill would end the process)
        if os.name == "nt" or (pid and _process_alive(pid)):
            raise RunFolderInUse(
                f"{out} is in use by another training process (PID {pid or 'unknown'}). Stop it "
                f"first (`kill {pid or 'PID'}` ends it with a checkpoint), or choose another --out. "
                f"If no training runs there, delete {lock}.") from None
        lock.unlink(missing_ok=True)
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    with os.fdopen(fd, "w") as f:
        f.write(str(os.getpid()))
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


@contextmanager
def stop_on_sigterm(trainer):
    """``kill PID`` (SIGTERM) ends a run as its time limit does: after the current iteration,
    logged, validated and checkpointed. A job started in the background cannot be stopped
    with Ctrl-C (a shell starts it with SIGINT ignored), so this is how to stop one cleanly.
    Yields a dict whose ``"received"`` says whether the signal came."""
    signalled = {"received": False}

    def handler(signum, frame):
        trainer.stop_requested = True
        signalled["received"] = True

    try:
        previous = signal.signal(signal.SIGTERM, handler)
    except ValueError:  # not the main thread: leave signals alone
        yield signalled
        return
    try:
        yield signalled
    finally:
        signal.signal(signal.SIGTERM, previous)


def _fit_and_save(args, trainer, data, x_train, validation, iterations, out, devices) -> int:
    from ..trainers import TrainingDivergedError

    start = time.perf_counter()
    try:
        with run_folder_lock(out), stop_on_sigterm(trainer) as signalled:
            log_command(out, args.command_line, time.strftime("%Y-%m-%d %H:%M:%S"))
            history = trainer.fit(x_train, iterations, checkpoint_dir=out, resume=args.resume,
                                  checkpoint_every=args.checkpoint_every, log_every=args.log_every,
                                  validation=validation, validate_every=args.validate_every,
                                  progress=not args.no_progress, max_seconds=args.time_limit,
                                  callback=print_log_line if args.no_progress else None)
    except RunFolderInUse as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    except (TrainingDivergedError, CheckpointError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        trainer.save_checkpoint(out / "checkpoint.npz")
        print(f"\nInterrupted at iteration {trainer.iteration:,}; checkpoint saved. Continue with "
              f"--resume --out {out}.", file=sys.stderr)
        return 130
    _say_why_it_stopped(args, trainer, iterations, out, signalled["received"])
    _save_run(args, trainer, data, x_train, validation, out, devices, history, time.perf_counter() - start)
    return 0


def _say_why_it_stopped(args, trainer, iterations: int, out: Path, signalled: bool) -> None:
    if trainer.iteration < iterations and signalled:
        print(f"Stopped on request (SIGTERM) at iteration {trainer.iteration:,} of {iterations:,}; "
              f"checkpoint saved. Continue with --resume --out {out}.", flush=True)
    elif trainer.iteration < iterations:
        print(f"Stopped at the time limit ({args.time_limit:g} s) at iteration {trainer.iteration:,} "
              f"of {iterations:,}; checkpoint saved. Continue with --resume --out {out}.", flush=True)


def _save_run(args, trainer, data, x_train, validation, out: Path, devices: str, history: dict,
              wall: float) -> None:
    """The trained models as .keras files, the history, and run.json (settings, data, hardware,
    time, and the test score unless --test-size 0)."""
    import keras

    from ..engine.backend import gpu_names
    from ..engine.machine import machine_description
    from ..models import save_model

    with trainer.averaged_weights():   # a run that averaged saves (and is scored by) the average
        saved = [str(save_model(model, out / f"{name}.keras")) for name, model in trainer.models().items()]
    result = {"command": args.command_line, "model": args.model, "iterations": trainer.iteration,
              "batch_size": trainer.batch_size, "images_seen": trainer.iteration * trainer.batch_size,
              "data": data.source, "train_images": len(x_train), "seed": args.seed,
              "validation_seed": args.validation_seed, "config": trainer.config,
              "backend": keras.backend.backend(), "compile": trainer.compile_mode,
              "devices": devices, "machine": platform.machine(), "hardware": machine_description(gpu_names()),
              "validation_images": 0 if validation is None else len(validation),
              "wall_seconds_this_session": round(wall, 1),
              "train_seconds_all_sessions": round(trainer.train_seconds, 1), "models": saved,
              "commands": read_commands(out)}
    if args.test_size:
        test = data.x_test[:args.test_size]
        with trainer.averaged_weights():
            result["test_hole_mse_unit"] = trainer.validate(test)
        if trainer.average is not None:
            result["test_hole_mse_unit_raw"] = trainer.validate(test)
            print(f"Test hole MSE on [0,1] of the raw (not averaged) weights: "
                  f"{result['test_hole_mse_unit_raw']:.4f}")
        result["test_images"] = len(test)
        print(f"Test hole MSE on [0,1]: {result['test_hole_mse_unit']:.4f} "
              f"({len(test):,} test images of {data.source})")
    write_text(out / "history.json", json.dumps(history))
    write_json(out / "run.json", result)
    print(f"Saved {', '.join(saved)}; history and run summary in {out}.")


if __name__ == "__main__":
    sys.exit(main())
