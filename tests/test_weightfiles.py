"""How published weights are stored (helpers.engine.weightfiles): float16, byte planes, int8."""

import numpy as np
import pytest

from helpers.engine import weightfiles
from helpers.engine.weightfiles import PretrainedError


def test_half_precision_never_makes_infinities():
    arrays = {"small": np.array([1.5, -2.0], np.float32), "big": np.array([1.0, 9e4], np.float32),
              "seed": np.array([3, 4], np.uint32)}
    half = weightfiles.half_precision(arrays)
    assert half["small"].dtype == np.float16 and half["big"].dtype == np.float32
    assert half["seed"].dtype == np.uint32 and np.isfinite(half["big"]).all()


def test_byte_planes_round_trip_bit_for_bit():
    rng = np.random.default_rng(0)
    arrays = {"kernel": rng.normal(size=(3, 3, 5, 7)).astype(np.float16),
              "scalar": np.array(0.5, dtype=np.float16), "empty": np.zeros((0, 4), np.float16),
              "big_variance": np.array([87146.0], np.float32), "seed": np.array([7], np.int64)}
    packed, shapes = weightfiles.pack_byte_planes(arrays)
    assert set(shapes) == {"kernel", "scalar", "empty"} and packed["kernel"].shape == (2, 315)
    restored = weightfiles.unpack_byte_planes(packed, shapes)
    for key, value in arrays.items():
        assert restored[key].dtype == value.dtype and restored[key].shape == value.shape
        assert restored[key].tobytes() == value.tobytes()
    with pytest.raises(PretrainedError, match="byte planes"):
        weightfiles.unpack_byte_planes({"kernel": packed["kernel"][:, :-1]}, {"kernel": shapes["kernel"]})


def test_int8_quantization_is_per_output_channel_and_bounded():
    rng = np.random.default_rng(0)
    kernel = (rng.normal(size=(3, 3, 4, 6)) * [1, 10, 100, 0.01, 1, 1]).astype(np.float32)
    kernel[..., 5] = 0                                    # a dead channel: no division by zero
    arrays = {"kernel": kernel, "bias": np.array([0.25, -1.5], np.float32),
              "seed": np.array([7], np.int64)}
    stored = weightfiles.quantize_int8(arrays)
    assert stored["kernel"].dtype == np.int8 and stored["kernel" + weightfiles.SCALE_SUFFIX].shape == (1, 1, 1, 6)
    assert stored["bias"].dtype == np.float16 and stored["seed"].dtype == np.int64
    back = weightfiles.restored(stored)
    assert set(back) == set(arrays) and back["kernel"].dtype == np.float32
    scale = stored["kernel" + weightfiles.SCALE_SUFFIX]
    assert np.all(np.abs(back["kernel"] - kernel) <= scale / 2 + 1e-7), "error within half a step"
    assert np.all(back["kernel"][..., 5] == 0)
    with pytest.raises(PretrainedError, match="int8 with one scale"):
        weightfiles.dequantize_int8({"kernel": stored["kernel"]})               # its scale is lost
    with pytest.raises(PretrainedError, match="int8 with one scale"):
        weightfiles.dequantize_int8({"kernel": stored["kernel"], "kernel" + weightfiles.SCALE_SUFFIX: scale[..., :3]})
    with pytest.raises(ValueError, match="storage must be one of"):
        weightfiles.as_stored(arrays, "int4")
