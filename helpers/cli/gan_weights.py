"""The GAN's adversarial weight study (notebook 7): collect its runs into ``results/``.

The runs are the paper's GAN recipe at several adversarial weights W (the L2 weight is
1 - W), the same seed, data and budget, one run folder each::

    python -m helpers.cli.train gan --fused --adversarial-weight W --seed 0 --iterations 10000 \\
        --validation-size 5000 --validate-every 500 --checkpoint-every 500 --log-every 250 \\
        --no-progress --test-size 0 --out runs/gan-adv-W
    python -m helpers.cli.gan_weights collect runs/gan-adv-0 runs/gan-adv-0.001 runs/gan-adv-0.01 runs/gan-adv-0.1

``collect`` scores each run's last state (``checkpoint.npz``) on the CIFAR-10 test set (hole
MSE, mean hole PSNR, sharpness ratio; values on [0, 1]), fills a few fixed test images with
it, and writes ``gan_weights.json`` (numbers, commands, the runs' curves),
``gan_weights.npz`` (the images and their fills, uint8), ``gan_weights.md`` (a short card)
and two figures. :func:`helpers.study.load_study` reads them back. ``card`` rewrites
``gan_weights.md`` from ``gan_weights.json`` alone (after its template changed), scoring nothing.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
import time
from pathlib import Path

import numpy as np

from ..data import DataNotFoundError, load_cifar10, showcase_indices, take_subset
from ..engine.checkpoints import CheckpointError, read_checkpoint, read_commands
from ..engine.files import REPO_ROOT, atomic_write, read_json, write_json, write_text
from ..evaluation import SCALE_LABEL, evaluate
from ..holes import CENTER_HOLE
from ..paper import BUDGETS
from ..settings import GANSettings
from ..diagnosis import LAST_PART, last_part_mean, what_drives_g
from ..study import HISTORY_KEYS, PAPER_WEIGHT, StudyError, summary_lines
from .options import positive_int

RESULTS_DIR = REPO_ROOT / "results"
NAME = "gan_weights"
LONG = "gan_long_run"
LONG_KEYS = ("iteration", "val_hole_mse", "val_sharpness_ratio", "g_l2", "d_real_prob", "d_fake_prob",
             "g_grad_l2", "g_grad_adversarial")
FIGURES = {"tradeoff": f"{NAME}_tradeoff.png", "gradients": f"{NAME}_gradients.png"}
METRICS = ("hole_mse", "hole_psnr", "sharpness_ratio", "hole_l1", "ssim", "image_psnr")
# The options of helpers.cli.train whose defaults a reconstructed command leaves out.
# The settings a rebuilt command names when they differ from the paper's recipe (the weights,
# the average and the drops are named always, or apart).
REBUILT_SETTINGS = ("batch_size", "g_learning_rate", "d_learning_rate", "beta_1", "dropout")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m helpers.cli.gan_weights",
        description="The GAN's adversarial weight study: score the runs of the paper's GAN "
                    "recipe at several adversarial weights and write results/gan_weights.*")
    commands = parser.add_subparsers(dest="command", required=True)
    collect = commands.add_parser(
        "collect", help="score each run folder's last checkpoint and write the study's files",
        description="Score each run's checkpoint.npz on the CIFAR-10 test set (hole MSE, mean hole "
                    "PSNR, sharpness ratio, on [0, 1]), fill --images fixed test images, and write "
                    "gan_weights.json, .npz, .md and two figures into --out.",
        epilog="Example: python -m helpers.cli.gan_weights collect runs/gan-adv-0 runs/gan-adv-0.001 "
               "runs/gan-adv-0.01 runs/gan-adv-0.1")
    collect.add_argument("run_dirs", metavar="RUN_DIR", nargs="+",
                         help="a GAN run folder (python -m helpers.cli.train gan --out RUN_DIR ...), one "
                              "per adversarial weight")
    _scoring_options(collect)
    collect.add_argument("--images", metavar="K", type=positive_int, default=16,
                         help="fill K random test images (the same ones each time) with every run, "
                              "for the notebook's widget (default 16)")
    long = commands.add_parser(
        "long", help="the paper's GAN recipe trained towards its 80,000 iterations: its curves and score",
        description="Read one GAN run (the paper's recipe, trained as far as time allowed), score its "
                    "last state on the CIFAR-10 test set (unless --published names it) and write "
                    "gan_long_run.json and gan_long_run.png (validation hole MSE and sharpness ratio "
                    "against iteration).",
        epilog="Example: python -m helpers.cli.gan_weights long runs/gan-long --published gan-80k")
    long.add_argument("run_dir", metavar="RUN_DIR", help="the GAN run folder")
    long.add_argument("--published", metavar="NAME", default=None,
                      help="the run's last state is published as NAME: score nothing here (the "
                           "results report's row of NAME is its score)")
    _scoring_options(long)
    card = commands.add_parser(
        "card", help="rewrite gan_weights.md from gan_weights.json (scores nothing)",
        description="Rewrite the study's card, gan_weights.md, from the gan_weights.json and .npz "
                    "that collect wrote into --out: after the card's wording changed, without "
                    "scoring the runs again.")
    card.add_argument("--out", metavar="FOLDER", default=str(RESULTS_DIR),
                      help="the folder holding gan_weights.json (default: results/)")
    return parser


def _scoring_options(command) -> None:
    """The options both commands take: where to write, which test images, the data."""
    command.add_argument("--out", metavar="FOLDER", default=str(RESULTS_DIR),
                         help="where to write the files (default: results/)")
    command.add_argument("--test-size", metavar="N", type=positive_int, default=None,
                         help="score a seeded random subset of N test images (the one `python -m "
                              "helpers.cli.evaluate --test-size N` scores); default: all 10,000")
    command.add_argument("--seed", type=int, default=0, help="seed of the --test-size subset (default 0)")
    command.add_argument("--data", metavar="PATH", default=None,
                         help="CIFAR-10 location, as for helpers.cli.train (default: $INPAINTING_DATA, "
                              "then the usual places)")
    command.add_argument("--no-progress", action="store_true", help="no progress bars")


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # hide TensorFlow's start-up chatter
    command = "python -m helpers.cli.gan_weights " + " ".join(
        shlex.quote(_short(a)) for a in (sys.argv[1:] if argv is None else argv))
    try:
        if args.command == "card":
            path = rewrite_card(Path(args.out))
            print(f"Wrote {path} from {NAME}.json (scores unchanged).")
            return 0
        if args.command == "long":
            data = None if args.published else load_cifar10(args.data, progress=not args.no_progress)
            record = write_long_run(Path(args.run_dir), data, Path(args.out), test_size=args.test_size,
                                    seed=args.seed, command=command, progress=not args.no_progress,
                                    published=args.published)
            if args.published:
                score = f"published as {args.published}, which `python -m helpers.cli.report` scores (run it next)"
            else:
                m = record["test"]
                score = (f"test hole MSE {m['hole_mse']:.4f}, sharpness ratio {m['sharpness_ratio']:.2f} "
                         f"({record['n_test_images']:,} test images of {data.source}, {SCALE_LABEL})")
            print(f"{record['description']}; {score}. Wrote {LONG}.json and {LONG}.png into {args.out}")
            return 0
        runs = check_runs([read_run(path) for path in args.run_dirs])
        data = load_cifar10(args.data, progress=not args.no_progress)
        study = collect(runs, data, Path(args.out), test_size=args.test_size, seed=args.seed,
                        images=args.images, command=command, progress=not args.no_progress)
    except (CheckpointError, DataNotFoundError, StudyError, ValueError) as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    for run in study["runs"]:
        m = run["metrics"]
        print(f"adversarial weight {run['adversarial_weight']:<6g} iteration {run['iteration']:>6,}: hole MSE "
              f"{m['hole_mse']:.4f}, hole PSNR {m['hole_psnr']:.2f} dB, sharpness ratio {m['sharpness_ratio']:.2f}")
    print(f"({study['n_test_images']:,} test images of {study['data_source']}, {study['scale']})")
    print(f"Wrote {NAME}.json, {NAME}.npz, {NAME}.md, {', '.join(FIGURES.values())} into {args.out}")
    return 0


# --------------------------------------------------------------------------- one run


def _short(path) -> str:
    """A path inside the repository as a relative one (what a card should show)."""
    try:
        return str(Path(path).resolve().relative_to(REPO_ROOT))
    except ValueError:
        return str(path)


def read_run(run_dir) -> dict:
    """What a GAN run folder says about itself, without its arrays: its checkpoint's record
    (iteration, seed, settings, history) and its ``run.json`` where there is one."""
    run_dir = Path(run_dir)
    return run_record(read_checkpoint(run_dir / "checkpoint.npz", arrays=False)[0], run_dir)


def run_record(meta: dict, run_dir: Path) -> dict:
    """:func:`read_run` from a checkpoint's record ``meta`` already read."""
    config = meta.get("config", {})
    if config.get("kind") != "gan":
        raise ValueError(f"{run_dir} holds a {config.get('kind')!r} run, not a GAN: the study compares "
                         f"GAN runs.")
    summary = read_json(run_dir / "run.json")
    iterations = meta["history"].get("iteration", [])
    history = {key: _aligned(meta["history"].get(key, []), len(iterations))
               for key in HISTORY_KEYS if key in meta["history"]}
    command, source = train_command(meta, summary, run_dir)
    adversarial = float(config["adversarial_weight"])
    return {
        "adversarial_weight": adversarial, "l2_weight": float(config["l2_weight"]),
        "iteration": int(meta["iteration"]), "seed": int(meta.get("seed", 0)),
        "batch_size": int(config["batch_size"]),
        "data_source": summary.get("data", "not recorded (no run.json in the run folder)"),
        "train_images": summary.get("train_images"), "validation_images": summary.get("validation_images"),
        "hardware": summary.get("hardware"), "train_seconds": meta.get("train_seconds"),
        "config": config, "run_dir": _short(run_dir), "command": command, "command_source": source,
        "last_part": {"fraction": LAST_PART, **{key: last_part_mean(history, key) for key in (
            "d_real_prob", "d_fake_prob", "g_l2", "g_adversarial", "g_grad_l2", "g_grad_adversarial")}},
        "history": history, "checkpoint": str(run_dir / "checkpoint.npz"),
    }


