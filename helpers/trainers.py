"""The training loop, and one trainer per model that runs its steps (:mod:`helpers.steps`).

A trainer holds the networks, their optimizers and their states. ``trainer.fit(images,
iterations)`` runs one step per iteration, logs the losses, scores the hole MSE of
validation images now and then, keeps checkpoints so that a stopped run resumes where it
stopped, and stops with a clear error when training diverges. Iterations are counted as the
paper counts its "epochs": one iteration is one batch.

Each trainer takes its step as an argument (``step=``): the package's by default, or one
written in a notebook with the same signature, which then trains exactly as the package's.
"""

from __future__ import annotations

import math
import os
import time
import dataclasses
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

import keras
import numpy as np
from tqdm.auto import tqdm

from . import registry, steps
from .batches import BatchSampler, augment, free_form_holes
from .engine.averaging import AVERAGE_EVERY, WeightAveraging
from .engine.backend import Net, backend, check_backend, compile_step, resolve_compile_mode, to_numpy
from .engine.checkpoints import (check_settings, read_checkpoint, restore_states, state_arrays,
                                 write_checkpoint)
from .engine.parallel import DataParallel
from .holes import (CENTER_HOLE, Hole, check_images, convert_scale, hole_mask, known_mask, make_pairs,
                    random_masks, unet_inputs)
from .inpainters import Inpainter, ModelInpainter, PConvInpainter
from .metrics import hole_mse, sharpness_ratio
from .models import build_autoencoder, build_discriminator, build_generator
from .pconv import build_pconv_unet, plain_unet, unet_widths
from .settings import AutoencoderSettings, GANSettings, PConvSettings, Settings, fixed_settings

# A step schedule's factor (lr_drop_at): the usual tenfold drop, e.g. He et al. 2016.
LR_DROP_FACTOR = 0.1


class TrainingDivergedError(RuntimeError):
    """The loss became NaN, infinite, or exploded."""


def _predict(model, state, inputs):
    """The model on ``inputs`` with the weights of ``state``, in inference mode."""
    output, _ = model.stateless_call(state[0], state[1], inputs, training=False)
    return (output,)


@dataclass
class _Progress:
    """What one call of :meth:`Trainer.fit` keeps track of between iterations."""

    start: float
    start_iteration: int
    seconds_before: float
    best: float
    pending: list = field(default_factory=list)
    first_loss: float | None = None


