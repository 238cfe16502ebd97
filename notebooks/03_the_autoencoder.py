# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.7
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown] tags=["colab-badge"]
# # 3 · The autoencoder
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/inpainting-course/blob/main/notebooks/03_the_autoencoder.ipynb)
#
# The paper's first model is a small **convolutional autoencoder**: convolutions shrink the 32x32 image with its hole into a compact code, a dense layer in the middle mixes everything, and transposed convolutions grow the code into the 16x16 patch. It learns by making the patch's mean squared error small. In this notebook you write the model, its loss and its training step, watch it learn, and find out why its fills are blurry.
#
# *Series: 1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · 6 beyond the paper. The course reproduces a student paper, "Reconstrução Digital de Imagens com Redes Neurais Convolucionais" (M. G. de Andrade, Insper), which fills a 16x16 hole in CIFAR-10 images with a convolutional autoencoder and with a GAN.*

# %% [markdown]
# ## Learning goals
# After this notebook you can:
#
# - write the paper's autoencoder in Keras and check it, layer by layer, against the paper's table;
# - write its loss (the mean squared error of the patch) and one training step, and say what each line does;
# - train it, read its curves and its fills as it learns, and load the course's fully trained weights;
# - explain, with a two-line example and a measurement, why a model trained on the mean squared error paints blurry fills.

# %% [markdown]
# ## Set-up
# The first cell prepares Google Colab (it fetches the course) and does nothing else
# elsewhere. The second is the one choice this notebook asks of you, **which model to
# study**:
#
# - `"pretrained"`: the weights the course trained for the paper's budget (the default);
# - `"quick"`: the short run you train below, with the code on this page;
# - `"paper"`: the paper's 50,000 iterations, here and now. On a GPU that takes minutes; on
#   a laptop CPU, about an hour. The notebook says how long before it starts.
#
# Whatever you choose, section 5 trains a quick run with your code, so you see the model
# learn. To choose on Colab, edit the cell and run the notebook again
# (Runtime > Run all).

# %% tags=["colab-setup"] cellView="form" jupyter={"source_hidden": true}
#@title Set-up: fetch the course on Colab (click ▶; nothing to read here)
# In Google Colab: fetch the course (once a session) and make sure OpenCV can run the shift-map
# fill. Anywhere else: nothing to install, only make the `helpers` package importable.
import subprocess, sys
from pathlib import Path

REPOSITORY = "https://github.com/OWNER/inpainting-course"  # set by tools/set_repository.py
BRANCH = "main"
if "google.colab" in sys.modules:
    ROOT = Path("/content/inpainting-course")
    if "/OWNER/" in REPOSITORY:
        raise RuntimeError("This copy of the course does not know where it is published: REPOSITORY "
                           "above still says OWNER. Put the course's GitHub address there (ask your "
                           "teacher), or run `python tools/set_repository.py URL` in the course.")
    if not ROOT.exists():
        clone = subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", BRANCH,
                                REPOSITORY, str(ROOT)], capture_output=True, text=True)
        if clone.returncode != 0:
            raise RuntimeError(f"Could not fetch the course from {REPOSITORY} (branch {BRANCH}). "
                               f"git said:\n{clone.stderr.strip()}")
else:  # the repository root: the first folder up from here that holds helpers/
    ROOT = next((p for p in [Path.cwd(), *Path.cwd().parents] if (p / "helpers").is_dir()), Path.cwd())
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if "google.colab" in sys.modules:  # before cv2 is imported: one line if it changes anything
    from helpers.environment import repair_opencv
    repair_opencv()

# %% tags=["run-choice"]
RUN = "pretrained"  # "pretrained" (the shipped weights) | "quick" (section 5's run) | "paper"

# %%
# %matplotlib inline
from helpers import environment

environment.quiet_logs()  # start Keras without TensorFlow's start-up messages
print(environment.gpu_status())

# %%
from functools import partial

