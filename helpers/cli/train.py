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
import json
import os
import platform
import shlex
import signal
import sys
import time
from contextlib import contextmanager, nullcontext
from pathlib import Path

from ..data import DataNotFoundError, load_cifar10, split_validation
from ..engine.checkpoints import CheckpointError, read_checkpoint, validation_seed_of
from ..engine.files import write_json, write_text
from ..engine.weightfiles import PretrainedError, read_record
from ..paper import BUDGETS


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="python -m helpers.cli.train",
        description="Train the paper's autoencoder or context-encoder GAN on CIFAR-10 "
                    "(16x16 centre hole). Iterations are batches, as the paper's 'epochs'.",
        formatter_class=argparse.ArgumentDefaultsHelpFormatter)
    p.add_argument("model", choices=["autoencoder", "gan", "pconv"],
                   help="which model to train: the paper's two, or (beyond the paper) the "
                        "partial-convolution U-Net for free-form holes")
    p.add_argument("--iterations", type=int, default=None,
                   help="total iterations (batches) to reach; default: the paper's budget "
                        "(50,000 for the autoencoder, 80,000 for the GAN)")
    p.add_argument("--batch-size", type=int, default=None,
                   help="images per batch; default: the paper's (64 autoencoder, 32 GAN)")
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
    p.add_argument("--learning-rate", type=float, default=None,
                   help="autoencoder and pconv: Adam learning rate (default 1e-3 for both)")
    p.add_argument("--lr-drop-at", type=int, nargs="+", default=None, metavar="ITERATION",
                   help="multiply the learning rate(s) by 0.1 from each of these iterations on "
                        "(a step schedule, not in the paper); also applies when resuming or "
                        "continuing published weights")
    p.add_argument("--shift", type=int, default=None, metavar="PIXELS",
                   help="autoencoder and pconv: move each training image by up to this many "
                        "pixels (edges mirrored; the hole stays where it is); default: the "
                        "autoencoder variant's, 0 for pconv")
    p.add_argument("--flip", action=argparse.BooleanOptionalAction, default=None,
                   help="autoencoder and pconv: mirror half the training images left-right; "
                        "default: the autoencoder variant's (the regularized one does), off for "
                        "pconv; --no-flip switches them off for a variant that has them")
    p.add_argument("--weight-decay", type=float, default=None, metavar="RATE",
                   help="autoencoder: AdamW's decoupled weight decay (0: plain Adam, the paper's); "
                        "default: the variant's")
    p.add_argument("--variant", default="paper", choices=["paper", "regularized"],
                   help="autoencoder: 'paper' (its exact recipe) or 'regularized' (the paper's "
                        "layers plus left-right flips, shifts of up to 2 pixels, AdamW weight "
                        "decay 0.004, dropout 0.2 and a tenfold learning-rate drop at "
                        "iteration 44,000: a named improvement measured beside it)")
    p.add_argument("--dropout", type=float, default=None,
                   help="autoencoder and GAN: the rate of their Dropout layers (the paper gives "
                        "none; default 0.6 for the autoencoder, chosen on validation error "
                        "against 0.2, 0.5 and 0.7, and 0.2 for the GAN's two networks)")
    p.add_argument("--loss", default=None, choices=["l1", "l2"],
                   help="pconv: 'l2' (the default), Liu et al.'s two pixel terms (6 x hole + 1 x "
                        "known) with squared errors, what hole MSE rewards; or 'l1', their own "
                        "absolute errors")
    p.add_argument("--center-fraction", type=float, default=None, metavar="SHARE",
                   help="pconv: the share of training images that get the paper's centre square "
                        "instead of a free-form hole (default 0.25)")
    p.add_argument("--widths", default=None, metavar="C1,C2,C3,C4",
                   help="pconv: the U-Net's channels at 16x16, 8x8, 4x4 and 2x2 (default "
                        "32,64,128,128); wider learns more per iteration and costs more per "
                        "iteration")
    p.add_argument("--average", type=float, default=None, metavar="DECAY",
                   help="beyond the paper: also keep an exponential moving average of the weights "
                        "of the net that fills holes (e.g. 0.999: about the last 1,000 "
                        "iterations), and validate, keep and save that average; training itself "
                        "is unchanged, and the raw weights' validation error is logged beside it")
    p.add_argument("--g-learning-rate", type=float, default=2e-3, help="GAN: generator learning rate")
    p.add_argument("--d-learning-rate", type=float, default=2e-4,
                   help="GAN: discriminator learning rate (the paper: 10x lower than G's)")
    p.add_argument("--adversarial-weight", type=float, default=None, metavar="W",
                   help="GAN: the adversarial term's weight in G's loss; the L2 term gets 1 - W "
                        "(default 0.001, the paper's 0.999 / 0.001; 0 trains G on L2 alone)")
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
    return p


