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
# The paper's first model is a **convolutional autoencoder**: convolutions shrink the 32x32 image with its hole into a small code, and transposed convolutions grow the code into the 16x16 patch. You write it, its loss and its training step, watch it learn, and find out why its fills are blurry.
#
# *Series: 1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · 6 beyond the paper. The course reproduces a student paper, "Reconstrução Digital de Imagens com Redes Neurais Convolucionais" (M. G. de Andrade, Insper).*

# %% [markdown]
# ## Learning goals
# After this notebook you can:
#
# - write the paper's autoencoder in Keras and check it against the paper's table;
# - write its loss and training step, and say what a step changes;
# - train it, reading its curves and fills as it learns;
# - explain why the mean squared error makes fills blurry.

# %% [markdown]
# ## Set-up
# Run the collapsed cell first (it prepares Colab). The next is your one choice, **which
# model the notebook studies** from section 6 on: `"pretrained"`, the course's model
# trained for the paper's budget (the default); `"quick"`, your run of section 5; or
# `"paper"`, the paper's 50,000 iterations trained here. Edit it, then run the notebook again.

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
import inspect
from functools import partial

import keras
import numpy as np
from keras import layers

from helpers import architecture, diagrams, live_plot, paper, plots, runs
from helpers.holes import CENTER_HOLE, make_pairs, to_scale
from helpers.metrics import hole_mse, sharpness_ratio
from helpers.steps import mse, update
from helpers.trainers import AutoencoderTrainer

# %% [markdown]
# ## 1. The data
# CIFAR-10's 50,000 training and 10,000 test images. Some training images are held out as
# a **validation set**: images the model never trains on, to measure its error on new ones.
# The test images stay apart until the end.

# %%
SMOKE = runs.smoke_test()  # True only when the test suite runs this notebook: tiny runs, numbers that mean nothing
data = runs.load_data(smoke=SMOKE)
print(data.describe())

# %% [markdown]
# ## 2. The model, on the page
# The paper's table, one Keras layer per row:
#
# - a **convolution** slides a 3x3 filter over the image; **stride** 2 moves it two pixels
#   at a time, halving the size (`"same"` padding makes it exact);
# - **ReLU**, max(0, x), follows the convolutions and the dense layer;
# - **BatchNorm** rescales each channel to zero mean and unit variance over the batch, then
#   learns a scale and a shift; for inference it keeps moving averages of the batch statistics;
# - **dropout**, in training only, zeroes each of the code's 2,048 numbers with chance 0.6
#   (the course's choice, on validation error; the paper gives none);
# - the **dense** layer, the bottleneck, connects every input to every output, so the
#   centre's fill can use the whole border;
# - a **transposed convolution** ("Deconv") goes the other way: each input pixel paints a
#   3x3 stamp; stride 2 doubles the size.

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
diagrams.model_diagram(model, title="Each box is a layer's output (taller: a bigger image; wider: more channels)")

# %% [markdown]
# The paper's table beside the model's layers (✓: kernel, stride, activation and shape
# agree; the paper quotes about 4.4 M parameters). Edit the model if you like: everything
# below uses it.

# %%
table = architecture.layer_table(model, "autoencoder")
assert not table.mismatches, table.mismatches
assert round(model.count_params(), -5) == paper.PARAMETERS["autoencoder"]  # "about 4.4 M"
table

# %% [markdown]
# ## 3. The loss and one training step, on the page
# The loss is the **mean squared error** (MSE) of the predicted patch, on [0, 1]. A step
# is a function of the network's **state**, its variables in three lists:
#
# - *trainable*: what the gradient changes (kernels, biases, BatchNorm's scale and shift);
# - *non-trainable*: BatchNorm's moving averages and dropout's random seed, which the
#   forward pass updates in training;
# - the optimizer's: **Adam** moves each weight by a running average of its gradient over
#   the square root of a running average of its square; it keeps both averages, its step
#   count and its learning rate (Keras's default: the paper gives none).
#
# `model.stateless_call(trainable, non_trainable, x)` runs the model on exactly these
# variables, and returns its output and the new non-trainable ones. (Keras's `model.fit`
# could run this step for you, but not the GAN's of notebook 4: the course writes both out.)

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
# `update`, in `helpers/steps.py`, is where every training step of the course takes its
# gradient:

# %%
print(inspect.getsource(update))

