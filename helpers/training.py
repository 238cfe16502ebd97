"""Training loops for the paper's two models, on TensorFlow or JAX, CPU or GPU.

Why not the Keras 2 recipe (compile D, set ``D.trainable = False``, compile G+D)? In Keras 3
it fails silently: D's own ``train_on_batch`` then changes none of D's weights on
TensorFlow, and JAX raises an optimizer error. Instead every step here is a *pure function*
of explicit variable lists (Keras's ``stateless_call`` and ``stateless_apply``): the
discriminator step differentiates only D's variables, the combined step only G's, and D is
frozen by construction, not by a flag. The same functions run on both backends; only
"take the gradient" and "compile" differ (:func:`value_and_grad`, :func:`compile_step`).

Iterations are counted as the paper counts them: one iteration is one batch (the paper
calls these "epochs": 50,000 for the autoencoder, 80,000 for the GAN).
"""

from __future__ import annotations

import contextlib
import json
import math
import os
import tempfile
import time
from pathlib import Path

import keras
import numpy as np
from keras import ops

from .masks import CENTER_HOLE, Hole, check_images, convert_scale, make_pairs
from .models import AUTOENCODER_DROPOUT, DROPOUT

# The paper's budgets and hyper-parameters (section IV).
PAPER_AUTOENCODER = dict(iterations=50_000, batch_size=64, learning_rate=1e-3)
PAPER_GAN = dict(iterations=80_000, batch_size=32, g_learning_rate=2e-3, d_learning_rate=2e-4,
                 l2_weight=0.999, adversarial_weight=0.001)
# Adam's beta_1: not in the paper; 0.5 as in DCGAN and Pathak et al. for the GAN,
# Keras's default 0.9 for the autoencoder.
GAN_BETA_1 = 0.5
# A step schedule's factor (--lr-drop-at): the usual tenfold drop, e.g. He et al. 2016.
LR_DROP_FACTOR = 0.1
# Weight averaging (--average): the average is updated every this many iterations, on the host,
# so it costs a few percent of a step; its decay per iteration is the one asked for.
AVERAGE_EVERY = 4


class TrainingDivergedError(RuntimeError):
    """The loss became NaN, infinite, or exploded."""


class CheckpointError(ValueError):
    """A checkpoint is missing, damaged, or belongs to another model or setting."""


# --------------------------------------------------------------------------- backend glue


def backend() -> str:
    return keras.backend.backend()


def check_backend() -> str:
    name = backend()
    if name not in ("tensorflow", "jax"):
        raise RuntimeError(
            f"The training loops support the TensorFlow and JAX backends, not {name!r}. Set "
            f"KERAS_BACKEND=tensorflow (the default) or KERAS_BACKEND=jax before importing keras.")
    return name


def gpu_names() -> list[str]:
    """Names of the GPUs the active Keras backend can use (empty on a CPU-only machine)."""
    name = backend()
    if name == "tensorflow":
        import tensorflow as tf

        names = []
        for gpu in tf.config.list_physical_devices("GPU"):
            try:
                names.append(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name))
            except Exception:
                names.append(gpu.name)
        return names
    if name == "jax":
        import jax

        return [d.device_kind for d in jax.devices() if d.platform == "gpu"]
    if name == "torch":
        import torch

        return [torch.cuda.get_device_name(i) for i in range(torch.cuda.device_count())]
    return []


COMPILE_MODES = ("auto", "eager", "graph", "xla")


def resolve_compile_mode(mode: str = "auto") -> str:
    """"auto" picks per backend: JAX always compiles with XLA; TensorFlow uses graph mode
    without XLA, which a probe on 2 CPU cores found fastest for both models."""
    if mode not in COMPILE_MODES:
        raise ValueError(f"compile mode must be one of {COMPILE_MODES}, got {mode!r}.")
    if mode == "auto":
        return "xla" if check_backend() == "jax" else "graph"
    if mode == "graph" and check_backend() == "jax":
        return "xla"  # JAX has no graph mode without XLA
    return mode


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
    """Data-parallel training on several devices: build a trainer inside ``with
    DataParallel(n):`` and every batch is split across ``n`` devices (all GPUs by default,
    else all CPU devices), each computing the gradient of its share, averaged before the
    update: the same algorithm as one device with the whole batch.

    - JAX: Keras 3's distribution API (``keras.distribution.DataParallel``): variables are
      replicated, each batch is sharded along its first axis, and XLA inserts the
      all-reduce. BatchNorm sees the statistics of the whole batch, as on one device.
    - TensorFlow: ``tf.distribute.MirroredStrategy``: one replica per device; gradients are
      summed across replicas by the Keras optimizer (so each replica's loss is divided by
      the number of replicas), BatchNorm is synchronised across replicas, and the updated
      moving statistics are averaged.

    Dropout draws its masks per device, so with dropout the runs are equal in
    distribution, not bit for bit. On several hosts, call ``keras.distribution.initialize()``
    (JAX) or use ``tf.distribute.MultiWorkerMirroredStrategy`` (see the README).
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


def _replica_slice(x):
    """TensorFlow, inside a replica: this replica's share of a batch tensor."""
    import tensorflow as tf

    ctx = tf.distribute.get_replica_context()
    if x.shape.rank == 0:
        return x
    per = tf.shape(x)[0] // ctx.num_replicas_in_sync
    start = ctx.replica_id_in_sync_group * per
    return x[start:start + per]


class _SynchronizedBatchNorm:
    """While tracing a replica's step: BatchNorm layers use the whole batch's statistics
    (Keras's ``synchronized`` flag, TensorFlow only), then are restored, so saved models
    stay loadable on every backend."""

    def __init__(self, models):
        self.layers = [layer for m in models for layer in m._flatten_layers()
                       if isinstance(layer, keras.layers.BatchNormalization)]

    def __enter__(self):
        for layer in self.layers:
            layer.synchronized = True

    def __exit__(self, *exc):
        for layer in self.layers:
            layer.synchronized = False
        return False


