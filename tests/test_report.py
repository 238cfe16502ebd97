"""The results report (helpers.cli.report) end to end: tiny published weights, a miniature
data set, one command."""

import json
import shutil
import types
from pathlib import Path

import pytest

from opencv_standin import broken_cv2, fresh_answer
from synthetic import make_image_folder_tar, smooth_images
from helpers.classical import shiftmap_unavailable
from helpers.cli import report
from helpers.cli.publish import publish
from helpers.engine.weightfiles import WEIGHTS_ENV
from helpers.trainers import AutoencoderTrainer, GANTrainer, PConvTrainer

_fresh = pytest.fixture(autouse=True)(fresh_answer)


@pytest.mark.slow
def test_report_from_published_weights(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(WEIGHTS_ENV, str(tmp_path / "weights"))
    monkeypatch.setenv("INPAINTING_CACHE", str(tmp_path / "cache"))
    tarball = tmp_path / "mini.tar.gz"
    make_image_folder_tar(tarball, per_class=2)
    images = smooth_images(40)
    for name, trainer in (("autoencoder", AutoencoderTrainer(batch_size=8, compile_mode="eager")),
                          ("gan", GANTrainer(batch_size=8, compile_mode="eager")),
                          ("pconv", PConvTrainer(batch_size=8, compile_mode="eager", mask_bank=50))):
        run = tmp_path / name
        trainer.fit(images[:32], 2, checkpoint_dir=run, log_every=1, validation=images[32:],
                    validate_every=1, progress=False)
        publish(run, name, data_source="synthetic", train_images=32, validation_images=8)
    # a named GAN variant is checked against the paper's claim in the GAN's place
    publish(tmp_path / "gan", "gan-averaged", data_source="synthetic", train_images=32,
                       validation_images=8)
    out = tmp_path / "results"
    assert report.main(["--data", str(tarball), "--out", str(out), "--no-progress"]) == 0
    printed = capsys.readouterr().out
    assert "20 test images" in printed and "GAN (paper)" in printed

    saved = json.loads((out / "results.json").read_text())
    assert saved["n_images"] == 20 and saved["scale"] == "unit [0,1]"
    methods = [r["method"] for r in saved["results"]]
    # the classical rows: mean, telea, biharmonic, and shift-map where this OpenCV runs it
    why_not = shiftmap_unavailable()
    k = 3 if why_not else 4
    assert methods[:k] == ["data-set mean colour", "OpenCV Telea", "scikit-image biharmonic",
                           "OpenCV shift-map (exemplar)"][:k]
    assert saved["left_out"] == ({"shiftmap": why_not} if why_not else None)
    assert len(methods) == k + 4 and methods[k:] == ["autoencoder (paper)", "GAN (paper)",
                                                     "GAN, averaged weights (beyond the paper)",
                                                     "partial-conv U-Net (beyond the paper)"]
    free = saved["free_form"]["results"]
    assert [r["id"] for r in free] == ["telea", "biharmonic", "pconv"] and free[2]["pretrained"] == "pconv"
    ae = saved["results"][k]
    assert ae["pretrained"] == "autoencoder" and ae["iteration"] == 2 and 0 < ae["hole_mse"] < 1
    assert set(saved["per_class_hole_psnr"]) == set(methods)
    for figure in ("paper_figure_autoencoder.png", "paper_figure_gan.png", "best_worst.png",
                   "per_class_psnr.png", "curves_autoencoder.png", "curves_gan.png", "curves_pconv.png"):
        assert (out / figure).stat().st_size > 1000, figure
    text = (out / "README.md").read_text()
    assert "| hole MSE | hole L1 |" in text and "CIFAR-10 (JPEG export)" in text
    assert "## Free-form holes" in text and "The paper says" in text
    assert ("Which GAN that is, and why: `gan`, iteration 2 of the paper's 80,000" in text
            and "below, `gan-averaged` take its place" in text), "the conclusion names its GAN and why"
    variant = text.split("The same check with GAN, averaged weights (beyond the paper)")[1]
    assert "The paper says" in variant.split("\n\n")[1] and "So the variant " in variant
    assert report.load_report(out / "results.json") == saved
    mirrored = saved["mirror_averaged"]
    assert [r["id"] for r in mirrored] == ["autoencoder"] and mirrored[0]["pretrained"] == "autoencoder"
    assert mirrored[0]["method"] == "autoencoder (paper), mirror-averaged"
    assert "## Mirror averaging at test time" in text and "target hole MSE at most 0.024" in text

    # a long GAN run's file, taken in without scoring again
    assert "whole schedule" not in text and saved["gan_long_run"] is None
    long = {"description": "the paper's GAN, to iteration 4 of 80,000", "validation_images": 8,
            "n_test_images": 20, "data_source": "synthetic", "command": "python -m helpers.cli.gan_weights long x",
            "train_command": "python -m helpers.cli.train gan", "test": {"hole_mse": 0.05, "sharpness_ratio": 0.5},
            "history": {"iteration": [2, 4]}}
    (out / "gan_long_run.json").write_text(json.dumps(long))
    assert report.main(["--out", str(out), "--studies-only"]) == 0
    refreshed = json.loads((out / "results.json").read_text())
    assert refreshed["results"] == saved["results"] and "history" not in refreshed["gan_long_run"]
    assert refreshed["gan_long_run"]["test"]["hole_mse"] == 0.05
    again = (out / "README.md").read_text()
    assert again.startswith(text.rstrip()) and "over the paper's whole schedule" in again
    assert "Its last state scores, on 20 test images of synthetic, hole MSE 0.0500" in again
    # published: its score is the table's row of those weights, not a second number
    (out / "gan_long_run.json").write_text(json.dumps({**long, "published": "gan-averaged", "test": None}))
    assert report.main(["--out", str(out), "--studies-only"]) == 0
    averaged = next(r for r in saved["results"] if r["id"] == "gan-averaged")
    assert (f"Its last state is published as `gan-averaged`: the table's row \"GAN, averaged weights (beyond "
            f"the paper)\" (hole MSE {averaged['hole_mse']:.4f}") in (out / "README.md").read_text()
    assert report.main(["--out", str(tmp_path / "nothing"), "--studies-only"]) == 2
    assert "run `python -m helpers.cli.report` first" in capsys.readouterr().err


def test_report_without_weights_says_so(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv(WEIGHTS_ENV, str(tmp_path / "empty"))
    monkeypatch.setenv("INPAINTING_CACHE", str(tmp_path / "cache"))
    tarball = tmp_path / "mini.tar.gz"
    make_image_folder_tar(tarball, per_class=1)
    assert report.main(["--data", str(tarball), "--out", str(tmp_path / "r"), "--no-progress"]) == 2
    assert "no published weights" in capsys.readouterr().err


def test_report_leaves_shift_map_out_and_says_why_where_opencv_cannot_run_it(monkeypatch, capsys):
    broken_cv2(monkeypatch)  # Colab's OpenCV mix: cv2 5.0.0 without xphoto.inpaint
    data = types.SimpleNamespace(x_train=smooth_images(8))
    inpainters, left_out = report._classical_inpainters(data, report.CLASSICAL)
    assert list(inpainters) == ["mean", "telea", "biharmonic"] and list(left_out) == ["shiftmap"]
    why = left_out["shiftmap"]
    assert why.startswith("The shift-map fill is left out: this OpenCV 5.0.0") and "==5.0.0.93" in why
    row = {"id": "telea", "method": "OpenCV Telea", "hole_mse": 0.03, "hole_l1": 0.1, "hole_psnr": 15.6,
           "ssim": 0.5, "sharpness_ratio": 0.4, "ms_per_image": 1.0}
    made = {"results": [row], "n_images": 2, "command": "python -m helpers.cli.report", "made": "today",
            "data_source": "synthetic", "scale": "unit [0,1]", "machine": "a test", "class_names": ["a"],
            "per_class_hole_psnr": {"OpenCV Telea": [15.6]}, "left_out": left_out}
    text = report.report_markdown(made, {})
    assert f"| 15.60 | 0.500 | 0.40 | 1.00 |\n\n- {why}\n" in text  # under the table
    assert f"- {why}" not in report.report_markdown({**made, "left_out": None}, {})


RESULTS = Path(__file__).resolve().parents[1] / "results"


def test_shipped_report_is_what_its_template_writes_from_results_json(tmp_path):
    """results/README.md, made again from results/results.json and the study files without
    scoring anything (``--studies-only``), is the committed file byte for byte: no sentence
    of it is stale against report.py."""
    for name in ("results.json", "gan_weights.json", "gan_long_run.json"):
        shutil.copy(RESULTS / name, tmp_path / name)
    assert report.main(["--out", str(tmp_path), "--studies-only"]) == 0
    text = (tmp_path / "README.md").read_text()
    assert text == (RESULTS / "README.md").read_text()
    assert "mean gradient magnitude of the fills" in text
    assert "What its validations say (computed from `gan_long_run.json`" in text


def test_pconv_curves_name_the_errors_its_record_trained_on():
    assert report._pconv_loss_label({"loss": "l2"}) == "training loss (6 x hole + 1 x known pixel error, squared)"
    assert report._pconv_loss_label({"loss": "l1"}).endswith("absolute)")
