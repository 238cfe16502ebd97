"""Reading a GAN: who is winning, what drives G, have the fills collapsed.

Every sentence these functions return quotes the numbers it rests on.
"""

from __future__ import annotations

import math

import numpy as np


def last_value(history: dict, key: str) -> float:
    """The last logged value of ``key`` (NaN if it was never logged)."""
    values = [v for v in history.get(key, []) if v is not None]
    return float(values[-1]) if values else float("nan")


def _tail_mean(history: dict, key: str, fraction: float = 0.2) -> float | None:
    values = [v for v in history.get(key, []) if v is not None]
    if not values:
        return None
    n = max(1, int(math.ceil(len(values) * fraction)))
    return float(np.mean(values[-n:]))


def diversity(patches_unit) -> float:
    """Mean standard deviation across images, per pixel: 0 if every fill is the same
    (mode collapse), about the data's own spread for varied fills."""
    patches = np.asarray(patches_unit, dtype=np.float64)
    if len(patches) < 2:
        return float("nan")
    return float(np.mean(np.std(patches, axis=0)))


def gan_diagnosis(history: dict, fake_patches_unit=None, real_patches_unit=None) -> list[str]:
    """Read a GAN's curves (the last fifth of the logged points) and, optionally, its
    fills: which network is winning, and whether the fills have collapsed. Every sentence
    quotes the numbers it rests on."""
    lines = []
    p_real, p_fake = _tail_mean(history, "d_real_prob"), _tail_mean(history, "d_fake_prob")
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
    lines += _what_drives_g(history)
    if fake_patches_unit is not None and real_patches_unit is not None:
        d_fake, d_real = diversity(fake_patches_unit), diversity(real_patches_unit)
        ratio = d_fake / d_real if d_real > 0 else float("nan")
        lines.append(f"Variety of the fills across images: {d_fake:.3f} against {d_real:.3f} for "
                     f"the real patches (ratio {ratio:.2f}).")
        if ratio < 0.2:
            lines.append("That is very low: the generator paints nearly the same patch whatever the "
                         "image, the signature of mode collapse (or of a model that has barely trained).")
    return lines


def _what_drives_g(history: dict) -> list[str]:
    """Which of G's two terms drives its update, from the sizes of their gradients (when the
    run logged them), not from the size of the loss values, which says nothing about it."""
    l2, adversarial = _tail_mean(history, "g_grad_l2"), _tail_mean(history, "g_grad_adversarial")
    g_adv, g_l2 = _tail_mean(history, "g_adversarial"), _tail_mean(history, "g_l2")
    lines = []
    if g_adv is not None and g_l2 is not None:
        lines.append(f"G's two losses at the end: L2 {g_l2:.4f} (signed scale), adversarial {g_adv:.3f}.")
    if l2 is None or adversarial is None:
        return lines + ["This run did not log the sizes of the two terms' gradients, so which term "
                        "drives G's update cannot be read from it."]
    share = adversarial / (l2 + adversarial) if l2 + adversarial > 0 else float("nan")
    lead = "the adversarial term" if adversarial > l2 else "the L2 term"
    lines.append(f"The gradients of the two weighted terms with respect to G's weights have sizes "
                 f"{l2:.3g} (L2) and {adversarial:.3g} (adversarial): {lead} pulls harder, and the "
                 f"adversarial term is {share:.0%} of the two together.")
    return lines