class Trainer(WeightAveraging):
    """What every trainer shares: state, the loop, logging, validation and checkpoints.

    A subclass names its ``kind`` (a :mod:`helpers.registry` entry, which says which of its
    networks fills holes, on which values, and which loss is watched) and its settings class;
    ``self.settings`` holds the run's settings (:mod:`helpers.settings`)."""

    kind = "model"
    settings_class = Settings

    def __init__(self, nets: dict[str, Net], settings: Settings, *, seed: int = 0,
                 compile_mode: str = "auto", hole: Hole = CENTER_HOLE):
        self.nets = nets
        self.settings = settings
        self.seed = seed
        self.hole = hole
        self.compile_mode = resolve_compile_mode(compile_mode)
        self.state = {name: net.read() for name, net in nets.items()}
        self.iteration = 0
        self.history: dict[str, list] = {"iteration": []}
        self.train_seconds = 0.0   # wall time spent in fit, over every session of this run
        self.stop_requested = False   # set (e.g. by a signal handler) to end fit after this iteration
        self.validation_seed = None   # the seed of the run's validation split, when not ``seed``
        self.validation_sharpness_ratio = float("nan")
        self.parallel = DataParallel.current
        if self.parallel is not None:
            self.parallel.check_batch(self.batch_size)

    @staticmethod
    def make_settings(settings_class, settings: Settings | None, changes: dict) -> Settings:
        """``settings`` (default: the class's defaults, the paper's recipe) with ``changes``."""
        base = settings_class() if settings is None else settings
        if not isinstance(base, settings_class):
            raise TypeError(f"settings must be a {settings_class.__name__}, got {type(base).__name__}.")
        return base.replace(**changes)

    # -- what the registry says of this kind
    @property
    def model_kind(self) -> registry.ModelKind:
        return registry.kind(self.kind)

    @property
    def filling_net(self) -> str:
        """The name of the net that fills holes (the one weight averaging averages)."""
        return self.model_kind.filling_net

    @property
    def reconstruction_loss(self) -> str:
        """The logged key checked for divergence."""
        return self.model_kind.training_loss

    @property
    def config(self) -> dict:
        """The settings as records keep them (``self.settings`` is the truth)."""
        return self.settings.record()

    @property
    def batch_size(self) -> int:
        return self.settings.batch_size

    @property
    def base_learning_rates(self) -> dict[str, float]:
        """Each net's learning rate before any drop."""
        return {}

    # -- what each trainer provides
    def train_step(self, images_uint8: np.ndarray) -> dict:
        """One iteration on a batch of uint8 images; returns the values to log."""
        raise NotImplementedError

    def predict_patch_unit(self, images_uint8: np.ndarray) -> np.ndarray:
        """The filled holes of uint8 images, as patches on [0, 1]."""
        raise NotImplementedError

    @classmethod
    def build_filling_net(cls, settings: Settings) -> keras.Model:
        """A fresh network that fills holes, built as these settings say (to load weights into)."""
        raise NotImplementedError

    def log_extras(self, images_uint8: np.ndarray) -> dict:
        """More values to log at each log point, measured on the last batch (none here)."""
        return {}

    # -- state
    def sync(self) -> None:
        """Write the functional state back into the Keras models (after training, before saving)."""
        for name, net in self.nets.items():
            net.write(self.state[name])

    def models(self) -> dict[str, keras.Model]:
        self.sync()
        return {name: net.model for name, net in self.nets.items()}

    def inpainter(self, name: str | None = None) -> Inpainter:
        """The network that fills holes, as it is now, behind the course's one interface."""
        return self.wrap_filling_net(self.models()[self.filling_net], name or self.kind)

    @classmethod
    def wrap_filling_net(cls, model: keras.Model, name: str) -> Inpainter:
        """A network that fills holes, of this kind, behind the :class:`Inpainter` interface."""
        return ModelInpainter(model, scale=registry.kind(cls.kind).scale, name=name)

    @classmethod
    def plain_filling_net(cls, model: keras.Model) -> keras.Model:
        """The network that fills holes made of Keras's own layers only, for a ``.keras`` file
        that loads without this project (the paper's models already are)."""
        return model

    def seeds(self) -> dict:
        """The seeds a record keeps: ``seed``, and ``validation_seed`` where it differs."""
        if self.validation_seed in (None, self.seed):
            return {"seed": self.seed}
        return {"seed": self.seed, "validation_seed": self.validation_seed}

    # -- settings a run may change: learning-rate drops, averaging
    def set_lr_drops(self, lr_drop_at) -> None:
        """Multiply every learning rate by :data:`LR_DROP_FACTOR` from each of these
        iterations on (a step schedule; the paper's recipe has none)."""
        self.settings = dataclasses.replace(self.settings, lr_drop_at=tuple(lr_drop_at or ()))

    def set_averaging(self, decay: float | None) -> None:
        """Keep an average of the filling net's weights with this ``decay`` per iteration, e.g.
        0.999 (about the last 1,000 iterations); None switches it off."""
        self.settings = dataclasses.replace(self.settings, average_decay=decay)
        self.average = None

    @property
    def lr_drop_at(self) -> list[int]:
        return list(self.settings.lr_drop_at)

    def learning_rate_scale(self) -> float:
        return LR_DROP_FACTOR ** sum(self.iteration >= drop for drop in self.lr_drop_at)

    def _apply_learning_rates(self) -> float:
        """Write each optimizer's rate for this iteration into its state, and return the scale.
        Taken from the trainer's settings, never from a checkpoint: Keras keeps the rate among
        the optimizer's variables, so a resumed run would otherwise keep the saved rate."""
        scale = self.learning_rate_scale()
        for name, rate in self.base_learning_rates.items():
            net = self.nets[name]
            index = next(i for i, v in enumerate(net.optimizer.variables) if v.name == "learning_rate")
            value = rate * scale
            slot = self.state[name][2][index]
            if backend() == "jax":
                import jax

                self.state[name][2][index] = jax.device_put(np.asarray(value, slot.dtype), slot.sharding)
            else:
                slot.assign(value)
        return scale

    # -- checkpoints
    def save_checkpoint(self, path: str | os.PathLike) -> Path:
        """Everything needed to resume, in one ``.npz``, written atomically."""
        arrays = state_arrays(self.state)
        if self.average is not None:
            arrays.update(state_arrays({self.filling_net: self.average}, groups=2, prefix="average/"))
        meta = {"format": 1, "iteration": self.iteration, **self.seeds(),
                "config": {"kind": self.kind, **self.config}, "history": self.history,
                "train_seconds": round(self.train_seconds, 1),
                "backend": backend(), "saved": time.strftime("%Y-%m-%d %H:%M:%S")}
        return write_checkpoint(path, meta, arrays)

    def load_checkpoint(self, path: str | os.PathLike) -> "Trainer":
        meta, arrays = read_checkpoint(path)
        return self.load_state(meta, arrays, str(path))

    def load_state(self, meta: dict, arrays: dict, where: str, weights_only: bool = False) -> "Trainer":
        """Restore a checkpoint's (record, arrays). With ``weights_only`` the arrays hold the
        models' variables but no optimizer state (published weights): the optimizers start
        afresh, everything else (iteration, seed, history) is restored."""
        saved = meta.get("config", {})
        check_settings(saved, {"kind": self.kind, **self.config}, where,
                       ("kind", *fixed_settings(type(self.settings))))
        for name, values in restore_states(self.state, arrays, where, self.kind, weights_only).items():
            self.nets[name].write(values)
            self.state[name] = self.nets[name].read()
        self.average = None
        prefix = f"average/{self.filling_net}/"
        if self.average_decay is not None and any(k.startswith(prefix) for k in arrays):
            self.average = [[np.asarray(arrays[f"{prefix}{g}/{i}"]).astype(v.dtype) for i, v in enumerate(group)]
                            for g, group in enumerate(self.filling_values())]
        if not self.lr_drop_at and saved.get("lr_drop_at"):
            self.set_lr_drops(saved["lr_drop_at"])  # the run's schedule carries on unless replaced
        self.iteration = int(meta["iteration"])
        self.seed = int(meta.get("seed", self.seed))
        self.validation_seed = meta.get("validation_seed")
        self.history = meta.get("history", {"iteration": []})
        self.train_seconds = float(meta.get("train_seconds", 0.0))
        return self

    def weight_arrays(self) -> dict[str, np.ndarray]:
        """The models' variables (no optimizer state) as named arrays: what published weights
        hold (the filling net's averaged weights, where the run averaged)."""
        with self.averaged_weights():
            return state_arrays(self.state, groups=2)

    # -- the loop
    def fit(self, images_uint8, iterations: int, *, checkpoint_dir=None, checkpoint_every: int = 1000,
            resume: bool = False, log_every: int = 50, validation=None, validate_every: int = 1000,
            progress: bool = True, callback=None, divergence_factor: float = 10.0,
            max_seconds: float | None = None, validate_first: bool = False) -> dict:
        """Train until ``iterations`` in total (a resumed run continues its count).

        ``validation``: uint8 images whose hole MSE (on [0, 1]) and sharpness ratio are scored
        every ``validate_every`` iterations; the best state so far is kept as ``best.npz``.
        ``callback(trainer, logs)`` is called at each log point (live plots use it), and its
        ``start(trainer)``, where it has one, before the first iteration.
        ``max_seconds`` (or ``stop_requested``, e.g. from a signal handler) ends the run early
        the way its last iteration would, checkpointed, so ``resume=True`` continues from there.
        ``validate_first``: also score the validation images before the first iteration (where
        the run starts, e.g. from published weights). Returns the history: lists of logged
        values keyed by name.
        """
        checkpoint = self._start_fit(iterations, checkpoint_dir, resume, max_seconds)
        sampler = BatchSampler(images_uint8, self.batch_size, self.seed)
        if validation is not None:
            validation = check_images(validation, None, "validation images")
            if validate_first and self.iteration not in self.history["iteration"]:
                self._record(self._validation_logs(validation))
        best = min([v for v in self.history.get("val_hole_mse", []) if v is not None] or [math.inf])
        run = _Progress(time.perf_counter(), self.iteration, self.train_seconds, best)
        bar = tqdm(total=iterations, initial=min(self.iteration, iterations), disable=not progress,
                   desc=f"training {self.kind}", unit="it", mininterval=0.5, dynamic_ncols=True)
        scale = self._apply_learning_rates()
        if callback is not None and hasattr(callback, "start"):
            callback.start(self)   # e.g. a live plot's fills before training
        try:
            while self.iteration < iterations:
                if self.learning_rate_scale() != scale:
                    scale = self._apply_learning_rates()
                run.pending.append(self.train_step(sampler.batch(self.iteration)))
                self.iteration += 1
                if self.average_decay is not None and self.iteration % AVERAGE_EVERY == 0:
                    self.update_average()
                bar.update(1)
                done = self.iteration == iterations or self.stop_requested or (
                    max_seconds is not None and time.perf_counter() - run.start >= max_seconds)
                validating = validation is not None and (self.iteration % validate_every == 0 or done)
                if self.iteration % log_every == 0 or done or validating:
                    shown = self._log_point(run, sampler, validation if validating else None,
                                            checkpoint, divergence_factor)
                    bar.set_postfix({k.replace("_per_second", "/s"): f"{v:.4g}" for k, v in shown.items()},
                                    refresh=False)
                    if callback is not None:
                        callback(self, shown)
                self.train_seconds = run.seconds_before + time.perf_counter() - run.start
                if checkpoint is not None and (self.iteration % checkpoint_every == 0 or done):
                    self.save_checkpoint(checkpoint)
                if done:
                    break
        finally:
            bar.close()
            self.sync()
            self.stop_requested = False
        return self.history

    def _start_fit(self, iterations, checkpoint_dir, resume: bool, max_seconds) -> Path | None:
        """Check fit's arguments, resume where asked; return the checkpoint's path (or None)."""
        if not isinstance(iterations, (int, np.integer)) or iterations < 0:
            raise ValueError(f"iterations must be a non-negative integer, got {iterations!r}.")
        if max_seconds is not None and not max_seconds > 0:
            raise ValueError(f"max_seconds must be positive (or None for no limit), got {max_seconds!r}.")
        checkpoint = Path(checkpoint_dir) / "checkpoint.npz" if checkpoint_dir else None
        if resume and checkpoint is None:
            raise ValueError("resume=True needs checkpoint_dir, the folder of the run to resume.")
        if resume and checkpoint.exists():
            self.load_checkpoint(checkpoint)
        return checkpoint

    def _log_point(self, run: _Progress, sampler, validation, checkpoint, divergence_factor) -> dict:
        """Log the mean of the steps since the last log point (and validate, if asked); keep the
        best state. Returns the latest value of everything logged so far."""
        logs = {k: float(np.mean([float(p[k]) for p in run.pending])) for k in run.pending[0]}
        run.pending = []
        elapsed = time.perf_counter() - run.start
        logs["images_per_second"] = (self.iteration - run.start_iteration) * self.batch_size / max(elapsed, 1e-9)
        run.first_loss = self._check_divergence(logs, run.first_loss, divergence_factor, checkpoint)
        logs.update(self.log_extras(sampler.batch(self.iteration - 1)))
        if validation is not None:
            logs.update(self._validation_logs(validation))
        self._record(logs)
        if validation is not None and checkpoint is not None and logs["val_hole_mse"] < run.best:
            run.best = logs["val_hole_mse"]
            self.save_checkpoint(checkpoint.parent / "best.npz")
        return {k: v[-1] for k, v in self.history.items() if k != "iteration" and v}

    def _validation_logs(self, validation) -> dict:
        """The validation's hole MSE and sharpness ratio (of the average, where the run averages
        its weights, and the raw weights' hole MSE beside it)."""
        logs = {}
        if self.average is not None:
            logs["val_hole_mse_raw"] = self.validate(validation)
        with self.averaged_weights():
            logs["val_hole_mse"] = self.validate(validation)
            logs["val_sharpness_ratio"] = self.validation_sharpness_ratio
        return logs

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
        """Hole MSE on [0, 1] (:func:`helpers.metrics.hole_mse`), the metric every model in the
        course is compared on. Also keeps the fills' sharpness ratio in
        ``validation_sharpness_ratio`` (1.0: as sharp as the truth; see
        :func:`helpers.metrics.sharpness_ratio`)."""
        pred = np.concatenate([self.predict_patch_unit(images_uint8[i:i + batch_size])
                               for i in range(0, len(images_uint8), batch_size)])
        _, truth = make_pairs(images_uint8, "unit", self.hole)
        self.validation_sharpness_ratio = sharpness_ratio(pred, truth)
        return hole_mse(pred, truth)


