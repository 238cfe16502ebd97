"""Every training setting of the course's three models, as data: one frozen dataclass per model.

A setting is declared once, here, with its default, what it means and the rule its value
must follow (checked when the settings are made, so a bad value fails at once with a message
that says what fits). Everything else is derived from these fields: the trainer's record
(``config``), the settings a resumed run may not change (:func:`fixed_settings`), and the
options of ``python -m helpers.cli.train``. nanoGPT's ``GPTConfig`` is the pattern::

    from helpers.settings import GANSettings
    settings = GANSettings(adversarial_weight=0.01)     # the L2 weight follows: 0.99
    GANTrainer(settings)                                # or GANTrainer(adversarial_weight=0.01)

The defaults are the paper's recipe where the paper gives one (``helpers.paper``). This
module imports no Keras, so a command line can read it before choosing a backend.
"""

from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass, field

from . import paper

# The Dropout rates of the paper's models (the paper gives none): 0.6 in the autoencoder,
# chosen on validation error against 0.2, 0.5 and 0.7 (docs/paper.md), and 0.2 in the GAN's
# two networks.
AUTOENCODER_DROPOUT = 0.6
GAN_DROPOUT = 0.2
PCONV_WIDTHS = (32, 64, 128, 128)   # the U-Net's channels at 16x16, 8x8, 4x4 and 2x2
PCONV_LOSSES = ("l1", "l2")         # Liu et al.'s absolute errors, or the same terms squared
MAX_SHIFT = 7                       # pixels a training image may move (a quarter of the hole, about)


def setting(default, help: str, *, fixed: bool = False, option: str | None = None,
            metavar: str | None = None, derived: bool = False):
    """A field of a settings class: its default, what it means (the command line's help), and
    whether a run may change it when it resumes (``fixed``: it may not, since the checkpoint's
    weights or data would then be something else than what its record says). A ``derived``
    field (default None) follows from the others unless it is given."""
    return field(default=default, metadata={"help": help, "fixed": fixed, "option": option,
                                            "metavar": metavar, "derived": derived})


# --------------------------------------------------------------------------- the rules


def _require(ok: bool, name: str, value, what: str) -> None:
    if not ok:
        raise ValueError(f"{name} must be {what}, got {value!r}.")