# %% [markdown]
# A trainer holds the model, Adam and the state, and runs your step, compiled, on batches
# of 64 images. Its state (Keras names Adam's two averages `momentum` and `velocity`):

# %%
net = AutoencoderTrainer(build_autoencoder(), step=train_step).nets["autoencoder"]  # model and optimizer
for name, group in zip(["trainable", "non-trainable", "optimizer's"], net.variables):
    print(f"{name:>13}: {len(group):2d} variables, e.g. {', '.join(v.path for v in group[:3])}")

# %% [markdown]
# ## 4. Why the error will not go to zero: MSE blurs
# Suppose that, given the border, the hole holds one of two things with equal chance: an
# edge at column 6 or an edge at column 10. The model must paint *one* patch. **Predict
# first:** which patch has the lowest *expected* squared error?

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
# Their **average**, with half the expected error of either edge. A sharp guess is far off
# whenever the other edge was the truth; the average is half off for sure. A real hole has
# countless plausible fills; the MSE-best patch averages them, and averages are blurry.
#
# ## 5. Watch it learn: the quick run
# Your model and your step, from fresh weights. `runs.plan` sizes the run from the speed
# it measures here (one iteration: one step on one batch). The next cell prints the number
# N of iterations and how long the run will take; `runs.plan("autoencoder", "quick",
# iterations=N)` repeats a run of that length anywhere.
#
# The curves and the fills of four validation images are redrawn as it trains: first the
# untrained model's fills, then a row at each quarter of the run. **Predict first:** what
# does the untrained model paint? Fills and validation error come from *inference mode*:
# no dropout, and BatchNorm normalises with its moving averages, which each step moves
# only a little toward the batch's (exercise 2 measures the lag). Watch the fills, and the
# gap between the two curves.

# %%
quick = runs.plan("autoencoder", "quick", smoke=SMOKE)  # sized from the speed measured here
keras.utils.set_random_seed(0)
trainer = AutoencoderTrainer(build_autoencoder(), step=train_step)
_, x_val = runs.split(data, quick)  # the validation images, held out of the training set
live = live_plot.LiveLossPlot("autoencoder", total=quick.iterations, images=x_val[:4])
print(runs.estimate(quick, live))

# %% tags=["key-figure"]
runs.fit(trainer, data, quick, callback=live)
live.finish(trainer)

# %% [markdown]
# ## 6. The paper's result figure
# `RUN` chooses the model studied from here on. The paper's figure: three random test
# images (a fixed seed: notebooks 4 and 5 show the same three), each with the hole and
# with the model's fill pasted in.

# %% tags=["key-figure"]
studied, about = runs.studied(RUN, "autoencoder", quick=trainer, data=data, smoke=SMOKE,
                              make=lambda: AutoencoderTrainer(build_autoencoder(), step=train_step))
print(about)
if RUN != "pretrained":  # notebook 5 compares the model this notebook studies: save it for it
    print("saved for notebook 5:", runs.save(studied, runs.plan("autoencoder", RUN, smoke=SMOKE), data))
autoencoder = studied.inpainter("autoencoder")
show = runs.showcase_indices(len(data.x_test))
plots.result_figure(data.x_test[show], autoencoder.fill(data.x_test[show]), method="autoencoder",
                    labels=[data.class_names[c] for c in data.y_test[show]],
                    title="The autoencoder on three random test images (the paper's result figure)")

# %% [markdown]
# The paper found its fills coherent but blurry: do the colours continue the border? Are
# the edges inside the hole as crisp as those outside?
#
# ## 7. What the blur means
# The **sharpness ratio** measures the blur: the fills' mean change from pixel to pixel
# over the real patches' (1.0: as sharp as the truth). **Predict first:** near 1, or well
# below?

# %%
x_test, y_test = runs.test_images(data)  # a seeded random choice of test images, every class
fills = autoencoder.fill(x_test)
truth = to_scale(x_test, "unit")[:, CENTER_HOLE.rows, CENTER_HOLE.cols]
ratio = sharpness_ratio(fills, truth)
print(f"{len(x_test):,} test images of {data.source}, on [0, 1]: hole MSE {hole_mse(fills, truth):.4f}, "
      f"sharpness ratio {ratio:.2f}")

# %% [markdown]
# A ratio well below 1 is section 4's average, measured: the MSE rewards the mean of the
# plausible fills, so more training on it brings the fills closer to that mean, not to a
# sharp answer. Notebook 4's GAN adds a loss that punishes fills that do not look real.