# --------------------------------------------------------------------------- the paper's autoencoder


class AutoencoderTrainer(Trainer):
    """The paper's autoencoder: MSE on the patch, Adam, batch 64, values on [0, 1].

    ``settings`` (:class:`~helpers.settings.AutoencoderSettings`, the paper's recipe by
    default) and any of its fields as keywords, e.g. ``AutoencoderTrainer(batch_size=16)``.
    ``model``: an autoencoder built elsewhere (a notebook's); ``step``: a step with the
    signature of :func:`helpers.steps.autoencoder_step`.
    """

    kind = "autoencoder"
    settings_class = AutoencoderSettings

    def __init__(self, model: keras.Model | None = None, *, settings: AutoencoderSettings | None = None,
                 seed: int = 0, compile_mode: str = "auto", hole: Hole = CENTER_HOLE,
                 step=steps.autoencoder_step, **changes):
        check_backend()
        settings = self.make_settings(AutoencoderSettings, settings, changes)
        if model is None:
            keras.utils.set_random_seed(seed)
            model = self.build_filling_net(settings)
        rate, decay = settings.learning_rate, settings.weight_decay
        optimizer = keras.optimizers.AdamW(rate, weight_decay=decay) if decay else keras.optimizers.Adam(rate)
        net = Net(model, optimizer)
        super().__init__({"autoencoder": net}, settings, seed=seed, compile_mode=compile_mode, hole=hole)
        self._step = compile_step(partial(step, net), self.compile_mode, parallel=self.parallel, models=[model])
        self._predict = compile_step(partial(_predict, model), self.compile_mode, n_out=0)

    @classmethod
    def build_filling_net(cls, settings: AutoencoderSettings) -> keras.Model:
        return build_autoencoder(dropout=settings.dropout)

    @property
    def base_learning_rates(self) -> dict[str, float]:
        return {"autoencoder": self.settings.learning_rate}

    def train_step(self, images_uint8):
        images_uint8 = augment(images_uint8, self.seed, self.iteration, self.settings.flip, self.settings.shift)
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
        return np.clip(to_numpy(pred), 0, 1)


