"""Where a notebook runs: Colab or not, a GPU or not, and Keras started without its noise.

Call :func:`quiet_logs` before the first ``import keras``: the backend then starts without
the start-up messages that TensorFlow and XLA print, which a student cannot act on. This
module imports Keras only inside the functions that need it, for that reason.
"""

from __future__ import annotations

import contextlib
import functools
import os
import sys
import warnings


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules


@contextlib.contextmanager
def _silenced_stderr_fd():
    """Send the process's file descriptor 2 to /dev/null for a moment.

    TensorFlow and XLA print start-up messages from C++ ("Could not find cuda drivers",
    "absl::InitializeLog") straight to file descriptor 2, past Python and past
    ``TF_CPP_MIN_LOG_LEVEL``; Jupyter shows them as red text. Python errors still show (they
    are raised after the descriptor is restored).
    """
    try:
        saved = os.dup(2)
    except OSError:  # no real descriptor 2 (some embedded interpreters)
        yield
        return
    null = os.open(os.devnull, os.O_WRONLY)
    try:
        sys.stderr.flush()
        os.dup2(null, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(null)


def quiet_logs() -> None:
    """Start the Keras backend without its log noise; call it before ``import keras``.

    Sets ``TF_CPP_MIN_LOG_LEVEL=3`` (unless already set), imports Keras and its backend with
    C-level start-up messages silenced, lowers TensorFlow's and absl's Python loggers to
    errors, and hides warnings that say nothing to a student (deprecations inside
    libraries). Errors still show.
    """
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    os.environ.setdefault("GRPC_VERBOSITY", "ERROR")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    warnings.filterwarnings("ignore", category=FutureWarning)
    warnings.filterwarnings("ignore", message=".*np.find_common_type.*")
    with _silenced_stderr_fd():
        import keras  # noqa: F401  (imports the backend)

        gpus()  # the first device query prints CUDA messages: do it here
    try:
        import absl.logging

        absl.logging.set_verbosity(absl.logging.ERROR)
    except ImportError:
        pass
    if "tensorflow" in sys.modules:
        import tensorflow as tf

        tf.get_logger().setLevel("ERROR")
        tf.autograph.set_verbosity(0)


@functools.lru_cache(maxsize=1)
def gpus() -> tuple[str, ...]:
    """Names of the GPUs the active Keras backend can use (empty on a CPU-only machine),
    asked once, with the backend's C-level device messages silenced."""
    from .engine.backend import gpu_names

    with _silenced_stderr_fd():
        try:
            return tuple(gpu_names())
        except Exception:
            return ()


def gpu_available() -> bool:
    """Whether the active Keras backend sees at least one GPU."""
    return bool(gpus())


def gpu_status() -> str:
    """One sentence: is there a GPU, which one, and what that means for this notebook."""
    from .engine.backend import backend

    if gpus():
        return f"GPU found: {', '.join(gpus())} (Keras backend: {backend()}). Training runs on it."
    hint = " In Colab choose Runtime > Change runtime type > GPU." if in_colab() else ""
    return (f"No GPU found (Keras backend: {backend()}): everything runs on the CPU, so the "
            f"notebooks use the trained weights or short runs.{hint}")