import keras
import numpy as np
from keras import layers

from helpers import architecture, curves, diagrams, live_plot, paper, plots, runs, widgets
from helpers.classical import OpenCVFill
from helpers.steps import update
from helpers.holes import CENTER_HOLE, make_pairs, to_scale
from helpers.metrics import hole_mse, sharpness_ratio
from helpers.steps import mse
from helpers.trainers import AutoencoderTrainer

# %% [markdown]
# ## 1. The data
# CIFAR-10's 50,000 training images, less 1,000 held out to watch the error on images the
# model never trains on; the 10,000 test images stay apart for the end. (Under the test
# suite the notebook loads a small subset.)

# %%
SMOKE = runs.smoke_test()  # True only when the test suite runs this notebook: tiny runs, numbers that mean nothing
data = runs.load_data(smoke=SMOKE)
print(data.describe())

# %% [markdown]
# ## 2. The model, on the page
# The paper's table (section IV-A), one Keras layer per row. Each stride-2 convolution
# halves the image and each transposed convolution doubles it; `"same"` padding makes
# the halving exact. The paper gives no dropout rate: 0.6 is the course's, chosen on
# validation error. Edit the model here if you like: everything below uses this cell.

# %%
def build_autoencoder(dropout=0.6):
    """Model A: a 32x32x3 image with a hole -> the 16x16x3 patch, values on [0, 1]."""
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),    # 16x16x32
        layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),    # 8x8x64
        layers.Conv2D(128, 3, strides=2, padding="same", activation="relu"),   # 4x4x128
        layers.BatchNormalization(),
        layers.Flatten(),                                                      # 2048
        layers.Dropout(dropout),
        layers.Dense(2048, activation="relu"),
        layers.Reshape((4, 4, 128)),
        layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu"),  # 8x8x64
        layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"),   # 16x16x3
    ], name="autoencoder")

# %%
model = build_autoencoder()
diagrams.model_diagram(model, title="The autoencoder: each box is a layer's output (taller: a bigger "
                       "image; wider: more channels)")

# %% [markdown]
# The paper's table (left) next to the model's layers (right), with the output shape Keras
# computes and each layer's parameters. A ✓ means kernel, stride, activation and shape agree.

# %%
table = architecture.layer_table(model, "autoencoder")
table

# %%
macs = architecture.multiply_adds(model)
print(f"{model.count_params():,} parameters (the paper: about {paper.PARAMETERS['autoencoder'] / 1e6:.1f} M)")
print(f"{macs / 1e6:.1f} M multiply-adds per image (the paper: about {paper.MULTIPLY_ADDS['autoencoder'] / 1e6:.0f} M)")
dense = next(layer for layer in model.layers if isinstance(layer, layers.Dense))
print(f"the Dense layer holds {dense.count_params() / model.count_params():.0%} of the parameters")
assert not table.mismatches, table.mismatches

# %% [markdown]
# | layer | what it does |
# |---|---|
# | Conv 3x3, stride 2, ReLU (x3) | each output pixel looks at a 3x3 neighbourhood; stride 2 halves the size; more channels hold more kinds of features |
# | BatchNorm | rescales each channel to zero mean and unit variance over the batch, then learns a scale and a shift: steadier training |
# | Flatten, Dropout | the 4x4x128 code as one vector of 2,048; in training, dropout zeroes a random part of it, so no single feature is relied on |
# | Dense, ReLU | the **bottleneck**: every output depends on every input, so the fill of the centre can use the whole border |
# | Reshape, Deconv 3x3 stride 2 (x2) | back to a small image of features; each transposed convolution paints a 3x3 stamp per pixel and doubles the size |
#
# Note the last ReLU: a fill can exceed 1; it is clipped to [0, 1] when used.
#
# ## 3. The loss and one training step, on the page
# The paper's loss is the **mean squared error** between the predicted patch and the real
# one, on [0, 1]. In Keras 3 a training step is written as a function of the model's
# weights: `model.stateless_call(trainable, non_trainable, x)` runs the model with exactly
# the weights it is given, and returns its output and its updated *non-trainable* weights
# (BatchNorm's running statistics, dropout's random seed).

