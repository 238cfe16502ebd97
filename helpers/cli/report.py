"""The results report: every number the course quotes about its trained models, made by one
command from the published weights (``weights/``) and the CIFAR-10 test set.

    python -m helpers.cli.report                   # all 10,000 test images -> results/
    python -m helpers.cli.report --test-size 500   # a quick look (say so if you quote it)
    python -m helpers.cli.report --studies-only    # only take in new GAN study files (seconds)

It writes ``results/README.md`` (the table, per-class hole PSNR, the figures, and where
each number came from), ``results/results.json`` (the same numbers, for notebooks and
model cards), and the figures as PNG: the paper's three-image figure for each model, the
best and worst fills, per-class bars and the training curves. Then it rewrites the model
cards so that their test metrics are these.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from ..classical import classical_fills, shiftmap_unavailable
from ..data import DataNotFoundError, load_cifar10
from ..engine.files import REPO_ROOT, read_json, write_json, write_text
from ..engine.weightfiles import PretrainedError, available, read_manifest, read_record
from ..evaluation import (FREE_FORM, FREE_FORM_TABLE_COLUMNS, SCALE_LABEL, evaluate, evaluate_masks,
                          evaluate_with_per_image, per_class)
from ..holes import CENTER_HOLE, random_masks
from ..inpainters import MirrorAveraged
from .. import registry
from ..study import long_run_reading
from ..data import showcase_indices
from ..verdicts import beyond_the_paper_verdict, conclusion, paper_claim, target_lines
from .cards import write_card

RESULTS_DIR = REPO_ROOT / "results"
CLASSICAL = ("mean", "telea", "biharmonic", "shiftmap")
DISPLAY = {"autoencoder": "autoencoder (paper)", "gan": "GAN (paper)",
           "autoencoder-regularized": "autoencoder, regularized (beyond the paper)",
           "pconv": "partial-conv U-Net (beyond the paper)",
           "gan-80k": "GAN (paper), at the paper's 80,000 iterations",
           "gan-averaged": "GAN, averaged weights (beyond the paper)",
           "gan-l2": "GAN on L2 alone (adversarial weight 0: notebook 4's start)"}
# The GAN the report's conclusion checks the paper's claim on (notebooks 4, 5 and 7 use it
# too), and the named GANs checked in its place: the same recipe at the paper's whole budget,
# and with averaged weights.
SHIPPED_GAN = "gan"
GAN_VARIANTS = ("gan-80k", "gan-averaged")
REPORT_COLUMNS = (("method", "method", "{}"), ("hole MSE", "hole_mse", "{:.4f}"),
                  ("hole L1", "hole_l1", "{:.4f}"), ("hole PSNR (dB)", "hole_psnr", "{:.2f}"),
                  ("SSIM", "ssim", "{:.3f}"), ("sharpness ratio", "sharpness_ratio", "{:.2f}"),
                  ("ms / image", "ms_per_image", "{:.2f}"))


def markdown_table(headers: list[str], rows: list[list[str]]) -> str:
    rule = "|" + "|".join("---" if i == 0 else "---:" for i in range(len(headers))) + "|"
    return "\n".join(["| " + " | ".join(headers) + " |", rule] + ["| " + " | ".join(r) + " |" for r in rows])


def results_table(rows: list[dict], columns=REPORT_COLUMNS) -> str:
    """The report's main table (the columns of :data:`REPORT_COLUMNS`)."""
    return markdown_table([h for h, _, _ in columns],
                          [[fmt.format(r[key]) for _, key, fmt in columns] for r in rows])


def load_report(path: Path | None = None) -> dict | None:
    """``results/results.json`` as a dict, or None when the report has not been made."""
    return read_json(Path(path or RESULTS_DIR / "results.json")) or None


