"""A fourth model kind for the tests, added the way the registry says a kind is added: its
settings class, its trainer, and one :class:`helpers.registry.ModelKind` (registered by the
tests that use it, and removed after them). Nothing else in the package names it."""

from dataclasses import dataclass
from functools import partial

import keras
import numpy as np
from keras import layers

from helpers import paper, steps
from helpers.engine.backend import Net, compile_step, to_numpy
from helpers.holes import make_pairs
from helpers.registry import ModelKind
from helpers.settings import Settings, setting
from helpers.trainers import Trainer


@dataclass(frozen=True)
class ToySettings(Settings):
    """A one-layer "model": a strided convolution from the holed image to the patch."""

    batch_size: int = setting(8, "images per batch", fixed=True)
    learning_rate: float = setting(1e-3, "Adam's learning rate")
    filters: int = setting(3, "the toy's hidden channels", fixed=True)


class ToyTrainer(Trainer):
    kind = "toy"
    settings_class = ToySettings

    def __init__(self, model=None, *, settings=None, seed=0, compile_mode="auto", **changes):
        settings = self.make_settings(ToySettings, settings, changes)
        keras.utils.set_random_seed(seed)
        model = model or self.build_filling_net(settings)
        net = Net(model, keras.optimizers.Adam(settings.learning_rate))
        super().__init__({"toy": net}, settings, seed=seed, compile_mode=compile_mode)
        self._step = compile_step(partial(steps.autoencoder_step, net), self.compile_mode)
        self._predict = compile_step(lambda state, x: (model.stateless_call(state[0], state[1], x)[0],),
                                     self.compile_mode, n_out=0)

    @classmethod
    def build_filling_net(cls, settings):
        return keras.Sequential([keras.Input((32, 32, 3)),
                                 layers.Conv2D(settings.filters, 3, strides=2, padding="same", activation="relu"),
                                 layers.Cropping2D(4), layers.UpSampling2D(2),
                                 layers.Conv2D(3, 3, padding="same", activation="sigmoid")], name="toy")

    @property
    def base_learning_rates(self):
        return {"toy": self.settings.learning_rate}

    def train_step(self, images_uint8):
        holed, patch = make_pairs(images_uint8, "unit", self.hole)
        self.state["toy"], logs = self._step(self.state["toy"], holed, patch)
        return logs

    def predict_patch_unit(self, images_uint8):
        holed, _ = make_pairs(images_uint8, "unit", self.hole)
        (pred,) = self._predict(self.state["toy"], holed)
        return np.clip(to_numpy(pred), 0, 1)


TOY = ModelKind("toy", "toy", "a toy model of the tests", "toy_kind.ToyTrainer", ToySettings, "toy", ("toy",), "unit",
                "loss", "MSE of the patch", paper.Budget(40, 8), 1.0, 4, 2)
