#!/usr/bin/env bash
# Run the test suite against the library versions Google Colab ships, not the newest ones.
#
# Colab installs nothing from requirements.txt: the notebooks meet Colab's own versions
# (mid-2025: Python 3.11, TensorFlow 2.19, Keras 3.10, JAX 0.5, NumPy 2.0, IPython 7.34,
# ipywidgets 7.7.1, OpenCV with contrib). This script builds a virtual environment pinned to
# those versions, prints what it got, and runs the README's test command inside it, the
# notebooks included (nbval runs them on a kernel that is this environment's python).
#
#   bash tools/check_colab_versions.sh                      # fresh temp venv, full suite, venv removed after
#   bash tools/check_colab_versions.sh --venv ~/colab-venv  # build (or reuse) a venv there and keep it
#   bash tools/check_colab_versions.sh --venv ~/colab-venv --skip-install -m "not slow" tests/test_data.py
#   KERAS_BACKEND=jax bash tools/check_colab_versions.sh --venv ~/colab-venv tests/test_trainers.py
#
# Options (anywhere before `--`; every other argument, and all after `--`, goes to pytest):
#   --venv DIR      build the venv in DIR, or reuse it if it exists (pip only adds what is missing)
#   --skip-install  reuse --venv DIR as it is: no pip at all (offline re-runs)
#   --python PY     the interpreter to build from (default python3; Colab's is 3.11)
#   --keep          keep the temp venv made when --venv is not given (its path is printed)
#   -h, --help      this text
# Environment: the pins below can be overridden, e.g. TF_SPEC='tensorflow==2.19.0'.
#   INPAINTING_DATA is set to ../shared/data/cifar10-jpeg.tar.gz when unset and that file exists (as .ci/run does).
#
# It needs the internet only for pip. It exits with pytest's exit status
# (or non-zero earlier if the environment cannot be built).
set -euo pipefail

# --- Colab's versions (override any of them from the environment) -------------------------
TF_SPEC=${TF_SPEC:-"tensorflow==2.19.*"}
KERAS_SPEC=${KERAS_SPEC:-"keras==3.10.*"}
# Colab's JAX: jax 0.5.2 runs on jaxlib 0.5.1 (there is no jaxlib 0.5.2 on PyPI).
JAX_SPEC=${JAX_SPEC:-"jax==0.5.2 jaxlib==0.5.1"}
NUMPY_SPEC=${NUMPY_SPEC:-"numpy==2.0.*"}
IPYTHON_SPEC=${IPYTHON_SPEC:-"ipython==7.34.*"}
IPYWIDGETS_SPEC=${IPYWIDGETS_SPEC:-"ipywidgets==7.7.1"}
# Colab ships opencv-contrib-python 4.11.0.86 (built for NumPy 2); the headless wheel has the same code without Qt.
OPENCV_SPEC=${OPENCV_SPEC:-"opencv-contrib-python-headless==4.11.0.86"}
# ipykernel 6.x supports IPython 7.23+ (Colab itself runs ipykernel 6.17); 7.x is a different line.
IPYKERNEL_SPEC=${IPYKERNEL_SPEC:-"ipykernel>=6.17,<7"}
# The project's other libraries, at Colab's minor versions too (mid-2025: matplotlib 3.10,
# scikit-image 0.25, Pillow 11); newer ones could hide a call Colab's versions lack.
MATPLOTLIB_SPEC=${MATPLOTLIB_SPEC:-"matplotlib==3.10.*"}
SKIMAGE_SPEC=${SKIMAGE_SPEC:-"scikit-image==0.25.*"}
PILLOW_SPEC=${PILLOW_SPEC:-"pillow==11.*"}
# The test tools and the rest: left to pip, within what the pins above allow.
OTHERS=(pytest nbval nbformat jupytext import-linter tqdm)

# The kernelspec nbval runs the notebooks on; installed inside the venv (see below).
KERNEL_NAME=colab-versions-check

usage() { sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; }