def main(argv=None) -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser().parse_args(argv)
    args.command_line = "python -m helpers.cli.train " + shlex.join(argv)
    if args.backend:
        os.environ["KERAS_BACKEND"] = args.backend
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide TensorFlow's start-up chatter
    paper = BUDGETS[args.model]
    iterations = paper.iterations if args.iterations is None else args.iterations
    batch_size = paper.batch_size if args.batch_size is None else args.batch_size
    out = Path(args.out or Path("runs") / args.model)
    if not _options_hold(args, iterations, batch_size, out) or not _settle_seeds(args, out):
        return 2
    return _train(args, iterations, batch_size, out)


def _options_hold(args, iterations: int, batch_size: int, out: Path) -> bool:
    """Whether the options fit together; if not, print why (each check names its option)."""
    if iterations < 1 or batch_size < 1:
        print("error: --iterations and --batch-size must be positive", file=sys.stderr)
        return False
    if args.dropout is not None and not 0 <= args.dropout < 1:
        print(f"error: --dropout must be in [0, 1), got {args.dropout:g}", file=sys.stderr)
        return False
    if args.loss is not None and args.model != "pconv":
        print("error: --loss is for pconv; the paper's models keep the paper's losses",
              file=sys.stderr)
        return False
    if args.center_fraction is not None and (args.model != "pconv" or not 0 <= args.center_fraction <= 1):
        print("error: --center-fraction is for pconv, a share between 0 and 1, got "
              f"{args.center_fraction:g} for {args.model}", file=sys.stderr)
        return False
    if args.dropout is not None and args.model == "pconv":
        print("error: --dropout is for the autoencoder and the GAN; the partial-convolution "
              "U-Net has no dropout layer", file=sys.stderr)
        return False
    if args.widths is not None:
        args.widths = _parse_widths(args.widths, args.model)
        if args.widths is None:
            return False
    if args.average is not None and not 0 < args.average < 1:
        print(f"error: --average must be a decay between 0 and 1 (e.g. 0.999), got {args.average:g}",
              file=sys.stderr)
        return False
    if args.shift is not None and (args.model == "gan" or not 0 <= args.shift < 8):
        print(f"error: --shift is a whole number of pixels from 0 to 7, for the autoencoder and "
              f"pconv; got {args.shift} for the {args.model}", file=sys.stderr)
        return False
    if args.flip and args.model == "gan":
        print("error: --flip is for the autoencoder and pconv; the GAN keeps the paper's data",
              file=sys.stderr)
        return False
    if args.weight_decay is not None and (args.model != "autoencoder" or args.weight_decay < 0):
        print(f"error: --weight-decay is a rate of 0 or more, for the autoencoder; got "
              f"{args.weight_decay:g} for the {args.model}", file=sys.stderr)
        return False
    if args.adversarial_weight is not None and (args.model != "gan" or not 0 <= args.adversarial_weight < 1):
        print(f"error: --adversarial-weight is for the GAN, a weight from 0 up to (not including) 1; "
              f"got {args.adversarial_weight:g} for the {args.model}", file=sys.stderr)
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