def _aligned(values: list, n: int) -> list:
    """A history list as long as its iterations (validation is logged less often)."""
    return list(values[:n]) + [None] * (n - len(values))


def train_command(meta: dict, summary: dict, run_dir: Path) -> tuple[str, str]:
    """The command that trained a run, and where it comes from: ``run.json``'s ``command`` where
    it records one, else rebuilt from the checkpoint's settings (and ``run.json``'s data sizes)."""
    if summary.get("command"):
        return summary["command"], "run.json"
    config = meta["config"]
    parts = ["python -m helpers.cli.train gan", f"--adversarial-weight {config['adversarial_weight']:g}",
             f"--seed {int(meta.get('seed', 0))}", f"--iterations {int(meta['iteration'])}"]
    defaults = GANSettings().record()
    for key in REBUILT_SETTINGS:
        if key in config and config[key] != defaults[key]:
            parts.append(f"--{key.replace('_', '-')} {config[key]:g}")
    if summary.get("validation_images"):
        parts.append(f"--validation-size {summary['validation_images']}")
    if summary.get("validation_seed") not in (None, meta.get("seed", 0)):
        parts.append(f"--validation-seed {summary['validation_seed']}")
    if config.get("average_decay") is not None:
        parts.append(f"--average {config['average_decay']:g}")
    if config.get("lr_drop_at"):
        parts.append("--lr-drop-at " + " ".join(str(i) for i in config["lr_drop_at"]))
    parts.append(f"--out {_short(run_dir)}")
    where = "checkpoint.npz and run.json" if summary else "checkpoint.npz"
    return " ".join(parts), (f"rebuilt from {where} (options that change no weight, such as --fused or "
                             f"--log-every, are not recorded there)")