# %%
def autoencoder_loss(autoencoder, trainable, non_trainable, holed, patch):
    """The paper's loss: the mean squared error of the predicted patch, on [0, 1]."""
    predicted, non_trainable = autoencoder.stateless_call(trainable, non_trainable, holed, training=True)
    loss = mse(patch, predicted)
    return loss, (non_trainable, {"loss": loss})


def train_step(net, state, holed, patch):
    """One update: the loss's gradient with respect to the trainable weights, one Adam step."""
    state, loss, logs = update(net, partial(autoencoder_loss, net.model), state, holed, patch)
    return state, logs

# %% [markdown]
# `update(net, loss, state, ...)` is the course's one gradient step: it differentiates the
# loss with respect to `net`'s *trainable* weights only and lets `net`'s optimizer (Adam,
# learning rate 1e-3, Keras's default; the paper gives none) take a step. It is a few lines
# per backend, in `helpers/engine/backend.py`.
#
# A trainer holds the model, its optimizer and its weights, and runs your step on batches
# of 64 images. One step by hand: the loss on one batch, before and after.

# %%
keras.utils.set_random_seed(0)
trainer = AutoencoderTrainer(build_autoencoder(), step=train_step)
batch = data.x_train[:64]
holed, patch = make_pairs(batch, "unit")  # the model's input and its target, on [0, 1]
before = hole_mse(trainer.predict_patch_unit(batch), patch)
logs = trainer.train_step(batch)          # one step: your train_step, compiled
after = hole_mse(trainer.predict_patch_unit(batch), patch)
print(f"hole MSE on this batch: {before:.4f} before the step, {after:.4f} after it "
      f"(the step's own loss, in training mode: {float(logs['loss']):.4f})")

# %% [markdown]
# For a model this simple Keras can train it alone:
# `model.compile(optimizer="adam", loss="mse")` and `model.fit(holed, patch, batch_size=64)`
# run the same step. The course writes the step out because the GAN's step (notebook 4)
# cannot be written that way, and so that both models train, checkpoint and resume the
# same way.
#
# ## 4. Why the error will not go to zero: MSE blurs
# Suppose that, given the border, the hole could hold one of two things with equal chance:
# an edge at column 6, or an edge at column 10. A model must paint *one* patch. Which patch
# has the lowest *expected* squared error? Not either edge: their **average**.

# %%
a = np.zeros((16, 16, 3)); a[:, :6] = 1.0    # plausible fill A: the edge at column 6
b = np.zeros((16, 16, 3)); b[:, :10] = 1.0   # plausible fill B: the edge at column 10


def expected_mse(guess):  # the error we expect when A and B are equally likely
    return (np.mean((guess - a) ** 2) + np.mean((guess - b) ** 2)) / 2


average = (a + b) / 2
for name, guess in [("A", a), ("B", b), ("average", average)]:
    print(f"paint {name:8s} expected MSE {expected_mse(guess):.4f}")
plots.image_row([a, b, average], ["plausible A", "plausible B", "the MSE-best guess"], cell=2.2,
                title="Two sharp answers; the lowest expected MSE is their blurred average")

# %% [markdown]
# *What to see:* painting a sharp edge risks a large error when the other edge was the
# truth; the average pays half of that for sure, so the squared error prefers it. A real
# hole has countless plausible fills; the MSE-best patch averages them all, and averages
# are blurry. Keep this picture in mind while the model trains.
#
# ## 5. Watch it learn: the quick run
# Your model and your step, trained from fresh weights for a short run. The first line
# says how long it takes on this machine, from a speed measured here. The curves are
# redrawn while it trains, and so are the fills of four validation holes: the rows show
# them at a quarter, half, three quarters and the end of the run.