# %% [markdown] tags=["homework"]
# ## 8. The studied model's curves, and the paper's "converged to 0.009"
# The paper says its autoencoder's error "converged to 0.009", without saying on which
# images. **Predict first:** is 0.009 the kind of error a model reaches on images it
# trained on, or on new ones? The curves of the studied model, with 0.009 as a dashed line:

# %%
from helpers import curves

curves.loss_curves(studied.history, mark=studied.iteration, reference=paper.REPORTED_LOSS["autoencoder"],
                   reference_label="the paper's 'converged to 0.009'",
                   title="The studied autoencoder: training and validation")

# %% [markdown]
# With the course's weights (`RUN = "pretrained"`) the run went on to the paper's 50,000
# iterations, and the dotted line marks the state that ships, the lowest validation error.
# After it, does the training loss keep falling? Does the validation error? (Exercise 5
# prints both.) A training loss that falls while the validation error does not means the
# model is memorising its training images; a low number like 0.009 is more likely such a
# training loss than an error on new images, and neither curve comes near it here.

# %% [markdown] tags=["homework"]
# ## 9. Try it: browse the reconstructions
# Step through the test images. The autoencoder's fill is shown next to OpenCV's Telea
# fill from notebook 1, with each fill's hole MSE. Where does the model beat the classical
# fill, and where not?

# %%
from helpers import widgets
from helpers.classical import OpenCVFill

widgets.reconstruction_widget({"autoencoder": autoencoder, "Telea": OpenCVFill("telea")},
                              x_test, y_test, data.class_names)

# %% [markdown]
# ## Summary
# - The autoencoder matches the paper's table row by row; most of its 4.4 M parameters are
#   in the dense bottleneck.
# - One step (`update`) differentiates the MSE with respect to the trainable variables
#   alone and takes one Adam step; BatchNorm's moving averages change in the forward pass.
# - The MSE rewards the average of the plausible fills, so the fills are blurry.
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
# train a trainer of its own: `sigmoid = AutoencoderTrainer(build_sigmoid(), step=train_step)`,
# then `runs.fit(sigmoid, data, quick)`. Compare `sigmoid.history["val_hole_mse"]` with
# `trainer.history["val_hole_mse"]`.
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
# ### Exercise 2 · Why the validation curve lags (10 min)
# In inference mode BatchNorm normalises with its moving averages. In a copy of the quick
# run's model, replace them by the mean and variance of what BatchNorm sees on 1,000
# training images, and measure the validation hole MSE again. How much of the gap between
# the validation error and the training loss was the moving averages?
#
# <details><summary>Hint</summary>
#
# `twin.set_weights(trainer.models()["autoencoder"].get_weights())` copies the weights into
# a fresh `twin = build_autoencoder()`; `keras.Model(twin.inputs[0], bn.input)` gives what the
# BatchNorm layer `bn` sees; average over the axes (0, 1, 2) for each channel's statistics,
# and write them with `bn.moving_mean.assign(...)`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 2
twin = build_autoencoder()  # a copy of the quick run's model, to change freely
twin.set_weights(trainer.models()["autoencoder"].get_weights())
bn = next(layer for layer in twin.layers if isinstance(layer, layers.BatchNormalization))
x_fit, _ = runs.split(data, quick)
seen = np.asarray(keras.Model(twin.inputs[0], bn.input)(make_pairs(x_fit[:1000], "unit")[0]))
holed_val, patch_val = make_pairs(x_val, "unit")
lagging = hole_mse(np.clip(twin.predict(holed_val, verbose=0), 0, 1), patch_val)
n = trainer.iteration
print(f"momentum {bn.momentum}: after {n:,} steps the moving variance is {float(np.mean(bn.moving_variance)):.2g} "
      f"(its start, 1, times {bn.momentum} ** {n:,} = {bn.momentum ** n:.2g}); on these images "
      f"the variance is {seen.var(axis=(0, 1, 2)).mean():.2g} (means over channels)")
bn.moving_mean.assign(seen.mean(axis=(0, 1, 2)))
bn.moving_variance.assign(seen.var(axis=(0, 1, 2)))
current = hole_mse(np.clip(twin.predict(holed_val, verbose=0), 0, 1), patch_val)
print(f"validation hole MSE {lagging:.4f} with the moving averages, {current:.4f} with the current statistics; "
      f"last training loss {trainer.history['loss'][-1]:.4f}")