def _train(args, iterations: int, batch_size: int, out: Path) -> int:
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
            trainer = _make_trainer(args, batch_size, out)
        except ValueError as err:  # e.g. a batch that does not split over the devices
            print(f"error: {err}", file=sys.stderr)
            return 2
    if trainer is None:
        return 2
    trainer.validation_seed = args.validation_seed
    if args.lr_drop_at is not None:
        try:
            trainer.set_lr_drops(args.lr_drop_at)
        except ValueError as err:
            print(f"error: --lr-drop-at: {err}", file=sys.stderr)
            return 2
    devices = ", ".join(gpu_names()) or "CPU"
    if args.devices is not None:
        devices += f"; data-parallel over {parallel.n} devices"
    what = _what(args, trainer)
    print(f"Training {what} to {iterations:,} iterations at batch {batch_size} "
          f"on {data.describe()}; backend {keras.backend.backend()} ({trainer.compile_mode}), "
          f"{devices}. Run folder: {out}", flush=True)
    return _fit_and_save(args, trainer, data, x_train, validation, iterations, batch_size, out, devices)


def _what(args, trainer) -> str:
    """What is trained, in words: the model, and the settings the options changed."""
    what = {"pconv": "the partial-convolution U-Net (beyond the paper)"}.get(
        args.model, f"the paper's {args.model}" if args.variant == "paper" or args.model != "autoencoder"
        else f"the {args.variant} variant of the paper's autoencoder")
    settings = [f"{name} {value:g}" for name, value in (("dropout", args.dropout),
                                                         ("weight decay", args.weight_decay))
                if value is not None]   # each is refused above where it does not apply
    if args.adversarial_weight is not None:
        settings.append(f"adversarial weight {args.adversarial_weight:g}")
    if args.loss is not None:
        settings.append(f"the {args.loss.upper()} loss")
    if args.center_fraction is not None:
        settings.append(f"the centre square for {args.center_fraction:.0%} of the images")
    if args.flip:
        settings.append("left-right flips")
    if args.shift:
        settings.append(f"shifts of up to {args.shift} pixels")
    if settings:
        what += " with " + ", ".join(settings)
    if trainer.average_decay is not None:
        what += f", its weights averaged (decay {trainer.average_decay:g})"
    return what


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


def _parse_widths(text: str, model: str):
    """``--widths`` as a tuple of four channel counts, or None after printing why not."""
    if model != "pconv":
        print(f"error: --widths is for pconv; the paper's models keep the paper's layers "
              f"(got it for the {model})", file=sys.stderr)
        return None
    from ..pconv import check_widths  # Keras is imported here: main has chosen the backend

    try:
        return check_widths([int(part) for part in text.split(",")])
    except ValueError:
        print(f"error: --widths is four positive whole numbers separated by commas, e.g. "
              f"48,96,192,192; got {text!r}", file=sys.stderr)
        return None


def _given(**options) -> dict:
    """The options the user gave (argparse leaves the others None), so that a trainer's or a
    variant's own defaults stand for the rest."""
    return {key: value for key, value in options.items() if value is not None}


