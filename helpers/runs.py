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
from .models import save_model
from .pretrained import load_published

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


_COSTS: dict = {}


def measure_costs(model: str, seconds: float = 1.5, smoke: bool = False) -> Costs:
    """Measure :class:`Costs` on random images (once per session and machine): two untimed
    iterations compile the step, then as many as fit in ``seconds`` (``smoke``: two), then a
    prediction of 256 images twice (the first compiles it)."""
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
        start, count = time.perf_counter(), 0
        while count < 2 or (not smoke and time.perf_counter() - start < seconds):
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
        _COSTS[key] = Costs(speed, max(first_two - 2 / speed, 0.0), max(first - second, 0.0), second / len(shown))
    return _COSTS[key]


def measure_speed(model: str, smoke: bool = False) -> float:
    """Training iterations per second of ``model`` here (:func:`measure_costs`)."""
    return measure_costs(model, smoke=smoke).speed


def duration(seconds: float) -> str:
    if seconds < 90:
        return f"{max(seconds, 1):.0f} s"
    if seconds < 90 * 60:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.1f} h"


def estimate_seconds(p: TrainingPlan, live=None) -> dict:
    """How long ``p`` takes here, part by part: training steps, compiling (the step and the
    prediction), validations, and the live plot's redraws (``live``: a
    :class:`~helpers.live_plot.LiveLossPlot`, which measures one redraw)."""
    costs = measure_costs(p.model, smoke=p.run == "smoke")
    validations = 1 + p.iterations // p.validate_every + (p.iterations % p.validate_every > 0)   # 1: the start
    parts = {"training": p.iterations / costs.speed,
             "compiling": costs.compile_seconds + costs.predict_compile_seconds,
             "validating": validations * p.val_size * costs.validate_per_image, "plotting": 0.0}
    if live is not None:
        cost = live.redraw_seconds()   # measured first: the interval between redraws follows from it
        fixed = (len(live.milestones) + 2) * cost   # at each snapshot, the first log point and the end
        # Between milestones, one redraw at a log point once redraw_every seconds have passed
        # since the last one began: those seconds are the run's (training, compiling,
        # validating) and its redraws', so a redraw takes `share` of the time they pace.
        share = cost / live.redraw_every()
        paced = (sum(parts.values()) + fixed) * share / (1 - share)
        parts["plotting"] = min(p.iterations // p.log_every * cost, paced) + fixed
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
