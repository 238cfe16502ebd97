"""Data-parallel training on several devices (GPUs, or CPU devices for tests)."""

from __future__ import annotations

import os

import keras

from .backend import check_backend

_STRATEGIES: dict = {}
_HOSTS_READY = False


def initialize_hosts() -> None:
    """JAX on several hosts: join them once, from KERAS_DISTRIBUTION_JOB_ADDRESSES,
    KERAS_DISTRIBUTION_NUM_PROCESSES and KERAS_DISTRIBUTION_PROCESS_ID (read by
    ``keras.distribution.initialize``). TensorFlow reads TF_CONFIG instead."""
    global _HOSTS_READY
    if not _HOSTS_READY:
        keras.distribution.initialize()
        _HOSTS_READY = True


class DataParallel:
    """Build a trainer inside ``with DataParallel(n):`` and every batch is split across ``n``
    devices (all GPUs by default, else all CPU devices), each computing the gradient of its
    share, averaged before the update: the same algorithm as one device with the whole batch.

    - JAX: Keras 3's distribution API (``keras.distribution.DataParallel``): variables are
      replicated, each batch is sharded along its first axis, and XLA inserts the
      all-reduce. BatchNorm sees the statistics of the whole batch, as on one device.
    - TensorFlow: ``tf.distribute.MirroredStrategy``: one replica per device; gradients are
      summed across replicas by the Keras optimizer (so each replica's loss is divided by
      the number of replicas), BatchNorm is synchronised across replicas, and the updated
      moving statistics are averaged.

    Dropout draws its masks per device, so with dropout the runs are equal in
    distribution, not bit for bit. On several hosts, call ``keras.distribution.initialize()``
    (JAX) or use ``tf.distribute.MultiWorkerMirroredStrategy`` (see docs/training.md).
    """

    current: "DataParallel | None" = None

    def __init__(self, devices: int | list | None = None):
        self.backend = check_backend()
        if self.backend == "jax" and os.environ.get("KERAS_DISTRIBUTION_JOB_ADDRESSES"):
            initialize_hosts()
        available = self.list_devices()
        if devices is None:
            devices = available
        elif isinstance(devices, int):
            if devices < 1 or devices > len(available):
                raise ValueError(
                    f"Asked for {devices} devices, but {len(available)} are visible "
                    f"({', '.join(map(str, available))}). On a CPU, split it into virtual devices "
                    f"first: XLA_FLAGS=--xla_force_host_platform_device_count=N for JAX, "
                    f"tf.config.set_logical_device_configuration for TensorFlow.")
            devices = available[:devices]
        self.devices = list(devices)
        self.n = len(self.devices)
        self._previous = None
        if self.backend == "jax":
            self.distribution = keras.distribution.DataParallel(devices=self.devices)
        else:
            import tensorflow as tf

            # One strategy per set of devices and process: a second MirroredStrategy over
            # the same devices would reuse its collective keys and abort.
            key = tuple(self.devices)
            if key not in _STRATEGIES:
                _STRATEGIES[key] = (tf.distribute.MultiWorkerMirroredStrategy() if os.environ.get("TF_CONFIG")
                                    else tf.distribute.MirroredStrategy(self.devices))
            self.strategy = _STRATEGIES[key]
            self._scope = None

    def list_devices(self) -> list:
        if self.backend == "jax":
            try:
                return keras.distribution.list_devices("gpu")
            except RuntimeError:  # JAX raises when it has no GPU platform
                return keras.distribution.list_devices("cpu")
        import tensorflow as tf

        gpus = tf.config.list_logical_devices("GPU")
        return [d.name for d in (gpus or tf.config.list_logical_devices("CPU"))]

    def __enter__(self):
        if self.backend == "jax":
            self._previous = keras.distribution.distribution()
            keras.distribution.set_distribution(self.distribution)
        else:
            self._scope = self.strategy.scope()
            self._scope.__enter__()
        DataParallel.current, self._outer = self, DataParallel.current
        return self

    def __exit__(self, *exc):
        DataParallel.current = self._outer
        if self.backend == "jax":
            keras.distribution.set_distribution(self._previous)
        else:
            self._scope.__exit__(*exc)
        return False

    def check_batch(self, batch_size: int) -> None:
        if batch_size % self.n:
            raise ValueError(f"The batch of {batch_size} cannot be split evenly over {self.n} "
                             f"devices; use a multiple of {self.n}.")

    def shard(self, *arrays):
        """JAX: put each batch array on the devices, split along its first axis."""
        if self.backend != "jax":
            return arrays
        return tuple(keras.distribution.distribute_tensor(
            a, self.distribution.get_data_layout(a.shape)) for a in arrays)

    def replicate(self, *arrays):
        """JAX: a full copy of each array on every device (for inference)."""
        if self.backend != "jax":
            return arrays
        return tuple(keras.distribution.distribute_tensor(
            a, keras.distribution.TensorLayout([None] * a.ndim, self.distribution.device_mesh))
            for a in arrays)