# %%
quick = runs.plan("autoencoder", "quick", smoke=SMOKE)
print(runs.estimate(quick))
keras.utils.set_random_seed(0)
trainer = AutoencoderTrainer(build_autoencoder(), step=train_step)
_, x_val = runs.split(data, quick)
live = live_plot.LiveLossPlot("autoencoder", total=quick.iterations, images=x_val[:4])
runs.fit(trainer, data, quick, callback=live)
live.finish(trainer)

# %% [markdown]
# *What to see:* the loss falls fast in the first few hundred iterations (the model learns
# the average colour of a hole, then to continue the colours of its border), then slowly.
# The first fills are grey-brown squares; then the border's colours flow in; the edges
# inside the hole stay soft. If the validation curve follows the training curve, the model
# is not memorising its training images (yet).
#
# ## 6. The model this notebook studies
# `RUN` (at the top) chooses it: the shipped weights, your quick run, or a paper run.

# %%
studied, about = runs.studied(RUN, "autoencoder", quick=trainer, data=data, smoke=SMOKE,
                              make=lambda: AutoencoderTrainer(build_autoencoder(), step=train_step))
print(about)
if RUN != "pretrained":  # notebook 5 compares the model this notebook studies: save it for it
    print("saved for notebook 5:", runs.save(studied, runs.plan("autoencoder", RUN, smoke=SMOKE), data))
curves.loss_curves(studied.history, mark=studied.iteration, reference=paper.REPORTED_LOSS["autoencoder"],
                   reference_label="the paper's 'converged to 0.009'",
                   title="The studied autoencoder: training and validation")

# %% [markdown]
# *What to see:* for the shipped weights the run went on to the paper's 50,000 iterations,
# and the dotted line marks the state that ships (the lowest validation error). Past it the
# training loss keeps falling while the validation error stays flat: the model memorises
# its training images. The paper's "converged to 0.009" is most likely such a training
# loss late in a long run, not an error on new images.
#
# ## 7. The paper's result figure
# Three random test images (a fixed seed, so notebooks 4 and 5 show the same three): the
# original, the image with the hole, and the studied model's fill pasted in.

# %%
autoencoder = studied.inpainter("autoencoder")
show = runs.showcase_indices(len(data.x_test))
plots.result_figure(data.x_test[show], autoencoder.fill(data.x_test[show]), method="autoencoder",
                    labels=[data.class_names[c] for c in data.y_test[show]],
                    title="The autoencoder on three random test images (the paper's result figure)")

# %% [markdown]
# *What to see:* the colours of the fill match the border: the model continues the image.
# The paper found the fills "coherent but blurry": look at the edges inside the hole. Are
# they as crisp as those outside it? The sharpness ratio puts a number on it: the mean
# gradient of the fills over that of the real patches (1.0 is as sharp as the truth).

# %%
x_test, y_test = runs.test_images(data)
fills = autoencoder.fill(x_test)
truth = to_scale(x_test, "unit")[:, CENTER_HOLE.rows, CENTER_HOLE.cols]
ratio = sharpness_ratio(fills, truth)
print(f"{len(x_test):,} test images of {data.source}, values on [0, 1]: hole MSE "
      f"{hole_mse(fills, truth):.4f}; sharpness ratio {ratio:.2f}, so the fills have "
      f"{ratio:.0%} of the detail of the real patches")

# %% [markdown]
# ## 8. Try it: browse the reconstructions
# Step through the test images. The autoencoder's fill is shown next to OpenCV's Telea
# fill from notebook 1, with each fill's hole MSE. Where does the model beat the
# classical fill, and where not?

# %%
widgets.reconstruction_widget({"autoencoder": autoencoder, "Telea": OpenCVFill("telea")},
                              x_test, y_test, data.class_names)