class compile_step:
    """Compile a pure step function with ``jax.jit`` or ``tf.function`` (with or without XLA).

    Step functions take ``n_in`` states first and return ``n_out`` states first (the first
    ``n_out`` of the inputs, updated), then their outputs. On JAX states are arrays and
    flow through the function. On TensorFlow they are the Keras variables themselves,
    updated in place, so the compiled function binds them and returns only the outputs.
    """

    def __init__(self, fn, mode: str = "auto", n_in: int = 1, n_out: int = 1,
                 parallel: DataParallel | None = None, models=()):
        self.fn, self.mode, self.n_in, self.n_out = fn, resolve_compile_mode(mode), n_in, n_out
        self._compiled = None
        # TensorFlow data parallelism: run each replica's share of the batch; JAX needs
        # nothing here (the sharded inputs carry it).
        self.strategy = parallel.strategy if parallel is not None and parallel.backend == "tensorflow" else None
        self.models = models
        if self.strategy is not None and self.mode == "eager":
            raise ValueError("Data-parallel training on TensorFlow needs a compiled step: "
                             "use compile mode 'graph' or 'auto'.")

    def __call__(self, *args):
        if self.mode == "eager":
            return self.fn(*args)
        if backend() == "jax":
            if self._compiled is None:
                import jax

                # The states a step replaces are donated: XLA updates them in place instead of
                # allocating a fresh copy of every weight and optimizer slot at each step.
                # (NetState keeps the Keras variables' buffers apart, so nothing else
                # holds a donated array.)
                self._compiled = jax.jit(self.fn, donate_argnums=tuple(range(self.n_out)))
            return self._compiled(*args)
        states, rest = args[:self.n_in], args[self.n_in:]
        if self._compiled is None:
            import tensorflow as tf

            def bound(*rest):
                return self.fn(*states, *rest)[self.n_out:]

            if self.strategy is not None:
                strategy, single = self.strategy, bound

                def replica(*rest):
                    with _SynchronizedBatchNorm(self.models):
                        return single(*[_replica_slice(x) for x in rest])

                def bound(*rest):
                    out = strategy.run(replica, args=rest)
                    return tf.nest.map_structure(
                        lambda v: strategy.reduce(tf.distribute.ReduceOp.MEAN, v, axis=None), out)

            self._compiled = tf.function(bound, jit_compile=(self.mode == "xla"),
                                         reduce_retracing=True)
        out = self._compiled(*rest)
        return (*states[:self.n_out], *out)


def mean_squared_error(y_true, y_pred):
    return ops.mean(ops.square(y_true - y_pred))


def binary_crossentropy(y_true, y_pred):
    return ops.mean(ops.binary_crossentropy(y_true, y_pred))


# --------------------------------------------------------------------------- state


class NetState:
    """One model and its optimizer as the step functions see them: a state of three groups
    (trainable, non-trainable, optimizer variables). On JAX the groups hold arrays that the
    steps replace; on TensorFlow they hold the Keras variables, which the steps update."""

    def __init__(self, model: keras.Model, optimizer: keras.optimizers.Optimizer):
        self.model, self.optimizer = model, optimizer
        if not optimizer.built:
            optimizer.build(model.trainable_variables)

    @property
    def variables(self):
        return (self.model.trainable_variables, self.model.non_trainable_variables,
                self.optimizer.variables)

    def read(self):
        if backend() == "jax":  # copies: the compiled steps donate (consume) their input state
            import jax.numpy as jnp

            return tuple([jnp.copy(v.value) for v in group] for group in self.variables)
        return tuple(list(group) for group in self.variables)

    def write(self, state) -> None:
        """Copy a state (arrays) into the Keras variables."""
        copy = None
        if backend() == "jax":
            import jax.numpy as jnp

            copy = jnp.copy
        for group, values in zip(self.variables, state):
            for variable, value in zip(group, values):
                if value is not variable:
                    variable.assign(value if copy is None else copy(value))


def _replicas() -> int:
    """Replicas training in sync (TensorFlow data parallelism; 1 otherwise)."""
    if backend() != "tensorflow":
        return 1
    import tensorflow as tf

    ctx = tf.distribute.get_replica_context()  # None in a strategy's cross-replica context
    return ctx.num_replicas_in_sync if ctx is not None else 1


def with_non_trainable(state, non_trainable):
    """The state with new non-trainable values (BatchNorm statistics, dropout seeds)."""
    if backend() == "jax":
        return (state[0], non_trainable, state[2])
    replicas = _replicas()
    for variable, value in zip(state[1], non_trainable):
        if replicas > 1 and variable.dtype.startswith("float"):
            import tensorflow as tf

            value = tf.distribute.get_replica_context().all_reduce(tf.distribute.ReduceOp.MEAN, value)
        variable.assign(value)
    return state


def apply_step(net: NetState, loss_fn, state, *args):
    """One optimizer update of ``net`` alone.

    ``loss_fn(trainable, non_trainable, *args) -> (loss, (new_non_trainable, logs))`` is
    differentiated with respect to ``net``'s trainable variables only: whatever else the
    loss reads (a frozen discriminator) gets no gradient and no update.
    """
    trainable, non_trainable, opt_vars = state
    if check_backend() == "jax":
        import jax

        (loss, (non_trainable, logs)), grads = jax.value_and_grad(
            lambda t: loss_fn(t, non_trainable, *args), has_aux=True)(trainable)
        trainable, opt_vars = net.optimizer.stateless_apply(opt_vars, grads, trainable)
        return (trainable, non_trainable, opt_vars), loss, logs
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss, (new_non_trainable, logs) = loss_fn(trainable, non_trainable, *args)
    grads = tape.gradient(loss, [v.value for v in trainable])
    replicas = _replicas()
    if replicas > 1:  # the optimizer sums the replicas' gradients: make it their mean
        grads = [g / replicas for g in grads]
    net.optimizer.apply(grads, trainable)
    return with_non_trainable(state, new_non_trainable), loss, logs


# --------------------------------------------------------------------------- batches


class BatchSampler:
    """Seeded batches of uint8 images, reshuffled each pass without copying the data.

    Iteration ``t`` always gets the same batch for the same seed, so a run resumed from a
    checkpoint sees exactly the data it would have seen.
    """

    def __init__(self, images: np.ndarray, batch_size: int, seed: int = 0):
        self.images = check_images(images, None, "training images")
        if batch_size < 1:
            raise ValueError(f"batch_size must be at least 1, got {batch_size}.")
        if len(self.images) < batch_size:
            raise ValueError(f"batch_size {batch_size} is larger than the {len(self.images)} "
                             f"training images; use a smaller batch or more images.")
        self.batch_size, self.seed = batch_size, seed
        self.per_pass = len(self.images) // batch_size  # the remainder of each pass is dropped
        self._pass, self._order = None, None

    def indices(self, iteration: int) -> np.ndarray:
        pass_index, position = divmod(iteration, self.per_pass)
        if pass_index != self._pass:
            rng = np.random.default_rng([self.seed, pass_index])
            self._pass, self._order = pass_index, rng.permutation(len(self.images))
        start = position * self.batch_size
        return self._order[start:start + self.batch_size]

    def batch(self, iteration: int) -> np.ndarray:
        return self.images[self.indices(iteration)]


