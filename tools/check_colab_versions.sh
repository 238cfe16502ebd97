#!/usr/bin/env bash
# Run the test suite against the library versions Google Colab ships, not the newest ones.
#
# Colab installs nothing from requirements.txt: the notebooks meet Colab's own versions. A
# profile in tools/colab/ lists them (pip-requirements syntax, with its source and date):
# 2026-08 (the default: Python 3.13, TensorFlow 2.20, Keras 3.13, JAX 0.7.2, NumPy 2.1, and
# three OpenCV wheels that share one cv2 folder) and 2025-mid (Python 3.11, TensorFlow 2.19,
# Keras 3.10, JAX 0.5.2, NumPy 2.0, one contrib OpenCV wheel; requirements.txt's lower bounds).
# This script builds a virtual environment on the profile's Python with exactly those pins,
# installed in one pip call as Colab lists them, then the OpenCV wheel the profile names
# reinstalled last (so cv2 is the broken one a student can meet: see tools/colab/2026-08.txt),
# prints what it got, and runs the README's test command inside it, the notebooks included
# (nbval runs them on a kernel that is this environment's python).
#
#   bash tools/check_colab_versions.sh                      # fresh temp venv, full suite, venv removed after
#   bash tools/check_colab_versions.sh --venv ~/colab-venv  # build (or reuse) a venv there and keep it
#   bash tools/check_colab_versions.sh --profile 2025-mid --venv ~/colab-venv-311 -m "not slow" tests
#   bash tools/check_colab_versions.sh --venv ~/colab-venv --skip-install -m "not slow" tests/test_data.py
#   bash tools/check_colab_versions.sh --print-pins         # the profile's Python and pins; builds nothing
#   KERAS_BACKEND=jax bash tools/check_colab_versions.sh --venv ~/colab-venv tests/test_trainers.py
#
# Options (anywhere before `--`; every other argument, and all after `--`, goes to pytest):
#   --profile NAME  tools/colab/NAME.txt, or a path to such a file (default: 2026-08, Colab today)
#   --print-pins    print the profile's Python, its pins and the interpreter it would use; then stop
#   --cv2-from WHEEL  the OpenCV wheel whose cv2 files win where several share the folder (default:
#                   the profile's "# cv2 from:" line; "pip" leaves it to pip's install order)
#   --venv DIR      build the venv in DIR, or reuse it if it exists (pip only adds what is missing)
#   --skip-install  reuse --venv DIR as it is: no pip at all (offline re-runs)
#   --python PY     the interpreter to build from (default: pythonX.Y of the profile, found on
#                   PATH or under pyenv)
#   --keep          keep the temp venv made when --venv is not given (its path is printed)
#   -h, --help      this text
# Environment: INPAINTING_DATA, the CIFAR-10 data for the data tests and notebooks (they skip
# or fall back to a download without it; see the README's Data section).
#
# It needs the internet only for pip. It exits with pytest's exit status
# (or non-zero earlier if the environment cannot be built).
set -euo pipefail

# The test tools and the rest: left to pip, within what the profile's pins allow.
OTHERS=(pytest nbval nbformat jupytext import-linter tqdm)
DEFAULT_PROFILE=2026-08

# The kernelspec nbval runs the notebooks on; installed inside the venv (see below).
KERNEL_NAME=colab-versions-check

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

# --- Arguments ----------------------------------------------------------------------------
VENV=""
PYTHON=""
PROFILE=$DEFAULT_PROFILE
PRINT_PINS=0
CV2_FROM=""
SKIP_INSTALL=0
KEEP=0
PYTEST_ARGS=()
while (($#)); do
  case "$1" in
    --profile)      PROFILE=${2:?--profile needs a name (tools/colab/NAME.txt) or a file}; shift 2 ;;
    --profile=*)    PROFILE=${1#--profile=}; shift ;;
    --print-pins)   PRINT_PINS=1; shift ;;
    --cv2-from)     CV2_FROM=${2:?--cv2-from needs an OpenCV wheel name, or pip}; shift 2 ;;
    --cv2-from=*)   CV2_FROM=${1#--cv2-from=}; shift ;;
    --venv)         VENV=${2:?--venv needs a folder}; shift 2 ;;
    --venv=*)       VENV=${1#--venv=}; shift ;;
    --python)       PYTHON=${2:?--python needs an interpreter}; shift 2 ;;
    --skip-install) SKIP_INSTALL=1; shift ;;
    --keep)         KEEP=1; shift ;;
    -h|--help)      usage; exit 0 ;;
    --)             shift; PYTEST_ARGS+=("$@"); break ;;
    *)              PYTEST_ARGS+=("$1"); shift ;;
  esac
