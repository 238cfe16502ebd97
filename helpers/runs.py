"""Which run a training notebook makes, how long it takes here, and where its files go.

Every training notebook starts with one visible choice::

    RUN = "pretrained"   # the trained weights that ship with the course (the default)
    RUN = "quick"        # the short run the notebook trains with the code on its page
    RUN = "paper"        # the paper's budget: 50,000 or 80,000 iterations (a GPU, or a night)

Whatever ``RUN`` says, the notebook first trains a *quick* run with the code on its page, so
you see a model learn and can change the code and see what it does; ``RUN`` chooses which
model the rest of the notebook studies. Before any training, :func:`estimate` says how long
it takes on this machine, from a speed measured here (:func:`measure_speed`).

**Smoke mode.** The test suite runs every notebook in seconds: it sets ``INPAINTING_SMOKE=1``,
and a notebook reads that once, ``SMOKE = runs.smoke_test()``, and passes it to the functions
here that size a run or its data (``smoke=SMOKE``): every budget is then tiny and every data
set a small subset, and the numbers mean nothing. No other function reads the environment.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from . import registry
from .data import Cifar10, load_cifar10, showcase_indices, split_validation  # noqa: F401
from .engine.backend import backend
from .engine.files import REPO_ROOT, read_json, write_json
from .engine.weightfiles import PretrainedError, verify
from .environment import gpus, in_colab
from .models import load_inpainter, save_model
from .pretrained import load_published, pretrained_inpainter, record

RUN_CHOICES = ("pretrained", "quick", "paper")
SMOKE_ENV = "INPAINTING_SMOKE"
RUNS_ENV = "INPAINTING_RUNS"
TEST_IMAGES = 2_000   # the test images a notebook scores on: the classical fills run on the CPU


def smoke_test() -> bool:
    """Whether the test suite is running this notebook (``INPAINTING_SMOKE`` set, not 0/false):
    the one place smoke mode is read. Pass the answer on as ``smoke=``."""
    return os.environ.get(SMOKE_ENV, "").strip().lower() not in ("", "0", "false", "no", "off")


def check_choice(run: str) -> str:
    """``run`` if it is one of :data:`RUN_CHOICES`, else an error that says what to write."""
    if run not in RUN_CHOICES:
        raise ValueError(f"RUN = {run!r} is not a run: write RUN = \"pretrained\", \"quick\" or "
                         f"\"paper\" in the notebook's first cell, then run the notebook again.")
    return run


# --------------------------------------------------------------------------- plans


@dataclass(frozen=True)
class TrainingPlan:
    """How much one run trains: ``iterations`` batches of ``batch_size`` images, with
    ``val_size`` training images held out to watch the hole error on."""

    model: str
    run: str            # "quick", "paper" or "smoke"
    iterations: int
    batch_size: int
    val_size: int
    log_every: int
    validate_every: int

    @property
    def paper(self):
        """The paper's budget for this model (:data:`helpers.paper.BUDGETS`)."""
        return registry.kind(self.model).budget

    def describe(self) -> str:
        """One line: what this plan trains, against the paper's budget."""
        share = self.iterations / self.paper.iterations
        against = ("the paper's budget" if share >= 1 else
                   f"{100 * share:.2g}% of the paper's {self.paper.iterations:,}")
        return (f"{self.model}, {self.run} run: {self.iterations:,} iterations at batch {self.batch_size} "
                f"({against})")


QUICK_VALIDATION = 1_000   # training images a quick run holds out to validate on