# --------------------------------------------------------------------------- the study


def check_runs(runs: list[dict]) -> list[dict]:
    """The runs sorted by adversarial weight; a ValueError if two share a weight."""
    weights = [run["adversarial_weight"] for run in runs]
    if len(set(weights)) != len(weights):
        folders = ", ".join(f"{run['run_dir']} ({run['adversarial_weight']:g})" for run in runs)
        raise ValueError(f"Two run folders have the same adversarial weight ({folders}): give one run per weight.")
    return sorted(runs, key=lambda run: run["adversarial_weight"])


def collect(runs: list[dict], data, out: Path, *, test_size: int | None = None, seed: int = 0,
            images: int = 16, command: str = "", progress: bool = True) -> dict:
    """Score ``runs`` (from :func:`read_run`) on ``data``'s test set and write the study into
    ``out``. Returns what ``gan_weights.json`` holds."""
    import matplotlib

    matplotlib.use("Agg")
    from .. import study_figures  # Keras and matplotlib: main has set the log level
    from ..study import load_study

    runs = check_runs(runs)
    scored = take_subset(data, test_size=test_size, seed=seed) if test_size else data
    x_test = scored.x_test
    indices = showcase_indices(len(data.x_test), k=images)   # seeded, sorted; the test set is sorted by class
    runs, fills = zip(*(_score_run(run["checkpoint"], x_test, data.x_test[indices], progress) for run in runs))
    runs = list(runs)
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    study = {
        "study": "the GAN's adversarial weight (beyond the paper)", "made": time.strftime("%Y-%m-%d"),
        "command": command, "data_source": data.source, "scale": SCALE_LABEL,
        "n_test_images": int(len(x_test)), "test_subset_seed": seed if test_size else None,
        "hole": {"top": CENTER_HOLE.top, "left": CENTER_HOLE.left, "height": CENTER_HOLE.height,
                 "width": CENTER_HOLE.width},
        "fixed_images": {"file": f"{NAME}.npz", "count": int(len(indices)), "indices": [int(i) for i in indices],
                         "which": f"{len(indices)} random test images (helpers.data.showcase_indices)"},
        "class_names": list(data.class_names), "paper_weight": PAPER_WEIGHT,
        "runs": runs, "figures": dict(FIGURES),
    }
    atomic_write(out / f"{NAME}.npz", lambda f: np.savez_compressed(
        f, images=data.x_test[indices], indices=indices, labels=np.asarray(data.y_test)[indices].astype(np.int64),
        weights=np.array([run["adversarial_weight"] for run in runs]), fills=np.stack(fills)))
    write_json(out / f"{NAME}.json", study)
    loaded = load_study(out / f"{NAME}.json")   # the figures show exactly what was written
    for key, fig in (("tradeoff", study_figures.adversarial_tradeoff(loaded)),
                     ("gradients", study_figures.gradient_sizes(loaded))):
        fig.savefig(out / FIGURES[key], dpi=90, bbox_inches="tight")
    write_text(out / f"{NAME}.md", card_markdown(loaded))
    return study