def make_report(data, names: list[str], out: Path = RESULTS_DIR, classical=CLASSICAL,
                progress: bool = True) -> dict:
    """Score the classical fills and the published weights ``names`` on ``data.x_test``
    and write the report into ``out``. Returns what ``results.json`` holds."""
    import matplotlib

    matplotlib.use("Agg")  # before curves and plots import pyplot
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    inpainters, left_out = _classical_inpainters(data, classical)
    published, records = _published(names)
    inpainters.update(published)
    x_test, y_test = data.x_test, data.y_test
    rows, patches, per_image = evaluate_with_per_image(inpainters, x_test, CENTER_HOLE)
    manifest = read_manifest()
    _mark_trained(rows, records, manifest)
    classes = {row["method"]: per_class(per_image[row["id"]]["hole_psnr"], y_test).tolist() for row in rows}
    figures = _paper_figures(data, names, patches, out)
    figures += _comparison_figures(data, rows, patches, per_image, classes, out)
    free_rows = _free_form_rows(inpainters, records, x_test, manifest, progress)
    mirror_rows = _mirror_rows(inpainters, records, x_test, manifest, progress)
    figures += _curve_figures(records, out)

    report = {
        "data_source": data.source, "scale": SCALE_LABEL, "n_images": int(len(x_test)),
        "hole": {"top": CENTER_HOLE.top, "left": CENTER_HOLE.left,
                 "height": CENTER_HOLE.height, "width": CENTER_HOLE.width},
        "machine": _machine(), "made": time.strftime("%Y-%m-%d"),
        "command": "python -m helpers.cli.report" + ("" if len(x_test) == 10_000 else f" --test-size {len(x_test)}"),
        "results": rows, "free_form": {"coverage": list(FREE_FORM["coverage"]), "seed": FREE_FORM["seed"],
                                       "results": free_rows} if free_rows else None,
        "mirror_averaged": mirror_rows or None, "left_out": left_out or None,
        "per_class_hole_psnr": classes, "class_names": list(data.class_names),
        **_studies(out),
        "figures": sorted(set(figures)),
    }
    write_json(out / "results.json", report)
    write_text(out / "README.md", report_markdown(report, records))
    if Path(out).resolve() == RESULTS_DIR.resolve():
        for name in names:
            write_card(name)
    return report


def _published(names: list[str]) -> tuple[dict, dict]:
    """The published weights ``names`` as inpainters, and the records of how each was trained."""
    from ..pretrained import pretrained_inpainter  # Keras: main has chosen the backend

    inpainters, records = {}, {}
    for name in names:
        inpainters[name] = pretrained_inpainter(name, DISPLAY.get(name, name))
        records[name] = read_record(name)
    return inpainters, records


def _mark_trained(rows: list[dict], records: dict, manifest: dict) -> None:
    """Name the published weights behind each row that scores some, and how far they were trained."""
    for row in rows:
        if row["id"] in records:
            rec = records[row["id"]]
            row.update(pretrained=row["id"], sha256=manifest[row["id"]]["sha256"],
                       iteration=rec["iteration"], trained_iterations=rec["trained_iterations"],
                       batch_size=rec["batch_size"])


def _save_figure(fig, out: Path, filename: str) -> str:
    """Write ``fig`` into ``out`` as ``filename``, close it, and return the name."""
    import matplotlib.pyplot as plt

    fig.savefig(out / filename, dpi=90, bbox_inches="tight")
    plt.close(fig)
    return filename


def _paper_figures(data, names: list[str], patches: dict, out: Path) -> list[str]:
    """The paper's figure for each published model: its fills of the same three test images."""
    from .. import plots  # matplotlib: make_report has chosen its backend

    picks = showcase_indices(len(data.x_test))
    labels = [data.class_names[int(data.y_test[i])] for i in picks]
    figures = []
    for name in names:
        fig = plots.result_figure(data.x_test[picks], patches[name][picks], method=DISPLAY.get(name, name),
                                  labels=labels, title=f"{DISPLAY.get(name, name)}: the paper's figure "
                                  f"(three random test images)")
        figures.append(_save_figure(fig, out, f"paper_figure_{name}.png"))
    return figures


