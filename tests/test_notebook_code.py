"""What the notebooks show is what the package trains.

Notebooks 3, 4 and 6 write their model, loss and training step out as code cells, and train
with them. These tests run those cells (the ones that only import, define functions or set
constants), then train a few iterations with the page's code and with the package's own
steps, both compiled as the notebooks compile them, from the same seed and on the same
batches, and compare the weights. Marked ``backend``: the suite runs them again on JAX.
"""

import ast
from pathlib import Path

import jupytext
import keras
import numpy as np
import pytest

from helpers.models import build_discriminator
from helpers.trainers import AutoencoderTrainer, GANTrainer, PConvTrainer

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"


def _defines_only(source: str) -> bool:
    """A cell of imports, function or class definitions and constant assignments only."""
    try:
        tree = ast.parse(source)
    except SyntaxError:  # magics
        return False
    allowed = (ast.Import, ast.ImportFrom, ast.FunctionDef, ast.ClassDef)
    for node in tree.body:
        if isinstance(node, ast.Assign) and isinstance(node.value, (ast.Constant, ast.Tuple)):
            if all(isinstance(e, ast.Constant) for e in getattr(node.value, "elts", [node.value])):
                continue
        if not isinstance(node, allowed):
            return False
    return bool(tree.body)


def page(name: str) -> dict:
    """The names a notebook's definition cells define, as the notebook would run them."""
    nb = jupytext.read(NOTEBOOKS / f"{name}.py")
    namespace: dict = {}
    for cell in nb.cells:
        tags = cell.metadata.get("tags", [])
        if cell.cell_type == "code" and "colab-setup" not in tags and "solution" not in tags \
                and _defines_only(cell.source):
            exec(compile(cell.source, f"{name}.py", "exec"), namespace)
    return namespace


def weights(trainer) -> list[np.ndarray]:
    return [np.asarray(w) for model in trainer.models().values() for w in model.weights]


def train_both(page_trainer, package_trainer, images, iterations=3):
    for trainer in (page_trainer, package_trainer):
        trainer.fit(images, iterations, log_every=1, progress=False)
    return weights(page_trainer), weights(package_trainer)


@pytest.fixture
def images():
    return np.random.default_rng(5).integers(0, 256, (128, 32, 32, 3), dtype=np.uint8)


@pytest.mark.backend
def test_notebook_3_model_loss_and_step_train_as_the_package(images):
    ns = page("03_the_autoencoder")
    keras.utils.set_random_seed(0)
    shown = AutoencoderTrainer(ns["build_autoencoder"](), step=ns["train_step"])
    package = AutoencoderTrainer(seed=0)
    assert [w.shape for w in weights(shown)] == [w.shape for w in weights(package)]
    assert all(np.array_equal(a, b) for a, b in zip(weights(shown), weights(package))), "same start"
    after_shown, after_package = train_both(shown, package, images)
    assert shown.history["loss"] == package.history["loss"]
    for a, b in zip(after_shown, after_package):
        np.testing.assert_array_equal(a, b)


@pytest.mark.slow
@pytest.mark.backend
def test_notebook_4_losses_and_schedule_train_as_the_package(images):
    ns = page("04_the_gan")
    assert (ns["L2_WEIGHT"], ns["ADVERSARIAL_WEIGHT"]) == (0.999, 0.001)
    keras.utils.set_random_seed(0)
    page_d = ns["build_discriminator"]()      # the discriminator built on the page
    keras.utils.set_random_seed(0)
    package_d = build_discriminator()
    assert [layer.get_config() | {"name": ""} for layer in page_d.layers] == \
        [layer.get_config() | {"name": ""} for layer in package_d.layers], "the page's D is the package's"
    assert all(np.array_equal(a, b) for a, b in zip(page_d.get_weights(), package_d.get_weights()))
    shown = GANTrainer(seed=0, l2_weight=ns["L2_WEIGHT"], adversarial_weight=ns["ADVERSARIAL_WEIGHT"],
                       step=ns["train_step"])
    package = GANTrainer(seed=0, fused=True)  # helpers.steps.gan_step, compiled as one function
    after_shown, after_package = train_both(shown, package, images[:96])
    for key in ("d_loss_real", "d_loss_fake", "g_l2", "g_adversarial"):
        assert shown.history[key] == pytest.approx(package.history[key], rel=1e-3, abs=1e-5), key
    for a, b in zip(after_shown, after_package):
        np.testing.assert_allclose(a, b, rtol=1e-3, atol=1e-3)


@pytest.mark.slow
@pytest.mark.backend
def test_notebook_6_loss_and_step_train_as_the_package(images):
    ns = page("06_beyond_the_paper")
    keras.utils.set_random_seed(0)
    model = ns["build_pconv_unet"](partial_conv=ns["PartialConv2D"])  # the layer written on the page
    shown = PConvTrainer(model, step=ns["train_step"], mask_bank=20, seed=0)
    package = PConvTrainer(mask_bank=20, seed=0)
    after_shown, after_package = train_both(shown, package, images)
    assert shown.history["loss"] == package.history["loss"]
    for a, b in zip(after_shown, after_package):
        np.testing.assert_array_equal(a, b)
