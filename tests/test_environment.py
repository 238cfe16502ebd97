"""Where a notebook runs (helpers.environment): a GPU or not, Keras started quietly, and on
Colab an OpenCV whose wheels hide the shift-map fill repaired before cv2 is imported."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from helpers import environment

ROOT = Path(__file__).resolve().parent.parent


def test_gpu_status_is_one_sentence(monkeypatch):
    monkeypatch.setattr(environment, "gpus", lambda: ())
    assert environment.gpu_status().startswith("No GPU found")
    monkeypatch.setattr(environment, "gpus", lambda: ("NVIDIA Test GPU",))
    assert environment.gpu_status().startswith("GPU found: NVIDIA Test GPU")
    assert not environment.in_colab()


def _fresh_python(code: str) -> subprocess.CompletedProcess:
    """``code`` in a new interpreter, with none of the variables that quieten TensorFlow set (the
    test suite sets TF_CPP_MIN_LOG_LEVEL itself, and has imported Keras already)."""
    env = {k: v for k, v in os.environ.items()
           if k not in ("TF_CPP_MIN_LOG_LEVEL", "GRPC_VERBOSITY", "PYTHONWARNINGS", "PYTHONPATH")}
    return subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_quiet_logs_silences_the_start_up_messages_and_keeps_errors():
    start = "import helpers, keras; keras.ops.ones(2); "
    noisy = _fresh_python(start + "print('ok')")
    assert noisy.returncode == 0, noisy.stderr[-2000:]
    if not noisy.stderr.strip():
        pytest.skip("this Keras backend prints nothing at start-up here: nothing to silence")
    quiet = _fresh_python("from helpers import environment; environment.quiet_logs(); " + start
                          + "raise ValueError('a real error still shows')")
    assert quiet.returncode == 1
    assert quiet.stderr.strip().splitlines()[-1] == "ValueError: a real error still shows"
    assert "Traceback" in quiet.stderr.splitlines()[0], quiet.stderr[-2000:]  # nothing before the error


# --------------------------------------------------------------------------- OpenCV on Colab

# An interpreter that finds a cv2 like Colab's (5.0.0 from opencv-python, over the contrib wheel)
# first on its path, and whose `-m pip install` only writes a cv2.xphoto with inpaint (no network).
STAND_IN_PYTHON = """#!/bin/sh
if [ "$1" = "-m" ] && [ "$2" = "pip" ]; then
  echo "$@" >> "{folder}/pip.log"
  if [ -e "{folder}/offline" ]; then
    echo "ERROR: No matching distribution found for opencv-contrib-python-headless==5.0.0.93" >&2
    exit 1
  fi
  printf 'INPAINT_SHIFTMAP = 0\\ndef inpaint(*args):\\n    pass\\n' > "{folder}/site/cv2/xphoto.py"
  exit 0
fi
PYTHONPATH="{folder}/site" exec "{python}" -S "$@"
"""
WHEELS = {"opencv_contrib_python-4.14.0.94": "opencv-contrib-python", "opencv_python-5.0.0.93": "opencv-python",
          "opencv_python_headless-5.0.0.93": "opencv-python-headless"}


@pytest.fixture
def colab_python(tmp_path, monkeypatch) -> Path:
    """A stand-in interpreter with Colab's OpenCV mix; ``tmp_path / 'pip.log'`` records its pip calls."""
    package = tmp_path / "site" / "cv2"
    package.mkdir(parents=True)
    (package / "__init__.py").write_text('__version__ = "5.0.0"\nfrom . import xphoto\n')
    (package / "xphoto.py").write_text("# the contrib wheel's folder is here, its functions are not\n")
    for folder, name in WHEELS.items():
        info = tmp_path / "site" / f"{folder}.dist-info"
        info.mkdir()
        (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {name}\nVersion: {folder.split('-')[1]}\n")
    python = tmp_path / "python"
    python.write_text(STAND_IN_PYTHON.format(folder=tmp_path, python=sys.executable))
    python.chmod(0o755)
    monkeypatch.delitem(sys.modules, "cv2", raising=False)  # as in a fresh kernel
    return python


def test_probe_sees_colabs_cv2_without_importing_it(colab_python):
    found = environment.probe_opencv(str(colab_python))
    assert found == {"version": "5.0.0", "inpaint": False,
                     "wheels": {"opencv-python": "5.0.0.93", "opencv-python-headless": "5.0.0.93",
                                "opencv-contrib-python": "4.14.0.94"}}
    assert "cv2" not in sys.modules


def test_repair_installs_the_contrib_wheel_that_matches_cv2(colab_python, capsys):
    line = environment.repair_opencv(str(colab_python))
    assert line == ("OpenCV: installed opencv-contrib-python-headless==5.0.0.93, since this OpenCV 5.0.0 "
                    "lacked cv2.xphoto.inpaint (the shift-map fill).")
    assert capsys.readouterr().out.strip() == line  # one line, and only that
    calls = (colab_python.parent / "pip.log").read_text().splitlines()
    assert calls == ["-m pip install --quiet --no-deps --force-reinstall opencv-contrib-python-headless==5.0.0.93"]
    assert environment.probe_opencv(str(colab_python))["inpaint"] is True
    assert environment.repair_opencv(str(colab_python)) is None  # repaired: nothing more to do
    assert len((colab_python.parent / "pip.log").read_text().splitlines()) == 1


def test_repair_after_cv2_was_imported_asks_for_a_restart(colab_python, monkeypatch):
    monkeypatch.setitem(sys.modules, "cv2", object())
    line = environment.repair_opencv(str(colab_python))
    assert line.startswith("OpenCV: installed opencv-contrib-python-headless==5.0.0.93")
    assert "Runtime > Restart session" in line


def test_repair_offline_says_shift_map_is_left_out(colab_python, capsys):
    (colab_python.parent / "offline").touch()
    line = environment.repair_opencv(str(colab_python))
    assert line == ("OpenCV: could not install opencv-contrib-python-headless==5.0.0.93 (ERROR: No matching "
                    "distribution found for opencv-contrib-python-headless==5.0.0.93); the shift-map fill "
                    "will be left out, and everything else runs.")
    assert capsys.readouterr().out.strip() == line
    assert environment.probe_opencv(str(colab_python))["inpaint"] is False


def test_repair_leaves_a_working_or_missing_opencv_alone(colab_python):
    site = colab_python.parent / "site"
    (site / "cv2" / "xphoto.py").write_text("INPAINT_SHIFTMAP = 0\ndef inpaint(*args):\n    pass\n")
    assert environment.repair_opencv(str(colab_python)) is None
    (site / "cv2" / "__init__.py").write_text("raise ImportError('no OpenCV here')\n")
    assert environment.probe_opencv(str(colab_python)) is None
    assert environment.repair_opencv(str(colab_python)) is None
    assert not (colab_python.parent / "pip.log").exists()


def test_environment_imports_neither_keras_nor_cv2():
    done = _fresh_python("import sys, helpers.environment; "
                         "print(sorted(m for m in ('keras', 'tensorflow', 'jax', 'cv2') if m in sys.modules))")
    assert done.returncode == 0 and done.stdout.strip() == "[]", done.stderr[-2000:]