# %% [markdown]
# ## Summary
# - The autoencoder squeezes the 32x32 input through a 2,048-number bottleneck and paints
#   a 16x16 patch; it matches the paper's table row by row (4.4 M parameters, 96 % of
#   them in the dense layer; about 12 M multiply-adds per image).
# - Its loss is the mean squared error of the patch; one training step differentiates it
#   with respect to the trainable weights and takes one Adam step.
# - Its fills continue the colours of the border and are blurry, because the squared
#   error is lowest for the average of all plausible fills.
#
# ## Exercises
# Each runs in a few minutes at most on a laptop CPU. Try it first; then open the hint,
# and then the solution (the collapsed cell below the exercise).
#
# ### Exercise 1 · A sigmoid at the end (10 min)
# The last layer uses ReLU, so fills can exceed 1. Change it to a sigmoid (values then
# stay in (0, 1)) and train the quick run again. Does the validation error change?
#
# <details><summary>Hint</summary>
#
# Copy `build_autoencoder` under a new name, change the last layer's `activation`, and
# build a trainer with it: `AutoencoderTrainer(build_sigmoid(), step=train_step)`. Train
# with `runs.fit(trainer, data, quick)` and compare `trainer.history["val_hole_mse"]`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 1
def build_sigmoid(dropout=0.6):
    relu = build_autoencoder(dropout)
    last = layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="sigmoid")
    return keras.Sequential([keras.Input((32, 32, 3)), *relu.layers[:-1], last], name="autoencoder")


keras.utils.set_random_seed(0)
sigmoid = AutoencoderTrainer(build_sigmoid(), step=train_step)
runs.fit(sigmoid, data, quick)
print(f"validation hole MSE after {quick.iterations:,} iterations: ReLU {trainer.history['val_hole_mse'][-1]:.4f}, "
      f"sigmoid {sigmoid.history['val_hole_mse'][-1]:.4f}")

# %% [markdown]
# ### Exercise 2 · The L1 loss (10 min)
# In the two-edge example, the mean *absolute* error prefers the **median** of the answers,
# not their mean. Change the loss to the mean absolute error and train the quick run. Are
# the fills sharper (compare sharpness ratios on the validation images)?
#
# <details><summary>Hint</summary>
#
# Write `l1_loss` like `autoencoder_loss` with `ops.mean(ops.abs(patch - predicted))`
# (`from keras import ops`), and a step that uses it; the trainer records the validation
# sharpness ratio in `trainer.history["val_sharpness_ratio"]`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 2
from keras import ops


def l1_loss(autoencoder, trainable, non_trainable, holed, patch):
    predicted, non_trainable = autoencoder.stateless_call(trainable, non_trainable, holed, training=True)
    loss = ops.mean(ops.abs(patch - predicted))
    return loss, (non_trainable, {"loss": loss})


def l1_step(net, state, holed, patch):
    state, loss, logs = update(net, partial(l1_loss, net.model), state, holed, patch)
    return state, logs


keras.utils.set_random_seed(0)
l1 = AutoencoderTrainer(build_autoencoder(), step=l1_step)
runs.fit(l1, data, quick)
for name, t in (("MSE", trainer), ("L1", l1)):
    print(f"{name}: validation hole MSE {t.history['val_hole_mse'][-1]:.4f}, sharpness {t.history['val_sharpness_ratio'][-1]:.2f}")

