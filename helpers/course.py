"""What every notebook needs around the models: run modes, budgets, folders, quiet logs.

Run modes
---------
The same notebooks run on three kinds of machine, and say on screen which one they run:

- ``"full"``  (default when the active Keras backend sees a GPU): the paper's budgets,
  autoencoder 50,000 iterations at batch 64, GAN 80,000 at batch 32, with checkpoints so a
  disconnected run resumes where it stopped;
- ``"cpu"``   (default without a GPU): short budgets that still show learning
  (a few minutes each on two CPU cores);
- ``"smoke"`` (for tests, ``INPAINTING_SMOKE=1``): every code path on tiny budgets and subsets.

``INPAINTING_MODE=full|cpu|smoke`` overrides the choice. Budgets are in :func:`budget`;
any field can be overridden per call, e.g. ``budget("autoencoder", iterations=10_000)``.

Folders
-------
Checkpoints and trained models go under :func:`runs_root` (``$INPAINTING_RUNS``, else
``runs/`` in the repository, or ``/content/inpainting-runs`` on Colab), one sub-folder
per mode, so a CPU run never resumes a smoke run. Notebooks 3 and 4 save their models in
:func:`models_dir`; notebook 5 loads them from there (or trains its own).

Importing this module does not import Keras: call :func:`quiet_logs` first, then import
Keras, so that the backend starts without its start-up noise.
"""

from __future__ import annotations

import contextlib
import functools
import json
import math
import os
import shutil
import sys
import time
import warnings
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import numpy as np

from .classical import CLASSICAL_IDS
from .masks import CENTER_HOLE, Hole, make_pairs, to_scale

REPO_ROOT = Path(__file__).resolve().parent.parent
MODES = ("full", "cpu", "smoke")
MODE_ENV = "INPAINTING_MODE"
SMOKE_ENV = "INPAINTING_SMOKE"
RUNS_ENV = "INPAINTING_RUNS"
MODELS = ("autoencoder", "gan", "pconv")  # pconv: beyond the paper (notebook 6)

# Seconds per iteration measured on a 2-core CPU (TensorFlow backend), for time estimates.
CPU_SECONDS_PER_ITERATION = {"autoencoder": 0.1, "gan": 0.6, "pconv": 0.22}


# --------------------------------------------------------------------------- environment


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


@contextlib.contextmanager
def _silenced_stderr_fd():
    """Send the process's file descriptor 2 to /dev/null for a moment.

    TensorFlow and XLA print start-up messages from C++ ("Could not find cuda drivers",
    "absl::InitializeLog") straight to file descriptor 2, past Python and past
    ``TF_CPP_MIN_LOG_LEVEL``; Jupyter shows them as red text. Python-level errors are not
    affected (they are raised as usual after the descriptor is restored).
    """
    try:
        saved = os.dup(2)
    except OSError:  # no real descriptor 2 (some embedded interpreters)
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        sys.stderr.flush()
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def quiet_logs() -> None:
    """Start the Keras backend without its log noise; call it before ``import keras``.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (unless already set), imports Keras and its backend
    with C-level start-up messages silenced, lowers TensorFlow's and absl's Python loggers
    to errors, and hides warnings that say nothing to a student (deprecations inside
    libraries). Errors still show.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*np.find_common_type.*")
    with _silenced_stderr_fd():
        import keras  # noqa: F401  (imports the backend)

        _gpu_devices()  # the first device query prints CUDA messages: do it here
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:
        pass
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        tf.autograph.set_verbosity(0)


def keras_backend() -> str:
    """The active Keras backend ("tensorflow", "jax", "torch")."""
    import keras

    return keras.backend.backend()


@functools.lru_cache(maxsize=1)
def _gpu_devices() -> tuple[str, ...]:
    """Names of the GPUs the active Keras backend can use (empty on a CPU-only machine),
    asked once, with the backend's C-level device messages silenced."""
    from .training import gpu_names

    with _silenced_stderr_fd():
        try:
            return tuple(gpu_names())
        except Exception:
            return ()


def gpu_available() -> bool:
    """Whether the active Keras backend sees at least one GPU."""
    return bool(_gpu_devices())


def gpu_status() -> str:
    """One sentence: is there a GPU, which one, and what that means for this notebook."""
    gpus = _gpu_devices()
    backend = keras_backend()
    if gpus:
        return (f"GPU found: {', '.join(gpus)} (Keras backend: {backend}). Training runs on it.")
    hint = (" In Colab choose Runtime > Change runtime type > GPU." if in_colab() else "")
    return (f"No GPU found (Keras backend: {backend}): everything runs on the CPU, with short "
            f"training budgets.{hint}")


# --------------------------------------------------------------------------- modes


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() not in ("", "0", "false", "no", "off")


def mode() -> str:
    """The run mode: ``$INPAINTING_MODE`` if set, else "smoke" if ``$INPAINTING_SMOKE`` is
    set (to anything but 0/false/no/off), else "full" with a GPU and "cpu" without."""
    explicit = os.environ.get(MODE_ENV, "").strip().lower()
    if explicit:
        if explicit not in MODES:
            raise ValueError(f"{MODE_ENV}={explicit!r} is not a run mode: use one of "
                             f"{', '.join(MODES)} (or unset it to choose automatically).")
        return explicit
    if _truthy(os.environ.get(SMOKE_ENV)):
        return "smoke"
    return "full" if gpu_available() else "cpu"


def mode_reason() -> str:
    """Why this mode was chosen, in a few words."""
    if os.environ.get(MODE_ENV, "").strip():
        return f"set by {MODE_ENV}"
    if _truthy(os.environ.get(SMOKE_ENV)):
        return f"set by {SMOKE_ENV}, for tests"
    return "a GPU is present" if gpu_available() else "no GPU found"