done

# Run from the repository root (pytest.ini, conftest.py and the notebooks are found from there).
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$REPO"

# --- The profile --------------------------------------------------------------------------
if [[ -f "$PROFILE" ]]; then
  PROFILE_FILE=$PROFILE
elif [[ -f "tools/colab/$PROFILE.txt" ]]; then
  PROFILE_FILE="tools/colab/$PROFILE.txt"
else
  known=$(cd tools/colab && ls -- *.txt 2>/dev/null | sed 's/\.txt$//' | tr '\n' ' ')
  echo "error: no profile '$PROFILE': give one of: ${known:-<none>}(tools/colab/NAME.txt), or a file" >&2
  exit 2
fi
# The interpreter's version, from the "# python: X.Y" line; the pins, without comments.
PY_VERSION=$(sed -n 's/^#[[:space:]]*python:[[:space:]]*\([0-9][0-9.]*\)[[:space:]]*$/\1/p' "$PROFILE_FILE" | head -1)
if [[ -z "$PY_VERSION" ]]; then
  echo "error: $PROFILE_FILE has no '# python: X.Y' line naming Colab's Python" >&2; exit 2
fi
mapfile -t PINS < <(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^[[:space:]]*$/d' "$PROFILE_FILE")
if ((${#PINS[@]} == 0)); then
  echo "error: $PROFILE_FILE pins nothing" >&2; exit 2
fi
# The OpenCV wheel whose cv2 files win ("# cv2 from: NAME"), and its pin in the profile.
if [[ -z "$CV2_FROM" ]]; then
  CV2_FROM=$(sed -n 's/^#[[:space:]]*cv2 from:[[:space:]]*\([A-Za-z0-9_.-]*\)[[:space:]]*$/\1/p' "$PROFILE_FILE" | head -1)
fi
CV2_PIN=""
if [[ -n "$CV2_FROM" && "$CV2_FROM" != pip ]]; then
  for pin in "${PINS[@]}"; do
    if [[ "${pin%%==*}" == "$CV2_FROM" ]]; then CV2_PIN=$pin; fi
  done
  if [[ -z "$CV2_PIN" ]]; then
    echo "error: --cv2-from $CV2_FROM: $PROFILE_FILE pins no such wheel (give one it pins, or pip)" >&2; exit 2
  fi
fi

# Colab's Python: --python, else pythonX.Y on PATH (if it runs: a pyenv shim may not), else pyenv's.
find_python() {
  local candidate
  for candidate in "python$PY_VERSION" \
      "${PYENV_ROOT:-$HOME/.pyenv}"/versions/"$PY_VERSION"*/bin/"python$PY_VERSION"; do
    if "$candidate" -c 'import venv, ensurepip' >/dev/null 2>&1; then
      command -v "$candidate"; return 0
    fi
  done
  return 1
}
if [[ -z "$PYTHON" ]]; then
  PYTHON=$(find_python) || PYTHON=""
fi
NO_PYTHON="Python $PY_VERSION (Colab's, profile $(basename "$PROFILE_FILE" .txt)) was not found: install it
  (e.g. 'pyenv install $PY_VERSION', 'uv python install $PY_VERSION', or your system's python$PY_VERSION
  and python$PY_VERSION-venv packages), or pass --python /path/to/python$PY_VERSION"

if ((PRINT_PINS)); then
  echo "profile: $PROFILE_FILE"
  echo "python: $PY_VERSION (interpreter: ${PYTHON:-not found})"
  printf 'pin: %s\n' "${PINS[@]}"
  echo "cv2 from: ${CV2_PIN:-pip (its install order)}"
  exit 0
fi

# --- The venv -----------------------------------------------------------------------------
if [[ -z "$VENV" ]]; then
  # A fresh one in a temp folder, removed at the end unless --keep.
  if ((SKIP_INSTALL)); then
    echo "--skip-install needs --venv DIR (an existing venv)" >&2; exit 2
  fi
  VENV=$(mktemp -d "${TMPDIR:-/tmp}/colab-venv.XXXXXX")
  if ((KEEP)); then
    echo "temp venv (kept): $VENV"
  else
    trap 'echo "removing temp venv $VENV"; rm -rf "$VENV"' EXIT
  fi
fi
VENV=$(mkdir -p "$VENV" && cd "$VENV" && pwd)   # absolute path: the kernelspec records it
PY="$VENV/bin/python"

# Nothing from outside the venv may leak in: no PYTHONPATH, no user site-packages.
unset PYTHONPATH PYTHONHOME
export PYTHONNOUSERSITE=1
export PIP_DISABLE_PIP_VERSION_CHECK=1

if [[ ! -x "$PY" ]]; then
  if ((SKIP_INSTALL)); then
    echo "--skip-install: no venv at $VENV" >&2; exit 2
  fi
  if [[ -z "$PYTHON" ]]; then
    echo "error: $NO_PYTHON" >&2; exit 2
  fi
  echo "== creating venv $VENV from $PYTHON ($("$PYTHON" --version 2>&1))"
  "$PYTHON" -m venv "$VENV"
fi
got=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
if [[ "$got" != "$PY_VERSION" ]]; then
  echo "error: the venv at $VENV runs Python $got, but profile $(basename "$PROFILE_FILE" .txt) is" \
       "Colab's Python $PY_VERSION: give --python python$PY_VERSION for a new venv, or another --venv." >&2
  exit 2
fi

if ((!SKIP_INSTALL)); then
  echo "== installing $PROFILE_FILE into $VENV"
  "$PY" -m pip install --quiet --upgrade pip
  # One pip call, so the resolver sees every pin at once and cannot upgrade a pinned package to
  # satisfy a later, unpinned one; and the OpenCV wheels go in together, in the profile's order,
  # as on Colab (where several of them share the cv2 folder, which one wins is left as Colab has it).
  "$PY" -m pip install --quiet -r "$PROFILE_FILE" "${OTHERS[@]}"
  # The OpenCV wheels exactly as the profile has them. A wheel it does not pin (the contrib wheel
  # that a Colab set-up cell installs, say) shares their cv2 folder, so all go, and the profile's
  # are installed again together, as Colab lists them.
  mapfile -t OPENCV_PINS < <(printf '%s\n' "${PINS[@]}" | grep -i '^opencv' || true)
  mapfile -t OPENCV_HERE < <("$PY" -m pip list --format=freeze 2>/dev/null | grep -i '^opencv' | cut -d= -f1 || true)
  for wheel in "${OPENCV_HERE[@]}"; do
    if ! printf '%s\n' "${OPENCV_PINS[@]%%==*}" | grep -qixF "$wheel"; then
      echo "== $wheel is not in the profile: reinstalling the profile's OpenCV wheels alone"
      "$PY" -m pip uninstall --quiet --yes "${OPENCV_HERE[@]}"
      "$PY" -m pip install --quiet --no-deps "${OPENCV_PINS[@]}"
      break
    fi
  done
  if [[ -n "$CV2_PIN" ]]; then
    # Its files over the others' in the shared cv2 folder, as if pip had installed it last.
    echo "== cv2 from $CV2_PIN (reinstalled last, over the other OpenCV wheels)"
    "$PY" -m pip install --quiet --no-deps --force-reinstall "$CV2_PIN"
  fi
  # A conflict here is worth seeing but is not the test's verdict (Colab has its own).
  "$PY" -m pip check || echo "(pip check reported the conflicts above)"
fi

# --- The notebooks' kernel ----------------------------------------------------------------
# nbval starts, for each notebook, the pytest process's python with --nbval-current-env, else
# the kernel named by --nbval-kernel-name, else the one in the notebook's metadata ("python3"),
# looked up through jupyter_client's kernelspec search path. Inside a venv "python3" usually
# resolves to the venv's own spec, but a "python3" kernelspec elsewhere on that path (user or
# system share/jupyter, JUPYTER_PATH) can point at another python, and the notebooks would then
# test that python's packages. So: a kernelspec with its own name, inside the venv (its argv is
# this venv's python), first on the search path, nbval told to use it, and checked below.
"$PY" -m ipykernel install --prefix "$VENV" --name "$KERNEL_NAME" \
  --display-name "Python (Colab versions check)" >/dev/null
export JUPYTER_PREFER_ENV_PATH=1                     # the venv's share/jupyter before the user's
export JUPYTER_PATH="$VENV/share/jupyter${JUPYTER_PATH:+:$JUPYTER_PATH}"
echo "== checking that kernel $KERNEL_NAME is this venv's python"
"$PY" - "$KERNEL_NAME" "$VENV" <<'EOF'
import os, sys
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import start_new_kernel

name, venv = sys.argv[1], os.path.realpath(sys.argv[2])
spec = KernelSpecManager().get_kernel_spec(name)
print(f"kernelspec {name}: {spec.resource_dir}\n  argv: {' '.join(spec.argv)}")
# Start it once and ask it where it runs (sys.prefix is the venv's when the venv's python runs).
km, kc = start_new_kernel(kernel_name=name, startup_timeout=120)
try:
    out = []
    kc.execute_interactive("import sys; print(sys.prefix)", timeout=60,
                           output_hook=lambda m: out.append(m["content"].get("text", "")))
finally:
    kc.stop_channels()
    km.shutdown_kernel(now=True)
prefix = os.path.realpath("".join(out).strip())
print(f"  kernel's sys.prefix: {prefix}")
if prefix != venv:
    sys.exit(f"kernel {name} runs outside the venv ({prefix} != {venv})")
EOF

# --- What we got --------------------------------------------------------------------------
echo "== versions (profile $PROFILE_FILE)"
# (TensorFlow's C++ start-up chatter about CUDA plugins is filtered out of stderr.)
"$PY" - 2> >(grep -v -E 'cuda_dnn|cuda_blas|cudart_stub|computation_placer|absl::InitializeLog' >&2) <<'EOF'
import os, sys, warnings
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")
import numpy, tensorflow, keras, jax, jaxlib, IPython, ipywidgets, cv2, matplotlib, skimage, PIL
from helpers.classical import shiftmap_unavailable  # what the course's shift-map fill sees
rows = [("python", sys.version.split()[0]), ("tensorflow", tensorflow.__version__),
        ("keras", keras.__version__), ("keras backend", keras.backend.backend()),
        ("jax", jax.__version__), ("jaxlib", jaxlib.__version__), ("numpy", numpy.__version__),
        ("IPython", IPython.__version__), ("ipywidgets", ipywidgets.__version__),
        ("cv2", cv2.__version__ + (" (with cv2.xphoto)" if hasattr(cv2, "xphoto") else " (no cv2.xphoto)")),
        ("xphoto.inpaint", "works" if shiftmap_unavailable() is None else "MISSING: " + shiftmap_unavailable()),
        ("matplotlib", matplotlib.__version__), ("scikit-image", skimage.__version__),
        ("pillow", PIL.__version__)]
for name, version in rows:
    print(f"  {name:<16}{version}")
EOF
"$PY" -m pip list --format=freeze 2>/dev/null \
  | grep -i -E '^(ipykernel|jupyter.client|nbval|nbformat|pytest|jupytext|import.linter|scipy|tqdm|ml.dtypes|h5py|opencv[a-z-]*)==' \
  | sed 's/^/  /'

# --- The tests ----------------------------------------------------------------------------
echo "INPAINTING_DATA=${INPAINTING_DATA:-<unset: data tests skip>}"
echo "KERAS_BACKEND=${KERAS_BACKEND:-<unset: keras.json or tensorflow>}"

# The README's command, inside the venv, notebooks on the venv's kernel (unless the caller chose one).
KERNEL_ARGS=(--nbval-kernel-name "$KERNEL_NAME")
for arg in "${PYTEST_ARGS[@]+"${PYTEST_ARGS[@]}"}"; do
  case "$arg" in --nbval-kernel-name*|--nbval-current-env|--current-env) KERNEL_ARGS=() ;; esac
done
echo "== $PY -m pytest --nbval-lax ${KERNEL_ARGS[*]+"${KERNEL_ARGS[*]}"} ${PYTEST_ARGS[*]+"${PYTEST_ARGS[*]}"}"
set +e
"$PY" -m pytest --nbval-lax "${KERNEL_ARGS[@]+"${KERNEL_ARGS[@]}"}" "${PYTEST_ARGS[@]+"${PYTEST_ARGS[@]}"}"
status=$?
set -e
echo "== pytest exit status $status (venv: $VENV)"
exit "$status"