def _score_run(checkpoint: str, x_test, shown, progress: bool) -> tuple[dict, np.ndarray]:
    """A run's record (:func:`run_record`) with its scores on ``x_test``, and its fills of the
    ``shown`` images (uint8)."""
    from ..pretrained import trainer_for  # Keras: main has set the log level

    # the arrays and the record of one reading: a run still training replaces its checkpoint
    meta, arrays = read_checkpoint(checkpoint)
    run = run_record(meta, Path(checkpoint).parent)
    trainer = trainer_for(meta).load_state(meta, arrays, run.pop("checkpoint"), weights_only=True)
    del arrays
    inpainter = trainer.adopt_average().inpainter(f"GAN, adversarial weight {run['adversarial_weight']:g}")
    (row,) = evaluate({"gan": inpainter}, x_test, CENTER_HOLE, progress=progress)
    run["metrics"] = {key: float(row[key]) for key in METRICS}
    run["n_test_images"] = int(len(x_test))
    return run, np.round(inpainter.fill(shown) * 255).astype(np.uint8)


def write_long_run(run_dir: Path, data, out: Path, *, test_size: int | None = None, seed: int = 0,
                   command: str = "", progress: bool = True, published: str | None = None) -> dict:
    """Write a long GAN run's curves and record: what ``gan_long_run.json`` holds
    (:func:`helpers.study.read_long_run` reads it back). Its last state is scored on ``data``'s
    test set, unless it is published as ``published``: then the report's row of those weights
    is its score (one number for one state), and ``data`` may be None."""
    import matplotlib

    matplotlib.use("Agg")
    from ..curves import long_run_curves  # Keras and matplotlib: main has set the log level

    meta, arrays = read_checkpoint(run_dir / "checkpoint.npz")
    run = run_record(meta, run_dir)
    commands = read_commands(run_dir)
    paper = BUDGETS["gan"].iterations
    record = {
        "description": (f"the paper's GAN recipe (adversarial weight {run['adversarial_weight']:g}) trained "
                        f"{_how_it_started(commands)} to iteration {run['iteration']:,} of the paper's {paper:,}"
                        + (f" in {len(commands)} sittings" if len(commands) > 1 else "")),
        "made": time.strftime("%Y-%m-%d"), "command": command, "train_command": run["command"],
        "commands": commands, "iteration": run["iteration"], "paper_iterations": paper, "seed": run["seed"],
        "data_source": run["data_source"], "validation_images": run["validation_images"],
        "hardware": run["hardware"], "train_seconds": run["train_seconds"], "scale": SCALE_LABEL,
        "history": {key: run["history"][key] for key in LONG_KEYS if key in run["history"]},
    }
    if published:
        record["published"] = _check_published(published, meta, run_dir)
    else:
        from ..pretrained import trainer_for

        trainer = trainer_for(meta).load_state(meta, arrays, str(run_dir), weights_only=True).adopt_average()
        x_test = (take_subset(data, test_size=test_size, seed=seed) if test_size else data).x_test
        (row,) = evaluate({"gan": trainer.inpainter("GAN")}, x_test, CENTER_HOLE, progress=progress)
        record.update(data_source=data.source, n_test_images=int(len(x_test)),
                      test={key: float(row[key]) for key in METRICS})
    write_json(out / f"{LONG}.json", record)
    fig = long_run_curves(record["history"], budget=paper, title=f"The paper's GAN to iteration {run['iteration']:,}")
    fig.savefig(out / f"{LONG}.png", dpi=90, bbox_inches="tight")
    return record