# --------------------------------------------------------------------------- the trainers


META_KEY = "__meta__"


def validation_seed_of(meta: dict) -> int:
    """The seed of the validation split a checkpoint or published record was trained beside:
    its ``validation_seed`` where it has one (``--validation-seed``), else its ``seed``."""
    return int(meta.get("validation_seed", meta.get("seed", 0)))


def read_checkpoint(path: str | os.PathLike, arrays: bool = True) -> tuple[dict, dict]:
    """A checkpoint's (metadata, arrays by name); ``arrays=False`` reads the metadata only
    (iteration, seed, settings, history). Raises :class:`CheckpointError` if it is missing
    or damaged."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"No checkpoint at {str(path)!r}. Start without --resume, "
                              f"or point to the folder of an earlier run.")
    try:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f[META_KEY]))
            values = {k: f[k] for k in f.files if k != META_KEY} if arrays else {}
    except Exception as err:
        raise CheckpointError(
            f"The checkpoint {str(path)!r} is damaged ({type(err).__name__}: {err}). Delete "
            f"it to start over, or restore it from a copy.") from err
    return meta, values


def estimated_train_seconds(history: dict, batch_size: int) -> float:
    """Wall time of a run whose checkpoint predates ``train_seconds``, assuming it ran in
    one session from iteration 0: its last ``images_per_second`` averages over all of it."""
    logged = [(it, ips) for it, ips in zip(history.get("iteration", []),
                                           history.get("images_per_second", [])) if ips]
    return logged[-1][0] * batch_size / logged[-1][1] if logged else 0.0


class Trainer:
    """What both loops share: state, progress, logging, checkpoints, divergence checks."""

    kind = "model"
    batch_size = 32
    reconstruction_loss = "loss"   # the key checked for divergence
    filling_net = "model"          # the net that fills holes (the one weight averaging averages)

    def __init__(self, nets: dict[str, NetState], *, seed: int = 0, compile_mode: str = "auto",
                 hole: Hole = CENTER_HOLE):
        self.nets = nets
        self.seed = seed
        self.hole = hole
        self.compile_mode = resolve_compile_mode(compile_mode)
        self.state = {name: net.read() for name, net in nets.items()}
        self.iteration = 0
        self.history: dict[str, list] = {"iteration": []}
        self.config: dict = {}
        self.base_learning_rates: dict[str, float] = {}   # each net's rate before any drop
        self.train_seconds = 0.0   # wall time spent in fit, over every session of this run
        self.stop_requested = False   # set (e.g. by a signal handler) to end fit after this iteration
        self.average = None   # the averaged weights of the filling net (see set_averaging)
        self.validation_seed = None   # the seed of the run's validation split, when not ``seed``
        self.parallel = DataParallel.current
        if self.parallel is not None:
            self.parallel.check_batch(self.batch_size)

    # -- to be provided by each trainer
    def train_step(self, images_uint8: np.ndarray) -> dict:
        raise NotImplementedError

    def predict_patch_unit(self, images_uint8: np.ndarray) -> np.ndarray:
        raise NotImplementedError

    # -- state
    def sync(self) -> None:
        """Write the functional state back into the Keras models (after training, before saving)."""
        for name, net in self.nets.items():
            net.write(self.state[name])

    def models(self) -> dict[str, keras.Model]:
        self.sync()
        return {name: net.model for name, net in self.nets.items()}

    # -- learning rates
    def set_lr_drops(self, lr_drop_at) -> None:
        """Multiply every learning rate by :data:`LR_DROP_FACTOR` from each of these
        iterations on (a step schedule; the paper's recipe has none)."""
        drops = sorted(int(i) for i in (lr_drop_at or []))
        if any(i < 1 for i in drops) or len(set(drops)) != len(drops):
            raise ValueError(f"learning-rate drops must be distinct positive iterations, got {list(lr_drop_at)!r}.")
        if drops:
            self.config["lr_drop_at"] = drops
        else:
            self.config.pop("lr_drop_at", None)

    @property
    def lr_drop_at(self) -> list[int]:
        """The iterations of the learning-rate drops (kept in the config, which checkpoints save)."""
        return self.config.get("lr_drop_at", [])

    def learning_rate_scale(self) -> float:
        return LR_DROP_FACTOR ** sum(self.iteration >= drop for drop in self.lr_drop_at)

    def _apply_learning_rates(self) -> float:
        """Write each optimizer's rate for this iteration into its state, and return the scale
        applied. Taken from the trainer's settings, never from a checkpoint: Keras keeps the
        rate among the optimizer's variables, so a resumed run would otherwise train on at the
        rate it was saved with."""
        scale = self.learning_rate_scale()
        for name, net in self.nets.items():
            if name not in self.base_learning_rates:
                continue
            index = next(i for i, v in enumerate(net.optimizer.variables) if v.name == "learning_rate")
            value = self.base_learning_rates[name] * scale
            slot = self.state[name][2][index]
            if backend() == "jax":
                import jax

                self.state[name][2][index] = jax.device_put(np.asarray(value, slot.dtype), slot.sharding)
            else:
                slot.assign(value)
        return scale

    # -- weight averaging
    def set_averaging(self, decay: float | None) -> None:
        """Keep an exponential moving average of the filling net's weights (Polyak averaging;
        for GANs, Yazici et al. 2019), which validation scores and publishing ships instead of
        the last weights. Training itself is unchanged: the same run also logs the raw
        weights' validation error (``val_hole_mse_raw``). ``decay`` is per iteration, e.g.
        0.999 (an average over about the last 1,000 iterations); None switches it off."""
        if decay is not None and not (isinstance(decay, (int, float)) and 0.0 < decay < 1.0):
            raise ValueError(f"the averaging decay must be a number between 0 and 1 (e.g. 0.999), "
                             f"got {decay!r}.")
        if decay is None:
            self.config.pop("average_decay", None)
        else:
            self.config["average_decay"] = float(decay)
        self.average = None

    @property
    def average_decay(self) -> float | None:
        return self.config.get("average_decay")

    def _filling_values(self) -> list[list[np.ndarray]]:
        state = self.state[self.filling_net]
        return [[keras.ops.convert_to_numpy(v) for v in group] for group in state[:2]]

    def update_average(self) -> None:
        """Fold the current weights into the average (every :data:`AVERAGE_EVERY` iterations).
        Early on the decay is smaller, (1 + t) / (10 + t) at iteration t, as in TensorFlow's
        ExponentialMovingAverage, so the average soon forgets the random start."""
        values = self._filling_values()
        if self.average is None:
            self.average = [[v.copy() for v in group] for group in values]
            return
        decay = min(self.average_decay, (1 + self.iteration) / (10 + self.iteration)) ** AVERAGE_EVERY
        for averaged, current in zip(self.average, values):
            for i, value in enumerate(current):
                if np.issubdtype(value.dtype, np.floating):
                    averaged[i] *= decay   # in place (``value`` may share the weights' memory)
                    averaged[i] += (1.0 - decay) * value
                else:   # counters and seeds are not averaged
                    averaged[i] = value.copy()

    @contextlib.contextmanager
    def averaged_weights(self):
        """Within this block the filling net holds the averaged weights (if any), e.g. to
        validate or predict with them; the raw weights come back after it."""
        if self.average is None:
            yield
            return
        name, net = self.filling_net, self.nets[self.filling_net]
        raw = self.state[name]
        if backend() == "jax":
            import jax

            self.state[name] = tuple([jax.device_put(a, v.sharding) for a, v in zip(avg, group)]
                                     for avg, group in zip(self.average, raw[:2])) + (raw[2],)
            try:
                yield
            finally:
                self.state[name] = raw
        else:   # the state is the Keras variables themselves
            saved = self._filling_values()
            net.write(self.average)
            try:
                yield
            finally:
                net.write(saved)

    def adopt_average(self) -> "Trainer":
        """Replace the filling net's weights by their average for good (to evaluate or publish
        a run that averaged; its training cannot go on from here)."""
        if self.average is not None:
            name = self.filling_net
            self.nets[name].write(self.average)
            self.state[name] = self.nets[name].read()
            self.average = None
        return self

    # -- checkpoints
    def _config_check(self) -> dict:
        return {"kind": self.kind, **self.config}

    def save_checkpoint(self, path: str | os.PathLike) -> Path:
        """Everything needed to resume, in one ``.npz``, written atomically."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        arrays = {}
        for name, state in self.state.items():
            for g, group in enumerate(state):
                for i, value in enumerate(group):
                    arrays[f"{name}/{g}/{i}"] = keras.ops.convert_to_numpy(value)
        for g, group in enumerate(self.average or []):
            for i, value in enumerate(group):
                arrays[f"average/{self.filling_net}/{g}/{i}"] = value
        meta = {"format": 1, "iteration": self.iteration, **self.seeds(),
                "config": self._config_check(), "history": self.history,
                "train_seconds": round(self.train_seconds, 1),
                "backend": backend(), "saved": time.strftime("%Y-%m-%d %H:%M:%S")}
        fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp.npz")
        try:
            with os.fdopen(fd, "wb") as f:
                np.savez(f, **{META_KEY: np.str_(json.dumps(meta))}, **arrays)
            os.replace(tmp, path)
        finally:
            if os.path.exists(tmp):
                os.remove(tmp)
        return path

    def seeds(self) -> dict:
        """The seeds a checkpoint records: ``seed``, and ``validation_seed`` where the
        validation split had another one."""
        if self.validation_seed in (None, self.seed):
            return {"seed": self.seed}
        return {"seed": self.seed, "validation_seed": self.validation_seed}

    def load_checkpoint(self, path: str | os.PathLike) -> "Trainer":
        path = Path(path)
        meta, arrays = read_checkpoint(path)
        return self.load_state(meta, arrays, str(path))

    def load_state(self, meta: dict, arrays: dict, where: str, weights_only: bool = False) -> "Trainer":
        """Restore a checkpoint's (metadata, arrays). With ``weights_only`` the arrays hold
        the models' variables but no optimizer state (published weights): the optimizers
        start afresh, everything else (iteration, seed, history) is restored."""
        saved = meta.get("config", {})
        expected = self._config_check()
        for key in ("kind", "batch_size", "l2_weight", "adversarial_weight", "flip", "dropout",
                    "weight_decay", "shift", "average_decay", "loss", "center_fraction", "widths"):
            was, now = saved_setting(saved, key), saved_setting(expected, key)
            if (key in expected or key in saved) and was != now:
                raise CheckpointError(
                    f"The checkpoint {where!r} was made with {key}={was!r}, this "
                    f"run has {key}={now!r}. Resume with the same settings, or start "
                    f"a new run in another folder.")
        new_state = {}
        for name, state in self.state.items():
            groups = []
            for g, group in enumerate(state):
                values = []
                for i, current in enumerate(group):
                    key = f"{name}/{g}/{i}"
                    if weights_only and g == 2:
                        values.append(keras.ops.convert_to_numpy(current))
                        continue
                    if key not in arrays or tuple(arrays[key].shape) != tuple(current.shape):
                        raise CheckpointError(
                            f"The checkpoint {where!r} does not fit this {self.kind}: "
                            f"variable {key} is missing or has another shape. It was saved by "
                            f"another architecture.")
                    values.append(np.asarray(arrays[key]).astype(keras.ops.convert_to_numpy(current).dtype))
                groups.append(values)
            new_state[name] = tuple(groups)
        for name, net in self.nets.items():
            net.write(new_state[name])
            self.state[name] = net.read()
        self.average = None
        prefix = f"average/{self.filling_net}/"
        if self.average_decay is not None and any(k.startswith(prefix) for k in arrays):
            self.average = [[np.asarray(arrays[f"{prefix}{g}/{i}"]).astype(v.dtype)
                             for i, v in enumerate(group)]
                            for g, group in enumerate(self._filling_values())]
        if not self.lr_drop_at and saved.get("lr_drop_at"):
            self.set_lr_drops(saved["lr_drop_at"])  # the run's schedule carries on unless replaced
        self.iteration = int(meta["iteration"])
        self.seed = int(meta.get("seed", self.seed))
        self.validation_seed = meta.get("validation_seed")
        self.history = meta.get("history", {"iteration": []})
        self.train_seconds = float(meta.get("train_seconds") or estimated_train_seconds(self.history, self.batch_size))
        return self

    def weight_arrays(self) -> dict[str, np.ndarray]:
        """The models' variables (trainable and non-trainable, no optimizer state) as
        checkpoint-style ``name/group/index`` arrays: what published weights hold (the
        filling net's averaged weights, where the run averaged)."""
        with self.averaged_weights():
            return {f"{name}/{g}/{i}": keras.ops.convert_to_numpy(value)
                    for name, state in self.state.items()
                    for g, group in enumerate(state[:2]) for i, value in enumerate(group)}

    # -- the loop
    def fit(self, images_uint8, iterations: int, *, checkpoint_dir=None, checkpoint_every: int = 1000,
            resume: bool = False, log_every: int = 50, validation=None, validate_every: int = 1000,
            progress: bool = True, callback=None, divergence_factor: float = 10.0,
            max_seconds: float | None = None) -> dict:
        """Train until ``iterations`` in total (a resumed run continues its count).

        ``stop_requested`` (set from a signal handler or a callback) ends the run the same way.
        ``max_seconds``: stop early once this much wall time has passed in this call (a
        lesson, a Colab session), logging, validating and checkpointing the last iteration
        as at the end, so that ``resume=True`` continues from exactly there.

        ``validation``: uint8 images to score (hole MSE on [0, 1]) every ``validate_every``
        iterations; the best state so far is saved as ``best.npz`` in ``checkpoint_dir``.
        ``callback(trainer, logs)`` is called at each log point (live plots use it).
        Returns the history: lists of logged values keyed by name.
        """
        from tqdm.auto import tqdm

        if not isinstance(iterations, (int, np.integer)) or iterations < 0:
            raise ValueError(f"iterations must be a non-negative integer, got {iterations!r}.")
        if max_seconds is not None and not max_seconds > 0:
            raise ValueError(f"max_seconds must be positive (or None for no limit), got {max_seconds!r}.")
        checkpoint = Path(checkpoint_dir) / "checkpoint.npz" if checkpoint_dir else None
        if resume:
            if checkpoint is None:
                raise ValueError("resume=True needs checkpoint_dir, the folder of the run to resume.")
            if checkpoint.exists():
                self.load_checkpoint(checkpoint)
        sampler = BatchSampler(images_uint8, self.batch_size, self.seed)
        if validation is not None:
            validation = check_images(validation, None, "validation images")
        best = min([v for v in self.history.get("val_hole_mse", []) if v is not None] or [math.inf])
        pending: list[dict] = []
        first_loss = None
        bar = tqdm(total=iterations, initial=min(self.iteration, iterations), disable=not progress,
                   desc=f"training {self.kind}", unit="it", mininterval=0.5, dynamic_ncols=True)
        start, start_iteration = time.perf_counter(), self.iteration
        seconds_before = self.train_seconds
        scale = self._apply_learning_rates()
        try:
            while self.iteration < iterations:
                if self.learning_rate_scale() != scale:
                    scale = self._apply_learning_rates()
                pending.append(self.train_step(sampler.batch(self.iteration)))
                self.iteration += 1
                if self.average_decay is not None and self.iteration % AVERAGE_EVERY == 0:
                    self.update_average()
                bar.update(1)
                done = self.iteration == iterations or self.stop_requested or (
                    max_seconds is not None and time.perf_counter() - start >= max_seconds)
                validating = validation is not None and (self.iteration % validate_every == 0 or done)
                if self.iteration % log_every == 0 or done or validating:
                    logs = {k: float(np.mean([float(p[k]) for p in pending])) for k in pending[0]}
                    pending = []
                    elapsed = time.perf_counter() - start
                    logs["images_per_second"] = (self.iteration - start_iteration) * self.batch_size / max(elapsed, 1e-9)
                    first_loss = self._check_divergence(logs, first_loss, divergence_factor, checkpoint)
                    if validating:
                        if self.average is not None:
                            logs["val_hole_mse_raw"] = self.validate(validation)
                        with self.averaged_weights():
                            logs["val_hole_mse"] = self.validate(validation)
                    self._record(logs)
                    if validating and checkpoint is not None and logs["val_hole_mse"] < best:
                        best = logs["val_hole_mse"]
                        self.save_checkpoint(checkpoint.parent / "best.npz")
                    shown = {k: v[-1] for k, v in self.history.items() if k != "iteration" and v}
                    bar.set_postfix({k.replace("_per_second", "/s"): f"{v:.4g}" for k, v in shown.items()}, refresh=False)
                    if callback is not None:
                        callback(self, shown)
                self.train_seconds = seconds_before + time.perf_counter() - start
                if checkpoint is not None and (self.iteration % checkpoint_every == 0 or done):
                    self.save_checkpoint(checkpoint)
                if done:
                    break
        finally:
            bar.close()
            self.sync()
            self.stop_requested = False
        return self.history

    def _record(self, logs: dict) -> None:
        self.history["iteration"].append(self.iteration)
        for key, value in logs.items():
            self.history.setdefault(key, [])
            # keep the lists aligned with "iteration" (validation is logged less often)
            self.history[key] += [None] * (len(self.history["iteration"]) - 1 - len(self.history[key]))
            self.history[key].append(value)

    def _check_divergence(self, logs, first_loss, factor, checkpoint):
        bad = [k for k, v in logs.items() if not math.isfinite(v)]
        loss = logs.get(self.reconstruction_loss)
        where = (f" The last good checkpoint is {checkpoint}; resume from it with a lower "
                 f"learning rate." if checkpoint is not None and checkpoint.exists() else
                 " Try a lower learning rate.")
        if bad:
            raise TrainingDivergedError(
                f"Training diverged at iteration {self.iteration}: {', '.join(bad)} became NaN or "
                f"infinite.{where}")
        if first_loss is None:
            return loss
        if loss is not None and loss > factor * first_loss:
            raise TrainingDivergedError(
                f"Training diverged at iteration {self.iteration}: {self.reconstruction_loss} is "
                f"{loss:.4g}, more than {factor:g} times its first value {first_loss:.4g}.{where}")
        return first_loss

    def validate(self, images_uint8: np.ndarray, batch_size: int = 500) -> float:
        """Hole MSE on the unit scale, the metric every model in the course is compared on."""
        errors = []
        for i in range(0, len(images_uint8), batch_size):
            batch = images_uint8[i:i + batch_size]
            _, patch = make_pairs(batch, "unit", self.hole)
            pred = self.predict_patch_unit(batch)
            errors.append(np.sum((pred - patch) ** 2))
        return float(np.sum(errors) / (len(images_uint8) * self.hole.height * self.hole.width * 3))


# A named variant beside the paper's autoencoder: the same layers plus the usual remedies
# for the overfitting its long budget shows (validation error flat while the training loss
# keeps falling): mirrored and shifted training images, decoupled weight decay (AdamW,
# Keras's default rate) and dropout 0.2 (less than the paper recipe's 0.6, as the other
# remedies regularize too; chosen on validation error against 0.3, 0.4, 0.5 and 0.6), then a tenfold
# learning-rate drop for the last 6,000 of the paper's 50,000 iterations (README "Measured
# here" has the runs: a drop at 34,000, trained to 45,000, reached the same validation error).
# Flips and weight decay alone (the variant's first version) reached test hole MSE 0.0235.
AUTOENCODER_VARIANTS = {
    "paper": dict(flip=False, dropout=AUTOENCODER_DROPOUT, weight_decay=0.0),
    "regularized": dict(flip=True, shift=2, dropout=0.2, weight_decay=0.004, lr_drop_at=(44_000,)),
}

# What an autoencoder record that does not name a setting was trained with: records wrote
# these only when they differed from the paper recipe, whose dropout rate was then 0.2.
LEGACY_AUTOENCODER_SETTINGS = {"flip": False, "dropout": 0.2, "weight_decay": 0.0, "shift": 0}
# GAN records older than its dropout option were all trained with 0.2.
LEGACY_GAN_SETTINGS = {"dropout": 0.2}
# Partial-convolution records older than the loss option were all trained on the L1 terms,
# and those older than the flip, shift and widths options without flips or shifts at the
# default widths.
LEGACY_PCONV_SETTINGS = {"loss": "l1", "flip": False, "shift": 0, "widths": [32, 64, 128, 128]}
LEGACY_SETTINGS = {"autoencoder": LEGACY_AUTOENCODER_SETTINGS, "gan": LEGACY_GAN_SETTINGS,
                   "pconv": LEGACY_PCONV_SETTINGS}


def saved_setting(config: dict, key: str):
    """A setting of a saved config, reading older records (which left some out) as they were meant."""
    legacy = LEGACY_SETTINGS.get(config.get("kind"), {})
    if key in legacy:
        return config.get(key, legacy[key])
    return config.get(key)


def mirror_half(images: np.ndarray, seed: int, iteration: int) -> np.ndarray:
    """Each image flipped left-right with probability 1/2, the same choice for the same
    (seed, iteration), so a resumed run sees the data it would have seen. The centre hole
    stays where it is."""
    flip = np.random.default_rng([seed, iteration, 7]).random(len(images)) < 0.5
    out = images.copy()
    out[flip] = out[flip, :, ::-1]
    return out


def shift_images(images: np.ndarray, seed: int, iteration: int, max_shift: int) -> np.ndarray:
    """Each image moved by up to ``max_shift`` pixels along each axis, its edges mirrored in,
    the same moves for the same (seed, iteration). The hole stays in the centre, so the model
    sees new contexts and new patches to paint: the translations of the usual CIFAR-10 recipe."""
    if max_shift == 0:
        return images
    n, h, w = images.shape[:3]
    rng = np.random.default_rng([seed, iteration, 11])
    dy, dx = rng.integers(-max_shift, max_shift + 1, (2, n))
    padded = np.pad(images, ((0, 0), (max_shift, max_shift), (max_shift, max_shift), (0, 0)), mode="reflect")
    rows = np.arange(h)[None, :] + max_shift + dy[:, None]
    cols = np.arange(w)[None, :] + max_shift + dx[:, None]
    return padded[np.arange(n)[:, None, None], rows[:, :, None], cols[:, None, :]]


def check_shift(shift) -> int:
    """``shift`` if it is a whole number of pixels from 0 to 7, else a ValueError that says so."""
    if not (isinstance(shift, (int, np.integer)) and 0 <= shift < 8):
        raise ValueError(f"shift must be a whole number of pixels from 0 to 7, got {shift!r}.")
    return int(shift)


def augment(images: np.ndarray, seed: int, iteration: int, flip: bool, shift: int) -> np.ndarray:
    """The training images of (seed, iteration) mirrored (``flip``) and moved (``shift``)
    as :func:`mirror_half` and :func:`shift_images` do; unchanged when both are off."""
    if flip:
        images = mirror_half(images, seed, iteration)
    return shift_images(images, seed, iteration, shift)


class AutoencoderTrainer(Trainer):
    """The paper's autoencoder: MSE on the patch, Adam, batch 64, values on [0, 1].

    ``flip``, ``shift``, ``dropout`` and ``weight_decay`` are for named variants
    (:data:`AUTOENCODER_VARIANTS`); their defaults are the paper's.
    """

    kind = "autoencoder"
    reconstruction_loss = "loss"
    filling_net = "autoencoder"

    def __init__(self, model: keras.Model | None = None, *, learning_rate: float = 1e-3,
                 batch_size: int = 64, seed: int = 0, compile_mode: str = "auto",
                 hole: Hole = CENTER_HOLE, flip: bool = False, dropout: float = AUTOENCODER_DROPOUT,
                 weight_decay: float = 0.0, shift: int = 0, lr_drop_at=(), average_decay=None):
        from .models import build_autoencoder

        check_backend()
        shift = check_shift(shift)
        if model is None:
            keras.utils.set_random_seed(seed)
            model = build_autoencoder(dropout=dropout)
        self.batch_size = batch_size
        optimizer = (keras.optimizers.AdamW(learning_rate, weight_decay=weight_decay) if weight_decay
                     else keras.optimizers.Adam(learning_rate))
        net = NetState(model, optimizer)
        super().__init__({"autoencoder": net}, seed=seed, compile_mode=compile_mode, hole=hole)
        self.flip, self.shift = flip, shift
        self.config = {"batch_size": batch_size, "learning_rate": learning_rate, "flip": flip,
                       "shift": self.shift, "dropout": dropout, "weight_decay": weight_decay}
        self.base_learning_rates = {"autoencoder": learning_rate}
        self.set_lr_drops(lr_drop_at)
        self.set_averaging(average_decay)

        def loss_fn(trainable, non_trainable, holed, patch):
            pred, non_trainable = model.stateless_call(trainable, non_trainable, holed, training=True)
            loss = mean_squared_error(patch, pred)
            return loss, (non_trainable, {"loss": loss})

        def step(state, holed, patch):
            state, _, logs = apply_step(net, loss_fn, state, holed, patch)
            return state, logs

        def predict(state, holed):
            pred, _ = model.stateless_call(state[0], state[1], holed, training=False)
            return (pred,)

        self._step = compile_step(step, self.compile_mode, parallel=self.parallel, models=[model])
        self._predict = compile_step(predict, self.compile_mode, n_out=0)

    def train_step(self, images_uint8):
        images_uint8 = augment(images_uint8, self.seed, self.iteration, self.flip, self.shift)
        holed, patch = make_pairs(images_uint8, "unit", self.hole)
        if self.parallel is not None:
            holed, patch = self.parallel.shard(holed, patch)
        self.state["autoencoder"], logs = self._step(self.state["autoencoder"], holed, patch)
        return logs

    def predict_patch_unit(self, images_uint8):
        holed, _ = make_pairs(images_uint8, "unit", self.hole)
        if self.parallel is not None:
            (holed,) = self.parallel.replicate(holed)
        (pred,) = self._predict(self.state["autoencoder"], holed)
        return np.clip(keras.ops.convert_to_numpy(pred), 0, 1)


class GANTrainer(Trainer):
    """The paper's context-encoder GAN schedule, for every batch:

    1. D on the real patches, labelled real (1);
    2. G fills the holes; D on those generated patches, labelled fake (0), a separate batch;
    3. the combined network: G followed by the frozen D, with loss
       ``l2_weight * MSE(G(x), patch) + adversarial_weight * BCE(D(G(x)), real)``.

    Only D's variables change in steps 1-2 and only G's in step 3. D judges G's patches in
    step 3 exactly as it judged them in step 2, in training mode (batch statistics of the
    generated batch, as in Keras 2 and in Pathak et al.'s code), but the statistics it
    computes there are thrown away: nothing of D changes. (Running the frozen D in inference
    mode instead, as ``trainable=False`` does in Keras 3, judges generated patches with the
    moving statistics of real and fake batches mixed, and its verdict stays near 0.5: a
    useless adversarial signal.) G always runs in training mode, as in DCGAN. ``fused=True`` compiles the three steps as one function (same algorithm, fewer
    calls); the default keeps them as separate calls, the way the paper describes them.
    """

    kind = "gan"
    reconstruction_loss = "g_l2"
    filling_net = "generator"

    def __init__(self, generator: keras.Model | None = None, discriminator: keras.Model | None = None,
                 *, g_learning_rate: float = 2e-3, d_learning_rate: float = 2e-4,
                 beta_1: float = GAN_BETA_1, l2_weight: float = 0.999,
                 adversarial_weight: float = 0.001, batch_size: int = 32, seed: int = 0,
                 compile_mode: str = "auto", fused: bool = False, hole: Hole = CENTER_HOLE,
                 dropout: float = DROPOUT, lr_drop_at=(), average_decay=None):
        from .models import build_discriminator, build_generator

        check_backend()
        keras.utils.set_random_seed(seed)
        generator = generator or build_generator(dropout=dropout)
        discriminator = discriminator or build_discriminator(dropout=dropout)
        self.batch_size = batch_size
        g_net = NetState(generator, keras.optimizers.Adam(g_learning_rate, beta_1=beta_1))
        d_net = NetState(discriminator, keras.optimizers.Adam(d_learning_rate, beta_1=beta_1))
        super().__init__({"generator": g_net, "discriminator": d_net}, seed=seed,
                         compile_mode=compile_mode, hole=hole)
        self.fused = fused
        self.config = {"batch_size": batch_size, "g_learning_rate": g_learning_rate,
                       "d_learning_rate": d_learning_rate, "beta_1": beta_1,
                       "l2_weight": l2_weight, "adversarial_weight": adversarial_weight,
                       "dropout": dropout}
        self.base_learning_rates = {"generator": g_learning_rate, "discriminator": d_learning_rate}
        self.set_lr_drops(lr_drop_at)
        self.set_averaging(average_decay)

        def d_loss(trainable, non_trainable, patches, label):
            prob, non_trainable = discriminator.stateless_call(trainable, non_trainable, patches, training=True)
            loss = binary_crossentropy(ops.full_like(prob, label), prob)
            return loss, (non_trainable, {"prob": ops.mean(prob)})

        def d_step(d_state, patches, label):
            """Steps 1 and 2: one Adam update of D alone on one batch with one label."""
            d_state, loss, logs = apply_step(d_net, d_loss, d_state, patches, label)
            return d_state, loss, logs["prob"]

        def generate(g_state, holed):
            fake, non_trainable = generator.stateless_call(g_state[0], g_state[1], holed, training=True)
            return with_non_trainable(g_state, non_trainable), ops.stop_gradient(fake)

        def g_loss(trainable, non_trainable, d_state, holed, patches):
            fake, non_trainable = generator.stateless_call(trainable, non_trainable, holed, training=True)
            # D judges in training mode (batch statistics, as in its own steps and in Pathak
            # et al.); its updated statistics are discarded, so D stays exactly as it was.
            prob, _ = discriminator.stateless_call(d_state[0], d_state[1], fake, training=True)
            l2 = mean_squared_error(patches, fake)
            adversarial = binary_crossentropy(ops.ones_like(prob), prob)
            loss = l2_weight * l2 + adversarial_weight * adversarial
            return loss, (non_trainable, {"g_l2": l2, "g_adversarial": adversarial})

        def g_step(g_state, d_state, holed, patches):
            """Step 3: the combined network; D's state is read, never written."""
            g_state, loss, logs = apply_step(g_net, g_loss, g_state, d_state, holed, patches)
            return g_state, {"g_loss": loss, **logs}

        def full_step(g_state, d_state, holed, patches):
            d_state, d_real, p_real = d_step(d_state, patches, 1.0)
            g_state, fake = generate(g_state, holed)
            d_state, d_fake, p_fake = d_step(d_state, fake, 0.0)
            g_state, g_logs = g_step(g_state, d_state, holed, patches)
            return g_state, d_state, {"d_loss_real": d_real, "d_loss_fake": d_fake,
                                      "d_real_prob": p_real, "d_fake_prob": p_fake, **g_logs}

        def predict(g_state, holed):
            fake, _ = generator.stateless_call(g_state[0], g_state[1], holed, training=False)
            return (fake,)

        mode = self.compile_mode
        # The schedule's pure steps, uncompiled, for teaching and tests (notebook 4 runs them).
        self.step_functions = dict(d_step=d_step, generate=generate, g_step=g_step)
        if fused:
            self._fused = compile_step(full_step, mode, n_in=2, n_out=2, parallel=self.parallel,
                                       models=[generator, discriminator])
        elif self.parallel is not None:
            raise ValueError("Data-parallel GAN training runs the fused step: pass fused=True.")
        else:
            self._d_step = compile_step(d_step, mode)
            self._generate = compile_step(generate, mode)
            self._g_step = compile_step(g_step, mode, n_in=2, n_out=1)
        self._predict = compile_step(predict, mode, n_out=0)

    def train_step(self, images_uint8):
        holed, patches = make_pairs(images_uint8, "signed", self.hole)
        g_state, d_state = self.state["generator"], self.state["discriminator"]
        if self.fused:
            if self.parallel is not None:
                holed, patches = self.parallel.shard(holed, patches)
            g_state, d_state, logs = self._fused(g_state, d_state, holed, patches)
        else:
            real = np.float32(1.0)
            fake_label = np.float32(0.0)
            d_state, d_real, p_real = self._d_step(d_state, patches, real)           # 1. D on real
            g_state, fake = self._generate(g_state, holed)                             # 2. G fills,
            d_state, d_fake, p_fake = self._d_step(d_state, fake, fake_label)          #    D on fake
            g_state, g_logs = self._g_step(g_state, d_state, holed, patches)           # 3. combined
            logs = {"d_loss_real": d_real, "d_loss_fake": d_fake,
                    "d_real_prob": p_real, "d_fake_prob": p_fake, **g_logs}
        self.state["generator"], self.state["discriminator"] = g_state, d_state
        return logs

    def predict_patch_unit(self, images_uint8):
        holed, _ = make_pairs(images_uint8, "signed", self.hole)
        if self.parallel is not None:
            (holed,) = self.parallel.replicate(holed)
        (fake,) = self._predict(self.state["generator"], holed)
        fake = keras.ops.convert_to_numpy(fake)
        return np.clip(convert_scale(fake, "signed", "unit"), 0, 1)


class PConvTrainer(Trainer):
    """Beyond the paper: the partial-convolution U-Net (:mod:`helpers.pconv`) on random
    free-form holes, Adam, values on [0, 1].

    Each batch gets its own holes: with probability ``center_fraction`` the paper's centre
    square, otherwise a free-form mask from a bank of ``mask_bank`` seeded masks
    (:func:`helpers.masks.random_masks`, coverage ``coverage``), turned or mirrored at
    random (8 ways), so drawing masks never slows training. Iteration ``t`` always gets the
    same masks for the same seed, so a resumed run sees what it would have seen.
    Validation (``validate``) scores the paper's centre hole, like every model here.
    ``flip`` and ``shift`` mirror and move the training images as the regularized
    autoencoder's do (off by default, as in the U-Net's first published runs).
    ``widths``: the U-Net's channels per level (:func:`helpers.pconv.build_pconv_unet`).

    The default learning rate, 1e-3, was measured against Liu et al.'s 2e-4 side by side
    (same seed, data and masks; JPEG export, 5,000 validation images, centre hole, [0,1]):
    validation hole MSE 0.0292 vs 0.0300 at 1,000 iterations, 0.0245 vs 0.0254 at 15,000.
    """

    kind = "pconv"
    reconstruction_loss = "loss"
    filling_net = "pconv"

    def __init__(self, model: keras.Model | None = None, *, learning_rate: float = 1e-3,
                 batch_size: int = 64, seed: int = 0, compile_mode: str = "auto",
                 coverage: tuple[float, float] = (0.1, 0.4), center_fraction: float = 0.25,
                 mask_bank: int = 4000, loss: str = "l2", flip: bool = False, shift: int = 0,
                 widths=None, lr_drop_at=(), average_decay=None):
        from .masks import random_masks
        from .pconv import PCONV_WIDTHS, build_pconv_unet, check_pconv_loss, check_widths, pconv_loss, unet_widths

        check_pconv_loss(loss)
        shift = check_shift(shift)
        check_backend()
        if model is None:
            keras.utils.set_random_seed(seed)
            model = build_pconv_unet(PCONV_WIDTHS if widths is None else widths)
        elif widths is not None and check_widths(widths) != unet_widths(model):
            raise ValueError(f"widths={tuple(widths)} but the model given has {unet_widths(model)}; "
                             f"give one or the other")
        widths = unet_widths(model)
        self.batch_size = batch_size
        net = NetState(model, keras.optimizers.Adam(learning_rate))
        super().__init__({"pconv": net}, seed=seed, compile_mode=compile_mode)
        self.center_fraction = center_fraction
        self.flip, self.shift = bool(flip), shift
        self.bank = random_masks(mask_bank, tuple(coverage), seed=seed)
        self.config = {"batch_size": batch_size, "learning_rate": learning_rate,
                       "coverage": list(coverage), "center_fraction": center_fraction,
                       "mask_bank": mask_bank, "loss": loss, "flip": self.flip, "shift": self.shift,
                       "widths": list(widths)}
        self.base_learning_rates = {"pconv": learning_rate}
        self.set_lr_drops(lr_drop_at)
        self.set_averaging(average_decay)

        def loss_fn(trainable, non_trainable, image, known):
            pred, non_trainable = model.stateless_call(trainable, non_trainable, [image * known, known],
                                                       training=True)
            value = pconv_loss(pred, image, known, loss)
            return value, (non_trainable, {"loss": value})

        def step(state, image, known):
            state, _, logs = apply_step(net, loss_fn, state, image, known)
            return state, logs

        def predict(state, image, known):
            pred, _ = model.stateless_call(state[0], state[1], [image * known, known], training=False)
            return (pred,)

        self._step = compile_step(step, self.compile_mode, parallel=self.parallel, models=[model])
        self._predict = compile_step(predict, self.compile_mode, n_out=0)

    def masks_for(self, iteration: int, n: int) -> np.ndarray:
        """The holes (True = missing) of iteration ``iteration``'s ``n`` images."""
        from .masks import hole_mask

        rng = np.random.default_rng([self.seed, iteration, 13])
        masks = self.bank[rng.integers(0, len(self.bank), n)]
        turns, mirror = rng.integers(0, 4, n), rng.random(n) < 0.5
        masks = np.stack([np.rot90(m[:, ::-1] if f else m, k) for m, k, f in zip(masks, turns, mirror)])
        center = rng.random(n) < self.center_fraction
        masks[center] = hole_mask(self.hole, masks.shape[1])
        return masks

    def train_step(self, images_uint8):
        images_uint8 = augment(images_uint8, self.seed, self.iteration, self.flip, self.shift)
        image = images_uint8.astype(np.float32) / 255.0
        known = (~self.masks_for(self.iteration, len(image)))[..., None].astype(np.float32)
        if self.parallel is not None:
            image, known = self.parallel.shard(image, known)
        self.state["pconv"], logs = self._step(self.state["pconv"], image, known)
        return logs

    def predict_images_unit(self, images_uint8: np.ndarray, missing: np.ndarray) -> np.ndarray:
        """Whole predicted images on [0, 1] (known pixels not yet pasted back)."""
        image = np.asarray(images_uint8, np.float32) / 255.0 if images_uint8.dtype == np.uint8 else images_uint8
        known = (~np.asarray(missing))[..., None].astype(np.float32)
        (pred,) = self._predict(self.state["pconv"], image.astype(np.float32), known)
        return np.clip(keras.ops.convert_to_numpy(pred), 0, 1)

    def predict_patch_unit(self, images_uint8):
        from .masks import hole_mask

        missing = np.broadcast_to(hole_mask(self.hole, images_uint8.shape[1]), images_uint8.shape[:3])
        return self.predict_images_unit(images_uint8, missing)[:, self.hole.rows, self.hole.cols, :]
