"""The exported models: :func:`helpers.pretrained.export_keras` writes ``.keras`` files that plain
Keras reads (safe mode) in a fresh process that cannot import this project, and they compute
what the project's models compute. The U-Net is exported as :func:`helpers.pconv.plain_unet`
rebuilds it from Keras's own layers; :func:`helpers.pconv.plain_partial_conv` is checked
against :class:`helpers.pconv.PartialConv2D` here too."""

import json
import os
import subprocess
import sys
import textwrap

import keras
import numpy as np
import pytest

from synthetic import smooth_images
from helpers.holes import make_pairs, random_masks, to_scale
from helpers.holes import known_mask, unet_inputs
from helpers.pconv import (LEVELS, PartialConv2D, build_pconv_unet, plain_partial_conv, plain_unet,
                           unet_widths)
from helpers import registry
from helpers.pretrained import export_keras, load_pretrained

KINDS = registry.names()   # every model kind the course has

# Runs in a fresh interpreter, in a folder without the project, with PYTHONPATH unset.
LOADER = textwrap.dedent("""
    import importlib.util, json, sys
    import keras, numpy as np
    assert importlib.util.find_spec("helpers") is None, "the project is importable here"
    folder, report = sys.argv[1], {}
    for name in sys.argv[2:]:
        model = keras.saving.load_model(f"{folder}/{name}.keras")  # safe mode, no custom objects
        stored = np.load(f"{folder}/{name}-inputs.npz")
        inputs = [stored[key] for key in sorted(stored.files)]
        out = model(inputs if len(inputs) > 1 else inputs[0], training=False)
        np.save(f"{folder}/{name}-outputs.npy", keras.ops.convert_to_numpy(out))
        report[name] = {"name": model.name, "inputs": [[t.name, list(t.shape)] for t in model.inputs],
                        "modules": sorted({type(layer).__module__.split(".")[0] for layer in model.layers})}
    with open(f"{folder}/report.json", "w") as f:
        json.dump(report, f)
""")


def inputs_for(kind: str, n: int = 6) -> list[np.ndarray]:
    """A few images with holes, as each model takes them."""
    images = smooth_images(n, seed=5)
    if kind == "autoencoder":
        return [make_pairs(images, "unit")[0]]
    if kind == "gan":
        return [make_pairs(images, "signed")[0]]
    return unet_inputs(to_scale(images, "unit"), known_mask(random_masks(n, coverage=(0.1, 0.4), seed=7)))


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """Every kind exported, then loaded and run by plain Keras in another process; returns
    (folder, report, the package's own outputs)."""
    folder = tmp_path_factory.mktemp("exported")
    ours = {}
    for kind in KINDS:
        model = load_pretrained(kind)
        x = inputs_for(kind)
        np.savez(folder / f"{kind}-inputs.npz", **{f"input_{i}": a for i, a in enumerate(x)})
        ours[kind] = (model, keras.ops.convert_to_numpy(model(x if len(x) > 1 else x[0], training=False)))
        export_keras(kind, folder / f"{kind}.keras")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    done = subprocess.run([sys.executable, "-c", LOADER, str(folder), *KINDS], cwd=folder, env=env,
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    return folder, json.loads((folder / "report.json").read_text()), ours


@pytest.mark.slow
@pytest.mark.parametrize("kind", KINDS)
def test_plain_keras_loads_the_export_and_computes_the_same(exported, kind):
    folder, report, ours = exported
    model, expected = ours[kind]
    got = np.load(folder / f"{kind}-outputs.npy")
    assert got.shape == expected.shape
    # The other process inherits TF_ENABLE_ONEDNN_OPTS (set by importing helpers), so it runs
    # the same kernels and the outputs agree bit for bit here; with oneDNN off, or under JAX,
    # other kernels sum in another order and differ by up to about 6e-6.
    np.testing.assert_allclose(got, expected, rtol=0, atol=1e-5)
    assert report[kind]["name"] == model.name
    assert [shape for _, shape in report[kind]["inputs"]] == [list(t.shape) for t in model.inputs]
    if kind == "pconv":  # the U-Net's inputs have names (the others' are Keras's own)
        assert [name for name, _ in report[kind]["inputs"]] == ["image", "known"]
    assert report[kind]["modules"] == ["keras"]


@pytest.mark.slow
def test_the_plain_unet_is_the_shipped_unet_bit_for_bit():
    model = load_pretrained("pconv")
    plain = plain_unet(model)
    x = inputs_for("pconv", 16)
    np.testing.assert_array_equal(np.asarray(plain(x, training=False)), np.asarray(model(x, training=False)))
    assert plain.name == model.name and [t.name for t in plain.inputs] == ["image", "known"]
    def trainable(m):
        return sum(int(np.prod(w.shape)) for w in m.trainable_weights)

    assert trainable(plain) == trainable(model)
    # The only extra weights: each level's frozen window of ones, which counts the known pixels.
    seen = [plain.get_layer(f"{level}_seen") for level in LEVELS]
    assert all(not layer.trainable and np.all(np.asarray(layer.kernel) == 1) for layer in seen)
    assert plain.count_params() - model.count_params() == sum(layer.count_params() for layer in seen)


def test_plain_partial_conv_computes_what_the_layer_computes():
    """Random weights, stride 1 and 2, windows with no known pixel at all."""
    rng = np.random.default_rng(0)
    known = np.ones((3, 12, 12, 2), np.float32)
    known[:, 2:9, 3:10] = 0  # wider than a 3x3 window: some outputs see no known pixel
    known[1] = rng.random((12, 12, 2)) > 0.5
    x = rng.normal(size=(3, 12, 12, 2)).astype(np.float32)
    for strides in (1, 2):
        inputs = [keras.Input((12, 12, 2)), keras.Input((12, 12, 2))]
        layer = PartialConv2D(5, 3, strides=strides)
        ours = keras.Model(inputs, layer(inputs))
        plain = keras.Model(inputs, plain_partial_conv(5, 3, strides=strides, name="p")(inputs))
        layer.conv.kernel.assign(rng.normal(size=(3, 3, 2, 5)).astype(np.float32))
        layer.bias.assign(rng.normal(size=5).astype(np.float32))
        plain.get_layer("p_conv").set_weights([np.asarray(layer.conv.kernel)])
        plain.get_layer("p_bias").set_weights([np.asarray(layer.bias).reshape(1, 1, 1, 5)])
        (y, k), (py, pk) = ours([x, known]), plain([x, known])
        assert np.asarray(k).min() == 0  # some windows held no known pixel
        np.testing.assert_array_equal(np.asarray(pk), np.asarray(k))
        np.testing.assert_allclose(np.asarray(py), np.asarray(y), rtol=0, atol=1e-6)


def test_plain_unet_keeps_the_widths_and_refuses_other_models():
    keras.utils.set_random_seed(0)
    model = build_pconv_unet((8, 8, 16, 16))
    plain = plain_unet(model)
    assert unet_widths(plain) == unet_widths(model) == (8, 8, 16, 16)
    x = inputs_for("pconv", 2)
    np.testing.assert_allclose(np.asarray(plain(x)), np.asarray(model(x)), rtol=0, atol=1e-6)
    with pytest.raises(ValueError, match="not a U-Net"):
        plain_unet(keras.Sequential([keras.Input((4,)), keras.layers.Dense(2)], name="dense"))