# --------------------------------------------------------------------------- the paper's GAN


class GANTrainer(Trainer):
    """The paper's context-encoder GAN, trained by :func:`helpers.steps.gan_step`: for every
    batch, D on real patches, G fills the holes, D on those fills (a separate batch), then G
    against the frozen D with loss ``l2_weight * L2 + adversarial_weight * adversarial``.

    D judges G's fills in step 3 exactly as in step 2, in training mode (batch statistics of
    the generated batch, as in Keras 2 and in Pathak et al.'s code), and the statistics it
    computes there are thrown away. (A frozen D in inference mode, as ``trainable=False``
    gives in Keras 3, judges fills with moving statistics of real and fake batches mixed and
    says about 0.5 to everything: a useless adversarial signal.)

    ``settings``: :class:`~helpers.settings.GANSettings` (the paper's recipe by default), and
    any of its fields as keywords. ``fused=True`` compiles the whole iteration as one
    function; the default compiles D's step, G's fill and G's step as separate calls, the way
    the paper describes them (the same algorithm). ``step``: an iteration with the signature
    of :func:`helpers.steps.gan_step` (a notebook's), compiled as one function.
    ``gradient_sizes=True`` also logs how strongly each of G's two terms pulls on its weights
    (:meth:`log_extras`; one more compiled function, so off unless asked; the command line
    turns it on). It is a way of watching, not a setting of training.
    """

    kind = "gan"
    settings_class = GANSettings

    def __init__(self, generator: keras.Model | None = None, discriminator: keras.Model | None = None,
                 *, settings: GANSettings | None = None, seed: int = 0, compile_mode: str = "auto",
                 fused: bool = False, hole: Hole = CENTER_HOLE, step=None, gradient_sizes: bool = False,
                 **changes):
        check_backend()
        settings = self.make_settings(GANSettings, settings, changes)
        keras.utils.set_random_seed(seed)
        self.gradient_sizes = gradient_sizes
        generator = generator or self.build_filling_net(settings)
        discriminator = discriminator or build_discriminator(dropout=settings.dropout)
        g = Net(generator, keras.optimizers.Adam(settings.g_learning_rate, beta_1=settings.beta_1))
        d = Net(discriminator, keras.optimizers.Adam(settings.d_learning_rate, beta_1=settings.beta_1))
        super().__init__({"generator": g, "discriminator": d}, settings, seed=seed, compile_mode=compile_mode,
                         hole=hole)
        weights = dict(l2_weight=settings.l2_weight, adversarial_weight=settings.adversarial_weight)
        mode = self.compile_mode
        self.fused = fused or step is not None
        if self.fused:
            self._iteration = compile_step(partial(step or steps.gan_step, g, d, **weights), mode, n_in=2,
                                           n_out=2, parallel=self.parallel, models=[generator, discriminator])
        elif self.parallel is not None:
            raise ValueError("Data-parallel GAN training runs the fused step: pass fused=True.")
        else:
            self._d_step = compile_step(partial(steps.d_step, d), mode)
            self._generate = compile_step(partial(steps.generate, g), mode)
            self._g_step = compile_step(partial(steps.g_step, g, d, **weights), mode, n_in=2, n_out=1)
        self._predict = compile_step(partial(_predict, generator), mode, n_out=0)
        self._gradient_sizes = compile_step(partial(steps.generator_gradient_sizes, g, d, **weights), mode,
                                            n_in=2, n_out=0)

    @classmethod
    def build_filling_net(cls, settings: GANSettings) -> keras.Model:
        return build_generator(dropout=settings.dropout)

    @property
    def base_learning_rates(self) -> dict[str, float]:
        return {"generator": self.settings.g_learning_rate, "discriminator": self.settings.d_learning_rate}

    def train_step(self, images_uint8):
        holed, patches = make_pairs(images_uint8, "signed", self.hole)
        g_state, d_state = self.state["generator"], self.state["discriminator"]
        if self.fused:
            if self.parallel is not None:
                holed, patches = self.parallel.shard(holed, patches)
            g_state, d_state, logs = self._iteration(g_state, d_state, holed, patches)
        else:  # steps.gan_step, one compiled call per step
            d_state, d_loss_real, p_real = self._d_step(d_state, patches, np.float32(steps.REAL))
            g_state, fake = self._generate(g_state, holed)
            d_state, d_loss_fake, p_fake = self._d_step(d_state, fake, np.float32(steps.FAKE))
            g_state, g_logs = self._g_step(g_state, d_state, holed, patches)
            logs = {"d_loss_real": d_loss_real, "d_loss_fake": d_loss_fake, "d_real_prob": p_real,
                    "d_fake_prob": p_fake, **g_logs}
        self.state["generator"], self.state["discriminator"] = g_state, d_state
        return logs

    def log_extras(self, images_uint8):
        """How strongly each of G's two weighted terms pulls on its weights, on the last batch:
        ``g_grad_l2`` and ``g_grad_adversarial`` (:func:`helpers.steps.generator_gradient_sizes`),
        when the trainer was made with ``gradient_sizes=True``."""
        if not self.gradient_sizes:
            return {}
        holed, patches = make_pairs(images_uint8, "signed", self.hole)
        l2, adversarial = self._gradient_sizes(self.state["generator"], self.state["discriminator"],
                                               holed, patches)
        return {"g_grad_l2": float(l2), "g_grad_adversarial": float(adversarial)}

    def predict_patch_unit(self, images_uint8):
        holed, _ = make_pairs(images_uint8, "signed", self.hole)
        if self.parallel is not None:
            (holed,) = self.parallel.replicate(holed)
        (fake,) = self._predict(self.state["generator"], holed)
        return np.clip(convert_scale(to_numpy(fake), "signed", "unit"), 0, 1)