def _how_it_started(commands: list[dict]) -> str:
    """How a run began, from its first logged command."""
    if not commands:
        return "(its first command was not logged)"
    first = shlex.split(commands[0]["command"])
    if "--from-pretrained" in first:
        return f"from the published `{first[first.index('--from-pretrained') + 1]}`"
    return "from a copied run folder" if "--resume" in first else "from scratch"


def _check_published(name: str, meta: dict, run_dir: Path) -> str:
    """``name``, after checking that the published weights are this run's last state."""
    from ..engine.weightfiles import read_record

    record = read_record(name)
    same = (record["kind"] == "gan" and record["iteration"] == record["trained_iterations"] == int(meta["iteration"])
            and record["seed"] == int(meta.get("seed", 0)) and record["config"] == meta["config"])
    if not same:
        raise ValueError(f"The published {name!r} (iteration {record['iteration']:,}) is not the last state of "
                         f"{run_dir} (iteration {int(meta['iteration']):,}): publish it first with `python -m "
                         f"helpers.cli.publish publish {run_dir} --name {name} --select last`, or leave out "
                         f"--published to score the run's last state here.")
    return name


def rewrite_card(out: Path = RESULTS_DIR) -> Path:
    """Write ``gan_weights.md`` again from the ``gan_weights.json`` (and ``.npz``) in ``out``."""
    from ..study import load_study

    return write_text(Path(out) / f"{NAME}.md", card_markdown(load_study(Path(out) / f"{NAME}.json")))


def card_markdown(study: dict) -> str:
    """The study's card: what was trained, how, and what came out (``study`` as
    :func:`helpers.study.load_study` returns it)."""
    runs = list(study["runs"].values())
    return "\n".join(_card_setup(study, runs) + _card_table(study, runs) + _card_commands(runs)
                     + _card_figures(study))


def _card_setup(study: dict, runs: list[dict]) -> list[str]:
    """The card's title, where it comes from, and how the runs were trained and scored."""
    iterations = sorted({r["iteration"] for r in runs})
    paper = BUDGETS["gan"]
    weights = ", ".join(f"{r['adversarial_weight']:g}" for r in runs)
    return [
        "# The GAN's adversarial weight (beyond the paper)", "",
        f"Made by `{study['command']}` on {study['made']}. Do not edit by hand: run the command again. "
        f"Notebook 7 shows these results.", "",
        "The paper's GAN weighs its generator's two losses 0.999 x L2 + 0.001 x adversarial (Pathak et "
        "al.'s weights). This study trains the paper's recipe (every iteration: D on real patches, D on "
        "G's fills as a separate batch, then G against the frozen D; values on [-1, 1]) with the "
        f"adversarial weight W in {{{weights}}} and the L2 weight 1 - W, everything else equal, and "
        "scores each run's last state.", "",
        "- Training: " + _same(runs, _training) + "; seed " + _same(runs, lambda r: str(r["seed"]))
        + "; settings " + _same(runs, _settings) + ".",
        f"- Budget: {', '.join(f'{i:,}' for i in iterations)} iterations at batch "
        f"{_same(runs, lambda r: str(r['batch_size']))} (the paper: {paper.iterations:,} at batch "
        f"{paper.batch_size}).",
        f"- Test: {study['n_test_images']:,} test images of {study['data_source']}"
        + (f" (a random subset, seed {study['test_subset_seed']})" if study.get("test_subset_seed") is not None
           else "") + f", 16x16 centre hole, every metric on {study['scale']}; sharpness ratio = mean "
        "gradient magnitude of the fills / that of the real patches (1.0 is as sharp as the truth).",
        "- Hardware: " + _same(runs, lambda r: r.get("hardware") or "not recorded") + ".", "",
    ]


