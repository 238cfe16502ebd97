"""Reading a GAN's history and fills: who is winning, what drives G, have the fills collapsed.

"The end of a run" is one rule here, for every reading: the last quarter of its iterations
(:data:`LAST_PART`, :func:`last_part_mean`). Every sentence these functions return quotes
the numbers it rests on. Importing this module does not import Keras.
"""

from __future__ import annotations

import math

import numpy as np

from .study import weight_label

LAST_PART = 0.25   # "the end of a run": its last quarter of iterations


def last_value(history: dict, key: str) -> float:
    """The last logged value of ``key`` (NaN if it was never logged)."""
    values = [v for v in history.get(key, []) if v is not None]
    return float(values[-1]) if values else float("nan")


def last_part_mean(history: dict, key: str, fraction: float = LAST_PART) -> float | None:
    """The mean of ``key``'s logged values over the last ``fraction`` of the run's iterations
    (None when nothing was logged there)."""
    iterations = history.get("iteration", [])
    if not iterations:
        return None
    start = (1 - fraction) * iterations[-1]
    values = [v for it, v in zip(iterations, history.get(key, [])) if v is not None and it > start]
    return float(np.mean(values)) if values else None


def diversity(patches_unit) -> float:
    """Mean standard deviation across images, per pixel: 0 if every fill is the same
    (mode collapse), about the data's own spread for varied fills."""
    patches = np.asarray(patches_unit, dtype=np.float64)
    if len(patches) < 2:
        return float("nan")
    return float(np.mean(np.std(patches, axis=0)))


def gan_diagnosis(history: dict, fake_patches_unit=None, real_patches_unit=None) -> list[str]:
    """Read the end of a GAN's curves (the last quarter of its iterations) and, optionally, its
    fills: which network is winning, what drives G (:func:`what_drives_g`), and whether the
    fills have collapsed. Every sentence quotes the numbers it rests on."""
    lines = []
    p_real, p_fake = last_part_mean(history, "d_real_prob"), last_part_mean(history, "d_fake_prob")
    if p_real is None or p_fake is None:
        return ["No GAN curves logged yet: train first."]
    gap = p_real - p_fake
    lines.append(f"At the end, D says 'real' with probability {p_real:.2f} to real patches and "
                 f"{p_fake:.2f} to generated ones (gap {gap:+.2f}).")
    if p_real > 0.9 and p_fake < 0.1:
        lines.append("D is winning: it tells real from generated almost perfectly. The adversarial "
                     "loss then gives G steep but uninformative gradients; if this lasts, "
                     "lower D's learning rate or raise G's.")
    elif abs(gap) < 0.1 and 0.3 < p_fake < 0.7:
        lines.append("Balanced: D cannot tell real from generated patches well, the state a GAN "
                     "aims for (or D has not learned much yet; compare with the start of the curves).")
    elif p_fake > p_real:
        lines.append("G is winning: D rates generated patches as more real than real ones. D has "
                     "stopped giving useful feedback; if it lasts, G may drift to odd fills.")
    else:
        lines.append("D is ahead but not perfect: the usual state of a GAN in training.")
    lines += what_drives_g(history)
    if fake_patches_unit is not None and real_patches_unit is not None:
        d_fake, d_real = diversity(fake_patches_unit), diversity(real_patches_unit)
        ratio = d_fake / d_real if d_real > 0 else float("nan")
        lines.append(f"Variety of the fills across images: {d_fake:.3f} against {d_real:.3f} for "
                     f"the real patches (ratio {ratio:.2f}).")
        if ratio < 0.2:
            lines.append("That is very low: the generator paints nearly the same patch whatever the "
                         "image, the signature of mode collapse (or of a model that has barely trained).")
    return lines


def what_drives_g(history: dict, l2_weight: float | None = None,
                  adversarial_weight: float | None = None) -> list[str]:
    """Which of G's two terms drives its update at the end of a run: the values of its two
    losses (weighted, given the run's weights) beside the sizes of the two weighted terms'
    gradients with respect to G's weights, which is what the update follows (the values say
    nothing about it). Means over the last quarter of the run's iterations."""
    iterations = history.get("iteration") or [0]
    start, end = math.floor((1 - LAST_PART) * iterations[-1]), iterations[-1]
    l2, adversarial = last_part_mean(history, "g_l2"), last_part_mean(history, "g_adversarial")
    lines = []
    if l2 is not None and adversarial is not None:
        lines.append(_loss_values(l2, adversarial, start, end, l2_weight, adversarial_weight))
    grad_l2, grad_adversarial = last_part_mean(history, "g_grad_l2"), last_part_mean(history, "g_grad_adversarial")
    if grad_l2 is None or grad_adversarial is None:
        return lines + ["This run did not log the sizes of the two terms' gradients, so which term "
                        "drives G's update cannot be read from it."]
    return lines + [_gradient_sizes(grad_l2, grad_adversarial)]


def _loss_values(l2: float, adversarial: float, start: int, end: int, l2_weight, adversarial_weight) -> str:
    """G's two loss values over iterations ``start`` to ``end``; weighted, given the weights."""
    if l2_weight is None or adversarial_weight is None:
        return (f"G's two losses, iterations {start:,} to {end:,} (means of the logged values): L2 {l2:.4f} "
                f"(signed scale), adversarial {adversarial:.3f}.")
    value_l2, value_adv = l2_weight * l2, adversarial_weight * adversarial
    return (f"Weight {weight_label(adversarial_weight)}, iterations {start:,} to {end:,} (means of the logged "
            f"values): the weighted loss values are {l2_weight:g} x L2 = {value_l2:.4f} and "
            f"{adversarial_weight:g} x adversarial = {value_adv:.4f}" + (
                f", so by value the L2 term looks {value_l2 / value_adv:.0f} times the more important."
                if value_adv > 0 and value_l2 > value_adv else "."))


def _gradient_sizes(grad_l2: float, grad_adv: float) -> str:
    """What the sizes of the two weighted terms' gradients say about G's update."""
    if grad_adv <= 0 or grad_l2 <= 0:
        return f"The adversarial term's gradient has size {grad_adv:.3g}: it does not pull at all."
    big, small = ("L2", "adversarial") if grad_l2 >= grad_adv else ("adversarial", "L2")
    factor = max(grad_l2, grad_adv) / min(grad_l2, grad_adv)
    if factor <= 3:
        verdict = (f"of the same order (the {big} term's is {factor:.1f} times the {small} term's), so both "
                   f"terms steer G's update")
    else:
        verdict = f"the {big} term's is {factor:.0f} times the {small} term's, so the {big} term drives G's update"
    share = grad_adv / (grad_l2 + grad_adv)
    return (f"The gradients of the two weighted terms with respect to G's weights, what the update "
            f"follows, have sizes {grad_l2:.3g} (L2) and {grad_adv:.3g} (adversarial): {verdict}; "
            f"the adversarial term is {share:.0%} of the two together.")