# --------------------------------------------------------------------------- the U-Net (beyond the paper)


class PConvTrainer(Trainer):
    """Beyond the paper: the partial-convolution U-Net (:mod:`helpers.pconv`) on random
    free-form holes, Adam, values on [0, 1].

    Each batch gets its own holes (:func:`helpers.batches.free_form_holes`): with probability
    ``center_fraction`` the paper's square, otherwise a mask from a bank of ``mask_bank``
    seeded free-form masks of ``coverage``. Validation scores the paper's square, like every
    model here. ``settings``: :class:`~helpers.settings.PConvSettings`, and any of its fields
    as keywords. ``model``: a U-Net built elsewhere (its widths are then read from it);
    ``step``: a step with the signature of :func:`helpers.steps.pconv_step`.
    """

    kind = "pconv"
    settings_class = PConvSettings

    def __init__(self, model: keras.Model | None = None, *, settings: PConvSettings | None = None,
                 seed: int = 0, compile_mode: str = "auto", step=steps.pconv_step, **changes):
        check_backend()
        if model is not None:
            widths = unet_widths(model)
            if "widths" in changes and tuple(changes["widths"]) != widths:
                raise ValueError(f"widths={tuple(changes['widths'])} but the model given has {widths}; "
                                 f"give one or the other")
            changes["widths"] = widths
        settings = self.make_settings(PConvSettings, settings, changes)
        if model is None:
            keras.utils.set_random_seed(seed)
            model = self.build_filling_net(settings)
        net = Net(model, keras.optimizers.Adam(settings.learning_rate))
        super().__init__({"pconv": net}, settings, seed=seed, compile_mode=compile_mode)
        self.bank = random_masks(settings.mask_bank, settings.coverage, seed=seed)
        self._step = compile_step(partial(step, net, kind=settings.loss), self.compile_mode,
                                  parallel=self.parallel, models=[model])
        self._predict = compile_step(partial(_predict, model), self.compile_mode, n_out=0)

    @classmethod
    def build_filling_net(cls, settings: PConvSettings) -> keras.Model:
        return build_pconv_unet(settings.widths)

    @classmethod
    def wrap_filling_net(cls, model: keras.Model, name: str) -> Inpainter:
        return PConvInpainter(model, name=name)

    @classmethod
    def plain_filling_net(cls, model: keras.Model) -> keras.Model:
        return plain_unet(model)

    @property
    def base_learning_rates(self) -> dict[str, float]:
        return {"pconv": self.settings.learning_rate}

    def masks_for(self, iteration: int, n: int) -> np.ndarray:
        """The holes (True = missing) of iteration ``iteration``'s ``n`` images."""
        return free_form_holes(self.bank, self.seed, iteration, n, self.settings.center_fraction, self.hole)

    def train_step(self, images_uint8):
        images_uint8 = augment(images_uint8, self.seed, self.iteration, self.settings.flip, self.settings.shift)
        image = images_uint8.astype(np.float32) / 255.0
        known = known_mask(self.masks_for(self.iteration, len(image)))
        if self.parallel is not None:
            image, known = self.parallel.shard(image, known)
        self.state["pconv"], logs = self._step(self.state["pconv"], image, known)
        return logs

    def predict_images_unit(self, images_uint8: np.ndarray, missing: np.ndarray) -> np.ndarray:
        """Whole predicted images on [0, 1] (known pixels not yet pasted back)."""
        image = np.asarray(images_uint8, np.float32) / 255.0 if images_uint8.dtype == np.uint8 else images_uint8
        (pred,) = self._predict(self.state["pconv"], unet_inputs(image.astype(np.float32), known_mask(missing)))
        return np.clip(to_numpy(pred), 0, 1)

    def predict_patch_unit(self, images_uint8):
        missing = np.broadcast_to(hole_mask(self.hole, images_uint8.shape[1]), images_uint8.shape[:3])
        return self.predict_images_unit(images_uint8, missing)[:, self.hole.rows, self.hole.cols, :]
