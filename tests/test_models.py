import numpy as np
import pytest

from helpers import models
from helpers.holes import CENTER_HOLE, Hole
from helpers.inpainters import ModelInpainter


@pytest.mark.parametrize("kind, in_shape, out_shape", [
    ("autoencoder", (32, 32, 3), (16, 16, 3)),
    ("generator", (32, 32, 3), (16, 16, 3)),
    ("discriminator", (16, 16, 3), (1,)),
])
def test_paper_shapes_and_parameter_counts(kind, in_shape, out_shape):
    model = models.build(kind)
    assert model.input_shape == (None, *in_shape)
    assert model.output_shape == (None, *out_shape)
    assert model.count_params() == models.PARAMETER_COUNTS[kind]


def test_paper_counts_are_the_issues():
    assert models.PARAMETER_COUNTS == {"autoencoder": 4_365_635, "generator": 7_440_643,
                                       "discriminator": 1_440_961}


def test_tables_layer_by_layer():
    d = models.build_discriminator()
    convs = [l for l in d.layers if l.__class__.__name__ == "Conv2D"]
    assert [c.strides for c in convs] == [(1, 1), (2, 2), (2, 2), (2, 2)]  # SPEC note 1
    g = models.build_generator()
    shapes = [tuple(l.output.shape[1:]) for l in g.layers if l.__class__.__name__ == "BatchNormalization"]
    assert shapes[4] == (4, 4, 256)  # SPEC note 2: not 4x4x512
    assert g.layers[-1].activation.__name__ == "tanh"
    ae = models.build_autoencoder()
    assert ae.layers[-1].activation.__name__ == "relu"


def test_outputs_in_range():
    x = np.random.default_rng(0).uniform(-1, 1, (2, 32, 32, 3)).astype("float32")
    g = np.asarray(models.build_generator()(x))
    assert g.min() >= -1 and g.max() <= 1
    p = np.asarray(models.build_discriminator()(g))
    assert p.min() >= 0 and p.max() <= 1


@pytest.mark.slow
def test_save_load_roundtrip_and_inpainter(tmp_path, images):
    model = models.build_autoencoder()
    path = models.save_model(model, tmp_path / "ae.keras")
    assert not list(tmp_path.glob("*.tmp*")), "no temporary file is left behind"
    loaded = models.load_model(path)
    for a, b in zip(model.weights, loaded.weights):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
    painter = models.load_inpainter(path)
    patch = painter.fill(images[:5])
    assert patch.shape == (5, 16, 16, 3) and patch.min() >= 0 and patch.max() <= 1
    with pytest.raises(ValueError, match="trained for"):
        painter.fill(images[:2], Hole(0, 0, 8, 8))
    g = ModelInpainter(models.build_generator(), "signed")
    assert g.scale == "signed" and g.fill(images[:3], CENTER_HOLE).shape == (3, 16, 16, 3)


@pytest.mark.slow
def test_bad_model_files(tmp_path):
    with pytest.raises(models.ModelLoadError, match="No model file"):
        models.load_model(tmp_path / "missing.keras")
    broken = tmp_path / "broken.keras"
    broken.write_bytes(b"not a zip file")
    with pytest.raises(models.ModelLoadError, match="damaged"):
        models.load_model(broken)
    gen = models.save_model(models.build_generator(), tmp_path / "g.keras")
    with pytest.raises(models.ModelLoadError, match="not the paper's autoencoder"):
        models.load_model(gen, kind="autoencoder")
    disc = models.save_model(models.build_discriminator(), tmp_path / "d.keras")
    with pytest.raises(models.ModelLoadError, match="cannot fill holes"):
        models.load_inpainter(disc)
    with pytest.raises(ValueError, match=".keras"):
        models.save_model(models.build_discriminator(), tmp_path / "d.h5")
    with pytest.raises(ValueError, match="Unknown model"):
        models.build("unet")
