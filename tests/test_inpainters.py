"""The one interface of every method that paints a hole, and mirror averaging."""

import numpy as np
import pytest

from helpers import inpainters
from helpers.holes import CENTER_HOLE, HOLE_FILL_UNIT, Hole, random_masks


def test_inpainter_never_sees_the_truth(images):
    class Spy(inpainters.Inpainter):
        name = "spy"

        def predict_patch(self, holed, hole):
            self.seen = holed[:, hole.rows, hole.cols].copy()
            return np.zeros((len(holed), *hole.shape, 3))

    spy = Spy()
    patch = spy.fill(images)
    assert patch.shape == (len(images), 16, 16, 3)
    assert np.all(spy.seen == HOLE_FILL_UNIT)
    full = spy.inpaint(images)
    assert np.all(full[:, 8:24, 8:24] == 0)


class _LeftHalfGuess(inpainters.Inpainter):
    """A deliberately lopsided method: fills with the mean of the image's left half."""

    name = "left half"

    def predict_patch(self, holed, hole):
        mean = holed[:, :, :16].mean(axis=(1, 2), keepdims=True)
        return np.broadcast_to(mean, (len(holed), hole.height, hole.width, 3)).copy()

    def predict_masked(self, holed, missing):
        return np.broadcast_to(holed[:, :, :16].mean(axis=(1, 2), keepdims=True), holed.shape).copy()


def test_mirror_averaged_is_the_mean_of_the_two_fills():
    rng = np.random.default_rng(0)
    images = rng.random((3, 32, 32, 3)).astype(np.float32)
    inner = _LeftHalfGuess()
    both = inpainters.MirrorAveraged(inner)
    assert both.name == "left half, mirror-averaged"
    hole = Hole(4, 2, 6, 9)                     # off centre: the mirror has its own hole
    assert inpainters.mirrored(hole) == Hole(4, 21, 6, 9)
    assert inpainters.mirrored(CENTER_HOLE) == CENTER_HOLE
    plain = inner.fill(images, hole)
    flipped = inner.fill(images[:, :, ::-1], inpainters.mirrored(hole))[:, :, ::-1]
    np.testing.assert_allclose(both.fill(images, hole), (plain + flipped) / 2, atol=1e-6)
    assert not np.allclose(plain, flipped), "the test method must not be mirror-symmetric"

    missing = random_masks(3, seed=1)
    got = both.fill_masks(images, missing)
    one = inner.fill_masks(images, missing)
    other = inner.fill_masks(images[:, :, ::-1], missing[:, :, ::-1])[:, :, ::-1]
    np.testing.assert_allclose(got, (one + other) / 2, atol=1e-6)
    np.testing.assert_array_equal(got[~missing], images[~missing])


def test_mirror_averaged_knows_what_its_method_supports():
    class CentreOnly(_LeftHalfGuess):
        def supports(self, hole):
            return hole == CENTER_HOLE

    both = inpainters.MirrorAveraged(CentreOnly(), name="x")
    assert both.supports(CENTER_HOLE) and not both.supports(Hole(0, 0, 8, 8))
    with pytest.raises(ValueError, match="cannot fill"):
        both.fill(np.zeros((1, 32, 32, 3), np.float32), Hole(0, 0, 8, 8))
