"""The GAN's adversarial weight, measured: what notebook 7 reads from ``results/``.

The paper's GAN weighs G's two losses 0.999 x L2 + 0.001 x adversarial. The study trains the
same recipe at several adversarial weights W (the L2 weight is 1 - W), with the same seed,
data and budget, and scores every run on the same test images::

    python -m helpers.cli.train gan --fused --adversarial-weight W --out runs/gan-adv-W ...
    python -m helpers.cli.gan_weights collect runs/gan-adv-*     # -> results/gan_weights.*

:func:`load_study` reads what ``collect`` wrote into one plain dict; the other functions put
its numbers into sentences, each quoting the numbers it rests on (which of G's terms drives
its update is :func:`helpers.diagnosis.what_drives_g`'s, for any GAN's history). Importing
this module does not import Keras.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from .engine.files import REPO_ROOT, read_json

STUDY_JSON = REPO_ROOT / "results" / "gan_weights.json"
LONG_RUN_JSON = REPO_ROOT / "results" / "gan_long_run.json"
# What each run's history keeps: D's verdicts, G's two losses, the sizes of the gradients of
# G's two weighted terms (helpers.steps.generator_gradient_sizes), and the validation scores.
HISTORY_KEYS = ("iteration", "d_loss_real", "d_loss_fake", "d_real_prob", "d_fake_prob", "g_l2",
                "g_adversarial", "g_grad_l2", "g_grad_adversarial", "val_hole_mse", "val_sharpness_ratio")
PAPER_WEIGHT = 0.001


class StudyError(FileNotFoundError):
    """The study's files are missing or do not belong together."""


def load_study(path: str | Path | None = None) -> dict:
    """``results/gan_weights.json`` and its ``.npz`` as one plain dict: what the JSON holds,
    with ``runs`` as {adversarial weight: that run's record}, and beside it ``weights`` (sorted),
    ``images`` (the original test images, uint8), ``indices`` (their places in the test set),
    ``labels`` and ``fills`` ({weight: the fills of those images, uint8 16x16 patches})."""
    path = Path(path or STUDY_JSON)
    study = read_json(path)
    if not study:
        raise StudyError(f"{path} is missing or unreadable: make it with `python -m helpers.cli.gan_weights "
                         f"collect RUN_DIR ...` (see its --help).")
    arrays_path = path.with_suffix(".npz")
    if not arrays_path.exists():
        raise StudyError(f"{arrays_path} is missing: `python -m helpers.cli.gan_weights collect` writes it "
                         f"beside {path.name}.")
    with np.load(arrays_path, allow_pickle=False) as f:
        arrays = {key: f[key] for key in f.files}
    weights = [float(w) for w in arrays["weights"]]
    runs = {float(run["adversarial_weight"]): run for run in study["runs"]}
    if sorted(runs) != sorted(weights) or len(arrays["fills"]) != len(weights):
        raise StudyError(f"{arrays_path.name} holds the fills of the weights {weights}, {path.name} the runs "
                         f"of {sorted(runs)}: make both again with one `collect`.")
    order = np.argsort(weights)
    study.update(path=str(path), runs={w: runs[w] for w in sorted(runs)}, weights=sorted(weights),
                 images=arrays["images"], indices=arrays["indices"], labels=arrays["labels"],
                 fills={weights[i]: arrays["fills"][i] for i in order})
    return study


def weight_label(weight: float) -> str:
    """``0.001 (the paper's)``, ``0 (L2 alone)`` or the weight."""
    if weight == PAPER_WEIGHT:
        return f"{weight:g} (the paper's)"
    return "0 (L2 alone)" if weight == 0 else f"{weight:g}"


def summary_lines(study: dict) -> list[str]:
    """What the study's table says, computed from it."""
    runs = study["runs"]
    if not runs:
        return ["The study holds no runs."]
    metrics = {w: r["metrics"] for w, r in runs.items()}
    n = study.get("n_test_images")
    lines = [f"{len(runs)} adversarial weights ({', '.join(f'{w:g}' for w in runs)}), scored on "
             f"{n:,} test images of {study.get('data_source', 'CIFAR-10')}, values on [0, 1]."]
    iterations = sorted({r["iteration"] for r in runs.values()})
    if len(iterations) > 1:
        lines.append(f"The runs did not train equally long ({', '.join(f'{i:,}' for i in iterations)} "
                     f"iterations): compare with care.")
    best = min(metrics, key=lambda w: metrics[w]["hole_mse"])
    lines.append(f"Lowest hole MSE: weight {weight_label(best)} ({metrics[best]['hole_mse']:.4f}).")
    closest = min(metrics, key=lambda w: abs(math.log(max(metrics[w]["sharpness_ratio"], 1e-9))))
    lines.append(f"Sharpness closest to the real patches' (ratio 1.0): weight {weight_label(closest)} "
                 f"(ratio {metrics[closest]['sharpness_ratio']:.2f}).")
    noisy = [w for w in metrics if metrics[w]["sharpness_ratio"] > 1.1]
    if noisy:
        lines.append(f"More detail than the real patches (ratio above 1.1, i.e. noise or invented edges): "
                     f"weight {', '.join(weight_label(w) for w in noisy)}.")
    ordered = sorted(metrics)
    sharp = [metrics[w]["sharpness_ratio"] for w in ordered]
    if len(ordered) > 2:
        rising = all(b >= a for a, b in zip(sharp, sharp[1:]))
        lines.append("The sharpness ratio rises with the adversarial weight at every step." if rising else
                     "The sharpness ratio does not rise with the weight at every step.")
    return lines


