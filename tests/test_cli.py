"""The command lines (helpers.cli) end to end on a miniature data set made here."""

import json
import subprocess
import sys

import pytest

from synthetic import make_image_folder_tar
from helpers.cli import evaluate, publish, train
from helpers.engine.weightfiles import WEIGHTS_ENV
from helpers.pretrained import record


@pytest.fixture
def mini_data(tmp_path, monkeypatch):
    tarball = tmp_path / "mini.tar.gz"
    make_image_folder_tar(tarball, per_class=4)
    monkeypatch.setenv("INPAINTING_CACHE", str(tmp_path / "cache"))
    return tarball


@pytest.mark.slow
def test_train_resume_and_evaluate(mini_data, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["autoencoder", "--data", str(mini_data), "--out", str(out), "--batch-size", "8",
            "--test-size", "10", "--log-every", "2", "--checkpoint-every", "2", "--no-progress"]
    assert train.main(args + ["--iterations", "4"]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["iterations"] == 4 and run["images_seen"] == 32
    assert run["data"] == "CIFAR-10 (JPEG export)" and 0 < run["test_hole_mse_unit"] < 1
    assert (out / "autoencoder.keras").exists() and (out / "checkpoint.npz").exists()
    printed = capsys.readouterr().out
    assert "Test hole MSE on [0,1]" in printed
    lines = [line for line in printed.splitlines() if line.startswith("iteration ")]
    assert [line.split("  ")[0] for line in lines] == ["iteration 2", "iteration 4"], \
        "--no-progress prints one line per log point, for log files"
    assert "loss" in lines[0] and "val_hole_mse" not in printed, "no validation was asked for"

    assert train.main(args + ["--iterations", "6"]) == 2, "an existing run is never overwritten"
    assert "--resume" in capsys.readouterr().err
    assert train.main(args + ["--iterations", "6", "--resume"]) == 0
    assert json.loads((out / "run.json").read_text())["iterations"] == 6
    assert json.loads((out / "history.json").read_text())["iteration"] == [2, 4, 6]

    report = tmp_path / "scores.json"
    code = evaluate.main(["--data", str(mini_data), "--test-size", "10", "--methods", "mean,telea",
                          "--model", str(out / "autoencoder.keras"), "--json", str(report),
                          "--no-progress"])
    assert code == 0
    table = capsys.readouterr().out
    assert "OpenCV Telea" in table and "autoencoder" in table
    rows = json.loads(report.read_text())
    text = json.dumps(rows)
    assert "unit [0,1]" in text and "CIFAR-10 (JPEG export)" in text


@pytest.mark.slow
def test_validation_seed_is_kept_on_resume_and_publish(mini_data, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv(WEIGHTS_ENV, str(tmp_path / "weights"))
    out = tmp_path / "seed1"
    args = ["autoencoder", "--data", str(mini_data), "--out", str(out), "--batch-size", "8",
            "--test-size", "0", "--validation-size", "8", "--validate-every", "2",
            "--checkpoint-every", "2", "--log-every", "2", "--no-progress"]
    assert train.main(args + ["--iterations", "2", "--seed", "1", "--validation-seed", "0"]) == 0
    run = json.loads((out / "run.json").read_text())
    assert (run["seed"], run["validation_seed"]) == (1, 0)
    capsys.readouterr()
    for option, value in (("--seed", "2"), ("--validation-seed", "1")):
        assert train.main(args + ["--iterations", "4", "--resume", option, value]) == 2, \
            "another split on resume would put validation images into training"
        assert f"started with {option}" in capsys.readouterr().err
    assert train.main(args + ["--iterations", "4", "--resume"]) == 0
    run = json.loads((out / "run.json").read_text())
    assert (run["iterations"], run["seed"], run["validation_seed"]) == (4, 1, 0)

    assert publish.main(["publish", str(out), "--name", "seed1", "--validation-size", "8",
                            "--data", str(mini_data)]) == 0
    published = record("seed1")
    assert (published["seed"], published["validation_seed"]) == (1, 0)
    # publish scored the run's own validation images (split seed 0), as training did
    assert published["precision_check"]["hole_mse_float32"] == pytest.approx(
        published["history"]["val_hole_mse"][-1], rel=1e-4)
    assert "seed 1 (validation split: seed 0)" in (tmp_path / "weights" / "seed1.md").read_text()
    # repack --storage measures the change on that same split: before = the float16 values
    assert publish.main(["repack", "seed1", "--storage", "int8", "--data", str(mini_data)]) == 0
    moved = record("seed1")["repacked"]
    assert (moved["from"], moved["to"], moved["images"]) == ("float16", "int8", 8)
    assert moved["hole_mse_before"] == pytest.approx(published["precision_check"]["hole_mse_stored"], rel=1e-5)
    assert "Repacked" in capsys.readouterr().out


@pytest.mark.slow
def test_train_gan_briefly(mini_data, tmp_path):
    out = tmp_path / "gan"
    assert train.main(["gan", "--data", str(mini_data), "--out", str(out), "--iterations", "2",
                       "--batch-size", "8", "--test-size", "0", "--log-every", "1",
                       "--no-progress", "--fused", "--compile", "eager"]) == 0
    assert (out / "generator.keras").exists() and (out / "discriminator.keras").exists()
    history = json.loads((out / "history.json").read_text())
    assert history["iteration"] == [1, 2] and "d_loss_fake" in history


@pytest.mark.slow
def test_train_gan_with_averaged_weights(mini_data, tmp_path, capsys):
    """--average: the run validates, saves and scores the average (the raw weights' errors
    beside), and evaluating its checkpoint fills with the average too."""
    out = tmp_path / "gan-avg"
    assert train.main(["gan", "--data", str(mini_data), "--out", str(out), "--iterations", "8",
                       "--batch-size", "8", "--test-size", "10", "--log-every", "4", "--no-progress",
                       "--fused", "--average", "0.9", "--validation-size", "8", "--validate-every", "4",
                       "--compile", "eager"]) == 0
    printed = capsys.readouterr().out
    assert "its weights averaged (decay 0.9)" in printed and "raw (not averaged)" in printed
    run = json.loads((out / "run.json").read_text())
    assert run["config"]["average_decay"] == 0.9
    assert run["test_hole_mse_unit"] != run["test_hole_mse_unit_raw"]
    history = json.loads((out / "history.json").read_text())
    assert history["val_hole_mse"][-1] != history["val_hole_mse_raw"][-1]
    scored = {}
    for option, path in (("--checkpoint", out / "checkpoint.npz"), ("--model", out / "generator.keras")):
        assert evaluate.main(["--data", str(mini_data), "--methods", "none", option, str(path),
                              "--json", str(tmp_path / "scores.json"), "--no-progress"]) == 0
        (scored[option],) = json.loads((tmp_path / "scores.json").read_text())["results"]
    assert scored["--checkpoint"]["hole_mse"] == pytest.approx(scored["--model"]["hole_mse"], rel=1e-5)
    assert train.main(["gan", "--average", "1", "--out", str(tmp_path / "z")]) == 2
    assert "--average" in capsys.readouterr().err


@pytest.mark.slow
def test_train_time_limit_and_dropout(mini_data, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["autoencoder", "--data", str(mini_data), "--out", str(out), "--batch-size", "8",
            "--test-size", "0", "--log-every", "5", "--no-progress", "--dropout", "0.5"]
    assert train.main(args + ["--iterations", "5", "--time-limit", "1e-9"]) == 0
    printed = capsys.readouterr().out
    assert "with dropout 0.5" in printed and "Stopped at the time limit" in printed
    run = json.loads((out / "run.json").read_text())
    assert run["iterations"] == 1 and run["config"]["dropout"] == 0.5
    assert train.main(args + ["--iterations", "5", "--resume"]) == 0
    assert json.loads((out / "run.json").read_text())["iterations"] == 5
    capsys.readouterr()
    assert train.main(args + ["--iterations", "5", "--time-limit", "0"]) == 2
    assert "--time-limit" in capsys.readouterr().err
    assert train.main(["autoencoder", "--dropout", "1.5", "--out", str(tmp_path / "z")]) == 2
    assert "--dropout" in capsys.readouterr().err
    assert train.main(["pconv", "--dropout", "0.5", "--out", str(tmp_path / "z")]) == 2
    assert "--dropout is for autoencoder and gan; the pconv has no dropout setting" in capsys.readouterr().err
    assert train.main(args + ["--iterations", "5", "--out", str(tmp_path / "y"), "--from-pretrained",
                              "autoencoder", "--dropout", "0.2"]) == 2
    shipped = record("autoencoder")["config"]["dropout"]
    assert f"dropout {shipped:g}; continuing it keeps" in capsys.readouterr().err, \
        "a rate that would be ignored is refused"


@pytest.mark.slow
def test_train_weight_decay(mini_data, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["autoencoder", "--data", str(mini_data), "--batch-size", "8", "--test-size", "0",
            "--no-progress", "--iterations", "2"]
    assert train.main(args + ["--out", str(out), "--variant", "regularized", "--weight-decay", "0.02"]) == 0
    assert "variant of the paper's convolutional autoencoder with weight decay 0.02" in capsys.readouterr().out
    config = json.loads((out / "run.json").read_text())["config"]
    assert config["weight_decay"] == 0.02 and config["flip"], "the variant's other settings stay"
    assert train.main(args + ["--out", str(out), "--resume", "--iterations", "3", "--variant",
                              "regularized", "--weight-decay", "0.1"]) == 1
    assert "weight_decay=0.02" in capsys.readouterr().err, "a resumed run keeps its decay"
    for model, rate in (("gan", "0.01"), ("autoencoder", "-1")):
        assert train.main([model, "--weight-decay", rate, "--out", str(tmp_path / "z")]) == 2
        assert "--weight-decay" in capsys.readouterr().err
    assert train.main(args + ["--out", str(tmp_path / "y"), "--from-pretrained", "autoencoder",
                              "--weight-decay", "0.5"]) == 2
    assert "weight decay 0.0; continuing it keeps" in capsys.readouterr().err, "a rate that would be ignored is refused"
    assert train.main(args + ["--out", str(tmp_path / "nf"), "--variant", "regularized", "--no-flip"]) == 0
    config = json.loads((tmp_path / "nf" / "run.json").read_text())["config"]
    assert config["flip"] is False and config["weight_decay"] == 0.004, "--no-flip drops the variant's flips only"


@pytest.mark.slow
def test_train_shift_and_learning_rate_drops(mini_data, tmp_path, capsys):
    out = tmp_path / "run"
    args = ["autoencoder", "--data", str(mini_data), "--out", str(out), "--batch-size", "8",
            "--test-size", "0", "--no-progress", "--iterations", "3"]
    assert train.main(args + ["--shift", "2", "--flip", "--lr-drop-at", "2"]) == 0
    config = json.loads((out / "run.json").read_text())["config"]
    assert config["shift"] == 2 and config["flip"] is True and config["lr_drop_at"] == [2]
    capsys.readouterr()
    assert train.main(["gan", "--shift", "2", "--out", str(tmp_path / "g")]) == 2
    assert "--shift is for autoencoder and pconv; the gan has no shift setting" in capsys.readouterr().err
    assert train.main(args + ["--out", str(tmp_path / "z"), "--lr-drop-at", "0"]) == 2
    assert "distinct positive" in capsys.readouterr().err


@pytest.mark.slow
def test_sigterm_stops_a_run_with_a_checkpoint_that_resumes(mini_data, tmp_path, capsys, monkeypatch):
    """A background job ignores Ctrl-C; `kill PID` must stop it cleanly instead."""
    import os
    import signal

    log_line = train.print_log_line

    def kill_at_iteration_2(trainer, logs):
        log_line(trainer, logs)
        if trainer.iteration == 2:
            os.kill(os.getpid(), signal.SIGTERM)

    monkeypatch.setattr(train, "print_log_line", kill_at_iteration_2)
    before = signal.getsignal(signal.SIGTERM)
    out = tmp_path / "run"
    args = ["autoencoder", "--data", str(mini_data), "--out", str(out), "--batch-size", "8",
            "--test-size", "0", "--log-every", "1", "--no-progress", "--iterations", "50"]
    assert train.main(args) == 0
    assert "Stopped on request (SIGTERM) at iteration 3 of 50" in capsys.readouterr().out
    assert signal.getsignal(signal.SIGTERM) == before, "the handler is only there while training"
    assert json.loads((out / "run.json").read_text())["iterations"] == 3
    monkeypatch.setattr(train, "print_log_line", log_line)
    assert train.main(args[:-1] + ["5", "--resume"]) == 0
    run = json.loads((out / "run.json").read_text())
    assert run["iterations"] == 5
    assert [c["command"] for c in run["commands"]] == [
        "python -m helpers.cli.train " + " ".join(args), "python -m helpers.cli.train " + " ".join(args[:-1] + ["5", "--resume"])
    ], "every command that trained the run, in order"


@pytest.mark.slow
def test_one_training_process_per_run_folder(mini_data, tmp_path, capsys):
    import os
    import subprocess
    import sys

    out = tmp_path / "run"
    out.mkdir()
    args = ["autoencoder", "--data", str(mini_data), "--out", str(out), "--batch-size", "8",
            "--test-size", "0", "--no-progress", "--iterations", "2"]
    (out / train.LOCK_NAME).write_text(str(os.getpid()))  # a live process holds the folder
    assert train.main(args) == 2
    err = capsys.readouterr().err
    assert f"in use by another training process (PID {os.getpid()})" in err and "kill" in err
    assert not (out / "checkpoint.npz").exists(), "nothing was written"
    gone = subprocess.Popen([sys.executable, "-c", "pass"])
    gone.wait()
    (out / train.LOCK_NAME).write_text(str(gone.pid))  # left by a process that has ended
    assert train.main(args) == 0
    assert (out / "checkpoint.npz").exists() and not (out / train.LOCK_NAME).exists()


def test_train_reports_bad_input(mini_data, tmp_path, capsys):
    assert train.main(["autoencoder", "--data", str(tmp_path / "missing"), "--iterations", "1",
                       "--out", str(tmp_path / "x")]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert train.main(["autoencoder", "--data", str(mini_data), "--iterations", "0",
                       "--out", str(tmp_path / "y")]) == 2
    with pytest.raises(SystemExit):
        train.main(["unet"])


def test_evaluate_reports_bad_input(mini_data, tmp_path, capsys):
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"junk")
    assert evaluate.main(["--data", str(mini_data), "--methods", "telea", "--model", str(broken),
                          "--no-progress"]) == 2
    assert "damaged" in capsys.readouterr().err
    assert evaluate.main(["--data", str(tmp_path / "missing"), "--no-progress"]) == 2
    assert "does not exist" in capsys.readouterr().err
    assert evaluate.main(["--data", str(mini_data), "--methods", "none", "--pretrained", "nope",
                          "--no-progress"]) == 2
    assert "No published weights named 'nope'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        evaluate.main(["--data", str(mini_data), "--methods", "telea", "--mirror-average",
                       "--no-progress"])
    assert "--mirror-average needs a model" in capsys.readouterr().err


@pytest.mark.slow
def test_evaluate_mirror_average_adds_a_row_per_model(mini_data, tmp_path, capsys):
    out = tmp_path / "run"
    assert train.main(["autoencoder", "--data", str(mini_data), "--out", str(out),
                       "--batch-size", "8", "--iterations", "2", "--test-size", "0",
                       "--no-progress"]) == 0
    report = tmp_path / "scores.json"
    assert evaluate.main(["--data", str(mini_data), "--test-size", "10", "--methods", "mean",
                          "--checkpoint", str(out / "checkpoint.npz"), "--mirror-average",
                          "--json", str(report), "--no-progress"]) == 0
    rows = json.loads(report.read_text())["results"]
    assert [row["id"] for row in rows] == ["mean", "checkpoint-0", "checkpoint-0-mirror"]
    assert rows[2]["method"].endswith(", mirror-averaged")
    assert rows[2]["hole_mse"] != rows[1]["hole_mse"]


def test_log_line_shows_validation_only_where_it_was_measured(capsys):
    from types import SimpleNamespace

    trainer = SimpleNamespace(iteration=20, history={
        "iteration": [10, 20], "loss": [0.5, 0.4], "val_hole_mse": [0.03]})
    train.print_log_line(trainer, {"loss": 0.4, "val_hole_mse": 0.03})
    assert capsys.readouterr().out.strip() == "iteration 20  loss 0.4"
    trainer.history["val_hole_mse"].append(0.025)
    train.print_log_line(trainer, {"loss": 0.4, "val_hole_mse": 0.025})
    assert capsys.readouterr().out.strip() == "iteration 20  loss 0.4  val_hole_mse 0.025"


@pytest.mark.slow
def test_evaluate_free_form_scores_the_methods_that_fill_any_hole(mini_data, tmp_path, capsys):
    from helpers.classical import classical_fills
    from helpers.data import load_cifar10
    from helpers.evaluation import FREE_FORM, evaluate_masks
    from helpers.holes import random_masks

    runs = {}
    for model in ("autoencoder", "pconv"):
        runs[model] = tmp_path / model
        assert train.main([model, "--data", str(mini_data), "--out", str(runs[model]), "--batch-size", "8",
                           "--iterations", "1", "--test-size", "0", "--no-progress"]) == 0
    report = tmp_path / "scores.json"
    assert evaluate.main(["--data", str(mini_data), "--test-size", "10", "--methods", "telea",
                          "--checkpoint", str(runs["autoencoder"] / "checkpoint.npz"),
                          "--checkpoint", str(runs["pconv"] / "checkpoint.npz"), "--free-form",
                          "--json", str(report), "--no-progress"]) == 0
    assert "only the paper's centre square" in capsys.readouterr().out   # the autoencoder says why not
    scores = json.loads(report.read_text())
    assert [row["id"] for row in scores["results"]] == ["telea", "checkpoint-0", "checkpoint-1"]
    free = scores["free_form"]
    assert [row["id"] for row in free["results"]] == ["telea", "checkpoint-1"]
    x_test = load_cifar10(str(mini_data), test_size=10, seed=0, progress=False).x_test
    masks = random_masks(10, tuple(free["coverage"]), seed=free["seed"])
    direct = evaluate_masks(classical_fills(None, methods=["telea"]), x_test, masks, progress=False)
    assert free["results"][0]["hole_mse"] == pytest.approx(direct[0]["hole_mse"])
    assert 0.1 <= free["results"][1]["coverage"] <= 0.4
    other = tmp_path / "other.json"      # --free-form-seed: other holes, and implies --free-form
    assert evaluate.main(["--data", str(mini_data), "--test-size", "10", "--methods", "telea",
                          "--free-form-seed", "7", "--json", str(other), "--no-progress"]) == 0
    drawn = json.loads(other.read_text())["free_form"]
    assert drawn["seed"] == 7 and free["seed"] == FREE_FORM["seed"]
    again = evaluate_masks(classical_fills(None, methods=["telea"]), x_test,
                                    random_masks(10, tuple(free["coverage"]), seed=7), progress=False)
    assert drawn["results"][0]["hole_mse"] == pytest.approx(again[0]["hole_mse"])
    assert drawn["results"][0]["hole_mse"] != pytest.approx(direct[0]["hole_mse"])


def test_evaluate_parser_options():
    parser = evaluate.build_parser()
    args = parser.parse_args([])
    assert args.methods == ["mean", "telea", "ns", "biharmonic"]
    assert args.data is None and args.test_size is None and args.model == []
    args = parser.parse_args(["--methods", "telea, ns", "--model", "a.keras", "--model", "b.keras",
                              "--test-size", "100", "--json", "out.json"])
    assert args.methods == ["telea", "ns"]
    assert args.model == ["a.keras", "b.keras"]
    assert args.test_size == 100
    assert parser.parse_args(["--methods", "none"]).methods == []
    for bad in (["--methods", "telea,magic"], ["--test-size", "0"], ["--batch-size", "x"]):
        with pytest.raises(SystemExit):
            parser.parse_args(bad)


def test_evaluate_help_and_import_without_keras():
    code = ("import sys, helpers.evaluation, helpers.cli.evaluate; "
            "assert 'keras' not in sys.modules and 'tensorflow' not in sys.modules")
    subprocess.run([sys.executable, "-c", code], check=True)
    out = subprocess.run([sys.executable, "-m", "helpers.cli.evaluate", "--help"], check=True,
                         capture_output=True, text=True).stdout
    for option in ("--data", "--test-size", "--methods", "--model", "--seed", "--batch-size",
                   "--json"):
        assert option in out


@pytest.mark.slow
def test_train_gan_adversarial_weight(mini_data, tmp_path, capsys):
    """--adversarial-weight W: G's loss is (1 - W) x L2 + W x adversarial, recorded in the run;
    refused for the other models and for W outside [0, 1)."""
    out = tmp_path / "gan-w"
    args = ["gan", "--data", str(mini_data), "--out", str(out), "--batch-size", "8", "--test-size", "0",
            "--no-progress", "--compile", "eager"]
    assert train.main(args + ["--iterations", "1", "--adversarial-weight", "0.25"]) == 0
    assert "with adversarial weight 0.25" in capsys.readouterr().out
    config = json.loads((out / "run.json").read_text())["config"]
    assert config["l2_weight"] == 0.75 and config["adversarial_weight"] == 0.25
    assert train.main(args + ["--iterations", "2", "--resume", "--adversarial-weight", "0.5"]) == 1
    assert "l2_weight=0.75" in capsys.readouterr().err, "a resumed run keeps its weights"
    for model, weight in (("autoencoder", "0.1"), ("pconv", "0.1"), ("gan", "1"), ("gan", "-0.1"),
                          ("gan", "1.5")):
        assert train.main([model, "--adversarial-weight", weight, "--out", str(tmp_path / "z")]) == 2
        said = capsys.readouterr().err
        assert ("--adversarial-weight is for gan" in said if model != "gan" else
                "--adversarial-weight: adversarial_weight must be a weight from 0 up to (not including) 1" in said)
