"""The notebooks' one choice of run: budgets, time estimates, folders, and what each run gives."""

import numpy as np
import pytest

from helpers import paper, registry, runs
from helpers.data import Cifar10
from helpers.engine import weightfiles
from helpers.trainers import AutoencoderTrainer


@pytest.fixture
def tiny_data():
    rng = np.random.default_rng(0)
    images = lambda n: rng.integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)  # noqa: E731
    return Cifar10(images(256), rng.integers(0, 10, 256), images(32), rng.integers(0, 10, 32), "synthetic")


@pytest.fixture
def runs_folder(tmp_path, monkeypatch):
    monkeypatch.setenv(runs.RUNS_ENV, str(tmp_path))
    return tmp_path


def test_a_run_that_is_not_one_says_what_to_write():
    with pytest.raises(ValueError, match='RUN = "pretrained", "quick" or "paper"'):
        runs.check_choice("fast")
    assert runs.check_choice("quick") == "quick"


def test_smoke_mode_is_read_in_one_place(monkeypatch):
    for value, expected in (("1", True), ("yes", True), ("0", False), ("", False), ("off", False)):
        monkeypatch.setenv(runs.SMOKE_ENV, value)
        assert runs.smoke_test() is expected
    monkeypatch.setenv(runs.SMOKE_ENV, "1")   # no other function reads it: smoke is passed in
    assert runs.plan("gan", "quick").run == "quick"


def test_plans_follow_the_paper_and_shrink_in_smoke_mode(monkeypatch):
    speeds = {"autoencoder": 20.0, "gan": 1.0, "pconv": 10.0}
    monkeypatch.setattr(runs, "measure_costs", lambda model, smoke=False: runs.Costs(speeds[model], 0, 0, 0))
    for model, kind in registry.KINDS.items():
        full = runs.plan(model, "paper")
        assert (full.iterations, full.batch_size) == (kind.budget.iterations, kind.budget.batch_size)
        quick = runs.plan(model, "quick")
        sized = max(kind.quick_minimum, round(kind.quick_seconds * speeds[model], -1))
        assert quick.iterations == sized < full.iterations, "the quick run: its seconds at the speed here"
        assert runs.plan(model, "quick", iterations=70).iterations == 70, "a run repeated at its length"
        assert quick.batch_size == full.batch_size and "quick run" in quick.describe()
        assert runs.plan(model, "paper", smoke=True).iterations == kind.smoke_iterations
    assert paper.BUDGETS["gan"] == registry.kind("gan").budget
    assert "the paper's budget" in runs.plan("gan", "paper").describe()
    with pytest.raises(ValueError, match="'quick' or 'paper'"):
        runs.plan("gan", "pretrained")
    with pytest.raises(ValueError, match="Unknown model kind"):
        runs.plan("vae", "quick")


def test_the_estimate_adds_up_measured_costs(monkeypatch):
    # 10 iterations/s; compiling the step 4 s and the prediction 1 s; 2 ms a validation image
    monkeypatch.setattr(runs, "measure_costs", lambda model, smoke=False: runs.Costs(10.0, 4.0, 1.0, 0.002))
    text = runs.estimate(runs.plan("autoencoder", "paper"))
    assert "10.0 iterations/s" in text and "about 1.5 h (83 min training, 5 s compiling, 8 min validating)" in text
    quick = runs.plan("gan", "quick", iterations=600)
    parts = runs.estimate_seconds(quick)
    assert parts == {"training": 60.0, "compiling": 5.0, "validating": 7 * 1_000 * 0.002, "plotting": 0.0}

    class Live:
        milestones = [150, 300, 450, 600]
        redraw_seconds = staticmethod(lambda: 0.5)
        redraw_every = staticmethod(lambda: 2.0)

    # 30 log points, at most one redraw per 2 s of 60 s, the 4 milestones and the start and end
    assert runs.estimate_seconds(quick, Live())["plotting"] == (30 + 4 + 2) * 0.5

    class SlowLive(Live):
        redraw_seconds = staticmethod(lambda: 2.0)
        redraw_every = staticmethod(lambda: 8.0)

    # slow drawing paces the redraws, one per 8 s of the whole run: its 79 s of training,
    # compiling and validating, the 6 redraws of the milestones, first log point and end (12 s),
    # and the paced redraws themselves (x): x = (79 + 12 + x) / 4, so x = 91 / 3
    assert runs.estimate_seconds(quick, SlowLive())["plotting"] == pytest.approx(91 / 3 + 12)
    assert "the paper's 80,000 would take about 2.2 h" in runs.estimate(quick)
    assert runs.duration(30) == "30 s" and runs.duration(600) == "10 min"


