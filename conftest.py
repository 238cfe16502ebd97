"""Shared pytest set-up: the test suite, notebooks included, always runs in smoke mode
(tiny budgets and subsets), quietly, on whichever Keras backend $KERAS_BACKEND names."""

import os

os.environ.setdefault("INPAINTING_SMOKE", "1")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("MPLBACKEND", "Agg")