def _whole(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def check_widths(widths) -> tuple[int, ...]:
    """``widths`` as four positive whole numbers, else a ValueError that says what fits."""
    try:
        values = tuple(int(w) for w in widths)
        whole = all(float(w) == int(w) for w in widths)
    except (TypeError, ValueError):
        values, whole = (), False
    if len(values) != 4 or not whole or min(values) < 1:
        raise ValueError(f"widths must be four positive whole numbers, the channels of the U-Net's "
                         f"levels at 16x16, 8x8, 4x4 and 2x2 (default {PCONV_WIDTHS}), got {widths!r}")
    return values


def check_pconv_loss(kind: str) -> str:
    """``kind`` if it names one of :data:`PCONV_LOSSES`, else a ValueError that lists them."""
    if kind not in PCONV_LOSSES:
        raise ValueError(f"loss must be one of {PCONV_LOSSES} (Liu et al.'s absolute errors, or "
                         f"the same terms squared), got {kind!r}")
    return kind


def _lr_drops(drops) -> tuple[int, ...]:
    values = tuple(drops or ())
    _require(all(_whole(i) and i >= 1 for i in values) and len(set(values)) == len(values),
             "lr_drop_at", list(values), "distinct positive iterations")
    return tuple(sorted(values))


# Each setting's rule, by name, checked by every settings class that has that setting.
RULES = {
    "batch_size": (lambda v: _whole(v) and v >= 1, "a positive whole number"),
    "learning_rate": (lambda v: _number(v) and v > 0, "a positive number"),
    "g_learning_rate": (lambda v: _number(v) and v > 0, "a positive number"),
    "d_learning_rate": (lambda v: _number(v) and v > 0, "a positive number"),
    "beta_1": (lambda v: _number(v) and 0 <= v < 1, "a number from 0 up to (not including) 1"),
    "flip": (lambda v: isinstance(v, bool), "True or False"),
    "shift": (lambda v: _whole(v) and 0 <= v <= MAX_SHIFT, f"a whole number of pixels from 0 to {MAX_SHIFT}"),
    "dropout": (lambda v: _number(v) and 0 <= v < 1, "a rate from 0 up to (not including) 1"),
    "weight_decay": (lambda v: _number(v) and v >= 0, "a rate of 0 or more"),
    "l2_weight": (lambda v: _number(v) and v >= 0, "a weight of 0 or more"),
    "adversarial_weight": (lambda v: _number(v) and 0 <= v < 1, "a weight from 0 up to (not including) 1"),
    "average_decay": (lambda v: v is None or (_number(v) and 0 < v < 1),
                      "a decay between 0 and 1 (e.g. 0.999), or None for no averaging"),
    "center_fraction": (lambda v: _number(v) and 0 <= v <= 1, "a share from 0 to 1"),
    "mask_bank": (lambda v: _whole(v) and v >= 1, "a positive whole number"),
    "coverage": (lambda v: len(v) == 2 and all(_number(c) for c in v) and 0 < v[0] <= v[1] < 1,
                 "two shares (low, high) with 0 < low <= high < 1"),
}


# --------------------------------------------------------------------------- the settings


@dataclass(frozen=True)
class Settings:
    """What every model's settings share. Subclasses add their own fields."""

    batch_size: int = setting(32, "images per batch; default: the paper's", fixed=True)
    lr_drop_at: tuple[int, ...] = setting(
        (), "multiply the learning rate(s) by 0.1 from each of these iterations on (a step "
            "schedule, not in the paper)", metavar="ITERATION")
    average_decay: float | None = setting(
        None, "beyond the paper: also keep an exponential moving average of the weights of the net "
              "that fills holes (e.g. 0.999: about the last 1,000 iterations), and validate, keep "
              "and save that average; training itself is unchanged", fixed=True, option="--average",
        metavar="DECAY")

    def __post_init__(self):
        if "lr_drop_at" in self.names():
            object.__setattr__(self, "lr_drop_at", _lr_drops(self.lr_drop_at))
        if "widths" in self.names():
            object.__setattr__(self, "widths", check_widths(self.widths))
        if "loss" in self.names():
            check_pconv_loss(self.loss)
        if "coverage" in self.names():
            object.__setattr__(self, "coverage", tuple(self.coverage))
        if self.average_decay is not None and _number(self.average_decay):
            object.__setattr__(self, "average_decay", float(self.average_decay))
        derived = {f.name for f in dataclasses.fields(self) if f.metadata.get("derived")}
        for name in sorted(self.names(), key=lambda n: n in derived):   # a derived one last: its error
            if name in RULES:                                          # would hide the given one's
                ok, what = RULES[name]
                _require(ok(getattr(self, name)), name, getattr(self, name), what)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in dataclasses.fields(cls))

    def replace(self, **changes) -> "Settings":
        """These settings with ``changes`` (checked); a derived setting that is not among them
        follows the new values (a new adversarial weight, a new L2 weight)."""
        unknown = sorted(set(changes) - set(self.names()))
        if unknown:
            raise TypeError(f"{', '.join(unknown)}: not a setting of {type(self).__name__} "
                            f"(its settings: {', '.join(self.names())}).")
        derived = {f.name: None for f in dataclasses.fields(self)
                   if f.metadata.get("derived") and f.name not in changes}
        return dataclasses.replace(self, **derived, **changes) if changes else self

    def record(self) -> dict:
        """The settings as a trainer's ``config`` records them (JSON: lists, not tuples); the
        optional ones (no drops, no averaging) are left out when unused."""
        out = {}
        for name in self.names():
            value = getattr(self, name)
            if name in ("lr_drop_at", "average_decay") and not value:
                continue
            out[name] = list(value) if isinstance(value, tuple) else value
        return out

    @classmethod
    def from_record(cls, config: dict) -> "Settings":
        """The settings of a record's ``config`` (its ``kind`` and anything unknown left out)."""
        return cls(**{k: v for k, v in config.items() if k in cls.names()})


def fixed_settings(settings_class) -> tuple[str, ...]:
    """The settings a run cannot change when it resumes or continues."""
    return tuple(f.name for f in dataclasses.fields(settings_class) if f.metadata.get("fixed"))