def plan(model: str, run: str, smoke: bool = False, iterations: int | None = None) -> TrainingPlan:
    """The plan of ``model`` for a "quick" or "paper" run (tiny with ``smoke``).

    A quick run trains for the kind's ``quick_seconds`` at the speed measured here
    (:func:`measure_costs`; at least ``quick_minimum`` iterations), so a GPU trains
    proportionally more in the same minutes; ``iterations`` repeats a run of that length."""
    kind = registry.kind(model)
    if run not in ("quick", "paper"):
        raise ValueError(f"A run that trains is 'quick' or 'paper', got {run!r}.")
    batch = kind.budget.batch_size
    if smoke:
        n = iterations or kind.smoke_iterations
        return TrainingPlan(model, "smoke", n, batch, 64, 2, n)
    if run == "quick":
        if iterations is None:
            sized = kind.quick_seconds * measure_costs(model).speed
            iterations = max(kind.quick_minimum, int(round(sized, -1)))
        return TrainingPlan(model, "quick", iterations, batch, QUICK_VALIDATION, max(iterations // 30, 1),
                            max(iterations // 6, 1))
    return TrainingPlan(model, "paper", iterations or kind.budget.iterations, batch, 5_000, 250, 1_000)


# --------------------------------------------------------------------------- data


def load_data(smoke: bool = False, **kwargs) -> Cifar10:
    """CIFAR-10 for a notebook: all of it, or (``smoke``) 512 training and 64 test images.
    Keyword arguments go to :func:`helpers.data.load_cifar10`."""
    if smoke:
        kwargs.setdefault("train_size", 512)
        kwargs.setdefault("test_size", 64)
    kwargs.setdefault("progress", False)
    return load_cifar10(**kwargs)


def test_images(data: Cifar10, n: int = TEST_IMAGES):
    """The test images a notebook scores on: ``n`` of them (default :data:`TEST_IMAGES`, on
    every runtime), a seeded random choice, so always the same ones and every class (the test
    set may be stored class by class). Returns ``(images, labels)``."""
    if n >= len(data.x_test):
        return data.x_test, data.y_test
    chosen = np.sort(np.random.default_rng(0).permutation(len(data.x_test))[:n])
    return data.x_test[chosen], data.y_test[chosen]


def split(data: Cifar10, p: TrainingPlan | int, seed: int = 0):
    """(training images, validation images): ``p.val_size`` (or ``p`` images) held out of the
    training set, the same ones every time."""
    size = p if isinstance(p, int) else p.val_size
    x_train, _, x_val, _ = split_validation(data.x_train, data.y_train, min(size, len(data.x_train) // 4),
                                            seed=seed)
    return x_train, x_val


# --------------------------------------------------------------------------- how long


@dataclass(frozen=True)
class Costs:
    """What training a model costs here, measured with the package's own compiled step."""

    speed: float               # iterations per second, once compiled
    compile_seconds: float     # compiling the step (the first two iterations beyond two steps) ...
    predict_compile_seconds: float  # ... and the prediction (the first validation beyond the second)
    validate_per_image: float  # seconds per validation image (the compiled prediction)
    checkpoint_seconds: float = 0.0  # writing one checkpoint (weights and optimizer state)


_COSTS: dict = {}


WARM_UP_SECONDS = 0.5   # untimed iterations after compiling: the first few run slower than the rest


def measure_costs(model: str, seconds: float = 1.5, smoke: bool = False) -> Costs:
    """Measure :class:`Costs` on random images (once per session and machine): two iterations
    compile the step, more warm it up for :data:`WARM_UP_SECONDS`, then as many as fit in
    ``seconds`` are timed (``smoke``: two of each), then a prediction of 256 images twice (the
    first compiles it), then a checkpoint written twice."""
    key = (model, backend(), gpus())
    if key not in _COSTS:
        trainer_class = registry.kind(model).trainer_class()
        trainer = trainer_class(fused=True) if model == "gan" else trainer_class()
        rng = np.random.default_rng(0)
        images = rng.integers(0, 256, (trainer.batch_size, 32, 32, 3), dtype=np.uint8)
        start = time.perf_counter()
        for _ in range(2):
            float(next(iter(trainer.train_step(images).values())))  # waits for the step to finish
        first_two = time.perf_counter() - start
        for window in (WARM_UP_SECONDS, seconds):   # warm up, then time
            start, count = time.perf_counter(), 0
            while count < 2 or (not smoke and time.perf_counter() - start < window):
                float(next(iter(trainer.train_step(images).values())))
                count += 1
        speed = count / (time.perf_counter() - start)
        shown = rng.integers(0, 256, (256, 32, 32, 3), dtype=np.uint8)
        start = time.perf_counter()
        trainer.validate(shown)
        first = time.perf_counter() - start
        start = time.perf_counter()
        trainer.validate(shown)
        second = time.perf_counter() - start
        saving = []
        with tempfile.TemporaryDirectory(prefix="costs-") as folder:
            for _ in range(2):   # the mean of two writes: one alone varies a lot on a busy machine
                start = time.perf_counter()
                trainer.save_checkpoint(Path(folder) / "checkpoint.npz")
                saving.append(time.perf_counter() - start)
        _COSTS[key] = Costs(speed, max(first_two - 2 / speed, 0.0), max(first - second, 0.0), second / len(shown),
                            sum(saving) / len(saving))
    return _COSTS[key]


def measure_speed(model: str, smoke: bool = False) -> float:
    """Training iterations per second of ``model`` here (:func:`measure_costs`)."""
    return measure_costs(model, smoke=smoke).speed


def duration(seconds: float) -> str:
    """A time as a person says it: "40 s", "2 min 30 s" (to 10 s, under 10 minutes), "52 min", "1.5 h"."""
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 10 * 60:
        minutes, rest = divmod(int(round(seconds, -1)), 60)
        return f"{minutes} min" + (f" {rest} s" if rest else "")
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def estimate_seconds(p: TrainingPlan, live=None) -> dict:
    """How long ``p`` takes here, part by part: training steps, compiling (the step and the
    prediction), validations, checkpoints (:func:`fit` writes one at each validation, and
    ``best.npz`` each time the validation error improves), and the live plot's redraws
    (``live``: a :class:`~helpers.live_plot.LiveLossPlot`, which measures one redraw)."""
    costs = measure_costs(p.model, smoke=p.run == "smoke")
    n = p.iterations
    checkpoints = n // p.validate_every + (n % p.validate_every > 0)   # one at each validation
    validations = 1 + checkpoints   # and the start's
    parts = {"training": n / costs.speed,
             "compiling": costs.compile_seconds + costs.predict_compile_seconds,
             "validating": validations * p.val_size * costs.validate_per_image,
             "saving": 2 * checkpoints * costs.checkpoint_seconds, "plotting": 0.0}
    if live is not None:
        cost = live.redraw_seconds()   # measured first: the interval between redraws follows from it
        fixed = (len(live.milestones) + 2) * cost   # at each snapshot, the first log point and the end
        # Between milestones, one redraw at a log point once redraw_every seconds have passed
        # since the last one began: those seconds are the run's (training, compiling,
        # validating, saving) and its redraws', so a redraw takes `share` of the time they pace.
        share = cost / live.redraw_every()
        paced = (sum(parts.values()) + fixed) * share / (1 - share)
        calls = len(set(range(p.log_every, n + 1, p.log_every)) | set(range(p.validate_every, n + 1, p.validate_every)))
        parts["plotting"] = min((calls + 1) * cost, paced + fixed)   # at most each call, and finish
    return parts


def estimate(p: TrainingPlan, live=None) -> str:
    """How long ``p`` takes here, from costs measured here: one sentence to print first."""
    speed, parts = measure_speed(p.model, smoke=p.run == "smoke"), estimate_seconds(p, live)
    where = ", ".join(gpus()) or "this CPU"
    detail = ", ".join(f"{duration(v)} {k}" for k, v in parts.items() if v >= 0.5)
    text = (f"{p.describe()}. Measured here ({where}, {backend()}): {speed:.1f} iterations/s, so about "
            f"{duration(sum(parts.values()))} ({detail})")
    if p.iterations < p.paper.iterations:
        text += f"; the paper's {p.paper.iterations:,} would take about {duration(p.paper.iterations / speed)}"
    return text + "."


# --------------------------------------------------------------------------- folders


def runs_root() -> Path:
    """Where runs go: ``$INPAINTING_RUNS``, else ``/content/inpainting-runs`` on Colab (outside
    the clone; see the notebooks' appendix to keep it on Google Drive), else ``<repo>/runs``."""
    env = os.environ.get(RUNS_ENV, "").strip()
    if env:
        return Path(env).expanduser()
    return Path("/content/inpainting-runs") if in_colab() else REPO_ROOT / "runs"


def run_dir(p: TrainingPlan, fresh: bool | None = None) -> Path:
    """The folder of a run: ``runs/<run>/<model>``. A paper run resumes from its checkpoint
    there; a quick (or smoke) run starts afresh (``fresh``) each time, so a change to the
    code shows."""
    path = runs_root() / p.run / p.model
    if (p.run != "paper" if fresh is None else fresh) and path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True, exist_ok=True)
    return path


def fit(trainer, data: Cifar10, p: TrainingPlan, callback=None, progress: bool = False) -> dict:
    """Train ``trainer`` with plan ``p`` on ``data`` (validation held out of the training
    set, scored where the run starts too), checkpointing in :func:`run_dir`; a paper run
    resumes where it stopped."""
    x_train, x_val = split(data, p)
    folder = run_dir(p)
    return trainer.fit(x_train, p.iterations, checkpoint_dir=folder, resume=p.run == "paper",
                       checkpoint_every=max(p.validate_every, 1), log_every=p.log_every,
                       validation=x_val, validate_every=p.validate_every, callback=callback,
                       progress=progress, validate_first=True)


def save(trainer, p: TrainingPlan, data: Cifar10) -> Path:
    """Save a trained model where notebook 5 finds it: ``runs/<run>/models/<model>.keras``,
    with what it was trained on beside it (``<model>.json``). Returns the path."""
    folder = runs_root() / p.run / "models"
    path = save_model(trainer.models()[trainer.filling_net], folder / f"{p.model}.keras")
    write_json(folder / f"{p.model}.json", {"model": p.model, "run": p.run, "iteration": trainer.iteration,
                                             "batch_size": trainer.batch_size, "data_source": data.source,
                                             "saved": time.strftime("%Y-%m-%d %H:%M")})
    return path


def saved(model: str, run: str, smoke: bool = False) -> tuple[Path, dict] | None:
    """The model a notebook saved for ``run`` (see :func:`save`), and its record, if any."""
    folder = runs_root() / ("smoke" if smoke else run) / "models"
    path = folder / f"{model}.keras"
    return (path, read_json(folder / f"{model}.json")) if path.exists() else None


NOTEBOOK_OF = {"autoencoder": 3, "gan": 4}   # the notebook that trains (and saves) each of the paper's models


def compared(model: str, run: str, smoke: bool = False):
    """The model notebook 5 compares for ``RUN = run``: the ``run`` that notebook 3 or 4 saved
    (:func:`saved`), else the shipped weights (saying so when ``run`` asked for a saved one).
    Returns ``(inpainter, one line saying exactly which model it is)``."""
    found = saved(model, run, smoke=smoke) if check_choice(run) != "pretrained" else None
    notebook, budget = NOTEBOOK_OF[model], f"the paper trains {registry.kind(model).budget.iterations:,}"
    if found is not None:
        path, about = found
        return load_inpainter(path, name=model), (
            f"{model}: the {about['run']} run notebook {notebook} saved ({path.name}), iteration "
            f"{about['iteration']:,} at batch {about['batch_size']} ({budget}), trained on {about['data_source']}")
    if run != "pretrained":
        print(f"No {run} run of the {model} is saved here (notebook {notebook} saves one when run with "
              f'RUN = "{run}"), so the shipped {model} weights are compared instead.')
    r = record(model)
    return pretrained_inpainter(model, model), (
        f"{model}: the shipped weights (weights/{model}.md), iteration {r['iteration']:,} of a "
        f"{r['trained_iterations']:,}-iteration run at batch {r['batch_size']} ({budget}), on {r['data_source']}")


# --------------------------------------------------------------------------- the shipped weights


def pretrained_available(name: str) -> bool:
    """Whether the shipped weights ``name`` are there and intact."""
    try:
        verify(name)
    except PretrainedError:
        return False
    return True


def choose(run: str, model: str) -> str:
    """The run a notebook makes for ``RUN = run``: ``run`` itself, or "quick" (saying why)
    when it asks for shipped weights that are missing or damaged."""
    check_choice(run)
    if run == "pretrained" and not pretrained_available(model):
        print(f"The trained weights {model!r} are missing or damaged (python -m helpers.cli.publish "
              f"list says which), so this notebook studies its quick run instead.")
        return "quick"
    return run


def load(name: str):
    """The shipped model ``name`` (:class:`~helpers.pretrained.PublishedModel`: its network
    that fills holes, its iteration and loss history), and one line that describes it."""
    model = load_published(name)
    return model, describe(model, f"the shipped weights {name!r} (weights/{name}.md)")


def studied(run: str, model: str, quick, make, data: Cifar10, callback=None, name: str | None = None,
            smoke: bool = False):
    """The model the rest of a notebook studies, and one line that describes it.

    - ``"pretrained"``: the shipped weights ``name`` (default: ``model``'s), a
      :class:`~helpers.pretrained.PublishedModel`;
    - ``"quick"``: ``quick``, the trainer of the quick run the notebook has just trained;
    - ``"paper"``: a trainer from ``make()`` trained here with the paper's budget, after
      saying how long that takes; it checkpoints, and a rerun resumes where it stopped.

    Each has ``inpainter()``, ``history``, ``iteration`` and ``batch_size``. Nothing is saved:
    :func:`save` does that.
    """
    run = choose(run, name or model)
    if run == "pretrained":
        return load(name or model)
    if run == "quick":
        return quick, describe(quick, "the quick run above")
    p = plan(model, "paper", smoke=smoke)
    print(estimate(p))
    trainer = make()
    fit(trainer, data, p, callback=callback)
    if callback is not None:
        callback.finish(trainer)
    return trainer, describe(trainer, f"the paper run in {run_dir(p, fresh=False)}")


def describe(model, source: str) -> str:
    """One line about a trained model (a trainer, or a published model): where it came from,
    its iteration, and the training loss and validation hole MSE logged at (or last before)
    that iteration."""
    history = model.history
    iterations = history.get("iteration", [])
    upto = [i for i, it in enumerate(iterations) if it <= model.iteration]
    parts = [f"{source}: iteration {model.iteration:,} at batch {model.batch_size}"]
    for key, label in ((model.model_kind.training_loss, "training loss"), ("val_hole_mse", "validation hole MSE")):
        values = [(iterations[i], history[key][i]) for i in upto if history.get(key) and i < len(history[key])
                  and history[key][i] is not None]
        if values:
            parts.append(f"{label} {values[-1][1]:.4f} at iteration {values[-1][0]:,}")
    return "; ".join(parts) + "."
