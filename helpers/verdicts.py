"""What a table of results says, in sentences computed from it: nothing assumed.

The paper's claim ("similar error, the GAN is sharper"), the models beyond the paper against
the paper's (and, for the project's report only, against the targets the project sets them),
and plain statements such as the lowest error, each checked against the numbers of
:func:`helpers.evaluation.evaluate` and quoting them. The notebooks print no targets.
"""

from __future__ import annotations

import math

from .classical import CLASSICAL_IDS

# The test hole MSE each published autoencoder aims at (the course's targets, not the paper's).
AUTOENCODER_TARGETS = {"autoencoder": 0.024, "autoencoder-regularized": 0.022}


def shown(value: float, digits: int = 4) -> float:
    """A number as the tables print it: comparisons are computed from these, so that a reader
    who checks one against the printed numbers finds the same."""
    return round(float(value), digits)


def conclusion(rows: list[dict], ae: str = "autoencoder", gan: str = "gan",
               similar: float = 0.15, clearly_sharper: float = 0.1) -> list[str]:
    """What the table says, in sentences computed from it (nothing assumed): the lowest
    error, the sharpest fill, and the paper's claim ("similar error, the GAN is sharper")
    checked against these numbers. ``similar`` is the relative MSE difference still
    called similar (15 %); the GAN counts as sharper when its sharpness ratio is at least
    ``clearly_sharper`` closer to 1.0 than the autoencoder's (0.40 against 0.37 is not)."""
    by_id = {r["id"]: r for r in rows}
    lines = []
    best = min(rows, key=lambda r: r["hole_mse"])
    lines.append(f"Lowest hole MSE: {best['method']} ({best['hole_mse']:.4f}).")
    sharp = min(rows, key=lambda r: abs(math.log(max(r["sharpness_ratio"], 1e-9))))
    line = (f"Sharpness closest to the real patches: {sharp['method']} "
            f"(ratio {sharp['sharpness_ratio']:.2f}; 1.00 is as sharp as the truth)")
    worst = max(rows, key=lambda r: r["hole_mse"])
    if sharp is worst and len(rows) > 1:  # sharp detail in the wrong place: copied, not inferred
        line += f", but its hole MSE ({sharp['hole_mse']:.4f}) is the highest in the table"
    lines.append(line + ".")
    classical = [r for r in rows if r["id"] in CLASSICAL_IDS]
    if classical:
        best_classical = min(classical, key=lambda r: r["hole_mse"])
        for key in (ae, gan):
            if key in by_id:
                r = by_id[key]
                factor = shown(r["hole_mse"]) / shown(best_classical["hole_mse"])   # as the reader sees them
                change = 1 - factor
                how = (f"{abs(change):.0%} {'below' if change >= 0 else 'above'}" if factor < 2
                       else f"{factor:.1f} times")
                lines.append(f"{r['method']}: hole MSE {r['hole_mse']:.4f}, {how} that of the best "
                             f"classical fill ({best_classical['method']}, {best_classical['hole_mse']:.4f}).")
    lines += paper_claim(rows, ae, gan, similar, clearly_sharper)
    return lines


def paper_claim(rows: list[dict], ae: str = "autoencoder", gan: str = "gan", similar: float = 0.15,
                clearly_sharper: float = 0.1, subject: str = "this run") -> list[str]:
    """The paper's claim ("similar error, the GAN is sharper") checked for the rows ``ae``
    and ``gan`` (see :func:`conclusion`); empty when either is missing."""
    by_id = {r["id"]: r for r in rows}
    if ae not in by_id or gan not in by_id:
        return []
    a, g = by_id[ae], by_id[gan]
    rel = shown(g["hole_mse"]) / shown(a["hole_mse"]) - 1   # from the numbers as printed
    same_error = abs(rel) <= similar
    sharper = abs(1 - g["sharpness_ratio"]) <= abs(1 - a["sharpness_ratio"]) - clearly_sharper
    verdict = ("supports" if same_error and sharper else
               "supports half of" if same_error or sharper else "does not support")
    return [f"The paper says: similar error, the GAN is sharper. Here the GAN's hole MSE is "
            f"{abs(rel):.0%} {'above' if rel >= 0 else 'below'} the autoencoder's "
            f"({'similar' if same_error else 'not similar'}, taking up to "
            f"{similar:.0%} as similar) and the GAN's sharpness ratio is "
            f"{g['sharpness_ratio']:.2f} against the autoencoder's {a['sharpness_ratio']:.2f} "
            f"({'sharper' if sharper else 'not clearly sharper'}, taking "
            f"{clearly_sharper:.2f} closer to 1.0 as clearly sharper).",
            f"So {subject} {verdict} the paper's claim."]


