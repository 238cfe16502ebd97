"""Where a notebook runs: Colab or not, a GPU or not, OpenCV's contrib part or not, and Keras
started without its noise.

Call :func:`quiet_logs` before the first ``import keras``: the backend then starts without
the start-up messages that TensorFlow and XLA print, which a student cannot act on. On Colab,
the notebooks' set-up cell calls :func:`repair_opencv` before anything imports ``cv2``. This
module imports Keras and OpenCV only inside the functions that need them, for those reasons.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import subprocess
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


def gpu_status() -> str:
    """One sentence: is there a GPU, which one, and what that means for this notebook."""
    from .engine.backend import backend

    if gpus():
        return f"GPU found: {', '.join(gpus())} (Keras backend: {backend()}). Training runs on it."
    hint = " In Colab choose Runtime > Change runtime type > GPU." if in_colab() else ""
    return (f"No GPU found (Keras backend: {backend()}): everything runs on the CPU, so the "
            f"notebooks use the trained weights or short runs.{hint}")


# Run in a fresh interpreter, so that the kernel's own import of cv2 comes after any repair.
_OPENCV_PROBE = """
import importlib.metadata as m, json
wheels = {}
for name in %r:
    try:
        wheels[name] = m.version(name)
    except m.PackageNotFoundError:
        pass
try:
    import cv2
except ImportError:
    print(json.dumps(None))
else:
    x = getattr(cv2, "xphoto", None)
    print(json.dumps({"version": cv2.__version__, "wheels": wheels,
                      "inpaint": hasattr(x, "inpaint") and hasattr(x, "INPAINT_SHIFTMAP")}))
"""


def probe_opencv(python: str = sys.executable) -> dict | None:
    """What a fresh ``python`` finds when it imports ``cv2``, without importing it here: its
    version, the OpenCV wheels installed, and whether ``cv2.xphoto.inpaint`` (the shift-map
    fill) is there. None when cv2 does not import at all."""
    from .classical import OPENCV_WHEELS

    done = subprocess.run([python, "-c", _OPENCV_PROBE % (OPENCV_WHEELS,)], capture_output=True,
                          text=True, timeout=300)
    if done.returncode != 0:
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def repair_opencv(python: str = sys.executable) -> str | None:
    """Where ``cv2`` lacks ``xphoto.inpaint`` (Colab installs three OpenCV wheels into one
    ``cv2`` folder, and one without the contrib modules can win), install the contrib wheel that
    matches the installed cv2, and print one line that says what happened. Returns that line, or
    None when nothing needed doing (OpenCV works, or is absent: the notebooks then say why
    shift-map is missing). Call it before ``import cv2``; the notebooks' set-up cell does, on Colab.
    If the install fails (offline), the shift-map fill is left out and everything else runs.
    """
    from .classical import contrib_wheel_for

    found = probe_opencv(python)
    if found is None or found["inpaint"]:
        return None
    spec = contrib_wheel_for(found["version"], found["wheels"])
    install = subprocess.run([python, "-m", "pip", "install", "--quiet", "--no-deps", "--force-reinstall",
                              spec], capture_output=True, text=True, timeout=600)
    after = probe_opencv(python) if install.returncode == 0 else None
    if after is not None and after["inpaint"]:
        line = (f"OpenCV: installed {spec}, since this OpenCV {found['version']} lacked cv2.xphoto.inpaint "
                f"(the shift-map fill)")
        line += (": restart the session (Runtime > Restart session) to use it, cv2 was already imported."
                 if "cv2" in sys.modules else ".")
    else:
        said = (install.stderr.strip().splitlines() or ["it installed, and cv2.xphoto.inpaint is still missing"])[-1]
        line = (f"OpenCV: could not install {spec} ({said}); the shift-map fill will be left out, and "
                f"everything else runs.")
    print(line)
    return line