def _make_trainer(args, batch_size, out):
    """The trainer the options ask for, or None after printing why not."""
    from ..pretrained import load_pretrained_trainer
    from ..trainers import AUTOENCODER_VARIANTS, AutoencoderTrainer, GANTrainer, PConvTrainer

    if args.from_pretrained and not (args.resume and (out / "checkpoint.npz").exists()):
        try:
            kind = read_record(args.from_pretrained)["kind"]
            if kind != args.model:
                print(f"error: {args.from_pretrained!r} holds a {kind}, not a {args.model}.", file=sys.stderr)
                return None
            extra = {"fused": args.fused} if kind == "gan" else {}
            trainer = load_pretrained_trainer(args.from_pretrained, compile_mode=args.compile, **extra)
        except PretrainedError as err:
            print(f"error: {err}", file=sys.stderr)
            return None
        for option, key, given in (("--dropout", "dropout", args.dropout),
                                   ("--weight-decay", "weight_decay", args.weight_decay),
                                   ("--loss", "loss", args.loss),
                                   ("--adversarial-weight", "adversarial_weight", args.adversarial_weight),
                                   ("--center-fraction", "center_fraction", args.center_fraction),
                                   ("--flip", "flip", args.flip), ("--shift", "shift", args.shift),
                                   ("--widths", "widths", None if args.widths is None else list(args.widths))):
            if given is not None and given != trainer.config.get(key):
                print(f"error: {args.from_pretrained!r} was trained with {key.replace('_', ' ')} "
                      f"{trainer.config.get(key)!r}; continuing it keeps that setting. Leave out "
                      f"{option}, or train a new run without --from-pretrained.", file=sys.stderr)
                return None
        if args.average is not None:
            trainer.set_averaging(args.average)
        print(f"Starting from the published weights {args.from_pretrained!r} at iteration "
              f"{trainer.iteration:,}.", flush=True)
    elif args.model == "autoencoder":
        options = {**AUTOENCODER_VARIANTS[args.variant],   # the options given replace the variant's
                   **_given(dropout=args.dropout, shift=args.shift, flip=args.flip,
                            weight_decay=args.weight_decay, average_decay=args.average)}
        trainer = AutoencoderTrainer(learning_rate=args.learning_rate or 1e-3, batch_size=batch_size,
                                     seed=args.seed, compile_mode=args.compile, **options)
    elif args.model == "pconv":
        trainer = PConvTrainer(batch_size=batch_size, seed=args.seed, compile_mode=args.compile,
                               average_decay=args.average,
                               **_given(loss=args.loss, center_fraction=args.center_fraction,
                                        learning_rate=args.learning_rate, flip=args.flip, shift=args.shift,
                                        widths=args.widths))
    else:
        trainer = GANTrainer(g_learning_rate=args.g_learning_rate, d_learning_rate=args.d_learning_rate,
                             batch_size=batch_size, seed=args.seed, compile_mode=args.compile,
                             fused=args.fused, average_decay=args.average,
                             **({} if args.dropout is None else {"dropout": args.dropout}),
                             **({} if args.adversarial_weight is None else
                                {"l2_weight": 1.0 - args.adversarial_weight,
                                 "adversarial_weight": args.adversarial_weight}))
    if trainer.kind == "gan":
        trainer.gradient_sizes = True   # log how hard each of G's two terms pulls (cheap at log points)
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


def _fit_and_save(args, trainer, data, x_train, validation, iterations, batch_size, out, devices) -> int:
    import keras

    from ..engine.backend import gpu_names
    from ..engine.machine import machine_description
    from ..models import save_model
    from ..trainers import TrainingDivergedError

    start = time.perf_counter()
    try:
        with run_folder_lock(out), stop_on_sigterm(trainer) as signalled:
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
    wall = time.perf_counter() - start
    if trainer.iteration < iterations and signalled["received"]:
        print(f"Stopped on request (SIGTERM) at iteration {trainer.iteration:,} of {iterations:,}; "
              f"checkpoint saved. Continue with --resume --out {out}.", flush=True)
    elif trainer.iteration < iterations:
        print(f"Stopped at the time limit ({args.time_limit:g} s) at iteration {trainer.iteration:,} "
              f"of {iterations:,}; checkpoint saved. Continue with --resume --out {out}.", flush=True)

    with trainer.averaged_weights():   # a run that averaged saves (and is scored by) the average
        saved = [str(save_model(model, out / f"{name}.keras")) for name, model in trainer.models().items()]
    result = {"command": args.command_line, "model": args.model, "iterations": trainer.iteration, "batch_size": batch_size,
              "images_seen": trainer.iteration * batch_size, "data": data.source,
              "train_images": len(x_train), "seed": args.seed,
              "validation_seed": args.validation_seed, "config": trainer.config,
              "backend": keras.backend.backend(), "compile": trainer.compile_mode,
              "devices": devices, "machine": platform.machine(), "hardware": machine_description(gpu_names()),
              "validation_images": 0 if validation is None else len(validation),
              "wall_seconds_this_session": round(wall, 1),
              "train_seconds_all_sessions": round(trainer.train_seconds, 1), "models": saved}
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
    return 0


if __name__ == "__main__":
    sys.exit(main())