def longer_training_lines(shorter: dict, longer: dict, longer_iteration: int, shorter_iteration: int,
                          n_images: int, data_source: str) -> list[str]:
    """What training the same recipe longer bought and cost, from two rows of a results table
    (:func:`helpers.evaluation.evaluate`'s, on the same test images): the sharpness ratio,
    the hole MSE, and a verdict computed from the signs of the two changes."""
    who = (f"{shorter['method']} ({shorter_iteration:,} iterations)", f"{longer['method']} ({longer_iteration:,})")
    s0, s1 = shown(shorter["sharpness_ratio"], 2), shown(longer["sharpness_ratio"], 2)
    m0, m1 = shown(shorter["hole_mse"]), shown(longer["hole_mse"])
    sharper = abs(1 - s1) < abs(1 - s0)
    rel = m1 / m0 - 1
    lines = [f"Sharpness ratio: {who[0]} {s0:.2f}, {who[1]} {s1:.2f}: {abs(abs(1 - s0) - abs(1 - s1)):.2f} "
             f"{'closer to' if sharper else 'further from'} the real patches' 1.00.",
             f"Hole MSE: {m0:.4f} and {m1:.4f}, {abs(rel):.0%} {'higher' if rel > 0 else 'lower'} after the longer "
             f"training (mean hole PSNR {shorter['hole_psnr']:.2f} and {longer['hole_psnr']:.2f} dB); "
             f"{n_images:,} test images of {data_source}, [0, 1]."]
    bought = [what for what, better in (("sharper fills", sharper), ("a lower error", rel < 0)) if better]
    cost = [what for what, worse in (("blurrier fills", abs(1 - s1) > abs(1 - s0)), ("a higher error", rel > 0))
            if worse]
    lines.append(f"So the {longer_iteration - shorter_iteration:,} more iterations bought "
                 f"{' and '.join(bought) or 'nothing measured here'} and cost {' and '.join(cost) or 'nothing measured here'}.")
    return lines


def _beyond(rows: list[dict], free_rows: list[dict], images_seen: dict | None, new: str, ae: str):
    """The two comparisons of the U-Net beyond the paper, each as (sentence, numbers) or None."""
    by_id, free = {r["id"]: r for r in rows}, {r["id"]: r for r in free_rows}
    seen = images_seen or {}

    def budget(key):
        return f" after {seen[key]:,} training images" if key in seen else ""

    centre = free_form = None
    if new in by_id and ae in by_id:
        n, a = by_id[new], by_id[ae]
        gain = shown(n["hole_psnr"], 2) - shown(a["hole_psnr"], 2)
        centre = (f"Centre square: {n['method']}{budget(new)} {gain:+.2f} dB mean hole PSNR against "
                  f"{a['method']}{budget(ae)} ({n['hole_psnr']:.2f} against {a['hole_psnr']:.2f} dB)", gain)
    classical = [r for r in free_rows if r["id"] in CLASSICAL_IDS]
    if new in free and classical:
        n = free[new]
        drops = [(1 - shown(n["hole_mse"]) / shown(r["hole_mse"]), r) for r in classical]
        parts = ", ".join(f"{abs(d):.0%} {'below' if d >= 0 else 'above'} {r['method']} ({r['hole_mse']:.4f})"
                          for d, r in drops)
        free_form = (f"Free-form holes: {n['method']} hole MSE {n['hole_mse']:.4f}, {parts}", [d for d, _ in drops])
    return centre, free_form


def beyond_the_paper(rows: list[dict], free_rows: list[dict], images_seen: dict | None = None,
                     new: str = "pconv", ae: str = "autoencoder") -> list[str]:
    """The partial-convolution U-Net against the paper's autoencoder on the centre square (mean
    hole PSNR) and against every classical fill on free-form holes (hole MSE), in sentences
    computed from the two tables, without a judgement (what a notebook prints; the project's
    targets are :func:`beyond_the_paper_verdict`'s). ``images_seen``: training images each
    model saw (said beside)."""
    return [found[0] + "." for found in _beyond(rows, free_rows, images_seen, new, ae) if found]


def beyond_the_paper_verdict(rows: list[dict], free_rows: list[dict], images_seen: dict | None = None,
                             new: str = "pconv", ae: str = "autoencoder", centre_gain_db: float = 1.0,
                             free_form_gain: float = 0.30) -> list[str]:
    """:func:`beyond_the_paper`'s sentences held against the project's two targets (for its
    report): at least ``centre_gain_db`` more mean hole PSNR than the paper's autoencoder on
    the centre square, and a hole MSE at least ``free_form_gain`` below every classical fill
    on free-form holes."""
    centre, free_form = _beyond(rows, free_rows, images_seen, new, ae)
    lines = []
    if centre:
        line, gain = centre
        lines.append(f"{line}; target +{centre_gain_db:.0f} dB: {'met' if gain >= centre_gain_db else 'not met'}.")
    if free_form:
        line, drops = free_form
        met = all(d >= free_form_gain for d in drops)
        lines.append(f"{line}; target at least {free_form_gain:.0%} below each: {'met' if met else 'not met'}.")
    return lines


def _shown(value: float, target: float) -> str:
    """``value`` to four decimals, or five where four would round it across ``target``."""
    text = f"{value:.4f}"
    return f"{value:.5f}" if (float(text) <= target) != (value <= target) else text


def target_lines(rows: list[dict], mirror_rows: list[dict] | None, targets=None) -> list[str]:
    """Each autoencoder's test hole MSE against its target, plain and mirror-averaged."""
    targets = AUTOENCODER_TARGETS if targets is None else targets
    plain = {r["id"]: r for r in rows}
    mirrored = {r["id"]: r for r in mirror_rows or []}
    lines = []
    for name, target in targets.items():
        if name not in plain:
            continue
        value = plain[name]["hole_mse"]
        line = (f"{plain[name]['method']}: target hole MSE at most {target:.3f}; "
                f"{_shown(value, target)} as trained ({'met' if value <= target else 'not met'})")
        if name in mirrored:
            both = mirrored[name]["hole_mse"]
            line += (f", {_shown(both, target)} mirror-averaged ({'met' if both <= target else 'not met'}; "
                     f"that is test-time augmentation, not the model alone)")
        lines.append(line + ".")
    return lines
