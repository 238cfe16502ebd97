"""Shared pytest set-up: the test suite, notebooks included, always runs in smoke mode
(tiny budgets and subsets), quietly, on whichever Keras backend $KERAS_BACKEND names."""

import os

import pytest

os.environ.setdefault("INPAINTING_SMOKE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")



_SET_FOR_NOTEBOOKS = "INPAINTING_COMPILE" not in os.environ


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A notebook's kernel starts with the environment of the moment its first cell runs: for
    it, compile mode "auto" means eager, since a smoke run's few iterations take less time than
    compiling them. Every test in tests/ keeps compiling (test_notebook_code.py runs the
    notebooks' steps compiled)."""
    if _SET_FOR_NOTEBOOKS:
        if item.path.suffix == ".ipynb":
            os.environ["INPAINTING_COMPILE"] = "eager"
        else:
            os.environ.pop("INPAINTING_COMPILE", None)