# %% [markdown]
# With only two answers the median of the L1 loss is not unique; with many, the L1-best
# fill is a per-pixel median, which is sharper at an edge that most answers agree on but
# still blurry where they disagree. Its MSE is usually a little higher.
#
# ### Exercise 3 · A bottleneck that cannot see (10 min)
# Replace the 4.2 M-parameter dense layer by a 1x1 convolution
# (`layers.Conv2D(128, 1, activation="relu")` on the 4x4x128 code, without Flatten and
# Reshape). How many parameters are left? Train the quick run: what can the fill of the
# centre no longer see, and what happens to the error?
#
# <details><summary>Hint</summary>
#
# A 1x1 convolution mixes channels within one pixel of the 4x4 code; with three stride-2
# convolutions, each code pixel sees only part of the image.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 3
def build_local(dropout=0.6):
    return keras.Sequential([
        keras.Input((32, 32, 3)),
        layers.Conv2D(32, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(64, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2D(128, 3, strides=2, padding="same", activation="relu"),
        layers.BatchNormalization(),
        layers.Dropout(dropout),
        layers.Conv2D(128, 1, activation="relu"),   # mixes channels, not places
        layers.Conv2DTranspose(64, 3, strides=2, padding="same", activation="relu"),
        layers.Conv2DTranspose(3, 3, strides=2, padding="same", activation="relu"),
    ], name="autoencoder")


keras.utils.set_random_seed(0)
local = AutoencoderTrainer(build_local(), step=train_step)
runs.fit(local, data, quick)
print(f"{local.models()['autoencoder'].count_params():,} parameters instead of {model.count_params():,}; "
      f"validation hole MSE {local.history['val_hole_mse'][-1]:.4f} against {trainer.history['val_hole_mse'][-1]:.4f}")

# %% [markdown]
# The receptive field of a code pixel (three 3x3 convolutions of stride 2) is 15x15 pixels,
# so the centre's fill no longer sees the far border. Without the dense layer, the model
# is 1 % of the size; on the quick budget its error may even be close, since the dense
# layer's weights are the slowest to learn.
#
# ### Exercise 4 · When does it start memorising? (5 min)
# The shipped autoencoder's history goes to the paper's 50,000 iterations. From
# `studied.history` (with `RUN = "pretrained"`), find the iteration with the lowest
# validation error and compare the training loss and the validation error there and at
# the end.
#
# <details><summary>Hint</summary>
#
# `runs.load("autoencoder")` gives the shipped trainer whatever `RUN` says; its history
# has lists `"iteration"`, `"loss"` and `"val_hole_mse"` (`None` where nothing was measured).
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 4
shipped, _ = runs.load("autoencoder")
h = shipped.history
points = [(it, loss, val) for it, loss, val in zip(h["iteration"], h["loss"], h["val_hole_mse"]) if val is not None]
best = min(points, key=lambda p: p[2])
print(f"lowest validation hole MSE {best[2]:.4f} at iteration {best[0]:,} (training loss {best[1]:.4f}); "
      f"at iteration {points[-1][0]:,}: validation {points[-1][2]:.4f}, training loss {points[-1][1]:.4f}")

# %% [markdown]
# The training loss keeps falling after the best state while the validation error does
# not: from there on, what the model learns is its training images, not inpainting.
#
# ### Exercise 5 · Average two guesses (5 min)
# Average each fill with the fill of the mirrored image, mirrored back
# (`from helpers.inpainters import MirrorAveraged`; `MirrorAveraged(autoencoder)` fills
# like any method). Measure the hole MSE and the sharpness ratio as in section 7. Why does
# the error go down, and what happens to the sharpness? Would you do this to the GAN?
#
# <details><summary>Hint</summary>
#
# Two partly independent guesses of the same thing: their mean has a lower expected
# squared error than either (section 4's argument again).
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 5
from helpers.inpainters import MirrorAveraged

both = MirrorAveraged(autoencoder).fill(x_test)
print(f"mirror-averaged: hole MSE {hole_mse(both, truth):.4f} (plain {hole_mse(fills, truth):.4f}); "
      f"sharpness ratio {sharpness_ratio(both, truth):.2f} (plain {ratio:.2f})")

# %% [markdown]
# The average of two guesses is blurrier still: good for the error, bad for sharpness, so
# it is the wrong tool for a GAN, whose point is sharp fills.
#
# **Next:** notebook 4, the GAN, which attacks the blur.
