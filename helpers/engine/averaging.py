"""Weight averaging (beyond the paper): an exponential moving average of the weights of the
net that fills holes, kept beside training without changing it (Polyak averaging; for GANs,
Yazici et al. 2019). A trainer that mixes in :class:`WeightAveraging` validates, saves and
publishes the average, and logs the raw weights' validation error beside it."""

from __future__ import annotations

import contextlib

import numpy as np

from .backend import backend, to_numpy

# The average is updated every this many iterations, on the host, so that it costs a few
# percent of a step; its decay per iteration is the one asked for.
AVERAGE_EVERY = 4


class WeightAveraging:
    """What a trainer needs for averaging: it provides ``config`` (with ``average_decay``),
    ``iteration``, ``state``, ``nets`` and ``filling_net`` (the name of the net whose weights are
    averaged), and sets ``average`` to None when the decay changes."""

    average = None  # the averaged (trainable, non-trainable) values, or None

    @property
    def average_decay(self) -> float | None:
        return self.config.get("average_decay")

    def filling_values(self) -> list[list[np.ndarray]]:
        """The filling net's (trainable, non-trainable) values as NumPy arrays."""
        return [[to_numpy(v) for v in group] for group in self.state[self.filling_net][:2]]

    def update_average(self) -> None:
        """Fold the current weights into the average (every :data:`AVERAGE_EVERY` iterations).
        Early on the decay is smaller, (1 + t) / (10 + t) at iteration t, as in TensorFlow's
        ExponentialMovingAverage, so the average soon forgets the random start."""
        values = self.filling_values()
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
            saved = self.filling_values()
            net.write(self.average)
            try:
                yield
            finally:
                net.write(saved)

    def adopt_average(self):
        """Replace the filling net's weights by their average for good (to evaluate or publish
        a run that averaged; its training cannot go on from here)."""
        if self.average is not None:
            name = self.filling_net
            self.nets[name].write(self.average)
            self.state[name] = self.nets[name].read()
            self.average = None
        return self