def _comparison_figures(data, rows: list[dict], patches: dict, per_image: dict, classes: dict,
                        out: Path) -> list[str]:
    """Every method side by side: its best and worst fills, and its hole PSNR per class."""
    from .. import plots  # matplotlib: make_report has chosen its backend

    shown = {r["method"]: patches[r["id"]] for r in rows}
    errors = {r["method"]: per_image[r["id"]]["hole_mse"] for r in rows}
    return [_save_figure(plots.best_worst(data.x_test, shown, errors, k=4), out, "best_worst.png"),
            _save_figure(plots.class_bars(classes, data.class_names, "mean hole PSNR (dB)", "Hole PSNR per class",
                                          reference={r["method"]: r["hole_psnr"] for r in rows}),
                         out, "per_class_psnr.png")]


def _curve_figures(records: dict, out: Path) -> list[str]:
    """Each published model's training curves, from its record (the GAN's losses, or the
    training and validation loss of the others, the paper's 0.009 marked on the autoencoders')."""
    from .. import curves  # matplotlib: make_report has chosen its backend

    figures = []
    for name, rec in records.items():
        history = rec["history"]
        if rec["kind"] == "gan":
            fig = curves.gan_curves(history, title=f"{DISPLAY.get(name, name)}: training curves")
        elif rec["kind"] == "pconv":
            fig = curves.loss_curves(history, title=f"{DISPLAY.get(name, name)}: training and validation",
                                    loss_label=_pconv_loss_label(rec["config"]))
        else:
            fig = curves.loss_curves(history, title=f"{DISPLAY.get(name, name)}: training and validation",
                                    reference=0.009, reference_label="the paper's 'converged to 0.009'")
        figures.append(_save_figure(fig, out, f"curves_{name}.png"))
    return figures


def _pconv_loss_label(config: dict) -> str:
    """The U-Net's training loss in words, for its curves: Liu et al.'s two terms, with the
    errors its record says it used (squared for ``loss="l2"``, absolute for ``"l1"``)."""
    errors = "absolute" if config.get("loss") == "l1" else "squared"
    return f"training loss (6 x hole + 1 x known pixel error, {errors})"


def _classical_inpainters(data, classical) -> tuple[dict, dict]:
    """The classical fills that run here, and {id: why} for those that cannot (shift-map on an
    OpenCV without cv2.xphoto.inpaint): the report leaves those rows out and says why."""
    inpainters = dict(classical_fills(data.x_train, methods=list(classical), skip_unavailable=True))
    return inpainters, {m: shiftmap_unavailable() for m in classical if m not in inpainters}


def _free_form_rows(inpainters: dict, records: dict, x_test, manifest: dict, progress: bool) -> list[dict]:
    """The partial-conv U-Nets, with the classical fills that take any hole, on random free-form holes."""
    names = [n for n, rec in records.items() if rec["kind"] == "pconv"]
    if not names:
        return []
    masks = random_masks(len(x_test), FREE_FORM["coverage"], seed=FREE_FORM["seed"])
    free = {k: v for k, v in inpainters.items() if k in ("telea", "biharmonic")}
    free.update({n: inpainters[n] for n in names})
    return _mark_published(evaluate_masks(free, x_test, masks, progress=progress), manifest)


def _mirror_rows(inpainters: dict, records: dict, x_test, manifest: dict, progress: bool) -> list[dict]:
    """The autoencoders again, each fill averaged with that of the mirrored image."""
    names = [n for n, rec in records.items() if rec["kind"] == "autoencoder"]
    if not names:
        return []
    both = {n: MirrorAveraged(inpainters[n], f"{DISPLAY.get(n, n)}, mirror-averaged") for n in names}
    return _mark_published(evaluate(both, x_test, CENTER_HOLE, progress=progress), manifest)


def _mark_published(rows: list[dict], manifest: dict) -> list[dict]:
    """Name the published weights (and their SHA-256) behind each row that scores some."""
    for row in rows:
        if row["id"] in manifest:
            row.update(pretrained=row["id"], sha256=manifest[row["id"]]["sha256"])
    return rows


def report_markdown(report: dict, records: dict) -> str:
    """``results/README.md`` from what ``results.json`` holds and the published weights' records."""
    lines = (_header_lines(report) + _table_lines(report, records) + _free_form_lines(report, records)
             + _mirror_lines(report) + _autoencoder_target_lines(report) + _figure_lines(report, records))
    return "\n".join(lines + _gan_study_lines(report.get("gan_study"), report.get("gan_long_run"),
                                             report["results"]))