@pytest.mark.slow
def test_measured_speed_is_positive_and_asked_once(monkeypatch):
    calls = []
    original = AutoencoderTrainer.__init__
    monkeypatch.setattr(AutoencoderTrainer, "__init__", lambda self, *a, **kw: calls.append(1) or original(self, *a, **kw))
    runs._COSTS.clear()
    assert runs.measure_speed("autoencoder") > 0
    assert runs.measure_speed("autoencoder") > 0 and len(calls) == 1
    costs = runs.measure_costs("autoencoder")
    assert costs.compile_seconds >= 0 and costs.validate_per_image > 0


def test_quick_runs_start_afresh_and_paper_runs_resume(runs_folder):
    quick, full = runs.plan("gan", "quick", iterations=100), runs.plan("gan", "paper")
    (runs.run_dir(quick) / "checkpoint.npz").write_text("old")
    (runs.run_dir(full) / "checkpoint.npz").write_text("old")
    assert not (runs.run_dir(quick) / "checkpoint.npz").exists()
    assert (runs.run_dir(full) / "checkpoint.npz").exists()
    assert runs.run_dir(full).parent.parent == runs_folder


@pytest.mark.slow
def test_fit_save_and_find_a_quick_run(runs_folder, tiny_data):
    b = runs.plan("autoencoder", "quick", smoke=True)
    trainer = AutoencoderTrainer(seed=0)
    history = runs.fit(trainer, tiny_data, b)
    assert trainer.iteration == b.iterations and history["val_hole_mse"][-1] is not None
    path = runs.save(trainer, b, tiny_data)
    found, record = runs.saved("autoencoder", "quick", smoke=True)
    assert found == path and record["iteration"] == b.iterations and record["data_source"] == "synthetic"
    assert runs.saved("gan", "quick", smoke=True) is None and runs.saved("autoencoder", "quick") is None


def test_a_loaded_model_is_described_at_its_own_iteration():
    trainer, about = runs.load("autoencoder")
    assert trainer.iteration == weightfiles.read_manifest()["autoencoder"]["iteration"]
    assert trainer.iteration < trainer.history["iteration"][-1], "the shipped state is not the run's last"
    at = trainer.history["iteration"].index(trainer.iteration)
    assert f"iteration {trainer.iteration:,}" in about
    assert f"training loss {trainer.history['loss'][at]:.4f} at iteration {trainer.iteration:,}" in about
    assert f"{trainer.history['iteration'][-1]:,}" not in about


def test_missing_weights_fall_back_to_the_quick_run(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("INPAINTING_WEIGHTS", str(tmp_path))
    assert runs.choose("pretrained", "gan") == "quick"
    assert "missing or damaged" in capsys.readouterr().out
    assert runs.choose("paper", "gan") == "paper"


@pytest.mark.slow
def test_studied_gives_the_run_asked_for(runs_folder, tiny_data, capsys):
    quick = AutoencoderTrainer(seed=0)
    trainer, about = runs.studied("quick", "autoencoder", quick=quick, make=None, data=tiny_data)
    assert trainer is quick and "the quick run" in about
    trainer, about = runs.studied("pretrained", "autoencoder", quick=quick, make=None, data=tiny_data)
    shipped = weightfiles.read_manifest()["autoencoder"]["iteration"]
    assert trainer.iteration == shipped and "shipped weights 'autoencoder'" in about
    trainer, about = runs.studied("paper", "autoencoder", quick=quick, data=tiny_data, smoke=True,
                                  make=lambda: AutoencoderTrainer(seed=1))
    assert "Measured here" in capsys.readouterr().out
    assert trainer.iteration == runs.plan("autoencoder", "paper", smoke=True).iterations and "paper run" in about
    assert runs.saved("autoencoder", "paper", smoke=True) is None, "studied saves nothing: runs.save does"


def test_test_images_are_a_fixed_choice_of_every_class(tiny_data):
    images, labels = runs.test_images(tiny_data, 16)
    again, _ = runs.test_images(tiny_data, 16)
    assert len(images) == 16 and np.array_equal(images, again)
    ordered = Cifar10(tiny_data.x_train, tiny_data.y_train, tiny_data.x_test, np.sort(tiny_data.y_test), "sorted")
    assert len(set(runs.test_images(ordered, 16)[1])) > len(set(ordered.y_test[:16]))
    assert runs.test_images(tiny_data, 1000)[0] is tiny_data.x_test
