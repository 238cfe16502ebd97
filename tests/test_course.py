"""Run modes, budgets, folders, the paper's tables, and the evaluation helpers of helpers.course."""

import json

import numpy as np
import pytest

from helpers import course
from helpers.data import Cifar10


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No mode variables, a private runs folder, and a machine without a GPU."""
    for name in (course.MODE_ENV, course.SMOKE_ENV):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv(course.RUNS_ENV, str(tmp_path / "runs"))
    monkeypatch.setattr(course, "_gpu_devices", lambda: ())
    return tmp_path / "runs"


def fake_data(n_train=160, n_test=24, seed=0):
    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:32, 0:32]
    base = np.stack([cols * 7, rows * 7, (rows + cols) * 3], axis=-1)
    make = lambda n: np.clip(base[None] + rng.integers(0, 30, (n, 32, 32, 3)), 0, 255).astype(np.uint8)  # noqa: E731
    return Cifar10(make(n_train), rng.integers(0, 10, n_train), make(n_test), rng.integers(0, 10, n_test),
                   "synthetic test images")


# --------------------------------------------------------------------------- modes


def test_mode_defaults_to_cpu_without_a_gpu_and_full_with_one(clean_env, monkeypatch):
    assert course.mode() == "cpu"
    assert "no GPU" in course.mode_reason()
    monkeypatch.setattr(course, "_gpu_devices", lambda: ("NVIDIA Test GPU",))
    assert course.mode() == "full"
    assert course.gpu_available()


def test_smoke_variable_switches_smoke_mode(clean_env, monkeypatch):
    monkeypatch.setenv(course.SMOKE_ENV, "1")
    assert course.mode() == "smoke"
    assert course.SMOKE_ENV in course.mode_reason()
    for off in ("0", "false", "no", ""):
        monkeypatch.setenv(course.SMOKE_ENV, off)
        assert course.mode() == "cpu"


def test_mode_variable_overrides_everything(clean_env, monkeypatch):
    monkeypatch.setenv(course.SMOKE_ENV, "1")
    for m in course.MODES:
        monkeypatch.setenv(course.MODE_ENV, m.upper())
        assert course.mode() == m
    monkeypatch.setenv(course.MODE_ENV, "turbo")
    with pytest.raises(ValueError, match="full, cpu, smoke"):
        course.mode()


def test_gpu_status_is_one_sentence(clean_env, monkeypatch):
    assert course.gpu_status().startswith("No GPU found")
    monkeypatch.setattr(course, "_gpu_devices", lambda: ("NVIDIA Test GPU",))
    assert "NVIDIA Test GPU" in course.gpu_status()
    assert not course.in_colab()


def test_quiet_logs_keeps_errors(clean_env, capfd):
    course.quiet_logs()
    import keras  # noqa: F401

    assert "absl::InitializeLog" not in capfd.readouterr().err


# --------------------------------------------------------------------------- budgets


def test_budgets_per_mode():
    from helpers.training import PAPER_AUTOENCODER, PAPER_GAN

    ae_full, gan_full = course.budget("autoencoder", "full"), course.budget("gan", "full")
    assert (ae_full.iterations, ae_full.batch_size) == (PAPER_AUTOENCODER["iterations"], PAPER_AUTOENCODER["batch_size"])
    assert (gan_full.iterations, gan_full.batch_size) == (PAPER_GAN["iterations"], PAPER_GAN["batch_size"])
    assert ae_full.resume and ae_full.train_size is None and course.budget("evaluation", "full").test_size is None
    smoke = course.budget("autoencoder", "smoke")
    assert smoke.iterations <= 50 and smoke.train_size <= 1024 and smoke.test_size <= 128
    assert not smoke.resume
    assert course.budget("gan", "smoke").iterations <= 10
    cpu_ae, cpu_gan = course.budget("autoencoder", "cpu"), course.budget("gan", "cpu")
    assert 1_000 <= cpu_ae.iterations <= 5_000 and 200 <= cpu_gan.iterations <= 600
    assert cpu_ae.train_size is None  # the full training set
    for b in (smoke, cpu_ae, cpu_gan, ae_full, gan_full):
        assert b.checkpoint_every <= max(b.iterations, 1)


def test_budget_overrides_and_errors():
    b = course.budget("autoencoder", "cpu", iterations=10)
    assert b.iterations == 10 and b.batch_size == 64
    with pytest.raises(ValueError, match="no field"):
        course.budget("autoencoder", "cpu", epochs=3)
    with pytest.raises(ValueError, match="Unknown budget"):
        course.budget("vae", "cpu")
    with pytest.raises(ValueError, match="Unknown run mode"):
        course.budget("gan", "tpu")


def test_budget_descriptions_say_the_budget_and_the_paper():
    text = course.budget("autoencoder", "cpu").describe(49_000)
    assert "3,000 iterations at batch 64 on 49,000 training images" in text
    assert "6% of the paper's 50,000" in text and "min on 2 CPU cores" in text
    assert "the paper's budget" in course.budget("gan", "full").describe()
    assert "2,000" in course.budget("evaluation", "cpu").describe()
    kwargs = course.budget("gan", "cpu").fit_kwargs("somewhere")
    assert kwargs["checkpoint_dir"] == "somewhere" and kwargs["resume"] and not kwargs["progress"]


def test_describe_mode_prints_mode_and_budgets(clean_env, monkeypatch, capsys):
    monkeypatch.setenv(course.SMOKE_ENV, "1")
    course.describe_mode("autoencoder")
    out = capsys.readouterr().out
    assert out.startswith("Mode: smoke") and "20 iterations" in out and "gan:" not in out


# --------------------------------------------------------------------------- folders


def test_run_dir_resumes_except_in_smoke_mode(clean_env):
    cpu = course.run_dir("autoencoder", "cpu")
    assert cpu == clean_env / "cpu" / "autoencoder" and cpu.is_dir()
    (cpu / "checkpoint.npz").write_bytes(b"x")
    assert (course.run_dir("autoencoder", "cpu") / "checkpoint.npz").exists()
    smoke = course.run_dir("gan", "smoke")
    (smoke / "checkpoint.npz").write_bytes(b"x")
    assert not (course.run_dir("gan", "smoke") / "checkpoint.npz").exists()
    assert course.models_dir("cpu") == clean_env / "cpu" / "models"
    with pytest.raises(ValueError):
        course.run_dir("../elsewhere", "cpu")


def test_runs_root_default_is_in_the_repository(monkeypatch):
    monkeypatch.delenv(course.RUNS_ENV, raising=False)
    assert course.runs_root() == course.REPO_ROOT / "runs"


def test_resume_note(clean_env, tmp_path):
    b = course.budget("autoencoder", "cpu", iterations=100)
    folder = tmp_path / "run"
    folder.mkdir()
    assert course.resume_note(folder, b).startswith("Starting a new run")
    meta = lambda it: np.str_(json.dumps({"iteration": it}))  # noqa: E731
    np.savez(folder / "checkpoint.npz", __meta__=meta(40))
    assert "Resuming from the checkpoint at iteration 40" in course.resume_note(folder, b)
    np.savez(folder / "checkpoint.npz", __meta__=meta(100))
    assert "nothing left to train" in course.resume_note(folder, b)
    assert course.resume_note(folder, course.budget("autoencoder", "smoke")).startswith("Starting")


def test_pretrained_hook_follows_the_weights_folder(tmp_path, monkeypatch):
    from helpers import pretrained

    monkeypatch.setenv(pretrained.WEIGHTS_ENV, str(tmp_path / "none"))
    assert course.pretrained_available("autoencoder") is False
    assert course.pretrained_available("gan") is False
    with pytest.raises(pretrained.PretrainedError, match="No published weights named 'gan'"):
        course.load_pretrained("gan")
    with pytest.raises(ValueError):
        course.pretrained_available("vae")
    assert "trains its own" in course.pretrained_note("autoencoder")


def test_mode_summary_names_loaded_weights_instead_of_a_budget(clean_env, monkeypatch):
    from helpers import pretrained

    monkeypatch.setattr(course, "MODEL_SOURCES", {})
    assert "iterations at batch" in course.mode_summary("pconv")
    if "pconv" not in pretrained.available():
        pytest.skip("no shipped pconv weights")
    trainer = course.load_pretrained("pconv")
    line = course.mode_summary("pconv").splitlines()[-1]
    assert f"trained weights, {trainer.iteration:,} iterations" in line
    assert "iterations at batch" not in line and "did not apply" in line


def test_showcase_indices_are_fixed_sorted_and_in_range():
    a = course.showcase_indices(64)
    assert np.array_equal(a, course.showcase_indices(64)) and len(a) == 3
    assert np.all(np.diff(a) > 0) and a.max() < 64
    assert len(course.showcase_indices(2)) == 2
    with pytest.raises(ValueError):
        course.showcase_indices(0)


# --------------------------------------------------------------------------- the paper's tables


@pytest.mark.parametrize("kind, notes", [("autoencoder", 0), ("generator", 1), ("discriminator", 1)])
def test_layer_tables_match_the_paper(kind, notes):
    from helpers.models import PARAMETER_COUNTS, build

    model = build(kind)
    table = course.layer_table(model)
    assert table.mismatches == []
    assert len(table.notes) == notes and all("SPEC note" in n for n in table.notes)
    assert table.total_params == PARAMETER_COUNTS[kind]
    text = table.markdown()
    assert text.count("\n| ") == len(course.PAPER_TABLES[kind]) and "Total parameters" in text


def test_layer_table_reports_a_real_mismatch():
    from helpers.models import build_autoencoder

    table = course.layer_table(build_autoencoder(), "discriminator")
    assert table.mismatches


@pytest.mark.parametrize("kind", ["autoencoder", "generator"])
def test_multiply_adds_match_the_paper(kind):
    from helpers.models import build

    assert abs(course.multiply_adds(build(kind)) / course.PAPER_MULTIPLY_ADDS[kind] - 1) < 0.05


def test_combined_step_changes_only_the_generator():
    moved = course.check_frozen_discriminator(fake_data(8).x_train[:4])
    assert moved == {"generator": True, "discriminator": False}


# --------------------------------------------------------------------------- the GAN's curves


def test_gan_diagnosis_reads_the_curves():
    def history(p_real, p_fake):
        n = 10
        return {"iteration": list(range(n)), "d_real_prob": [p_real] * n, "d_fake_prob": [p_fake] * n,
                "g_l2": [0.1] * n, "g_adversarial": [3.0] * n}

    assert any("D is winning" in line for line in course.gan_diagnosis(history(0.98, 0.02)))
    assert any("Balanced" in line for line in course.gan_diagnosis(history(0.52, 0.48)))
    assert any("G is winning" in line for line in course.gan_diagnosis(history(0.3, 0.8)))
    real = np.random.default_rng(0).random((20, 16, 16, 3))
    same = np.repeat(real[:1], 20, axis=0)
    lines = course.gan_diagnosis(history(0.7, 0.3), same, real)
    assert any("mode collapse" in line for line in lines)
    assert course.gan_diagnosis({"iteration": []}) == ["No GAN curves logged yet: train first."]
    assert course.diversity(same) == pytest.approx(0.0, abs=1e-12)


# --------------------------------------------------------------------------- evaluation


def test_evaluate_methods_agrees_with_evaluate():
    from helpers.classical import classical_fills
    from helpers.evaluate import evaluate

    data = fake_data(64, 12)
    fills = classical_fills(data.x_train, methods=["mean", "telea"])
    rows, patches, per_image = course.evaluate_methods(fills, data.x_test)
    reference = evaluate(fills, data.x_test, progress=False)
    for ours, theirs in zip(rows, reference):
        assert set(ours) == set(theirs)
        for key in ("hole_mse", "hole_psnr", "ssim", "sharpness_ratio", "image_psnr", "hole_l1"):
            assert ours[key] == pytest.approx(theirs[key], rel=1e-6)
    assert patches["telea"].shape == (12, 16, 16, 3)
    assert per_image["mean"]["hole_mse"].shape == (12,)
    assert np.mean(per_image["telea"]["hole_mse"]) == pytest.approx(rows[1]["hole_mse"])


def test_per_class_means_and_empty_classes():
    values = np.array([1.0, 3.0, 10.0])
    out = course.per_class(values, np.array([0, 0, 2]), 4)
    assert out[0] == 2.0 and out[2] == 10.0 and np.isnan(out[1]) and np.isnan(out[3])


def row(key, mse, sharp):
    return {"id": key, "method": key, "hole_mse": mse, "sharpness_ratio": sharp, "n_images": 10}


def test_conclusion_follows_the_numbers():
    classical = row("telea", 0.035, 0.4)
    agree = course.conclusion([classical, row("autoencoder", 0.020, 0.5), row("gan", 0.021, 0.9)])
    assert agree[-1] == "So this run supports the paper's claim."
    assert any("Lowest hole MSE: autoencoder" in line for line in agree)
    disagree = course.conclusion([classical, row("autoencoder", 0.020, 0.9), row("gan", 0.040, 0.5)])
    assert disagree[-1] == "So this run does not support the paper's claim."
    half = course.conclusion([classical, row("autoencoder", 0.020, 0.5), row("gan", 0.040, 0.9)])
    assert half[-1] == "So this run supports half of the paper's claim."
    barely = course.conclusion([classical, row("autoencoder", 0.020, 0.37), row("gan", 0.021, 0.40)])
    assert "not clearly sharper" in barely[-2], "0.40 against 0.37 is not a clear margin"
    assert barely[-1] == "So this run supports half of the paper's claim."
    noisy = course.conclusion([classical, row("autoencoder", 0.020, 0.6), row("gan", 0.021, 1.6)])
    assert noisy[-1] == "So this run supports half of the paper's claim.", "too sharp is not closer to 1.0"
    only_classical = course.conclusion([classical])
    assert len(only_classical) == 2
    # a model beyond the paper is not a classical fill, and "similar" is measured from the AE
    beyond = course.conclusion([classical, row("pconv", 0.010, 0.4), row("autoencoder", 0.020, 0.5),
                                row("gan", 0.0228, 0.9)])
    assert any("43% below that of the best classical fill (telea" in line for line in beyond)
    assert any("GAN's hole MSE is 14% above the autoencoder's (similar" in line for line in beyond)
    variant = course.paper_claim([classical, row("autoencoder", 0.020, 0.5), row("gan", 0.040, 0.9),
                                  row("gan-averaged", 0.021, 0.8)], gan="gan-averaged", subject="the variant")
    assert variant[-1] == "So the variant supports the paper's claim." and "5% above" in variant[0]
    assert course.paper_claim([classical, row("autoencoder", 0.020, 0.5)], gan="gan-averaged") == []


def test_beyond_the_paper_verdict_follows_the_numbers():
    centre = [dict(row("autoencoder", 0.026, 0.5), hole_psnr=16.7), dict(row("pconv", 0.02, 0.6), hole_psnr=17.8)]
    free = [row("telea", 0.030, 0), row("biharmonic", 0.028, 0), row("pconv", 0.018, 0)]
    met = course.beyond_the_paper_verdict(centre, free, {"pconv": 1000, "autoencoder": 500})
    assert "+1.10 dB" in met[0] and met[0].endswith("met.") and "1,000 training images" in met[0]
    assert "40% below telea" in met[1] and "36% below biharmonic" in met[1] and met[1].endswith(": met.")
    centre[1]["hole_psnr"] = 17.5
    free[2]["hole_mse"] = 0.020                      # 29 % below biharmonic: short of 30 %
    missed = course.beyond_the_paper_verdict(centre, free)
    assert all(line.endswith("not met.") for line in missed) and "training images" not in missed[0]
    free[2]["hole_mse"] = 0.032
    assert "7% above telea" in course.beyond_the_paper_verdict(centre, free)[1]
    assert course.beyond_the_paper_verdict(centre[:1], free[:2]) == []


def test_save_results_states_source_scale_and_count(clean_env):
    path = course.save_results([row("telea", 0.03, 0.4)], fake_data(), run_mode="cpu")
    saved = json.loads(path.read_text())
    assert saved["data_source"] == "synthetic test images" and saved["scale"] == "unit [0,1]"
    assert saved["n_images"] == 10 and saved["results"][0]["id"] == "telea"


# --------------------------------------------------------------------------- saved models


def test_trained_inpainter_trains_saves_and_then_loads(clean_env, monkeypatch, capsys):
    monkeypatch.setenv(course.SMOKE_ENV, "1")
    data = fake_data()
    assert course.find_trained("autoencoder") is None
    first = course.trained_inpainter("autoencoder", data)
    assert "training one now" in capsys.readouterr().out
    path, info = course.find_trained("autoencoder")
    assert path.name == "autoencoder.keras" and info["iterations"] == course.budget("autoencoder").iterations
    assert info["mode"] == "smoke" and info["data_source"] == "synthetic test images"
    second = course.trained_inpainter("autoencoder", data)
    assert "loaded" in capsys.readouterr().out
    np.testing.assert_allclose(first.fill(data.x_test[:4]), second.fill(data.x_test[:4]), atol=1e-5)
    assert "20 iterations in smoke mode" in course.describe_trained(info)


def test_trained_gan_is_the_generator(clean_env, monkeypatch):
    monkeypatch.setenv(course.SMOKE_ENV, "1")
    data = fake_data()
    gan = course.trained_inpainter("gan", data, verbose=False)
    assert gan.model.name == "generator" and gan.name == "GAN"
    assert (course.models_dir() / "discriminator.keras").exists()
    assert gan.fill(data.x_test[:2]).shape == (2, 16, 16, 3)


def test_find_trained_prefers_full_mode_models_on_a_cpu(clean_env, monkeypatch):
    for m in ("cpu", "full"):
        folder = course.models_dir(m)
        folder.mkdir(parents=True)
        (folder / "autoencoder.keras").write_bytes(b"")
        (folder / "autoencoder.json").write_text(json.dumps({"mode": m}))
    monkeypatch.setenv(course.MODE_ENV, "cpu")
    assert course.find_trained("autoencoder")[1]["mode"] == "full"
    monkeypatch.setenv(course.MODE_ENV, "smoke")
    assert course.find_trained("autoencoder") is None
    with pytest.raises(ValueError):
        course.find_trained("vae")


def test_find_trained_accepts_a_finished_command_line_run(clean_env, monkeypatch):
    folder = clean_env / "gan"
    folder.mkdir(parents=True)
    (folder / "generator.keras").write_bytes(b"")
    monkeypatch.setenv(course.MODE_ENV, "cpu")
    assert course.find_trained("gan") is None  # no run.json: not finished
    (folder / "run.json").write_text(json.dumps({"iterations": 500, "data": "CIFAR-10 (official)"}))
    path, info = course.find_trained("gan")
    assert path == folder / "generator.keras"
    assert "500 iterations with python -m helpers.train on CIFAR-10 (official)" in course.describe_trained(info)
    monkeypatch.setenv(course.MODE_ENV, "full")
    assert course.find_trained("gan") is None  # below the paper's budget
    (folder / "run.json").write_text(json.dumps({"iterations": 80_000}))
    assert course.find_trained("gan")[0] == folder / "generator.keras"