def _header_lines(report: dict) -> list[str]:
    """The title, the command that made the report, and what its numbers are measured on."""
    return ["# Results", "",
            f"Made by `{report['command']}` on {report['made']}, from the weights in `weights/` "
            f"(their model cards say how each was trained). Do not edit by hand: run the command again.",
            "",
            f"- Data: {report['n_images']:,} test images of {report['data_source']}, 16x16 centre hole.",
            f"- Scale: every metric on {report['scale']}; hole MSE, L1 and PSNR over the hole only, "
            f"SSIM over the whole image (hole pasted back), sharpness ratio = mean gradient "
            f"magnitude of the fills / that of the true patches (1.0 is as sharp as the truth).",
            f"- Timing: fill only, after one warm-up batch, batches of 256, on {report['machine']}.",
            ""]


def _table_lines(report: dict, records: dict) -> list[str]:
    """The main table, the methods it leaves out, the weights behind its rows, and what it says."""
    rows = report["results"]
    lines = ["## Every method on the same images", "", results_table(rows), ""]
    lines += [f"- {why}" for why in (report.get("left_out") or {}).values()]
    for row in rows:
        if row.get("pretrained"):
            rec = records[row["pretrained"]]
            lines.append(f"- {row['method']}: weights `{row['pretrained']}`, iteration {rec['iteration']:,} "
                         f"of a {rec['trained_iterations']:,}-iteration run at batch {rec['batch_size']} "
                         f"on {rec['data_source']} ({rec['hardware']}).")
    return lines + _verdict_lines(rows, records)


def _verdict_lines(rows: list[dict], records: dict) -> list[str]:
    """The paper's claim checked on the table: for the course's GAN (saying which and why),
    then for each named GAN variant in its place."""
    lines = []
    if {"autoencoder", SHIPPED_GAN} <= {r["id"] for r in rows}:
        lines += ["", "What the table says (computed from it):", ""]
        lines += [f"- {line}" for line in conclusion(rows, gan=SHIPPED_GAN)]
        present = [f"`{v}`" for v in GAN_VARIANTS if v in records]
        lines += ["", f"Which GAN that is, and why: `{SHIPPED_GAN}`, iteration "
                      f"{records[SHIPPED_GAN]['iteration']:,} of the paper's {registry.kind('gan').budget.iterations:,}: "
                      f"the GAN that notebooks 4, 5 and 7 show, published before the course's run to the paper's budget. It stays "
                      f"the course's GAN so that the notebooks and this report speak of one model"
                      + (f"; below, {' and '.join(present)} take its place in the same check." if present else ".")]
    for variant in GAN_VARIANTS:
        claim = paper_claim(rows, gan=variant, subject="the variant")
        if claim:
            lines += ["", f"The same check with {DISPLAY[variant]} in the paper's GAN's place "
                          f"(computed from the table):", ""]
            lines += [f"- {line}" for line in claim]
    return lines


def _free_form_lines(report: dict, records: dict) -> list[str]:
    """The free-form holes' table and the beyond-the-paper targets, where the report has them."""
    ff = report.get("free_form")
    if not ff:
        return []
    coverage = 100 * ff["results"][0]["coverage"]
    lines = ["", "## Free-form holes (beyond the paper)", "",
             f"The same {report['n_images']:,} test images with random free-form holes (`random_masks`, "
             f"{100 * ff['coverage'][0]:.0f}-{100 * ff['coverage'][1]:.0f}% of the pixels, "
             f"{coverage:.0f}% on average, seed {ff['seed']}); metrics over the missing pixels, "
             f"{report['scale']}; timing as above, after a warm-up of one image. The paper's models "
             f"fill only their square.", "",
             results_table(ff["results"], FREE_FORM_TABLE_COLUMNS)]
    seen = {name: rec["iteration"] * rec["batch_size"] for name, rec in records.items()}
    verdict = beyond_the_paper_verdict(report["results"], ff["results"], seen)
    if verdict:
        lines += ["", "The beyond-the-paper targets (computed from the two tables):", ""]
        lines += [f"- {line}" for line in verdict]
    return lines