# %% [markdown]
# Each step keeps 99 % of the moving variance (momentum 0.99) and adds 1 % of the batch's.
# It starts at 1, far above the variance BatchNorm sees, and after N steps 0.99^N of that
# start is still in it: compare the printed numbers. While that remnant is large, inference
# divides by too large a standard deviation and BatchNorm's output is too small: the likely
# reason the early fills are so dark. Read the printed errors: how much of the gap to the
# training loss do the current statistics close? (The training loss has dropout on.)
#
# ### Exercise 3 · The L1 loss (10 min)
# In the two-edge example, the mean *absolute* error prefers the **median** of the answers,
# not their mean. Change the loss to the mean absolute error and train the quick run. Are
# the fills sharper (compare sharpness ratios on the validation images)?
#
# <details><summary>Hint</summary>
#
# Write `l1_loss` like `autoencoder_loss` with `ops.mean(ops.abs(patch - predicted))`
# (`from keras import ops`), a step that uses it, and a trainer of its own; the trainer
# records the validation sharpness ratio in `history["val_sharpness_ratio"]`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 3
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
# With only two answers the L1-best value is not unique: anything between them does as
# well. With many, the L1-best fill is a per-pixel median, sharper at an edge that most
# answers agree on, still blurry where they disagree. Read the printed numbers: after this
# short run, which loss gives the lower MSE, and how far apart are the sharpness ratios?
#
# ### Exercise 4 · A bottleneck that cannot see (10 min)
# Replace the dense layer (4,196,352 parameters in the table of section 2) by a 1x1
# convolution (`layers.Conv2D(128, 1, activation="relu")` on the 4x4x128 code, without
# Flatten and Reshape). How many parameters are left? Train the quick run: what can the
# fill of the centre no longer see, and what happens to the error?
#
# <details><summary>Hint</summary>
#
# A 1x1 convolution mixes channels within one pixel of the 4x4 code; with three stride-2
# convolutions, each code pixel sees only part of the image.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 4
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
n, n_dense = local.models()["autoencoder"].count_params(), model.count_params()
print(f"{n:,} parameters instead of {n_dense:,} ({n / n_dense:.1%}); validation hole MSE "
      f"{local.history['val_hole_mse'][-1]:.4f} against {trainer.history['val_hole_mse'][-1]:.4f}")

# %% [markdown]
# A code pixel's **receptive field** (the input pixels it depends on) is 15x15 after three
# 3x3 convolutions of stride 2 (1 + 2 + 4 + 8), so the centre's fill no longer sees the far
# border. The solution prints what is left of the model and both validation errors: does
# the local model fill as well after the same short run?
#
# ### Exercise 5 · When does it start memorising? (5 min)
# The course's autoencoder trained for the paper's 50,000 iterations. From its history,
# find the iteration with the lowest validation error and compare the training loss and
# the validation error there and at the end.
#
# <details><summary>Hint</summary>
#
# `runs.load("autoencoder")` gives the shipped model whatever `RUN` says; its history
# has lists `"iteration"`, `"loss"` and `"val_hole_mse"` (`None` where nothing was measured).
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 5
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
# ### Exercise 6 · Average two guesses (5 min)
# Average each fill with the fill of the mirrored image, mirrored back
# (`from helpers.inpainters import MirrorAveraged`; `MirrorAveraged(autoencoder)` fills
# like any method). Measure the hole MSE and the sharpness ratio as in section 7. Does the
# error go down, and what happens to the sharpness? Would you do this to the GAN?
#
# <details><summary>Hint</summary>
#
# Two partly independent guesses of the same thing: their mean has a lower expected
# squared error than either (section 4's argument again).
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 6
from helpers.inpainters import MirrorAveraged

both = MirrorAveraged(autoencoder).fill(x_test)
print(f"mirror-averaged: hole MSE {hole_mse(both, truth):.4f} (plain {hole_mse(fills, truth):.4f}); "
      f"sharpness ratio {sharpness_ratio(both, truth):.2f} (plain {ratio:.2f})")

# %% [markdown]
# The average of two guesses is blurrier still: good for the error, bad for sharpness, so
# it is the wrong tool for a GAN, whose point is sharp fills.
#
# **Next:** notebook 4, the GAN, which attacks the blur.