@dataclass(frozen=True)
class Budget:
    """How much one notebook trains or evaluates in one mode.

    ``iterations`` count batches, as the paper counts its "epochs". ``train_size`` and
    ``test_size`` are the numbers of CIFAR-10 images loaded (None: all of them);
    ``val_size`` training images are held out to watch the hole error during training.
    """

    name: str
    mode: str
    iterations: int
    batch_size: int
    train_size: int | None
    test_size: int | None
    val_size: int
    log_every: int
    validate_every: int
    checkpoint_every: int
    resume: bool

    @property
    def paper_iterations(self) -> int:
        # pconv is measured against the paper's autoencoder budget (same images seen)
        return {"autoencoder": 50_000, "gan": 80_000, "pconv": 50_000}.get(self.name, 0)

    def passes(self, n_train: int) -> float:
        """How many times the training set is seen (iterations x batch / images)."""
        return self.iterations * self.batch_size / max(n_train, 1)

    def estimate(self) -> str:
        """A rough time estimate where one is known (CPU), else ""."""
        if self.mode == "full" or self.name not in CPU_SECONDS_PER_ITERATION:
            return ""
        seconds = self.iterations * CPU_SECONDS_PER_ITERATION[self.name]
        if seconds < 90:
            return f"about {max(seconds, 1):.0f} s on 2 CPU cores"
        return f"about {seconds / 60:.0f} min on 2 CPU cores"

    def describe(self, n_train: int | None = None) -> str:
        """One line: what this budget trains, against the paper's."""
        if self.name == "evaluation":
            size = "all 10,000" if self.test_size is None else f"{self.test_size:,} (seeded random)"
            return f"evaluation: {size} test images"
        images = n_train if n_train is not None else (
            50_000 - self.val_size if self.train_size is None else self.train_size - self.val_size)
        share = self.iterations / self.paper_iterations if self.paper_iterations else 0
        parts = [f"{self.name}: {self.iterations:,} iterations at batch {self.batch_size} on "
                 f"{images:,} training images ({self.passes(images):.2g} passes)",
                 f"{100 * share:.2g}% of the paper's {'autoencoder budget of ' if self.name == 'pconv' else ''}{self.paper_iterations:,}" if share < 1
                 else "the paper's budget"]
        if self.estimate():
            parts.append(self.estimate())
        return "; ".join(parts)

    def fit_kwargs(self, checkpoint_dir) -> dict:
        """Keyword arguments for ``Trainer.fit`` that follow this budget."""
        return dict(checkpoint_dir=checkpoint_dir, checkpoint_every=self.checkpoint_every,
                    resume=self.resume, log_every=self.log_every,
                    validate_every=self.validate_every, progress=False)


_DATA = {  # (train_size, test_size, val_size) per mode
    "smoke": (512, 64, 64),
    "cpu": (None, 2_000, 1_000),
    "full": (None, None, 1_000),
}
_TRAIN = {  # (iterations, batch, log_every, validate_every, checkpoint_every) per mode and model
    ("smoke", "autoencoder"): (20, 64, 5, 10, 10),
    ("smoke", "gan"): (6, 32, 2, 3, 3),
    ("cpu", "autoencoder"): (3_000, 64, 50, 250, 500),
    ("cpu", "gan"): (400, 32, 10, 100, 100),
    ("full", "autoencoder"): (50_000, 64, 100, 1_000, 1_000),
    ("full", "gan"): (80_000, 32, 100, 1_000, 1_000),
    ("smoke", "pconv"): (10, 64, 5, 10, 10),
    ("cpu", "pconv"): (1_500, 64, 50, 250, 250),
    ("full", "pconv"): (50_000, 64, 100, 1_000, 1_000),
}


def budget(name: str = "autoencoder", run_mode: str | None = None, **overrides) -> Budget:
    """The budget of ``name`` ("autoencoder", "gan" or "evaluation") in ``run_mode``
    (default: the current :func:`mode`). Keyword arguments override single fields."""
    run_mode = run_mode or mode()
    if run_mode not in MODES:
        raise ValueError(f"Unknown run mode {run_mode!r}: use one of {', '.join(MODES)}.")
    train_size, test_size, val_size = _DATA[run_mode]
    if name == "evaluation":
        b = Budget(name, run_mode, 0, 0, train_size, test_size, val_size, 0, 0, 0, False)
    elif name in MODELS:
        iterations, batch, log_every, validate_every, checkpoint_every = _TRAIN[(run_mode, name)]
        b = Budget(name, run_mode, iterations, batch, train_size, test_size, val_size, log_every,
                   validate_every, checkpoint_every, resume=run_mode != "smoke")
    else:
        raise ValueError(f"Unknown budget {name!r}: use 'autoencoder', 'gan', 'pconv' or 'evaluation'.")
    unknown = set(overrides) - set(asdict(b))
    if unknown:
        raise ValueError(f"Budget has no field(s) {sorted(unknown)}; fields: {sorted(asdict(b))}.")
    return replace(b, **overrides)


# Where each model in this kernel came from, when it was loaded rather than trained with the
# mode's budget: mode_summary says so instead of printing a budget that never ran.
MODEL_SOURCES: dict[str, str] = {}


