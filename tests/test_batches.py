"""What each training iteration sees: seeded batches, and the flips and moves of a recipe."""

import numpy as np
import pytest

from synthetic import smooth_images
from helpers.batches import BatchSampler, shift_images
from helpers.trainers import AutoencoderTrainer


def test_sampler_is_seeded_and_covers_each_pass():
    x = np.arange(40, dtype=np.uint8).reshape(40, 1, 1, 1).repeat(3, axis=3)
    s = BatchSampler(np.broadcast_to(x, (40, 1, 1, 3)).copy(), 8, seed=5)
    first_pass = np.concatenate([s.indices(i) for i in range(5)])
    assert sorted(first_pass.tolist()) == list(range(40))
    again = BatchSampler(s.images, 8, seed=5)
    np.testing.assert_array_equal(again.indices(7), s.indices(7))
    with pytest.raises(ValueError, match="larger than"):
        BatchSampler(s.images, 64)


def test_shift_moves_each_image_deterministically_and_keeps_its_content():
    images = smooth_images(32, seed=4)
    a, b = shift_images(images, 0, 7, 2), shift_images(images, 0, 7, 2)
    assert a.dtype == np.uint8 and a.shape == images.shape and np.array_equal(a, b)
    assert not np.array_equal(a, shift_images(images, 0, 8, 2)), "another iteration, other moves"
    assert shift_images(images, 0, 7, 0) is images
    moved = 0
    for shifted, image in zip(a, images):
        # the inner 28x28 of the shifted image is the original moved by (dy, dx) in [-2, 2]
        fits = [(dy, dx) for dy in range(-2, 3) for dx in range(-2, 3)
                if np.array_equal(shifted[2:30, 2:30], image[2 + dy:30 + dy, 2 + dx:30 + dx])]
        assert fits, "each image is a translation of itself"
        moved += fits[0] != (0, 0)
    assert moved > 16, "most images move"
    with pytest.raises(ValueError, match="shift"):
        AutoencoderTrainer(batch_size=8, shift=9)
