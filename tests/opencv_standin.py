"""Stand-ins for an OpenCV whose ``cv2.xphoto`` lacks ``inpaint`` (what several OpenCV wheels
sharing one ``cv2`` folder can leave, as on Colab), for the tests of the shift-map fill's
detection and repair."""

import sys
import types

from helpers import classical

# The wheels Colab lists, and the cv2 the one without contrib modules leaves when it wins.
COLAB_WHEELS = {"opencv-contrib-python": "4.14.0.94", "opencv-python": "5.0.0.93",
                "opencv-python-headless": "5.0.0.93"}


def broken_cv2(monkeypatch, version: str = "5.0.0", wheels: dict | None = None) -> types.ModuleType:
    """Put a ``cv2`` with a ``cv2.xphoto`` that has no ``inpaint`` in ``sys.modules``, the
    installed OpenCV wheels to ``wheels`` (default: Colab's), and clear the cached answer of
    :func:`helpers.classical.shiftmap_unavailable` (monkeypatch undoes all; the cache is cleared
    again by :func:`fresh_answer`)."""
    cv2 = types.ModuleType("cv2")
    cv2.__version__ = version
    cv2.xphoto = types.ModuleType("cv2.xphoto")  # the folder is there, the function is not
    monkeypatch.setitem(sys.modules, "cv2", cv2)
    monkeypatch.setattr(classical, "opencv_wheels", lambda: dict(COLAB_WHEELS if wheels is None else wheels))
    classical.shiftmap_unavailable.cache_clear()
    return cv2


def fresh_answer():
    """A fixture body: the cached answer cleared before and after the test."""
    classical.shiftmap_unavailable.cache_clear()
    yield
    classical.shiftmap_unavailable.cache_clear()