def mode_summary(*names: str) -> str:
    """Which mode runs, why, and the budgets of ``names`` (default: all)."""
    m = mode()
    lines = [f"Mode: {m} ({mode_reason()}). Choose with {MODE_ENV}=full|cpu|smoke."]
    meaning = {
        "full": "the paper's budgets, with checkpoints: a rerun resumes where it stopped",
        "cpu": "short budgets that still show learning; a rerun resumes from the checkpoint",
        "smoke": "tiny budgets and subsets that only check every code path runs; the numbers "
                 "mean nothing",
    }[m]
    lines.append(f"  {meaning}.")
    for name in names or ("autoencoder", "gan", "evaluation"):
        line = budget(name, m).describe()
        if name in MODEL_SOURCES:  # loaded, not trained with this budget in this kernel
            line = f"{name}: {MODEL_SOURCES[name]} (this mode's budget did not apply)"
        lines.append("  - " + line)
    return "\n".join(lines)


def describe_mode(*names: str) -> None:
    """Print :func:`mode_summary`."""
    print(mode_summary(*names))


# --------------------------------------------------------------------------- data


def load_data(run_mode: str | None = None, **kwargs):
    """CIFAR-10 with the mode's subset sizes (all images in "cpu" and "full" mode).

    The test set is the mode's evaluation subset: 64 images in smoke mode, a seeded
    2,000 on a CPU, all 10,000 in full mode. Other keyword arguments go to
    :func:`helpers.data.load_cifar10`.
    """
    from .data import load_cifar10

    b = budget("evaluation", run_mode)
    kwargs.setdefault("train_size", b.train_size)
    kwargs.setdefault("test_size", b.test_size)
    kwargs.setdefault("seed", 0)
    return load_cifar10(**kwargs)


def training_split(data, b: Budget, seed: int = 0):
    """(x_train, x_val): the training images, less ``b.val_size`` held out for validation."""
    from .data import split_validation

    x_train, _, x_val, _ = split_validation(data.x_train, data.y_train, b.val_size, seed=seed)
    return x_train, x_val


def showcase_indices(n_images: int, k: int = 3, seed: int = 2019) -> np.ndarray:
    """The "three random test images" of the paper's result figures: the same in
    notebooks 3, 4 and 5 (same mode, same seed)."""
    if n_images < 1:
        raise ValueError("There are no test images to choose from.")
    return np.sort(np.random.default_rng(seed).choice(n_images, size=min(k, n_images), replace=False))


# --------------------------------------------------------------------------- folders


