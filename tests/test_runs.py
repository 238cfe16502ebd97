"""The notebooks' one choice of run: budgets, time estimates, folders, and what each run gives."""

import numpy as np
import pytest

from helpers import paper, runs
from helpers.data import Cifar10
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


def test_budgets_follow_the_paper_and_shrink_under_the_test_suite(monkeypatch):
    monkeypatch.setenv(runs.SMOKE_ENV, "0")
    for model in runs.MODELS:
        full = runs.budget(model, "paper")
        assert (full.iterations, full.batch_size) == (paper.BUDGETS[model].iterations, paper.BUDGETS[model].batch_size)
        quick = runs.budget(model, "quick")
        assert quick.iterations == runs.QUICK_ITERATIONS[model] < full.iterations
        assert quick.batch_size == full.batch_size and "quick run" in quick.describe()
    assert "the paper's budget" in runs.budget("gan", "paper").describe()
    monkeypatch.setenv(runs.SMOKE_ENV, "1")
    assert runs.budget("gan", "paper").iterations == runs.SMOKE_ITERATIONS["gan"]
    with pytest.raises(ValueError, match="'quick' or 'paper'"):
        runs.budget("gan", "pretrained")
    with pytest.raises(ValueError, match="Unknown model"):
        runs.budget("vae", "quick")


def test_the_estimate_comes_from_a_measured_speed(monkeypatch):
    monkeypatch.setenv(runs.SMOKE_ENV, "0")
    monkeypatch.setattr(runs, "measure_speed", lambda model: 10.0)  # iterations per second
    text = runs.estimate(runs.budget("autoencoder", "paper"))
    assert "10.0 iterations/s" in text and "about 83 min." in text
    assert "the paper's 80,000 would take about 2.2 h" in runs.estimate(runs.budget("gan", "quick"))
    assert runs.duration(30) == "30 s" and runs.duration(600) == "10 min"


@pytest.mark.slow
def test_measured_speed_is_positive_and_asked_once(monkeypatch):
    calls = []
    original = runs.AutoencoderTrainer
    monkeypatch.setattr(runs, "TRAINERS", {"autoencoder": lambda **kw: calls.append(1) or original(**kw)})
    runs._SPEEDS.clear()
    assert runs.measure_speed("autoencoder") > 0
    assert runs.measure_speed("autoencoder") > 0 and len(calls) == 1


def test_quick_runs_start_afresh_and_paper_runs_resume(runs_folder, monkeypatch):
    monkeypatch.setenv(runs.SMOKE_ENV, "0")
    quick, full = runs.budget("gan", "quick"), runs.budget("gan", "paper")
    (runs.run_dir(quick) / "checkpoint.npz").write_text("old")
    (runs.run_dir(full) / "checkpoint.npz").write_text("old")
    assert not (runs.run_dir(quick) / "checkpoint.npz").exists()
    assert (runs.run_dir(full) / "checkpoint.npz").exists()
    assert runs.run_dir(full).parent.parent == runs_folder


@pytest.mark.slow
def test_fit_save_and_find_a_quick_run(runs_folder, tiny_data):
    b = runs.budget("autoencoder", "quick")   # smoke-sized under the test suite
    trainer = AutoencoderTrainer(seed=0)
    history = runs.fit(trainer, tiny_data, b)
    assert trainer.iteration == b.iterations and history["val_hole_mse"][-1] is not None
    path = runs.save(trainer, b, tiny_data)
    found, record = runs.saved("autoencoder", "quick")
    assert found == path and record["iteration"] == b.iterations and record["data_source"] == "synthetic"
    assert runs.saved("gan", "quick") is None


def test_a_loaded_model_is_described_at_its_own_iteration():
    trainer, about = runs.load("autoencoder")
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
    assert trainer.iteration == 21_000 and "shipped weights 'autoencoder'" in about
    trainer, about = runs.studied("paper", "autoencoder", quick=quick, data=tiny_data,
                                  make=lambda: AutoencoderTrainer(seed=1))
    assert "Measured here" in capsys.readouterr().out
    assert trainer.iteration == runs.budget("autoencoder", "paper").iterations and "paper run" in about
    assert runs.saved("autoencoder", "paper") is not None


def test_test_images_are_a_fixed_choice_of_every_class(tiny_data):
    images, labels = runs.test_images(tiny_data, 16)
    again, _ = runs.test_images(tiny_data, 16)
    assert len(images) == 16 and np.array_equal(images, again)
    ordered = Cifar10(tiny_data.x_train, tiny_data.y_train, tiny_data.x_test, np.sort(tiny_data.y_test), "sorted")
    assert len(set(runs.test_images(ordered, 16)[1])) > len(set(ordered.y_test[:16]))
    assert runs.test_images(tiny_data, 1000)[0] is tiny_data.x_test
