import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from synthetic import smooth_images

TESTS = Path(__file__).resolve().parent
JAX_PASS = "tests/test_trainers.py::test_backend_tests_under_jax"
# Each takes minutes to compile under JAX on a CPU; the function it rests on,
# helpers.engine.backend.gradient_norm, is checked on both backends by a test of its own.
JAX_SKIPS = ("test_trainers.py::test_gan_logs_the_sizes_of_its_two_terms_gradients",)
JAX_PASS_KEY = pytest.StashKey[subprocess.Popen]()


def start_jax_pass() -> subprocess.Popen:
    """Every test marked ``backend`` (but ``JAX_SKIPS``) once more, with KERAS_BACKEND=jax, in
    a process of its own. (Not with JAX's persistent compilation cache: it would save a
    quarter of the time, but with Colab's JAX 0.5.2 on a CPU a resumed run then read a
    learning rate of 2e20 from its optimizer state.)"""
    folder = tempfile.mkdtemp(prefix="jax-pass-")
    env = dict(os.environ, KERAS_BACKEND="jax")
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(TESTS), "-m", "backend",
               "--ignore", str(TESTS / "test_notebooks.py"), *[f"--deselect=tests/{t}" for t in JAX_SKIPS]]
    with open(Path(folder) / "output.txt", "w") as output:   # a file: a pipe could fill up and stall it
        process = subprocess.Popen(command, cwd=TESTS.parent, env=env, stdout=output,
                                   stderr=subprocess.STDOUT, text=True)
    process.folder = folder   # output.txt: what it printed
    return process


def pytest_collection_finish(session):
    """Start the JAX pass as soon as it is known to be wanted, so that it runs beside the
    TensorFlow tests (2 cores share the work) instead of after them."""
    if os.environ.get("KERAS_BACKEND", "tensorflow") == "tensorflow" and \
            any(item.nodeid == JAX_PASS for item in session.items):
        try:
            import jax  # noqa: F401
        except ImportError:
            return
        session.config.stash[JAX_PASS_KEY] = start_jax_pass()


def pytest_sessionfinish(session):
    """A JAX pass still running (its test stopped) is ended; its folder goes."""
    process = session.config.stash.get(JAX_PASS_KEY, None)
    if process is not None:
        if process.poll() is None:
            process.kill()
            process.wait()
        shutil.rmtree(process.folder, ignore_errors=True)


@pytest.fixture
def jax_pass(request) -> subprocess.Popen:
    """The JAX pass's process: started when collection finished, or now."""
    pytest.importorskip("jax")
    if JAX_PASS_KEY not in request.config.stash:
        request.config.stash[JAX_PASS_KEY] = start_jax_pass()
    return request.config.stash[JAX_PASS_KEY]


@pytest.fixture
def images():
    return smooth_images(64)


@pytest.fixture
def weights(tmp_path, monkeypatch):
    """A private, empty weights folder ($INPAINTING_WEIGHTS) for the test to publish into."""
    from helpers.engine.weightfiles import WEIGHTS_ENV

    folder = tmp_path / "weights"
    monkeypatch.setenv(WEIGHTS_ENV, str(folder))
    return folder