@dataclass(frozen=True)
class AutoencoderSettings(Settings):
    """The paper's autoencoder: MSE on the patch, Adam, batch 64, values on [0, 1]. ``flip``,
    ``shift``, ``weight_decay`` and ``lr_drop_at`` are for named variants (:data:`VARIANTS`)."""

    batch_size: int = setting(paper.BUDGETS["autoencoder"].batch_size, "images per batch; default: the paper's",
                              fixed=True)
    learning_rate: float = setting(paper.AUTOENCODER_LEARNING_RATE, "Adam's learning rate")
    flip: bool = setting(False, "mirror half the training images left-right", fixed=True)
    shift: int = setting(0, f"move each training image by up to this many pixels (0 to {MAX_SHIFT}; edges "
                            f"mirrored; the hole stays where it is)", fixed=True, metavar="PIXELS")
    dropout: float = setting(AUTOENCODER_DROPOUT, "the rate of the Dropout layers (the paper gives none)",
                             fixed=True)
    weight_decay: float = setting(0.0, "AdamW's decoupled weight decay (0: plain Adam, the paper's)",
                                  fixed=True, metavar="RATE")


# A named variant beside the paper's autoencoder: the same layers plus the usual remedies for
# the overfitting its long budget shows (flips, shifts, weight decay, less dropout, a late
# learning-rate drop). Its model card has the measurements that chose it.
VARIANTS = {
    "paper": AutoencoderSettings(),
    "regularized": AutoencoderSettings(flip=True, shift=2, dropout=0.2, weight_decay=0.004,
                                       lr_drop_at=(44_000,)),
}


@dataclass(frozen=True)
class GANSettings(Settings):
    """The paper's context-encoder GAN: G's loss ``l2_weight * L2 + adversarial_weight *
    adversarial``, Adam for both networks, D ten times slower than G. Without ``l2_weight``,
    the two weights add up to 1 (``adversarial_weight=0`` trains G on L2 alone)."""

    batch_size: int = setting(paper.BUDGETS["gan"].batch_size, "images per batch; default: the paper's",
                              fixed=True)
    g_learning_rate: float = setting(paper.G_LEARNING_RATE, "the generator's Adam learning rate")
    d_learning_rate: float = setting(paper.D_LEARNING_RATE,
                                     "the discriminator's Adam learning rate (the paper: 10x lower than G's)")
    beta_1: float = setting(paper.GAN_BETA_1, "Adam's beta_1 for both networks (the running mean's decay of "
                                              "the gradients; the paper gives none, DCGAN's 0.5)")
    l2_weight: float | None = setting(None, "the L2 term's weight in G's loss (default: 1 - the adversarial "
                                            "weight)", fixed=True, metavar="W", derived=True)
    adversarial_weight: float = setting(paper.ADVERSARIAL_WEIGHT, "the adversarial term's weight in G's loss "
                                        "(the paper's 0.001; 0 trains G on L2 alone)", fixed=True, metavar="W")
    dropout: float = setting(GAN_DROPOUT, "the rate of the Dropout layers (the paper gives none)", fixed=True)

    def __post_init__(self):
        if self.l2_weight is None and _number(self.adversarial_weight):
            object.__setattr__(self, "l2_weight", round(1.0 - self.adversarial_weight, 12))
        super().__post_init__()


@dataclass(frozen=True)
class PConvSettings(Settings):
    """Beyond the paper: the partial-convolution U-Net on random free-form holes, Adam, values on
    [0, 1]. Its learning rate, 1e-3, was chosen against Liu et al.'s 2e-4 (results/measurements.md says how)."""

    batch_size: int = setting(paper.BUDGETS["pconv"].batch_size, "images per batch; default: the paper's",
                              fixed=True)
    learning_rate: float = setting(1e-3, "Adam's learning rate")
    coverage: tuple[float, float] = setting((0.1, 0.4), "the share of the image a free-form hole covers "
                                                        "(low, high)", metavar="LOW,HIGH")
    center_fraction: float = setting(0.25, "the share of training images that get the paper's centre "
                                           "square instead of a free-form hole", fixed=True, metavar="SHARE")
    mask_bank: int = setting(4000, "how many seeded free-form masks training draws from")
    loss: str = setting("l2", "Liu et al.'s two pixel terms (6 x hole + 1 x known), squared ('l2', what "
                              "hole MSE rewards) or absolute ('l1', theirs)", fixed=True)
    flip: bool = setting(False, "mirror half the training images left-right", fixed=True)
    shift: int = setting(0, f"move each training image by up to this many pixels (0 to {MAX_SHIFT}; edges "
                            f"mirrored; the hole stays where it is)", fixed=True, metavar="PIXELS")
    widths: tuple[int, ...] = setting(PCONV_WIDTHS, "the U-Net's channels at 16x16, 8x8, 4x4 and 2x2; wider "
                                                    "learns more per iteration and costs more per iteration",
                                      fixed=True, metavar="C1,C2,C3,C4")
