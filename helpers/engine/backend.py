"""The Keras backend under the training steps: TensorFlow or JAX, CPU or GPU.

Why not the Keras 2 recipe for a GAN (compile D, set ``D.trainable = False``, compile G+D, call
``train_on_batch`` on each)? In Keras 3 it leaves D untrained: D's own ``train_on_batch`` then
changes none of D's weights, on TensorFlow (which warns once that the model has no trainable
weights) and on JAX (which says nothing); setting ``D.trainable = True`` again afterwards does not
repair it (TensorFlow still changes nothing, JAX raises an optimizer error). Checked with Keras
3.15 (tests/test_trainers.py). Instead every step
of the course is a *pure function* of explicit states (Keras's ``stateless_call`` and
``stateless_apply``): :func:`helpers.steps.update` differentiates a loss with respect to one network's weights
only, so a network the loss merely reads (a frozen discriminator) is frozen by construction, not
by a flag. The same step functions run on both backends; only "take the gradient"
and "compile" (:class:`compile_step`) differ: the first is in :func:`helpers.steps.update`, on
the student's path, and the second is here.
"""

from __future__ import annotations

import os

import keras
import numpy as np
from keras import ops

COMPILE_MODES = ("auto", "eager", "graph", "xla")
COMPILE_ENV = "INPAINTING_COMPILE"   # what "auto" means, where set (the test suite's notebooks: eager)


def backend() -> str:
    """The active Keras backend ("tensorflow" or "jax"; another name if Keras was set so)."""
    return keras.backend.backend()


def check_backend() -> str:
    """The backend, or a clear error if the training steps cannot run on it."""
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
    return []


def resolve_compile_mode(mode: str = "auto") -> str:
    """"auto" picks per backend: JAX always compiles with XLA; TensorFlow uses graph mode
    without XLA, which trained both models faster than XLA on a CPU (docs/benchmark.md, from
    ``python -m helpers.cli.bench``). Where ``$INPAINTING_COMPILE`` names a mode, "auto" means
    that one: the test suite runs the notebooks' few-iteration runs eagerly, since compiling
    takes longer than they do."""
    if mode not in COMPILE_MODES:
        raise ValueError(f"compile mode must be one of {COMPILE_MODES}, got {mode!r}.")
    if mode == "auto":
        mode = os.environ.get(COMPILE_ENV, "").strip() or ("xla" if check_backend() == "jax" else "graph")
        if mode not in COMPILE_MODES[1:]:
            raise ValueError(f"${COMPILE_ENV} must be one of {COMPILE_MODES[1:]}, got {mode!r}: "
                             f"change it or unset it.")
    if mode == "graph" and check_backend() == "jax":
        return "xla"  # JAX has no graph mode without XLA
    return mode


# --------------------------------------------------------------------------- a network's state


class Net:
    """One model and its optimizer as the step functions see them: a *state* of three groups
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


def mean_over_replicas(grads):
    """TensorFlow's data-parallel training sums the replicas' gradients: their mean instead
    (unchanged with one replica, and on JAX)."""
    replicas = _replicas()
    return grads if replicas == 1 else [g / replicas for g in grads]


def gradient_norm(loss_fn, state, *args):
    """The global L2 norm of ``loss_fn(trainable, non_trainable, *args)``'s gradient with
    respect to the trainable variables of ``state`` (nothing is updated)."""
    trainable, non_trainable, _ = state
    if check_backend() == "jax":
        import jax

        grads = jax.grad(lambda t: loss_fn(t, non_trainable, *args))(trainable)
    else:
        import tensorflow as tf

        with tf.GradientTape() as tape:
            loss = loss_fn(trainable, non_trainable, *args)
        grads = tape.gradient(loss, [v.value for v in trainable])
    return ops.sqrt(sum(ops.sum(ops.square(g)) for g in grads if g is not None))


def to_numpy(value) -> np.ndarray:
    """A backend tensor (or a NumPy array) as a NumPy array."""
    return keras.ops.convert_to_numpy(value)


# --------------------------------------------------------------------------- compiling a step


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
    ``parallel``: a :class:`~helpers.engine.parallel.DataParallel` the step runs under.
    """

    def __init__(self, fn, mode: str = "auto", n_in: int = 1, n_out: int = 1, parallel=None, models=()):
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
                # allocating a fresh copy of every weight and optimizer slot at each step
                # (Net.read copies the Keras variables' buffers, so nothing else holds them).
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