def runs_root() -> Path:
    """Where checkpoints and trained models go: ``$INPAINTING_RUNS``, else
    ``/content/inpainting-runs`` on Colab (outside the clone), else ``<repo>/runs``."""
    env = os.environ.get(RUNS_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    if in_colab():
        return Path("/content/inpainting-runs")
    return REPO_ROOT / "runs"


def run_dir(name: str, run_mode: str | None = None, fresh: bool | None = None) -> Path:
    """The checkpoint folder of run ``name`` in this mode: ``runs/<mode>/<name>``.

    A rerun in "cpu" or "full" mode finds its checkpoint there and resumes. In "smoke"
    mode (``fresh`` defaults to True there) the folder is emptied first, so that every
    test run trains from the start.
    """
    run_mode = run_mode or mode()
    if not name or any(c in name for c in "/\\") or name.startswith("."):
        raise ValueError(f"A run name is a plain folder name, got {name!r}.")
    path = runs_root() / run_mode / name
    if fresh is None:
        fresh = run_mode == "smoke"
    if fresh and path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def models_dir(run_mode: str | None = None) -> Path:
    """Where trained models of this mode are saved: ``runs/<mode>/models``."""
    return runs_root() / (run_mode or mode()) / "models"


MODEL_FILES = {"autoencoder": ("autoencoder",), "gan": ("generator", "discriminator")}


def save_trained(trainer, data=None, run_mode: str | None = None) -> dict[str, Path]:
    """Save a trainer's models (``.keras``) and what they were trained on (``<kind>.json``)
    in :func:`models_dir`. Returns the paths, keyed "autoencoder", "generator", ... ."""
    from .models import save_model

    run_mode = run_mode or mode()
    folder = models_dir(run_mode)
    folder.mkdir(parents=True, exist_ok=True)
    paths = {kind: save_model(model, folder / f"{kind}.keras")
             for kind, model in trainer.models().items()}
    history = trainer.history
    last = {k: v[-1] for k, v in history.items() if k != "iteration" and v and v[-1] is not None}
    info = {
        "kind": trainer.kind, "mode": run_mode, "iterations": int(trainer.iteration),
        "config": trainer.config, "seed": trainer.seed,
        "data_source": getattr(data, "source", None),
        "train_images": None if data is None else int(len(data.x_train)),
        "last_logged": last, "saved": time.strftime("%Y-%m-%d %H:%M:%S"),
        "files": {k: p.name for k, p in paths.items()},
    }
    (folder / f"{trainer.kind}.json").write_text(json.dumps(info, indent=2) + "\n")
    return paths


def _read_json(path: Path) -> dict:
    try:
        return json.loads(path.read_text()) if path.exists() else {}
    except (OSError, ValueError):
        return {}


def _command_line_run(kind: str) -> tuple[Path, dict] | None:
    """A finished ``python -m helpers.train <kind>`` run in its default folder
    ``runs/<kind>`` (its ``run.json`` is written only when training ends)."""
    folder = runs_root() / kind
    path = folder / f"{MODEL_FILES[kind][0]}.keras"
    run = _read_json(folder / "run.json")
    if not path.exists() or not run:
        return None
    return path, {"kind": kind, "mode": "python -m helpers.train", "iterations": run.get("iterations"),
                  "data_source": run.get("data"), "train_images": run.get("train_images")}


def find_trained(kind: str, run_mode: str | None = None) -> tuple[Path, dict] | None:
    """The saved model of ``kind`` ("autoencoder" or "gan") to use in this mode, if any:
    (path of the model that fills holes, its info).

    Looked for, in order: in "full" mode, the full-mode notebooks' models, then a finished
    ``python -m helpers.train`` run with at least the paper's budget; in "cpu" mode, the
    full-mode models (e.g. trained on Colab and copied here), any finished command-line
    run, then the CPU notebooks' models; in "smoke" mode only smoke models.
    """
    if kind not in MODEL_FILES:
        raise ValueError(f"Unknown model {kind!r}: use 'autoencoder' or 'gan'.")
    run_mode = run_mode or mode()
    order = {"full": ["full", "cli"], "cpu": ["full", "cli", "cpu"], "smoke": ["smoke"]}[run_mode]
    for m in order:
        if m == "cli":
            found = _command_line_run(kind)
            paper = budget(kind, "full").iterations
            if found and (run_mode == "cpu" or (found[1].get("iterations") or 0) >= paper):
                return found
            continue
        folder = models_dir(m)
        path = folder / f"{MODEL_FILES[kind][0]}.keras"
        if path.exists():
            return path, _read_json(folder / f"{kind}.json")
    return None


def describe_trained(info: dict) -> str:
    """One line about a saved model: mode, iterations, data."""
    if not info:
        return "no record of how it was trained"
    it = info.get("iterations")
    text = f"trained for {it:,} iterations" if isinstance(it, int) else "trained"
    if info.get("mode") in MODES:
        text += f" in {info['mode']} mode"
    elif info.get("mode"):
        text += f" with {info['mode']}"
    if info.get("data_source"):
        text += f" on {info['data_source']}"
    if info.get("saved"):
        text += f" (saved {info['saved']})"
    return text


# --------------------------------------------------------------------------- pretrained


def pretrained_available(name: str) -> bool:
    """Whether the project ships intact trained weights for ``name`` ("autoencoder" or
    "gan"): see ``weights/`` and :mod:`helpers.pretrained`."""
    from .pretrained import PretrainedError, verify

    if name not in MODELS:
        raise ValueError(f"Unknown model {name!r}: use one of {', '.join(MODELS)}.")
    try:
        verify(name)
    except PretrainedError:
        return False
    return True


def load_pretrained(name: str):
    """The project's trained weights for ``name`` as a trainer (models, iteration count,
    loss history), exactly as after training: notebooks show its curves and can keep
    training it with ``trainer.fit``."""
    from .pretrained import load_pretrained_trainer

    trainer = load_pretrained_trainer(name)
    MODEL_SOURCES[name] = (f"the project's trained weights, {trainer.iteration:,} iterations "
                           f"(weights/{name}.md)")
    return trainer


def pretrained_note(name: str) -> str:
    """What the notebook does about trained weights, in one sentence."""
    if pretrained_available(name) and mode() == "cpu":
        from .pretrained import record

        rec = record(name)
        return (f"Trained weights for the {name} ship with the project ({rec['trained_iterations']:,} "
                f"iterations, see weights/{name}.md): loading them instead of training. Set "
                f"TRAIN_HERE = True to train from scratch with the cpu budget.")
    if pretrained_available(name):
        return f"In {mode()} mode this notebook trains its own {name} (the shipped weights are used in cpu mode)."
    return (f"No trained weights for the {name} ship with the project, so this notebook "
            f"trains its own with the {mode()} budget.")


# --------------------------------------------------------------------------- training


DISPLAY_NAMES = {"autoencoder": "autoencoder", "gan": "GAN"}


def resume_note(checkpoint_dir, b: Budget) -> str:
    """What ``fit`` is about to do: start, resume from iteration N, or find the run complete."""
    checkpoint = Path(checkpoint_dir) / "checkpoint.npz"
    if not b.resume or not checkpoint.exists():
        return f"Starting a new run in {short_path(checkpoint_dir)}."
    from .training import read_checkpoint

    try:
        done = int(read_checkpoint(checkpoint, arrays=False)[0]["iteration"])
    except Exception:
        return f"A checkpoint in {short_path(checkpoint_dir)} could not be read; fit will say more."
    if done >= b.iterations:
        return (f"The checkpoint in {short_path(checkpoint_dir)} is already at iteration {done:,}: "
                f"loading it, nothing left to train (delete the folder to train again).")
    return f"Resuming from the checkpoint at iteration {done:,} in {short_path(checkpoint_dir)}."


def short_path(path) -> str:
    """A path relative to the repository when it is inside it (shorter on screen)."""
    path = Path(path)
    try:
        return str(path.resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def train(kind: str, data, b: Budget | None = None, callback=None, seed: int = 0):
    """Train the paper's ``kind`` ("autoencoder" or "gan") with a budget (default: the
    mode's), checkpointing in :func:`run_dir` ``(kind)`` and resuming from it. Returns the
    trainer. Notebooks 3 and 4 spell these steps out; notebook 5 calls this."""
    from .training import AutoencoderTrainer, GANTrainer

    b = b or budget(kind)
    if kind not in MODELS:
        raise ValueError(f"Unknown model {kind!r}: use 'autoencoder' or 'gan'.")
    x_train, x_val = training_split(data, b)
    trainer = (AutoencoderTrainer(batch_size=b.batch_size, seed=seed) if kind == "autoencoder"
               else GANTrainer(batch_size=b.batch_size, seed=seed))
    trainer.fit(x_train, b.iterations, validation=x_val, callback=callback,
                **b.fit_kwargs(run_dir(kind, b.mode)))
    return trainer


def trained_inpainter(kind: str, data=None, verbose: bool = True):
    """The trained ``kind`` as an inpainter: the model saved by notebook 3 or 4 in this
    mode if there is one, else the project's trained weights when they exist (on a CPU),
    else one trained now with the mode's budget (and saved). Says which, and how it was
    trained."""
    from .models import ModelInpainter, load_inpainter

    name = DISPLAY_NAMES.get(kind, kind)
    found = find_trained(kind)
    if found is not None:
        path, info = found
        MODEL_SOURCES[kind] = f"loaded {short_path(path)}, {describe_trained(info)}"
        if verbose:
            print(f"{name}: {MODEL_SOURCES[kind]}.")
        return load_inpainter(path, name=name)
    if pretrained_available(kind) and mode() == "cpu":
        trainer = load_pretrained(kind)
        if verbose:
            print(f"{name}: the project's trained weights, {trainer.iteration:,} iterations.")
    else:
        if data is None:
            raise ValueError(f"No saved {name} in {mode()} mode, and no data given to train one.")
        b = budget(kind)
        notebook = {"autoencoder": 3, "gan": 4}[kind]
        if verbose:
            print(f"{name}: no saved model for {mode()} mode (notebook {notebook} saves one), so "
                  f"training one now: {b.describe()}.")
        trainer = train(kind, data, b)
        MODEL_SOURCES.pop(kind, None)
        save_trained(trainer, data)
        if verbose:
            print(f"{name}: trained {trainer.iteration:,} iterations and saved in {short_path(models_dir())}.")
    model = trainer.models()["autoencoder" if kind == "autoencoder" else "generator"]
    return ModelInpainter(model, name=name)


# --------------------------------------------------------------------------- the paper's tables


# (layer, kernel, stride, activation, output) rows of the paper's tables, as printed
# (typos included); the Input row is left out.
PAPER_TABLES = {
    "autoencoder": [
        ("Conv", "3x3", "2", "ReLU", "16x16x32"),
        ("Conv", "3x3", "2", "ReLU", "8x8x64"),
        ("Conv", "3x3", "2", "ReLU", "4x4x128"),
        ("BatchNorm", "", "", "", "4x4x128"),
        ("Flatten", "", "", "", "2048"),
        ("Dropout", "", "", "", "2048"),
        ("Dense", "", "", "ReLU", "2048"),
        ("Reshape", "", "", "", "4x4x128"),
        ("Deconv", "3x3", "2", "ReLU", "8x8x64"),
        ("Deconv", "3x3", "2", "ReLU", "16x16x3"),
    ],
    "discriminator": [
        ("Conv", "3x3", "2", "LeakyReLU", "16x16x32"),
        ("BatchNorm", "", "", "", "16x16x32"),
        ("Conv", "3x3", "2", "LeakyReLU", "8x8x64"),
        ("BatchNorm", "", "", "", "8x8x64"),
        ("Conv", "3x3", "2", "LeakyReLU", "4x4x128"),
        ("BatchNorm", "", "", "", "4x4x128"),
        ("Conv", "3x3", "2", "LeakyReLU", "2x2x256"),
        ("BatchNorm", "", "", "", "2x2x256"),
        ("Flatten", "", "", "", "1024"),
        ("Dropout", "", "", "", "1024"),
        ("Dense", "", "", "ReLU", "1024"),
        ("Dense", "", "", "Sigmoid", "1"),
    ],
    "generator": [
        ("Conv", "5x5", "2", "LeakyReLU", "16x16x64"),
        ("BatchNorm", "", "", "", "16x16x64"),
        ("Conv", "5x5", "2", "LeakyReLU", "8x8x128"),
        ("BatchNorm", "", "", "", "8x8x128"),
        ("Conv", "3x3", "2", "LeakyReLU", "4x4x256"),
        ("BatchNorm", "", "", "", "4x4x256"),
        ("Conv", "2x2", "2", "LeakyReLU", "2x2x512"),
        ("BatchNorm", "", "", "", "2x2x512"),
        ("Flatten", "", "", "", "2048"),
        ("Dropout", "", "", "", "2048"),
        ("Dense", "", "", "ReLU", "2048"),
        ("Reshape", "", "", "", "2x2x512"),
        ("Deconv", "3x3", "2", "LeakyReLU", "4x4x256"),
        ("BatchNorm", "", "", "", "4x4x512"),
        ("Deconv", "5x5", "2", "LeakyReLU", "8x8x128"),
        ("BatchNorm", "", "", "", "8x8x128"),
        ("Deconv", "5x5", "2", "LeakyReLU", "16x16x64"),
        ("BatchNorm", "", "", "", "16x16x64"),
        ("Deconv", "5x5", "1", "Tanh", "16x16x3"),
    ],
}
# Known differences between a printed table and the only consistent reading (SPEC.md notes).
PAPER_NOTES = {
    ("discriminator", 0, "stride"): ("the output stays 16x16 and the Flatten of 1024 = 2x2x256 "
                                     "needs it, so the first conv has stride 1 (SPEC note 1)"),
    ("generator", 13, "output"): ("a typo: BatchNorm cannot change the number of channels, "
                                  "so it is 4x4x256 (SPEC note 2)"),
}
# Multiply-adds per image that the paper quotes (section IV; SPEC.md).
PAPER_MULTIPLY_ADDS = {"autoencoder": 12e6, "generator": 150e6}

_KERAS_NAMES = {"Conv2D": "Conv", "Conv2DTranspose": "Deconv", "BatchNormalization": "BatchNorm",
                "Flatten": "Flatten", "Dropout": "Dropout", "Dense": "Dense", "Reshape": "Reshape"}
_ACTIVATIONS = {"relu": "ReLU", "tanh": "Tanh", "sigmoid": "Sigmoid", "linear": ""}


def _shape_text(shape) -> str:
    return "x".join(str(int(d)) for d in tuple(shape)[1:])


def keras_rows(model) -> list[dict]:
    """The model's layers as the paper's tables list them: a LeakyReLU layer is folded
    into the convolution before it (the tables print it as that layer's activation)."""
    rows = []
    for layer in model.layers:
        kind = type(layer).__name__
        if kind == "LeakyReLU":
            if rows:
                rows[-1]["activation"] = "LeakyReLU"
                rows[-1]["keras"] += f" + LeakyReLU({layer.negative_slope:g})"
            continue
        row = {"layer": _KERAS_NAMES.get(kind, kind), "keras": kind, "kernel": "", "stride": "",
               "activation": "", "output": _shape_text(layer.output.shape),
               "params": int(layer.count_params())}
        if hasattr(layer, "kernel_size") and kind.startswith("Conv"):
            row["kernel"] = "x".join(map(str, layer.kernel_size))
            row["stride"] = str(layer.strides[0])
        activation = getattr(layer, "activation", None)
        if activation is not None and kind in ("Conv2D", "Conv2DTranspose", "Dense"):
            row["activation"] = _ACTIVATIONS.get(activation.__name__, activation.__name__)
            if row["activation"]:
                row["keras"] += f" ({activation.__name__})"
        if kind == "Dropout":
            row["keras"] += f"({layer.rate:g})"
        rows.append(row)
    return rows


class LayerTable:
    """The paper's table next to the Keras model, row by row (Markdown in a notebook).

    ``mismatches`` lists rows where the model differs from the table for a reason not
    documented in SPEC.md; ``notes`` lists the documented ones.
    """

    def __init__(self, model, kind: str):
        if kind not in PAPER_TABLES:
            raise ValueError(f"No paper table for {kind!r}: use one of {sorted(PAPER_TABLES)}.")
        self.kind = kind
        self.paper = PAPER_TABLES[kind]
        self.rows = keras_rows(model)
        self.total_params = int(model.count_params())
        self.mismatches: list[str] = []
        self.notes: list[str] = []
        if len(self.rows) != len(self.paper):
            self.mismatches.append(f"the paper lists {len(self.paper)} layers after the input, "
                                   f"the model has {len(self.rows)}")
        self.marks = []
        for i, (paper, ours) in enumerate(zip(self.paper, self.rows)):
            mark = []
            for field_name, paper_value in zip(("layer", "kernel", "stride", "activation", "output"), paper):
                if paper_value and str(paper_value) != str(ours[field_name]):
                    note = PAPER_NOTES.get((kind, i, field_name))
                    text = (f"row {i + 1} ({paper[0]}): the paper prints {field_name} {paper_value}, "
                            f"the model has {ours[field_name]}")
                    if note:
                        self.notes.append(f"{text}; {note}.")
                        mark.append("note")
                    else:
                        self.mismatches.append(text)
                        mark.append("MISMATCH")
            self.marks.append("✓" if not mark else ("⚠ " + ", ".join(sorted(set(mark)))))

    def markdown(self) -> str:
        head = ("| # | paper: layer | kernel | stride | activation | output | Keras layer | "
                "kernel | stride | output | parameters | |\n"
                "|---|---|---|---|---|---|---|---|---|---|---:|---|\n")
        lines = []
        for i, (paper, ours, mark) in enumerate(zip(self.paper, self.rows, self.marks)):
            lines.append(f"| {i + 1} | {paper[0]} | {paper[1]} | {paper[2]} | {paper[3]} | {paper[4]} | "
                         f"{ours['keras']} | {ours['kernel']} | {ours['stride']} | {ours['output']} | "
                         f"{ours['params']:,} | {mark} |")
        foot = f"\n\n**Total parameters: {self.total_params:,}.**"
        if self.notes:
            foot += "\n\n" + "\n".join(f"- ⚠ {n}" for n in self.notes)
        if self.mismatches:
            foot += "\n\n" + "\n".join(f"- ✗ {m}" for m in self.mismatches)
        return head + "\n".join(lines) + foot

    def _repr_markdown_(self) -> str:
        return self.markdown()

    def __str__(self) -> str:
        return self.markdown()


def layer_table(model, kind: str | None = None) -> LayerTable:
    """:class:`LayerTable` of ``model`` against the paper's table for ``kind``
    (default: the model's name)."""
    return LayerTable(model, kind or model.name)


def multiply_adds(model) -> int:
    """Multiply-adds per image of the convolution, transposed convolution and dense layers.

    A transposed convolution is counted like a convolution over its output
    (output pixels x kernel area x input channels x output channels), the convention that
    gives the paper's "about 12 M" (autoencoder) and "about 150 M" (generator).
    """
    total = 0
    for layer in model.layers:
        kind = type(layer).__name__
        if kind in ("Conv2D", "Conv2DTranspose"):
            _, h, w, c_out = layer.output.shape
            c_in = layer.input.shape[-1]
            kh, kw = layer.kernel_size
            total += int(h) * int(w) * kh * kw * int(c_in) * int(c_out)
        elif kind == "Dense":
            total += int(layer.input.shape[-1]) * int(layer.units)
    return total


# --------------------------------------------------------------------------- the GAN


def check_frozen_discriminator(images_uint8, seed: int = 1) -> dict[str, bool]:
    """Run step 3 of the GAN schedule (the combined network) once on a fresh GAN and
    report which network's weights changed: ``{"generator": True, "discriminator": False}``
    is what "D is frozen in the combined step" means."""
    from .training import GANTrainer

    trainer = GANTrainer(seed=seed, batch_size=len(images_uint8))

    def weights(name):
        return [np.array(w) for w in trainer.models()[name].trainable_weights]

    g_before, d_before = weights("generator"), weights("discriminator")
    holed, patches = make_pairs(images_uint8, "signed", trainer.hole)
    g_step = trainer.step_functions["g_step"]
    g_state, _ = g_step(trainer.state["generator"], trainer.state["discriminator"], holed, patches)
    trainer.state["generator"] = g_state
    g_after, d_after = weights("generator"), weights("discriminator")
    changed = lambda a, b: any(not np.array_equal(x, y) for x, y in zip(a, b))  # noqa: E731
    return {"generator": changed(g_before, g_after), "discriminator": changed(d_before, d_after)}


def last_value(history: dict, key: str) -> float:
    """The last logged value of ``key`` (NaN if it was never logged)."""
    values = [v for v in history.get(key, []) if v is not None]
    return float(values[-1]) if values else float("nan")


def _tail_mean(history: dict, key: str, fraction: float = 0.2) -> float | None:
    values = [v for v in history.get(key, []) if v is not None]
    if not values:
        return None
    n = max(1, int(math.ceil(len(values) * fraction)))
    return float(np.mean(values[-n:]))


def diversity(patches_unit) -> float:
    """Mean standard deviation across images, per pixel: 0 if every fill is the same
    (mode collapse), about the data's own spread for varied fills."""
    patches = np.asarray(patches_unit, dtype=np.float64)
    if len(patches) < 2:
        return float("nan")
    return float(np.mean(np.std(patches, axis=0)))


def gan_diagnosis(history: dict, fake_patches_unit=None, real_patches_unit=None) -> list[str]:
    """Read a GAN's curves (the last fifth of the logged points) and, optionally, its
    fills: which network is winning, and whether the fills have collapsed. Every sentence
    quotes the numbers it rests on."""
    lines = []
    p_real, p_fake = _tail_mean(history, "d_real_prob"), _tail_mean(history, "d_fake_prob")
    if p_real is None or p_fake is None:
        return ["No GAN curves logged yet: train first."]
    gap = p_real - p_fake
    lines.append(f"At the end, D says 'real' with probability {p_real:.2f} to real patches and "
                 f"{p_fake:.2f} to generated ones (gap {gap:+.2f}).")
    if p_real > 0.9 and p_fake < 0.1:
        lines.append("D is winning: it tells real from generated almost perfectly. The adversarial "
                     "loss then gives G steep but uninformative gradients; if this lasts, "
                     "lower D's learning rate or raise G's.")
    elif abs(gap) < 0.1 and 0.3 < p_fake < 0.7:
        lines.append("Balanced: D cannot tell real from generated patches well, the state a GAN "
                     "aims for (or D has not learned much yet; compare with the start of the curves).")
    elif p_fake > p_real:
        lines.append("G is winning: D rates generated patches as more real than real ones. D has "
                     "stopped giving useful feedback; if it lasts, G may drift to odd fills.")
    else:
        lines.append("D is ahead but not perfect: the usual state of a GAN in training.")
    g_adv = _tail_mean(history, "g_adversarial")
    g_l2 = _tail_mean(history, "g_l2")
    if g_adv is not None and g_l2 is not None:
        lines.append(f"G's losses at the end: L2 {g_l2:.4f} (signed scale), adversarial {g_adv:.3f}; "
                     f"weighted 0.999 / 0.001, the L2 term dominates the combined loss "
                     f"({0.999 * g_l2:.4f} vs {0.001 * g_adv:.4f}).")
    if fake_patches_unit is not None and real_patches_unit is not None:
        d_fake, d_real = diversity(fake_patches_unit), diversity(real_patches_unit)
        ratio = d_fake / d_real if d_real > 0 else float("nan")
        lines.append(f"Variety of the fills across images: {d_fake:.3f} against {d_real:.3f} for "
                     f"the real patches (ratio {ratio:.2f}).")
        if ratio < 0.2:
            lines.append("That is very low: the generator paints nearly the same patch whatever the "
                         "image, the signature of mode collapse (or of a model that has barely trained).")
    return lines


# --------------------------------------------------------------------------- evaluation


def evaluate_methods(inpainters: dict, test_images_uint8, hole: Hole = CENTER_HOLE,
                     batch_size: int = 256) -> tuple[list[dict], dict, dict]:
    """Fill every test image with every method once, then score.

    Returns ``(rows, patches, per_image)``: ``rows`` are exactly what
    :func:`helpers.evaluate.evaluate` returns (same metrics from
    :func:`helpers.metrics.score`, timing of the fills alone, warm-up first), so
    :func:`helpers.evaluate.format_table` prints them; ``patches[id]`` are the fills (unit
    scale) and ``per_image[id]`` holds per-image ``hole_mse``, ``hole_psnr``, ``sharpness``
    for the per-class bars and best/worst cases, without filling a second time.
    """
    from .evaluate import evaluate
    from .metrics import hole_mse, hole_psnr, sharpness

    rows, patches = evaluate(inpainters, test_images_uint8, hole, batch_size=batch_size,
                             progress=False, return_fills=True)
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


def save_results(rows: list[dict], data, name: str = "comparison", run_mode: str | None = None,
                 extra: dict | None = None) -> Path:
    """Write an evaluation table as JSON to ``runs/<mode>/<name>.json`` (the project's own
    saved results), with data source, scale and number of images."""
    run_mode = run_mode or mode()
    path = runs_root() / run_mode / f"{name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = {"mode": run_mode, "data_source": data.source, "scale": "unit [0,1]",
               "n_images": int(rows[0]["n_images"]) if rows else 0,
               "hole": asdict(CENTER_HOLE),
               "saved": time.strftime("%Y-%m-%d %H:%M:%S"), "results": rows, **(extra or {})}
    path.write_text(json.dumps(payload, indent=2, default=float) + "\n")
    return path


def conclusion(rows: list[dict], ae: str = "autoencoder", gan: str = "gan",
               similar: float = 0.15, clearly_sharper: float = 0.1) -> list[str]:
    """What the table says, in sentences computed from it (nothing assumed): the lowest
    error, the sharpest fill, and the paper's claim ("similar error, the GAN is sharper")
    checked against these numbers. ``similar`` is the relative MSE difference still
    called similar (15 %); the GAN counts as sharper when its sharpness ratio is at least
    ``clearly_sharper`` closer to 1.0 than the autoencoder's (0.40 against 0.37 is not)."""
    by_id = {r["id"]: r for r in rows}
    lines = []
    best = min(rows, key=lambda r: r["hole_mse"])
    lines.append(f"Lowest hole MSE: {best['method']} ({best['hole_mse']:.4f}).")
    sharp = min(rows, key=lambda r: abs(math.log(max(r["sharpness_ratio"], 1e-9))))
    lines.append(f"Sharpness closest to the real patches: {sharp['method']} "
                 f"(ratio {sharp['sharpness_ratio']:.2f}; 1.00 is as sharp as the truth).")
    classical = [r for r in rows if r["id"] in CLASSICAL_IDS]
    if classical:
        best_classical = min(classical, key=lambda r: r["hole_mse"])
        for key in (ae, gan):
            if key in by_id:
                r = by_id[key]
                change = 1 - r["hole_mse"] / best_classical["hole_mse"]
                factor = r["hole_mse"] / best_classical["hole_mse"]
                how = (f"{abs(change):.0%} {'below' if change >= 0 else 'above'}" if factor < 2
                       else f"{factor:.1f} times")
                lines.append(f"{r['method']}: hole MSE {r['hole_mse']:.4f}, {how} that of the best "
                             f"classical fill ({best_classical['method']}, {best_classical['hole_mse']:.4f}).")
    lines += paper_claim(rows, ae, gan, similar, clearly_sharper)
    return lines


def paper_claim(rows: list[dict], ae: str = "autoencoder", gan: str = "gan", similar: float = 0.15,
                clearly_sharper: float = 0.1, subject: str = "this run") -> list[str]:
    """The paper's claim ("similar error, the GAN is sharper") checked for the rows ``ae``
    and ``gan`` (see :func:`conclusion`); empty when either is missing."""
    by_id = {r["id"]: r for r in rows}
    if ae not in by_id or gan not in by_id:
        return []
    a, g = by_id[ae], by_id[gan]
    rel = (g["hole_mse"] - a["hole_mse"]) / a["hole_mse"]
    same_error = abs(rel) <= similar
    sharper = abs(1 - g["sharpness_ratio"]) <= abs(1 - a["sharpness_ratio"]) - clearly_sharper
    verdict = ("supports" if same_error and sharper else
               "supports half of" if same_error or sharper else "does not support")
    return [f"The paper says: similar error, the GAN is sharper. Here the GAN's hole MSE is "
            f"{abs(rel):.0%} {'above' if rel >= 0 else 'below'} the autoencoder's "
            f"({'similar' if same_error else 'not similar'}, taking up to "
            f"{similar:.0%} as similar) and the GAN's sharpness ratio is "
            f"{g['sharpness_ratio']:.2f} against the autoencoder's {a['sharpness_ratio']:.2f} "
            f"({'sharper' if sharper else 'not clearly sharper'}, taking "
            f"{clearly_sharper:.2f} closer to 1.0 as clearly sharper).",
            f"So {subject} {verdict} the paper's claim."]


def beyond_the_paper_verdict(rows: list[dict], free_rows: list[dict], images_seen: dict | None = None,
                             new: str = "pconv", ae: str = "autoencoder", centre_gain_db: float = 1.0,
                             free_form_gain: float = 0.30) -> list[str]:
    """The partial-convolution U-Net against its two targets, in sentences computed from the
    tables: at least ``centre_gain_db`` more mean hole PSNR than the paper's autoencoder on
    the centre square, and a hole MSE at least ``free_form_gain`` below every classical fill
    on free-form holes. ``images_seen``: training images each model saw (said beside)."""
    by_id = {r["id"]: r for r in rows}
    lines = []
    seen = images_seen or {}

    def budget(key):
        return f" after {seen[key]:,} training images" if key in seen else ""

    if new in by_id and ae in by_id:
        n, a = by_id[new], by_id[ae]
        gain = n["hole_psnr"] - a["hole_psnr"]
        lines.append(f"Centre square: {n['method']}{budget(new)} {gain:+.2f} dB mean hole PSNR against "
                     f"{a['method']}{budget(ae)} ({n['hole_psnr']:.2f} against {a['hole_psnr']:.2f} dB); "
                     f"target +{centre_gain_db:.0f} dB: {'met' if gain >= centre_gain_db else 'not met'}.")
    free = {r["id"]: r for r in free_rows}
    classical = [r for r in free_rows if r["id"] in CLASSICAL_IDS]
    if new in free and classical:
        n = free[new]
        drops = [(1 - n["hole_mse"] / r["hole_mse"], r) for r in classical]
        parts = ", ".join(f"{abs(d):.0%} {'below' if d >= 0 else 'above'} {r['method']} ({r['hole_mse']:.4f})"
                          for d, r in drops)
        met = all(d >= free_form_gain for d, _ in drops)
        lines.append(f"Free-form holes: {n['method']} hole MSE {n['hole_mse']:.4f}, {parts}; target at "
                     f"least {free_form_gain:.0%} below each: {'met' if met else 'not met'}.")
    return lines