# --- Arguments ----------------------------------------------------------------------------
VENV=""
PYTHON=python3
SKIP_INSTALL=0
KEEP=0
PYTEST_ARGS=()
while (($#)); do
  case "$1" in
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

# --- The venv -----------------------------------------------------------------------------
if [[ -z "$VENV" ]]; then
  # A fresh one in a temp folder, removed at the end unless --keep.
  VENV=$(mktemp -d "${TMPDIR:-/tmp}/colab-venv.XXXXXX")
  if ((KEEP)); then
    echo "temp venv (kept): $VENV"
  else
    trap 'echo "removing temp venv $VENV"; rm -rf "$VENV"' EXIT
  fi
  if ((SKIP_INSTALL)); then
    echo "--skip-install needs --venv DIR (an existing venv)" >&2; exit 2
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
  echo "== creating venv $VENV from $PYTHON ($("$PYTHON" --version 2>&1))"
  "$PYTHON" -m venv "$VENV"
fi

if ((!SKIP_INSTALL)); then
  echo "== installing Colab's versions into $VENV"
  "$PY" -m pip install --quiet --upgrade pip
  # One pip call, so the resolver sees every pin at once and cannot upgrade a pinned
  # package to satisfy a later, unpinned one. The specs are split on spaces on purpose
  # (JAX_SPEC holds two), with globbing off so that "==2.19.*" reaches pip as it is.
  set -f
  # shellcheck disable=SC2086
  "$PY" -m pip install --quiet \
    $TF_SPEC $KERAS_SPEC $JAX_SPEC $NUMPY_SPEC $IPYTHON_SPEC $IPYWIDGETS_SPEC \
    $OPENCV_SPEC $IPYKERNEL_SPEC $MATPLOTLIB_SPEC $SKIMAGE_SPEC $PILLOW_SPEC "${OTHERS[@]}"
  set +f
  # A conflict here is worth seeing but is not the test's verdict (Colab has its own).
  "$PY" -m pip check || echo "(pip check reported the conflicts above)"

  # Other OpenCV wheels (opencv-python, opencv-python-headless, pulled in by a dependency)
  # would share the cv2 folder with the contrib wheel; Colab's cv2 is the contrib one.
  for other in opencv-python opencv-python-headless opencv-contrib-python; do
    if "$PY" -m pip show --quiet "$other" >/dev/null 2>&1; then
      echo "removing $other (it shadows $OPENCV_SPEC's cv2)"
      "$PY" -m pip uninstall --quiet --yes "$other"
      "$PY" -m pip install --quiet --force-reinstall --no-deps "$OPENCV_SPEC"
    fi
  done
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
echo "== versions"
# (TensorFlow's C++ start-up chatter about CUDA plugins is filtered out of stderr.)
"$PY" - 2> >(grep -v -E 'cuda_dnn|cuda_blas|cudart_stub|computation_placer|absl::InitializeLog' >&2) <<'EOF'
import os, sys, warnings
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
warnings.filterwarnings("ignore")
import numpy, tensorflow, keras, jax, jaxlib, IPython, ipywidgets, cv2, matplotlib, skimage, PIL
rows = [("python", sys.version.split()[0]), ("tensorflow", tensorflow.__version__),
        ("keras", keras.__version__), ("keras backend", keras.backend.backend()),
        ("jax", jax.__version__), ("jaxlib", jaxlib.__version__), ("numpy", numpy.__version__),
        ("IPython", IPython.__version__), ("ipywidgets", ipywidgets.__version__),
        ("cv2", cv2.__version__ + (" (contrib)" if hasattr(cv2, "xphoto") else " (NO contrib)")),
        ("matplotlib", matplotlib.__version__), ("scikit-image", skimage.__version__),
        ("pillow", PIL.__version__)]
for name, version in rows:
    print(f"  {name:<14}{version}")
EOF
"$PY" -m pip list --format=freeze 2>/dev/null \
  | grep -i -E '^(ipykernel|jupyter.client|nbval|nbformat|pytest|jupytext|import.linter|scipy|tqdm|ml.dtypes|h5py|opencv[a-z-]*)==' \
  | sed 's/^/  /'

# --- The tests ----------------------------------------------------------------------------
# The data tests use the shared CIFAR-10 export when it is there (as .ci/run does).
shared="$(cd .. && pwd)/shared/data/cifar10-jpeg.tar.gz"
if [[ -z "${INPAINTING_DATA:-}" && -f "$shared" ]]; then
  export INPAINTING_DATA="$shared"
fi
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
