"""The adversarial weight study of notebook 7: ``python -m helpers.cli.gan_weights collect`` on
two tiny GAN runs made with the training command, the study's loader, its figures and its widget;
``card``, which rewrites the study's card from its files."""

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure

from synthetic import make_image_folder_tar
from helpers import study_figures, widgets
from helpers.engine.checkpoints import read_checkpoint, write_checkpoint
from helpers.diagnosis import last_part_mean, what_drives_g
from helpers.study import HISTORY_KEYS, StudyError, load_study, long_run_reading, read_long_run, summary_lines

WEIGHTS = (0.001, 0.0)   # given in this order; the study sorts them


# --------------------------------------------------------------------------- a study made by hand (fast)


def _history(weight, n=8, every=250):
    iterations = [every * (i + 1) for i in range(n)]
    rng = np.random.default_rng(int(weight * 1000))
    grad_l2 = list(0.1 + 0.01 * rng.random(n))
    return {"iteration": iterations, "d_real_prob": [0.95] * n, "d_fake_prob": [0.05] * n,
            "g_l2": [0.12] * n, "g_adversarial": [6.0] * n, "g_grad_l2": grad_l2,
            "g_grad_adversarial": [600 * weight * g for g in grad_l2],
            "val_hole_mse": [None, 0.04] * (n // 2), "val_sharpness_ratio": [None, 0.4 + 5 * weight] * (n // 2)}


def fake_study(folder, weights=(0.0, 0.001, 0.1), k=5):
    """The files `collect` writes, made by hand: a study of ``weights`` with ``k`` images."""
    rng = np.random.default_rng(0)
    runs = [{"adversarial_weight": w, "l2_weight": 1 - w, "iteration": 2000, "seed": 0, "batch_size": 32,
             "data_source": "synthetic", "command": f"python -m helpers.cli.train gan --adversarial-weight {w:g}",
             "command_source": "run.json", "n_test_images": 100, "history": _history(w),
             "metrics": {"hole_mse": 0.03 + w, "hole_psnr": 16 - 10 * w, "sharpness_ratio": 0.4 + 5 * w}}
            for w in weights]
    study = {"n_test_images": 100, "data_source": "synthetic", "class_names": ["cat", "dog"],
             "paper_weight": 0.001, "runs": runs}
    (folder / "gan_weights.json").write_text(json.dumps(study))
    np.savez(folder / "gan_weights.npz", images=rng.integers(0, 256, (k, 32, 32, 3), dtype=np.uint8),
             indices=np.arange(k) * 7, labels=np.arange(k) % 2, weights=np.array(weights),
             fills=rng.integers(0, 256, (len(weights), k, 16, 16, 3), dtype=np.uint8))
    return folder / "gan_weights.json"


@pytest.fixture
def study(tmp_path):
    return load_study(fake_study(tmp_path))


def test_load_study_gives_runs_and_fills_by_weight(study):
    assert study["weights"] == [0.0, 0.001, 0.1]
    assert list(study["runs"]) == study["weights"] and list(study["fills"]) == study["weights"]
    assert study["images"].shape == (5, 32, 32, 3) and study["fills"][0.1].shape == (5, 16, 16, 3)
    assert list(study["indices"]) == [0, 7, 14, 21, 28]


def test_load_study_says_what_is_missing_or_mismatched(tmp_path):
    with pytest.raises(StudyError, match="gan_weights collect"):
        load_study(tmp_path / "gan_weights.json")
    path = fake_study(tmp_path)
    record = json.loads(path.read_text())
    record["runs"] = record["runs"][:2]
    path.write_text(json.dumps(record))
    with pytest.raises(StudyError, match="one `collect`"):
        load_study(path)
    path.with_suffix(".npz").unlink()
    with pytest.raises(StudyError, match="npz is missing"):
        load_study(path)


def test_last_part_mean_and_what_drives_g_in_a_study_run(study):
    history = {"iteration": [100, 200, 300, 400], "x": [1.0, None, 3.0, 5.0]}
    assert last_part_mean(history, "x") == 5.0          # iterations above 300
    assert last_part_mean(history, "x", 0.6) == 4.0     # above 160: 3 and 5 (None skipped)
    assert last_part_mean(history, "missing") is None

    def drives(weight):
        run = study["runs"][weight]
        return what_drives_g(run["history"], run["l2_weight"], run["adversarial_weight"])

    paper = drives(0.001)
    assert paper[0].startswith("Weight 0.001 (the paper's), iterations 1,500 to 2,000")
    assert "0.999 x L2 = 0.1199" in paper[0] and "0.001 x adversarial = 0.0060" in paper[0]
    assert "of the same order" in paper[1] and "both terms steer" in paper[1]
    assert "the adversarial term's is 60 times the L2 term's" in drives(0.1)[1]
    assert "does not pull at all" in drives(0.0)[-1]


def test_summary_lines_are_computed_from_the_table(study):
    text = "\n".join(summary_lines(study))
    assert "Lowest hole MSE: weight 0 (L2 alone) (0.0300)" in text
    assert "closest to the real patches' (ratio 1.0): weight 0.1 (ratio 0.90)" in text
    assert "rises with the adversarial weight at every step" in text
    assert "did not train equally long" not in text


def test_figures_draw_from_a_study(study):
    fig = study_figures.adversarial_tradeoff(study, references={"shipped GAN": (0.028, 0.67)})
    assert isinstance(fig, Figure) and "100 test images" in fig._suptitle.get_text()
    ax = fig.axes[0]
    assert any(line.get_ydata()[0] == 1.0 for line in ax.lines), "the real patches' sharpness is marked"
    assert "shipped GAN" in [t.get_text() for t in ax.get_legend().get_texts()]
    fig = study_figures.gradient_sizes(study)
    assert len(fig.axes) == 3 and all(ax.get_yscale() == "log" for ax in fig.axes)
    assert "its gradient is 0" in " ".join(t.get_text() for t in fig.axes[0].texts), "weight 0 says why one line is missing"
    assert len(fig.axes[2].lines) == 2


def test_read_long_run_gives_the_history_and_what_it_is(tmp_path):
    history = {"iteration": [1000, 2000], "val_hole_mse": [0.03, 0.028], "val_sharpness_ratio": [0.5, 0.6]}
    assert read_long_run(tmp_path / "none.json") is None
    (tmp_path / "long.json").write_text(json.dumps({"history": history, "description": "the paper's GAN"}))
    got, about = read_long_run(tmp_path / "long.json")
    assert got == history and about == "long.json: the paper's GAN, to iteration 2,000"
    (tmp_path / "said.json").write_text(json.dumps({"history": history, "description": "to iteration 2,000"}))
    assert read_long_run(tmp_path / "said.json")[1] == "said.json: to iteration 2,000"
    (tmp_path / "out.json").write_text(json.dumps({"history": history, "description": "x", "published": "gan-2k"}))
    assert read_long_run(tmp_path / "out.json")[1] == "out.json: x, to iteration 2,000; its last state is published as `gan-2k`"


def test_long_run_reading_quotes_the_lowest_and_the_last_validation():
    history = {"iteration": [500, 1000, 1500, 2000], "val_hole_mse": [None, 0.030, 0.028, 0.029],
               "val_sharpness_ratio": [None, 0.70, 0.78, 0.75]}
    lines = long_run_reading(history)
    assert lines[0] == ("Validation hole MSE: 0.0300 at iteration 1,000, lowest 0.0280 at 1,500, "
                        "0.0290 at the last validation (2,000).")
    assert lines[1] == "After its lowest point the error grew by 3.6% over 500 iterations."
    assert lines[2] == "Sharpness ratio: 0.70 at iteration 1,000, 0.75 at 2,000 (highest 0.78, at 1,500)."
    assert long_run_reading({"iteration": [1], "val_hole_mse": [0.03]})[0].startswith("Fewer than two")
    assert len(long_run_reading({"iteration": [1, 2], "val_hole_mse": [0.03, 0.02]})) == 1


def test_long_run_reading_says_what_the_iterations_after_a_point_bought_and_cost():
    iterations = list(range(1000, 11000, 1000))
    history = {"iteration": iterations, "val_hole_mse": [0.030, 0.029, 0.028, 0.029, 0.030, 0.030, 0.031, 0.031, 0.032, 0.030],
               "val_sharpness_ratio": [0.5, 0.6, 0.6, 0.7, 0.7, 0.8, 0.8, 0.9, 0.9, 0.8]}
    line = long_run_reading(history, since=2100, window=3)[-1]
    assert line == ("After iteration 2,100: the 3 validations nearest it (1,000-3,000) average hole MSE 0.0290 "
                    "and sharpness ratio 0.57; the last 3 (8,000-10,000) 0.0310 and 0.87: the error +6.9%, "
                    "the sharpness ratio +0.30, over 7,900 more iterations.")
    assert long_run_reading(history, since=9000, window=3)[-1].startswith("Too few validations after iteration 9,000")
    assert "sharpness" not in long_run_reading({k: history[k] for k in ("iteration", "val_hole_mse")},
                                               since=2100, window=3)[-1]


def test_weight_view_shows_truth_fills_and_the_l2_only_fills(study):
    fig = widgets.adversarial_weight_view(study, 0.001, 0, per_page=3)
    assert isinstance(fig, Figure)
    assert "hole MSE 0.0310, sharpness ratio 0.41" in fig._suptitle.get_text()
    assert len(fig.axes) == 3 * 3, "rows: the truth, weight 0.001, weight 0 (L2 alone)"
    assert len(widgets.adversarial_weight_view(study, 0.0, 1, per_page=3).axes) == 2 * 2, \
        "the last page holds 2 images, and weight 0 is not compared with itself"
    assert len(widgets.adversarial_weight_view(study, "0.1", 0, compare=None).axes) == 2 * 5


def test_weight_view_messages(study):
    assert "choose one of 0, 0.001, 0.1" in widgets.adversarial_weight_view(study, 0.5, 0)
    assert "must be a number" in widgets.adversarial_weight_view(study, "much", 0)
    assert "pages 0 to 0" in widgets.adversarial_weight_view(study, 0.1, 1)
    assert "load_study" in widgets.adversarial_weight_view({"runs": []}, 0.1, 0)


def test_weight_widget_starts_at_the_paper_weight_and_redraws(study, monkeypatch):
    shown = []
    monkeypatch.setattr(widgets, "_show", lambda out, result: shown.append(result))
    box = widgets.adversarial_weight_widget(study, per_page=2)
    slider, pages = box.children[0].children
    assert slider.value == 0.001 and len(pages.options) == 3
    assert shown[-1]._suptitle.get_text().startswith("Adversarial weight 0.001 (the paper's)")
    slider.value = 0.1
    assert len(shown) == 2 and shown[-1]._suptitle.get_text().startswith("Adversarial weight 0.1:")
    pages.value = 2
    assert len(shown) == 3 and len(shown[-1].axes) == 3 * 1, "the last page: 1 image, three rows"


# --------------------------------------------------------------------------- collect, end to end


@pytest.fixture(scope="module")
def collected(tmp_path_factory):
    """Two 2-iteration GAN runs (weights 0.001 and 0) made with the training command on a tiny
    image set, and the study `collect` makes of them."""
    from helpers.cli import gan_weights, train

    tmp = tmp_path_factory.mktemp("study")
    data = tmp / "mini.tar.gz"
    make_image_folder_tar(data, per_class=4)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INPAINTING_CACHE", str(tmp / "cache"))
        runs = []
        for weight in WEIGHTS:
            run = tmp / f"gan-adv-{weight:g}"
            assert train.main(["gan", "--fused", "--adversarial-weight", str(weight), "--data", str(data),
                               "--out", str(run), "--iterations", "2", "--batch-size", "8", "--log-every", "1",
                               "--validation-size", "8", "--validate-every", "2", "--test-size", "0",
                               "--compile", "eager", "--no-progress"]) == 0
            runs.append(run)
        out = tmp / "results"
        assert gan_weights.main(["collect", *map(str, runs), "--out", str(out), "--data", str(data),
                                 "--test-size", "10", "--images", "4", "--no-progress"]) == 0
        yield {"out": out, "runs": runs, "data": data, "tmp": tmp}


@pytest.mark.slow
def test_collect_writes_the_study(collected):
    out = collected["out"]
    for name in ("gan_weights.json", "gan_weights.npz", "gan_weights.md", "gan_weights_tradeoff.png",
                 "gan_weights_gradients.png"):
        assert (out / name).exists(), name
    assert (out / "gan_weights_tradeoff.png").read_bytes()[:4] == b"\x89PNG"
    record = json.loads((out / "gan_weights.json").read_text())
    assert [r["adversarial_weight"] for r in record["runs"]] == [0.0, 0.001]
    assert record["n_test_images"] == 10 and record["test_subset_seed"] == 0
    for run, folder in zip(record["runs"], collected["runs"][::-1]):
        assert run["l2_weight"] == pytest.approx(1 - run["adversarial_weight"])
        assert (run["iteration"], run["seed"], run["batch_size"], run["n_test_images"]) == (2, 0, 8, 10)
        assert run["data_source"] == "CIFAR-10 (JPEG export)" and run["validation_images"] == 8
        assert 0 < run["metrics"]["hole_mse"] < 1 and 0 < run["metrics"]["sharpness_ratio"]
        assert run["metrics"]["hole_psnr"] > 0
        assert f"--adversarial-weight {run['adversarial_weight']:g}" in run["command"]
        assert "--iterations 2" in run["command"] and "--batch-size 8" in run["command"]
        assert run["command_source"] == "run.json" and run["command"].startswith("python -m helpers.cli.train gan ")
        meta = read_checkpoint(folder / "checkpoint.npz", arrays=False)[0]
        assert set(run["history"]) == {k for k in HISTORY_KEYS if k in meta["history"]}
        assert run["history"]["g_grad_l2"] == meta["history"]["g_grad_l2"]
        assert run["history"]["val_hole_mse"] == [None, meta["history"]["val_hole_mse"][-1]]
    weight0 = record["runs"][0]
    assert all(v == 0 for v in weight0["history"]["g_grad_adversarial"]), "weight 0: no adversarial pull"
    assert all(v > 0 for v in record["runs"][1]["history"]["g_grad_adversarial"])


@pytest.mark.slow
def test_collect_fills_and_scores_agree_with_the_checkpoint(collected):
    from helpers.data import load_cifar10, take_subset
    from helpers.evaluation import evaluate
    from helpers.pretrained import checkpoint_inpainter

    out = collected["out"]
    study = load_study(out / "gan_weights.json")
    assert (out / "gan_weights.npz").stat().st_size < 200_000
    assert study["images"].dtype == np.uint8 and study["images"].shape == (4, 32, 32, 3)
    assert study["fills"][0.001].dtype == np.uint8 and study["fills"][0.001].shape == (4, 16, 16, 3)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INPAINTING_CACHE", str(collected["tmp"] / "cache"))
        data = load_cifar10(collected["data"], progress=False)
    assert np.array_equal(study["images"], data.x_test[study["indices"]])
    assert np.array_equal(study["labels"], data.y_test[study["indices"]])
    inpainter = checkpoint_inpainter(collected["runs"][0] / "checkpoint.npz")   # weight 0.001
    fills = np.round(inpainter.fill(study["images"]) * 255)
    assert np.abs(fills - study["fills"][0.001]).max() <= 1
    (row,) = evaluate({"gan": inpainter}, take_subset(data, test_size=10, seed=0).x_test, progress=False)
    assert row["hole_mse"] == pytest.approx(study["runs"][0.001]["metrics"]["hole_mse"], rel=1e-5)
    card = (out / "gan_weights.md").read_text()
    assert "| 0.001 | 0.999 | 2 |" in card and "| 0 | 1 | 2 |" in card
    assert "![hole MSE against sharpness](gan_weights_tradeoff.png)" in card
    assert "python -m helpers.cli.gan_weights collect" in card and "10 test images" in card
    assert isinstance(widgets.adversarial_weight_view(study, 0.001, 0), Figure)


@pytest.mark.slow
def test_collect_refuses_two_runs_of_one_weight_and_other_models(collected, tmp_path, capsys):
    from helpers.cli import gan_weights

    run = str(collected["runs"][0])
    assert gan_weights.main(["collect", run, run, "--out", str(tmp_path)]) == 2
    assert "same adversarial weight" in capsys.readouterr().err
    other = tmp_path / "ae"
    write_checkpoint(other / "checkpoint.npz", {"iteration": 1, "config": {"kind": "autoencoder"},
                                                "history": {}}, {})
    assert gan_weights.main(["collect", str(other), "--out", str(tmp_path)]) == 2
    assert "not a GAN" in capsys.readouterr().err
    assert gan_weights.main(["collect", str(tmp_path / "nowhere"), "--out", str(tmp_path)]) == 2
    assert "No checkpoint" in capsys.readouterr().err
    assert not (tmp_path / "gan_weights.json").exists()


@pytest.mark.slow
def test_long_scores_a_run_or_names_its_published_weights(collected, weights, tmp_path, capsys):
    """``long`` writes the run's curves and record; its score is its own, or, with --published,
    the published weights' (after checking that they are the run's last state)."""
    from helpers.cli import gan_weights
    from helpers.cli.publish import publish

    run = tmp_path / "long"
    shutil.copytree(collected["runs"][0], run)   # trained by one command (its commands.jsonl)
    out = tmp_path / "results"
    out.mkdir()
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("INPAINTING_CACHE", str(collected["tmp"] / "cache"))
        assert gan_weights.main(["long", str(run), "--out", str(out), "--data", str(collected["data"]),
                                 "--test-size", "10", "--no-progress"]) == 0
    record = json.loads((out / "gan_long_run.json").read_text())
    assert record["description"] == ("the paper's GAN recipe (adversarial weight 0.001) trained from scratch "
                                     "to iteration 2 of the paper's 80,000")
    assert record["n_test_images"] == 10 and 0 < record["test"]["hole_mse"] < 1 and "published" not in record
    assert [c["command"] for c in record["commands"]] == [record["train_command"]]
    assert (out / "gan_long_run.png").stat().st_size > 1000
    capsys.readouterr()

    publish(run, "long-gan", data_source="synthetic", train_images=24, validation_images=8)
    assert gan_weights.main(["long", str(run), "--out", str(out), "--published", "long-gan"]) == 0
    record = json.loads((out / "gan_long_run.json").read_text())
    assert record["published"] == "long-gan" and "test" not in record
    assert "published as long-gan" in capsys.readouterr().out
    other = tmp_path / "other"
    shutil.copytree(collected["runs"][1], other)  # another run: the published weights are not its state
    assert gan_weights.main(["long", str(other), "--out", str(out), "--published", "long-gan"]) == 2
    assert "is not the last state of" in capsys.readouterr().err


# --------------------------------------------------------------------------- card (fast)

RESULTS = Path(__file__).resolve().parents[1] / "results"


def test_card_rewrites_the_shipped_card_from_its_files_alone(tmp_path, capsys):
    """``card`` makes results/gan_weights.md from results/gan_weights.json and .npz, byte for byte:
    the committed card is what its template writes today, and no run is scored again."""
    from helpers.cli import gan_weights

    for name in ("gan_weights.json", "gan_weights.npz"):
        shutil.copy(RESULTS / name, tmp_path / name)
    assert gan_weights.main(["card", "--out", str(tmp_path)]) == 0
    assert "scores unchanged" in capsys.readouterr().out
    card = (tmp_path / "gan_weights.md").read_text()
    assert card == (RESULTS / "gan_weights.md").read_text()
    assert "Notebook 7 shows these results" in card and "notebook 7's widget" in card
    assert "mean gradient magnitude of the fills" in card


def test_card_without_the_study_says_how_to_make_it(tmp_path, capsys):
    from helpers.cli import gan_weights

    assert gan_weights.main(["card", "--out", str(tmp_path)]) == 2
    assert "gan_weights collect" in capsys.readouterr().err