def _mirror_lines(report: dict) -> list[str]:
    """The mirror-averaged autoencoders' table, where the report has one."""
    if not report.get("mirror_averaged"):
        return []
    return ["", "## Mirror averaging at test time (beyond the paper)", "",
            "Each autoencoder's fill averaged with its fill of the left-right mirrored image "
            "(`helpers.inpainters.MirrorAveraged`; two passes): the same test images and hole.", "",
            results_table(report["mirror_averaged"])]


def _autoencoder_target_lines(report: dict) -> list[str]:
    """The project's targets for the autoencoders, checked on the tables."""
    targets = target_lines(report["results"], report.get("mirror_averaged"))
    if not targets:
        return []
    return (["", "The project's targets for the autoencoders (computed from the tables):", ""]
            + [f"- {line}" for line in targets])


def _figure_lines(report: dict, records: dict) -> list[str]:
    """The per-class table, and the figures: per class, the paper's, best and worst, training curves."""
    names = report["class_names"]
    lines = ["", "## Mean hole PSNR (dB) per class", "",
             markdown_table(["method"] + names,
                            [[m] + [f"{v:.2f}" for v in vals] for m, vals in report["per_class_hole_psnr"].items()]),
             "", "![per class](per_class_psnr.png)", "", "## The paper's figure", ""]
    for name in records:
        lines += [f"![{name}](paper_figure_{name}.png)", ""]
    lines += ["## Best and worst fills", "", "![best and worst](best_worst.png)", "",
              "## Training curves", ""]
    for name in records:
        lines += [f"![{name} curves](curves_{name}.png)", ""]
    return lines


def _studies(out: Path) -> dict:
    """The summaries of the GAN studies that ``python -m helpers.cli.gan_weights`` writes into ``out``."""
    return {"gan_study": _summary(read_json(out / "gan_weights.json"),
                                  runs=("adversarial_weight", "iteration", "metrics")),
            "gan_long_run": _long_run_summary(read_json(out / "gan_long_run.json"))}


def _long_run_summary(record: dict) -> dict | None:
    """The long run's record without its curves, with what its validations say in sentences
    (the last one on the iterations after the one the shipped GAN stopped at)."""
    summary = _summary(record)
    if summary and record.get("history"):
        shipped = read_record(SHIPPED_GAN)["iteration"] if SHIPPED_GAN in available() else None
        summary["reading"] = long_run_reading(record["history"], since=shipped)
        summary["reading_since"] = shipped
    return summary


def refresh_studies(out: Path = RESULTS_DIR) -> dict:
    """Take new GAN study files into an existing report without scoring anything again (the
    scores depend only on the weights and the test images, which the studies do not change)."""
    report = load_report(Path(out) / "results.json")
    if report is None:
        raise ValueError(f"{out} holds no results.json yet: run `python -m helpers.cli.report` first.")
    report.update(_studies(Path(out)))
    records = {row["pretrained"]: read_record(row["pretrained"]) for row in report["results"]
               if row.get("pretrained")}
    write_json(Path(out) / "results.json", report)
    write_text(Path(out) / "README.md", report_markdown(report, records))
    return report


def _summary(record: dict, runs=()) -> dict | None:
    """A study's record without its curves (they stay in its own file), or None if there is none."""
    if not record:
        return None
    summary = {k: v for k, v in record.items() if k not in ("history", "runs")}
    if runs:
        summary["runs"] = [{k: run[k] for k in runs} for run in record["runs"]]
    return summary


