"""Data-parallel training on 2 virtual CPU devices follows the one-device trajectory.

Each backend runs in a fresh process: the virtual devices must exist before TensorFlow or
JAX starts. Dropout is off in these models, so the split batch is the same computation as
the whole one, up to the order of floating-point sums.
"""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parent.parent

SCRIPT = r'''
import json, os, sys
from contextlib import nullcontext
if os.environ["KERAS_BACKEND"] == "jax":
    os.environ["XLA_FLAGS"] = "--xla_force_host_platform_device_count=2"
import keras
if keras.backend.backend() == "tensorflow":
    import tensorflow as tf
    cpu = tf.config.list_physical_devices("CPU")[0]
    tf.config.set_logical_device_configuration(cpu, [tf.config.LogicalDeviceConfiguration()] * 2)
from synthetic import smooth_images
from helpers.models import build_autoencoder, build_discriminator, build_generator
from helpers.engine.parallel import DataParallel
from helpers.trainers import AutoencoderTrainer, GANTrainer

images = smooth_images(64)
out = {}
for kind, steps in (("autoencoder", 5), ("gan", 2)):
    for parallel in (False, True):
        keras.utils.set_random_seed(0)
        with DataParallel(2) if parallel else nullcontext():
            if kind == "autoencoder":
                trainer = AutoencoderTrainer(build_autoencoder(dropout=0.0), batch_size=16)
            else:
                trainer = GANTrainer(build_generator(dropout=0.0), build_discriminator(dropout=0.0),
                                     batch_size=16, fused=True)
        history = trainer.fit(images, steps, log_every=1, progress=False)
        history.pop("images_per_second")
        out[f"{kind}/{parallel}"] = {"history": history, "validation": trainer.validate(images[:20])}
try:
    DataParallel(2).check_batch(15)
except ValueError as err:
    out["odd_batch"] = str(err)
print("RESULT" + json.dumps(out))
'''


@pytest.mark.slow
@pytest.mark.parametrize("backend", ["tensorflow", "jax"])
def test_two_virtual_devices_follow_one_device(backend):
    pytest.importorskip(backend)
    env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3",
           "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "tests")])}
    done = subprocess.run([sys.executable, "-c", SCRIPT], env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.split("RESULT", 1)[1])
    for kind, keys in (("autoencoder", ["loss"]),
                       ("gan", ["g_l2", "d_loss_real", "d_loss_fake", "g_adversarial"])):
        one, two = result[f"{kind}/False"], result[f"{kind}/True"]
        for key in keys:
            # Tight for the autoencoder. The GAN only for its first steps: Adam's first
            # updates are sign-like, so float-rounding differences between the two
            # reductions grow quickly in a GAN, on one device as on two.
            np.testing.assert_allclose(two["history"][key], one["history"][key], rtol=2e-3 if kind == "gan" else 1e-4,
                                       err_msg=f"{backend} {kind} {key}")
        np.testing.assert_allclose(two["validation"], one["validation"], rtol=5e-3 if kind == "gan" else 1e-4)
    assert "cannot be split evenly over 2 devices" in result["odd_batch"]
