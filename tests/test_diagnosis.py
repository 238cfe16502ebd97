"""Reading a GAN: who is winning, what drives G, have the fills collapsed."""

import numpy as np
import pytest

from helpers import diagnosis


def test_gan_diagnosis_reads_the_curves():
    def history(p_real, p_fake):
        n = 10
        return {"iteration": list(range(n)), "d_real_prob": [p_real] * n, "d_fake_prob": [p_fake] * n,
                "g_l2": [0.1] * n, "g_adversarial": [3.0] * n}

    assert any("D is winning" in line for line in diagnosis.gan_diagnosis(history(0.98, 0.02)))
    assert any("Balanced" in line for line in diagnosis.gan_diagnosis(history(0.52, 0.48)))
    assert any("G is winning" in line for line in diagnosis.gan_diagnosis(history(0.3, 0.8)))
    real = np.random.default_rng(0).random((20, 16, 16, 3))
    same = np.repeat(real[:1], 20, axis=0)
    lines = diagnosis.gan_diagnosis(history(0.7, 0.3), same, real)
    assert any("mode collapse" in line for line in lines)
    assert diagnosis.gan_diagnosis({"iteration": []}) == ["No GAN curves logged yet: train first."]
    assert diagnosis.diversity(same) == pytest.approx(0.0, abs=1e-12)


def test_gan_diagnosis_reads_the_last_quarter_of_the_iterations():
    n = 10   # iterations 1..10: the last quarter is 8, 9 and 10 (not the last fifth of the points, 9 and 10)
    history = {"iteration": list(range(1, n + 1)), "d_real_prob": [0.5] * 7 + [0.2, 0.8, 0.8],
               "d_fake_prob": [0.5] * n}
    assert diagnosis.gan_diagnosis(history)[0].startswith("At the end, D says 'real' with probability 0.60 ")


def test_gan_diagnosis_says_which_term_drives_g_from_the_gradient_sizes():
    n = 10
    base = {"iteration": list(range(n)), "d_real_prob": [0.7] * n, "d_fake_prob": [0.3] * n,
            "g_l2": [0.1] * n, "g_adversarial": [3.0] * n}
    unknown = diagnosis.gan_diagnosis(base)
    assert any("did not log the sizes" in line for line in unknown)
    assert "G's two losses, iterations 6 to 9 (means of the logged values): L2 0.1000 (signed scale), " \
           "adversarial 3.000." in unknown
    adversarial = diagnosis.gan_diagnosis({**base, "g_grad_l2": [0.01] * n, "g_grad_adversarial": [0.03] * n})
    assert any("the adversarial term's is 3.0 times the L2 term's), so both terms steer" in line
               and "75%" in line for line in adversarial)
    l2 = diagnosis.gan_diagnosis({**base, "g_grad_l2": [0.09] * n, "g_grad_adversarial": [0.01] * n})
    assert any("so the L2 term drives G's update" in line and "10%" in line for line in l2)
    assert diagnosis.gan_diagnosis(base)[2:] == diagnosis.what_drives_g(base), "one reader of what drives G"
    assert diagnosis.last_value({"g_l2": [0.3, None, 0.2, None]}, "g_l2") == 0.2
    assert np.isnan(diagnosis.last_value({}, "g_l2"))