def _card_table(study: dict, runs: list[dict]) -> list[str]:
    """The table of the runs, what its gradient columns are, and what it says."""
    lines = ["| adversarial weight | L2 weight | iteration | hole MSE | hole PSNR (dB) | sharpness ratio | "
             "gradient of the L2 term | gradient of the adversarial term |",
             "|---|---:|---:|---:|---:|---:|---:|---:|"]
    for r in runs:
        m, last = r["metrics"], r["last_part"]
        grads = [f"{last[k]:#.3g}" if last.get(k) is not None else "-" for k in ("g_grad_l2", "g_grad_adversarial")]
        lines.append(f"| {r['adversarial_weight']:g} | {r['l2_weight']:g} | {r['iteration']:,} | "
                     f"{m['hole_mse']:.4f} | {m['hole_psnr']:.2f} | {m['sharpness_ratio']:.2f} | "
                     f"{grads[0]} | {grads[1]} |")
    lines += ["", f"The gradient columns: the size (global L2 norm) of the gradient of each weighted term of "
              f"G's loss with respect to G's weights, on the last batch of each log point, averaged over "
              f"the last {LAST_PART:.0%} of each run's iterations (`helpers.steps.generator_gradient_sizes`).",
              "", "What the table says (computed from it):", ""]
    lines += [f"- {line}" for line in summary_lines(study)]
    if PAPER_WEIGHT in study["runs"]:
        run = study["runs"][PAPER_WEIGHT]
        lines += [f"- {line}" for line in what_drives_g(run["history"], run["l2_weight"], run["adversarial_weight"])]
    return lines


def _card_commands(runs: list[dict]) -> list[str]:
    """Each run's training command, and which of them were rebuilt from its records."""
    lines = ["", "## Commands", "", "```", *(r["command"] for r in runs), "```", ""]
    rebuilt = [f"{r['adversarial_weight']:g}" for r in runs if r["command_source"] != "run.json"]
    if rebuilt:
        lines += [f"The command of weight {', '.join(rebuilt)} is rebuilt from its run folder's records: "
                  f"options that change no weight, such as --fused or --log-every, are not recorded there.", ""]
    return lines


def _card_figures(study: dict) -> list[str]:
    """The figures, and where the fills of the fixed test images are."""
    return ["## Figures", "", f"![hole MSE against sharpness]({study['figures']['tradeoff']})", "",
            f"![gradient sizes]({study['figures']['gradients']})", "",
            f"The fills of {study['fixed_images']['which']}, test-set indices "
            f"{', '.join(str(i) for i in study['fixed_images']['indices'])}, by every run are in "
            f"`{study['fixed_images']['file']}`; notebook 7's widget shows them.", ""]


def _training(run: dict) -> str:
    if not run.get("train_images"):
        return run["data_source"]
    held = f", {run['validation_images']:,} more held out for validation" if run.get("validation_images") else ""
    return f"{run['train_images']:,} training images of {run['data_source']}{held}"


def _settings(run: dict) -> str:
    return ", ".join(f"{key.replace('_', ' ')} {value:g}" for key, value in run["config"].items()
                     if key not in ("kind", "l2_weight", "adversarial_weight", "batch_size")
                     and isinstance(value, (int, float)))


def _same(runs: list[dict], describe) -> str:
    """One description when every run shares it, else one per weight."""
    texts = [describe(r) for r in runs]
    if len(set(texts)) == 1:
        return texts[0]
    return "; ".join(f"weight {r['adversarial_weight']:g}: {t}" for r, t in zip(runs, texts))


if __name__ == "__main__":
    sys.exit(main())