def read_long_run(path: str | Path | None = None) -> tuple[dict, str] | None:
    """The history of the paper's GAN trained towards the paper's 80,000 iterations
    (``results/gan_long_run.json``, its ``history`` or the file itself), and one line that
    says what it is; None when the file is not there."""
    path = Path(path or LONG_RUN_JSON)
    record = read_json(path)
    if not record:
        return None
    history = record.get("history", record)
    if not history.get("iteration"):
        return None
    about = record.get("description") or record.get("command") or "the paper's GAN recipe, trained further"
    last = f"{history['iteration'][-1]:,}"
    said = f"iteration {last}" in about   # a description may already say how far the run got
    published = f"; its last state is published as `{record['published']}`" if record.get("published") else ""
    return history, f"{path.name}: {about}" + ("" if said else f", to iteration {last}") + published


def long_run_reading(history: dict, since: int | None = None, window: int = 5) -> list[str]:
    """Sentences on a long run's validations, each quoting its numbers: where the hole MSE
    was lowest and where it ended, and how the sharpness ratio moved. With ``since`` (an
    iteration, e.g. where a shorter run stopped), one more: what the iterations after it bought
    and cost, as the means of the ``window`` validations nearest ``since`` and of the last
    ``window`` (single validations swing from one to the next)."""
    logged = [(i, m, s) for i, m, s in zip(history["iteration"], history.get("val_hole_mse", []),
                                           history.get("val_sharpness_ratio", [None] * len(history["iteration"])))
              if m is not None]
    if len(logged) < 2:
        return ["Fewer than two validations were logged: nothing to compare yet."]
    (first_i, first_m, first_s), (last_i, last_m, last_s) = logged[0], logged[-1]
    best_i, best_m, _ = min(logged, key=lambda row: row[1])
    lines = [f"Validation hole MSE: {first_m:.4f} at iteration {first_i:,}, lowest {best_m:.4f} at "
             f"{best_i:,}, {last_m:.4f} at the last validation ({last_i:,})."]
    if last_i > best_i:
        grew = round(last_m, 4) / round(best_m, 4) - 1   # from the numbers as printed above
        lines.append(f"After its lowest point the error grew by {100 * grew:.1f}% "
                     f"over {last_i - best_i:,} iterations.")
    if first_s is not None and last_s is not None:
        sharpest_i, _, sharpest_s = max((row for row in logged if row[2] is not None), key=lambda row: row[2])
        lines.append(f"Sharpness ratio: {first_s:.2f} at iteration {first_i:,}, {last_s:.2f} at {last_i:,} "
                     f"(highest {sharpest_s:.2f}, at {sharpest_i:,}).")
    if since is not None:
        lines += _since_line(logged, since, window)
    return lines


def _since_line(logged: list[tuple], since: int, window: int) -> list[str]:
    """:func:`long_run_reading`'s sentence on the validations after ``since``."""
    near = sorted(sorted(logged, key=lambda row: abs(row[0] - since))[:window])
    last = logged[-window:]
    if near[-1][0] >= last[0][0]:
        return [f"Too few validations after iteration {since:,} to compare {window} of them with the last {window}."]

    def means(rows):
        sharp = [row[2] for row in rows if row[2] is not None]
        return (round(float(np.mean([row[1] for row in rows])), 4),
                round(float(np.mean(sharp)), 2) if len(sharp) == len(rows) else None)

    (m0, s0), (m1, s1) = means(near), means(last)
    span = lambda rows: f"{rows[0][0]:,}-{rows[-1][0]:,}"   # noqa: E731
    line = (f"After iteration {since:,}: the {window} validations nearest it ({span(near)}) average hole MSE "
            f"{m0:.4f}" + (f" and sharpness ratio {s0:.2f}" if s0 is not None else "")
            + f"; the last {window} ({span(last)}) {m1:.4f}" + (f" and {s1:.2f}" if s1 is not None else "")
            + f": the error {100 * (m1 / m0 - 1):+.1f}%")
    if s0 is not None and s1 is not None:
        line += f", the sharpness ratio {s1 - s0:+.2f}"
    return [line + f", over {last[-1][0] - since:,} more iterations."]