def _gan_study_lines(study: dict | None, long: dict | None, rows: list[dict]) -> list[str]:
    """The GAN's adversarial weight study and its long run, from the files that
    ``python -m helpers.cli.gan_weights`` writes beside this report (where they exist)."""
    lines = []
    if study:
        lines += ["## The GAN's adversarial weight (beyond the paper)", "",
                  f"The paper's GAN recipe at several adversarial weights, the same seed, data and budget, "
                  f"scored on {study['n_test_images']:,} test images of {study['data_source']} ({study['scale']}); "
                  f"made by `{study['command']}`, details in [gan_weights.md](gan_weights.md).", "",
                  markdown_table(["adversarial weight", "iteration", "hole MSE", "hole PSNR (dB)", "sharpness ratio"],
                                 [[f"{run['adversarial_weight']:g}", f"{run['iteration']:,}",
                                   f"{run['metrics']['hole_mse']:.4f}", f"{run['metrics']['hole_psnr']:.2f}",
                                   f"{run['metrics']['sharpness_ratio']:.2f}"] for run in study["runs"]]),
                  "", "![trade-off](gan_weights_tradeoff.png)", "", "![gradient sizes](gan_weights_gradients.png)", ""]
    if long:
        lines += ["## The paper's GAN over the paper's whole schedule", "",
                  f"{long['description'][0].upper() + long['description'][1:]}; validation every so often on "
                  f"{long['validation_images']:,} held-out training images. {_long_run_score(long, rows)} "
                  f"Made by `{long['command']}`; trained with `{long['train_command']}`"
                  + (f" (each of its {len(long['commands'])} commands is in `gan_long_run.json`)."
                     if len(long.get("commands") or []) > 1 else "."), ""]
        if long.get("reading"):
            since = (f"; the last line compares the validations near iteration {long['reading_since']:,}, "
                     f"where the shipped `{SHIPPED_GAN}` stopped, with the last ones"
                     if long.get("reading_since") else "")
            lines += [f"What its validations say (computed from `gan_long_run.json`{since}):", ""]
        lines += [f"- {line}" for line in long.get("reading", [])]
        lines += ["", "![long run](gan_long_run.png)", ""]
    return lines


def _long_run_score(long: dict, rows: list[dict]) -> str:
    """The long run's test score: the report's row of its published weights, or its own."""
    if long.get("published"):
        row = next((r for r in rows if r.get("pretrained") == long["published"]), None)
        if row is None:
            return (f"Its last state is published as `{long['published']}`, which this report has not "
                    f"scored: run `python -m helpers.cli.report`.")
        return (f"Its last state is published as `{long['published']}`: the table's row "
                f"\"{row['method']}\" (hole MSE {row['hole_mse']:.4f}, sharpness ratio "
                f"{row['sharpness_ratio']:.2f}).")
    m = long["test"]
    return (f"Its last state scores, on {long['n_test_images']:,} test images of {long['data_source']}, "
            f"hole MSE {m['hole_mse']:.4f} and sharpness ratio {m['sharpness_ratio']:.2f}.")


def _machine() -> str:
    from ..engine.backend import gpu_names
    from ..engine.machine import machine_description

    return machine_description(gpu_names())


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.cli.report",
                                     description="Regenerate results/ from the published weights.")
    parser.add_argument("--data", default=None, help="CIFAR-10 location, as for helpers.cli.train")
    parser.add_argument("--test-size", type=int, default=None,
                        help="score a seeded random subset (default: all 10,000 test images)")
    parser.add_argument("--out", default=str(RESULTS_DIR), help="folder to write (default: results/)")
    parser.add_argument("--no-progress", action="store_true")
    parser.add_argument("--studies-only", action="store_true",
                        help="only take the GAN study files (gan_weights.*, gan_long_run.*) into the report")
    args = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.studies_only:
        try:
            refresh_studies(Path(args.out))
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
        print(f"Took the GAN studies into {args.out}/README.md and results.json (scores unchanged).")
        return 0

    try:
        data = load_cifar10(args.data, test_size=args.test_size, seed=0, progress=not args.no_progress)
        names = available()
        if not names:
            print("error: no published weights in weights/: nothing to report on.", file=sys.stderr)
            return 2
        report = make_report(data, names, Path(args.out), progress=not args.no_progress)
    except (DataNotFoundError, PretrainedError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    print(f"Data: {report['data_source']}, {report['n_images']:,} test images; scale {report['scale']}")
    print(results_table(report["results"]))
    for why in (report.get("left_out") or {}).values():
        print(why)
    print(f"\nWrote {args.out}/README.md, results.json and {len(report['figures'])} figures.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
