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
# # 6 · Beyond the paper: holes of any shape
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/inpainting-course/blob/main/notebooks/06_beyond_the_paper.ipynb)
#
# The paper's models fill one hole: the 16x16 square in the centre. Cut out anything else and they are lost. The paper itself cites the way out (Liu et al. 2018, "Image inpainting for irregular holes using partial convolutions"): tell the network which pixels are missing, and let every layer look only at the known ones. In this notebook you write that layer, the **partial convolution**, and the loss and training step of a U-Net made of it (a network that shrinks the image and grows it back, with shortcuts between the levels of the same size); you watch it learn, and measure it against the classical fills on holes of any shape. It ends in a playground where you choose the holes, on test images or on your own photo.
#
# *Series: 1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · 6 beyond the paper. The course reproduces a student paper, "Reconstrução Digital de Imagens com Redes Neurais Convolucionais" (M. G. de Andrade, Insper), which fills a 16x16 hole in CIFAR-10 images with a convolutional autoencoder and with a GAN.*

# %% [markdown]
# ## Learning goals
# After this notebook you can:
#
# - make random free-form holes (brush strokes and rectangles) and say why a model trained on one square fails on them;
# - write a partial convolution in Keras, say what each line of its `call` does, and show how the hole shrinks layer by layer;
# - write the U-Net's loss (a heavier weight on the missing pixels) and its training step, train it, and load the course's trained weights;
# - measure it against classical fills (one of them copies pieces of the image) on free-form holes, and try every method on holes you choose;
# - export it as a `.keras` file that plain Keras loads, without this course.

# %% [markdown]
# ## Set-up
# The first cell prepares Google Colab (it fetches the course) and does nothing else
# elsewhere. The second is the one choice this notebook asks of you, **which U-Net to
# study**:
#
# - `"pretrained"`: the weights the course trained for 50,000 iterations (the default);
# - `"quick"`: the short run you train below, with the code on this page;
# - `"paper"`: the same 50,000 iterations, here and now: hours on a laptop CPU, far less on
#   a GPU. The notebook measures the speed here and says how long before it starts.
#
# Whatever you choose, section 7 trains a quick run with your code, so you see the U-Net
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
RUN = "pretrained"  # "pretrained" (the shipped `pconv` weights) | "quick" (section 7's run) | "paper"

# %%
# %matplotlib inline
from helpers import environment

environment.quiet_logs()  # start Keras without TensorFlow's start-up messages
print(environment.gpu_status())

# %%
from functools import partial

import keras
import numpy as np
from IPython.display import Markdown
from keras import layers, ops

from helpers import curves, diagrams, live_plot, plots, runs, widgets
from helpers.classical import classical_fills, shiftmap_unavailable
from helpers.steps import update
from helpers.evaluation import FREE_FORM, FREE_FORM_TABLE_COLUMNS, evaluate, evaluate_masks, format_table
from helpers.holes import CENTER_HOLE, apply_masks, paste_patch, random_masks, to_scale
from helpers.metrics import mask_l1, mask_mse
from helpers.pconv import build_pconv_unet
from helpers.pretrained import export_keras
from helpers.trainers import PConvTrainer
from helpers.verdicts import beyond_the_paper

# %% [markdown]
# ## 1. The data
# CIFAR-10's 50,000 training images (the quick run holds 1,000 of them out as a
# *validation set*: images it never trains on, to watch its error on), and its test
# images, kept apart for the end: 2,000 of the 10,000, a seeded random choice, the same
# every run. (Under the test suite the notebook loads a small subset.)

# %%
SMOKE = runs.smoke_test()  # True only when the test suite runs this notebook: tiny runs, numbers that mean nothing
data = runs.load_data(smoke=SMOKE)
print(data.describe())
x_test, y_test = runs.test_images(data)
print(f"test images the models are scored on below: {len(x_test):,}")

# %% [markdown]
# ## 2. Free-form holes
# `random_masks` draws brush strokes of random width and length, and now and then a
# rectangle, until a chosen share of the image is missing (here 10 to 40 %). Each mask
# depends only on the seed and its number, so the same call always gives the same holes.
# The paper's square is one fixed hole among all these shapes (a quarter of the pixels).

# %%
masks = random_masks(8, coverage=(0.1, 0.4), seed=0)
shown = apply_masks(to_scale(data.x_test[:8], "unit"), masks)
plots.image_grid(shown, titles=[f"{m.mean():.0%} missing" for m in masks], ncols=8,
                 title="Eight random free-form holes (grey = missing)")

# %% [markdown]
# *What to see:* thin strokes, thick strokes and blocks, anywhere in the image, some of
# them touching the border. Nothing here is a 16x16 square in the centre.
#
# ## 3. The paper's autoencoder on strokes
# The autoencoder of notebook 3 (the course's trained weights) was trained on one question:
# "given this image with a grey square in the middle, what was in the square?". Give it
# strokes instead and it still answers that question: it repaints the centre square, over
# pixels that were known, and leaves every stroke outside the centre grey.
#
# **Predict first:** on these strokes, which will have the lower hole MSE: the autoencoder,
# or OpenCV's Telea fill, which knows nothing about images but is told which pixels are
# missing? The first cell shows the autoencoder's fills, the second both errors.

# %%
shipped_ae, about_ae = runs.load("autoencoder")
print(about_ae)
autoencoder = shipped_ae.inpainter("autoencoder")
x = to_scale(data.x_test[:4], "unit")
holes = random_masks(4, coverage=(0.2, 0.3), seed=1)
holed = apply_masks(x, holes)
painted = paste_patch(holed, autoencoder.predict_patch(holed, CENTER_HOLE))
plots.image_grid(np.concatenate([x, holed, painted]), ncols=4, row_labels=["original", "strokes", "autoencoder"],
                 title="The paper's autoencoder, asked to fill strokes", hole=CENTER_HOLE)

# %%
telea = classical_fills(methods=["telea"])["telea"]
print(f"hole MSE on these strokes (4 images, [0, 1]): autoencoder {mask_mse(painted, x, holes):.4f}, "
      f"OpenCV's Telea fill {mask_mse(telea.fill_masks(x, holes), x, holes):.4f}")

# %% [markdown]
# *What to see:* the yellow outline marks what the autoencoder paints. Inside it, known
# pixels are replaced by a blurry guess; outside it, the strokes stay grey. Which error
# above is the lower? A model for any hole must be told where the hole is.
#
# ## 4. The partial convolution, on the page
# A partial convolution takes two inputs: the image (or the features of a layer before)
# `x`, and a mask `known` (1 = known, 0 = missing, one channel per channel of `x`). For
# each output pixel it
#
# 1. convolves only the known pixels of its window: `x * known` zeroes the missing ones;
# 2. counts the known pixels in the window (`seen`: a convolution of the mask with ones),
#    and scales the result by *pixels in a window / known pixels in it*, so a window half
#    known answers on the same scale as a whole one;
# 3. adds the bias, and marks the output pixel known if its window held at least one known
#    pixel; where it held none, the output is 0 and stays missing.
#
# Here is the layer, whole. `build` makes its weights, a convolution's kernel and one bias
# per filter; `call` is the three steps above. The U-Net below is built from this cell.

# %%
@keras.saving.register_keras_serializable(package="inpainting")  # a saved U-Net names it as the course's
class PartialConv2D(layers.Layer):  # [x, known] -> [y, known']: a convolution of the known pixels only
    def __init__(self, filters, kernel_size, strides=1, **kwargs):
        super().__init__(**kwargs)
        self.filters, self.kernel_size, self.strides = filters, kernel_size, strides
        self.conv = layers.Conv2D(filters, kernel_size, strides=strides, padding="same", use_bias=False)

    def build(self, input_shape):  # the weights: the convolution's kernel and one bias per filter
        self.conv.build(input_shape[0])
        self.bias = self.add_weight(shape=(self.filters,), initializer="zeros", name="bias")
        self.window = float(self.kernel_size ** 2 * input_shape[0][-1])  # pixels in one window

    def call(self, inputs):
        x, known = inputs
        ones = ops.ones((self.kernel_size, self.kernel_size, ops.shape(known)[-1], 1), dtype=known.dtype)
        seen = ops.conv(known, ones, strides=self.strides, padding="same")  # known pixels per window
        new_known = ops.cast(seen > 0, x.dtype)                              # 1 where any was known
        scale = self.window / ops.maximum(seen, 1.0) * new_known
        y = (self.conv(x * known) * scale + self.bias) * new_known
        return y, ops.repeat(new_known, self.filters, axis=-1)

# %% [markdown]
# A check: whatever the missing pixels hold, the layer's output cannot change. Below, the
# same images go through one layer twice, once with their true pixels in the holes and
# once with noise there.

# %%
layer = PartialConv2D(8, 3)
x = to_scale(data.x_test[:4], "unit")
known = np.repeat((~holes)[..., None], 3, axis=-1).astype("float32")  # section 3's strokes
noisy = np.where(known > 0, x, np.random.default_rng(0).random(x.shape)).astype("float32")
y_true, _ = layer([x, known])
y_noisy, _ = layer([noisy, known])
print(f"largest change of the layer's output when the holes hold noise: "
      f"{float(ops.max(ops.abs(y_true - y_noisy))):.1e}")

# %% [markdown]
# The new mask is known wherever a window touched a known pixel, so each 3x3 layer closes
# one pixel of the hole's rim from every side. Below, one of section 2's holes through four
# of your layers (stride 1, for the picture):

# %%
known = (~masks[3])[None, ..., None].astype("float32")
steps = [known[0, ..., 0]]
for _ in range(4):
    _, known = PartialConv2D(1, 3)([np.zeros_like(known), known])
    steps.append(ops.convert_to_numpy(known)[0, ..., 0])
plots.image_grid(steps, ncols=5, titles=["input"] + [f"after layer {i}" for i in range(1, 5)],
                 title="The known pixels (white) grow through partial convolutions", cell=1.8)

# %% [markdown]
# *What to see:* thin strokes vanish after a layer or two, wide ones take longer. In the
# U-Net below each encoder layer also halves the image, so a hole closes in fewer layers.
#
# ## 5. The U-Net
# Four encoder levels (a partial convolution of stride 2 each: 32 → 16 → 8 → 4 → 2 pixels,
# 32 to 128 channels), four decoder levels (double the size, join the encoder's features
# *and masks* of the same size, a partial convolution), and a sigmoid for [0, 1]. The
# joins are the U-Net's **skip connections**: the decoder gets back the detail the encoder
# threw away by halving. `build_pconv_unet` (in `helpers/pconv.py`) puts it together from
# the layer you give it, here yours. In the diagram, BN is batch normalisation (each
# channel rescaled by its mean and spread over the batch) and LeakyReLU a ReLU that lets a
# small share of each negative value through.

# %%
model = build_pconv_unet(partial_conv=PartialConv2D)
print(f"{model.count_params():,} parameters")
diagrams.unet_diagram(model, title="The partial-convolution U-Net: down the encoder, up the decoder",
                      caption="Taller boxes: bigger images; wider: more channels. Every arrow carries "
                              "features and their mask of known pixels.")

# %% [markdown]
# *What to see:* the image is 32x32 at the top and 2x2 at the bottom, and every decoder
# level is joined by an arc to the encoder level of its size; the last joins the input
# image itself, so the known pixels reach the output directly.
#
# ## 6. The loss and one training step, on the page
# Liu et al.'s loss has two pixel terms: the error over the **missing** pixels, weighted 6,
# and the error over the **known** ones, weighted 1; each is a mean over all pixels, so
# bigger holes weigh more. Liu et al. use absolute errors (`kind="l1"`); the course squares
# them by default (`"l2"`), since hole MSE is what every model here is scored on. Their
# perceptual and style terms (which need a large pretrained VGG network) and their
# smoothness term are left out. The U-Net sees the image with its missing pixels zeroed,
# and the mask.

# %%
HOLE_WEIGHT, KNOWN_WEIGHT = 6.0, 1.0  # Liu et al.'s weights of the two terms


def hole_and_known_loss(predicted, truth, known, kind="l2"):
    """HOLE_WEIGHT x the error over the missing pixels + KNOWN_WEIGHT x the error over the known."""
    diff = ops.abs(predicted - truth) if kind == "l1" else ops.square(predicted - truth)
    return HOLE_WEIGHT * ops.mean(diff * (1.0 - known)) + KNOWN_WEIGHT * ops.mean(diff * known)

# %% [markdown]
# The loss of one batch runs the U-Net on exactly the weights it is given
# (`stateless_call`, as in notebook 3), and one training step differentiates it:

# %%
def pconv_loss(unet, trainable, non_trainable, image, known, kind="l2"):
    """The U-Net fills the image with its missing pixels zeroed; the loss compares it with the truth."""
    predicted, non_trainable = unet.stateless_call(trainable, non_trainable, [image * known, known],
                                                   training=True)
    loss = hole_and_known_loss(predicted, image, known, kind)
    return loss, (non_trainable, {"loss": loss})


def train_step(net, state, image, known, kind="l2"):
    """One update: the loss's gradient with respect to the trainable weights, one Adam step."""
    state, loss, logs = update(net, partial(pconv_loss, net.model, kind=kind), state, image, known)
    return state, logs

# %% [markdown]
# The step is notebook 3's, with the U-Net's loss: `update` differentiates the loss with
# respect to the trainable weights and lets Adam (gradient descent with a step size
# adapted to each weight; learning rate 1e-3) take one step. The
# trainer gives every image its own hole: a free-form mask (10 to 40 % missing) three
# times in four, the paper's square otherwise. One step by hand, on one batch of 64:

# %%
keras.utils.set_random_seed(0)
trainer = PConvTrainer(build_pconv_unet(partial_conv=PartialConv2D), step=train_step)
batch = data.x_train[:64]
missing = trainer.masks_for(0, len(batch))  # the holes of this batch (True = missing)
truth = to_scale(batch, "unit")
before = mask_mse(trainer.predict_images_unit(batch, missing), truth, missing)
logs = trainer.train_step(batch)            # one step: your train_step, compiled
after = mask_mse(trainer.predict_images_unit(batch, missing), truth, missing)
print(f"hole MSE on this batch's holes: {before:.4f} before the step, {after:.4f} after it "
      f"(the step's own loss, 6 x hole + 1 x known, in training mode: {float(logs['loss']):.4f})")

# %% [markdown]
# Did the step lower the error? One step is a small move, and it need not help even on its
# own batch; the quick run below takes hundreds. The step's loss is on another scale: both
# terms averaged over all pixels, in *training mode*, where batch normalisation uses the
# batch's own statistics rather than the running averages that predictions use.
#
# ## 7. Watch it learn: the quick run
# Your layer, your loss and your step, trained from fresh weights for a short run. The
# first cell sizes the run from the speed measured here (a GPU trains more iterations in
# the same minutes) and prints its iteration count and how long it will take; to repeat a
# run of that length elsewhere, write `runs.plan("pconv", "quick", iterations=N)`.

# %%
quick = runs.plan("pconv", "quick", smoke=SMOKE)
_, x_val = runs.split(data, quick)  # the 1,000 validation images
live = live_plot.LiveLossPlot("pconv", total=quick.iterations, images=x_val[:4])
print(runs.estimate(quick, live))

# %% [markdown]
# The next cell trains. The curves are redrawn while it trains, and so are the fills of
# four validation images: the untrained U-Net's first, then a quarter, half, three
# quarters and the end of the run. Like every model in the course the U-Net is validated
# on the paper's square (outlined), the one hole all models can fill. Look for the loss
# falling fast at first (the U-Net learns to copy the known pixels and to continue the
# colours around each hole), then slowly, and for the first flat fills giving way to the
# border's colours.

# %%
keras.utils.set_random_seed(0)
trainer = PConvTrainer(build_pconv_unet(partial_conv=PartialConv2D), step=train_step)
runs.fit(trainer, data, quick, callback=live)
live.finish(trainer)

# %% [markdown]
# The U-Net was trained mostly on free-form holes, so its error on them matters as much:
# the cell below measures it on the validation images, each with its own free-form hole,
# and the error of its raw output on the known pixels (which a fill throws away: the
# known pixels are pasted back).

# %%
val_masks = random_masks(len(x_val), coverage=FREE_FORM["coverage"], seed=1)


def free_form_errors(t, images, masks):
    """A trainer's U-Net on free-form holes: MSE over the missing pixels, and over the known ones."""
    predicted, truth = t.predict_images_unit(images, masks), to_scale(images, "unit")
    return mask_mse(predicted, truth, masks), mask_mse(predicted, truth, ~masks)


hole_error, known_error = free_form_errors(trainer, x_val, val_masks)
print(f"the quick run on {len(x_val):,} validation images with free-form holes: hole MSE {hole_error:.4f}, "
      f"MSE of its output on the known pixels {known_error:.4f}")

# %% [markdown]
# ## 8. The U-Net this notebook studies
# `RUN` (at the top) chooses it: the shipped weights, your quick run, or a run of 50,000
# iterations (with the shipped run's settings: mirrored and shifted images, a tenfold
# learning-rate drop at 44,000).

# %%
studied, about = runs.studied(RUN, "pconv", quick=trainer, data=data, smoke=SMOKE, make=lambda: PConvTrainer(
    build_pconv_unet(partial_conv=PartialConv2D), step=train_step, flip=True, shift=2, lr_drop_at=[44_000]))
print(about)
curves.loss_curves(studied.history, mark=studied.iteration,
                   loss_label="training loss (6 x hole + 1 x known pixel error)",
                   title="The studied U-Net: training loss and validation hole MSE")

# %% [markdown]
# *What to see:* for the shipped weights, the training loss and the validation error fall
# together for the whole run; the step down near the end is the learning-rate drop. The
# dotted line marks the state that ships (`weights/pconv.md` says how it was trained).
#
# ## 9. On the paper's square
# The fair first test: the paper's own hole, which the autoencoder was trained for and the
# U-Net saw in only a quarter of its training images, against two classical fills:
# OpenCV's Telea fill and scikit-image's biharmonic fill (notebook 1). The columns are
# notebook 5's: **hole MSE**, the mean squared error of the hole's pixels; **hole PSNR**,
# the same on a log scale in decibels (higher is better, +3 dB is half the error);
# **SSIM**, the structural similarity of the whole image to the original (1 is
# identical); the **sharpness ratio**, the fills' detail over the truth's (lower is
# blurrier); and the time per image.

# %%
pconv = studied.inpainter("partial-conv U-Net")
# shift-map (section 10) is left out where this OpenCV cannot run it; section 10 says why
classical = classical_fills(methods=["telea", "biharmonic", "shiftmap"], skip_unavailable=True)
square_methods = {"telea": classical["telea"], "biharmonic": classical["biharmonic"],
                  "autoencoder": autoencoder, "pconv": pconv}
square_rows = evaluate(square_methods, x_test, progress=False)
print(f"{data.source} · {len(x_test):,} test images · the 16x16 centre hole · values on [0, 1]")
Markdown(format_table(square_rows))

# %% [markdown]
# ## 10. On free-form holes, against the classical fills
# Now random holes covering 10 to 40 % of each test image: the course's fixed test masks
# (`FREE_FORM`: mask *i* depends only on a fixed seed and *i*, so every method and every
# run gets the same holes). The paper's autoencoder cannot take part. A third classical
# fill joins here: OpenCV's **shift-map** fill (He and Sun 2012), an *exemplar* method,
# which copies pieces of the known image into the hole, choosing them so that they join
# without seams. It is slow (see the last column: milliseconds per image), so this
# comparison uses the first 500 of the 2,000 test images. **Hole L1** is the mean absolute
# error over the missing pixels.

# %%
n_free = min(500, len(x_test))
test_masks = random_masks(n_free, **FREE_FORM)  # the first n_free of the course's test masks
free_methods = {**classical, "pconv": pconv}
if "shiftmap" not in classical:
    print(shiftmap_unavailable(), "Its rows are left out; everything else runs.")
free_rows = evaluate_masks(free_methods, x_test[:n_free], test_masks, progress=False)
print(f"{n_free:,} test images · free-form holes, {test_masks.mean():.0%} of the pixels on "
      f"average · errors over the missing pixels, values on [0, 1]")
Markdown(format_table(free_rows, FREE_FORM_TABLE_COLUMNS))

# %% [markdown]
# **Predict first:** the U-Net saw the paper's square in a quarter of its training images,
# the autoencoder in all of them. On that square (section 9), does the U-Net reach a higher
# hole PSNR than the autoencoder, and by how many dB? On free-form holes, how far below each
# classical fill's error is the U-Net's? The cell prints both from the two tables, with how
# many training images each model saw.

# %%
seen = {"pconv": studied.iteration * studied.batch_size,
        "autoencoder": shipped_ae.iteration * shipped_ae.batch_size}
for line in beyond_the_paper(square_rows, free_rows, images_seen=seen):
    print(line)

# %% [markdown]
# Compare with your guesses. Which classical fill comes closest to the U-Net on free-form
# holes? The answers depend on the U-Net studied: the shipped weights, or a quick run of a
# few minutes (under the test suite the numbers mean nothing). Below, the same holes in
# four test images:

# %%
x4, m4 = to_scale(x_test[:4], "unit"), test_masks[:4]
fills = [method.fill_masks(x4, m4) for method in free_methods.values()]
plots.image_grid(np.concatenate([x4, apply_masks(x4, m4), *fills]), ncols=4,
                 row_labels=["original", "holes", *free_methods],
                 title="Free-form test holes, filled by each method")

# %% [markdown]
# *What to see:* Telea and biharmonic carry the colours of each hole's border inwards, so a
# wide hole turns into a soft blob and a line that crosses it fades. Shift-map's fills are
# as sharp as the image, since they are pieces of it, but in an image this small a piece
# often comes from the wrong place: look for bits of background pasted onto an object. Look, too, for the places
# where the U-Net, which has seen edges and textures in thousands of images, carries a line
# or a colour across a hole. In thin strokes every missing pixel has known neighbours, and
# all the methods look alike there.
#
# ## 11. Try it: the playground
# Pick a test image, or upload a photo of your own (it is cut to its central square and
# shrunk to **32x32 pixels**, the size these models know: at that size a face is a few
# pixels wide, so expect colours and shapes, not details). Choose the paper's square, a
# rectangle, or random strokes, and compare every method. The paper's autoencoder fills
# only its square, and says so otherwise.
#
# (If the upload button does nothing in your Colab, run
# `from google.colab import files; data_bytes = next(iter(files.upload().values()))`
# and `widgets.photo_to_cifar(data_bytes)` gives the 32x32 image.)

# %%
widgets.playground_widget(x_test, {**classical, "autoencoder": autoencoder, "U-Net": pconv},
                          y_test, data.class_names)

# %% [markdown]
# ## Summary
# - A model trained on one hole learns that hole: the paper's autoencoder repaints its
#   square whatever you cut out.
# - A partial convolution is told where the hole is: it convolves only the known pixels,
#   rescales by how many of its window were known, and marks its output known where any
#   was, so the hole shrinks layer by layer.
# - The U-Net's loss weighs the error in the hole six times the error elsewhere; trained on
#   random holes, one U-Net fills holes of any shape. Sections 9 and 10 measure how it
#   compares with the paper's autoencoder on its square and with three classical fills on
#   free-form holes: two that smooth the border inwards, and shift-map, which copies pieces
#   of the image.
#
# ## Exercises
# Each runs in a few minutes at most on a laptop CPU. Try it first; then open the hint,
# and then the solution (the collapsed cell below the exercise).
#
# ### Exercise 1 · The hole weight (10 min)
# The loss weighs the missing pixels 6 times the known ones (`HOLE_WEIGHT` in section 6).
# Set `HOLE_WEIGHT = 1.0`, train the quick run again, and compare its error on free-form
# validation holes, and on the known pixels, with the quick run of section 7. Which error
# does each weight buy, and which one matters for a fill?
#
# <details><summary>Hint</summary>
#
# `hole_and_known_loss` reads `HOLE_WEIGHT` when a trainer compiles your step, so assign it,
# build a new trainer with `PConvTrainer(build_pconv_unet(partial_conv=PartialConv2D),
# step=train_step)`, train it with `runs.fit(t, data, quick)`, and set it back to 6.0.
# `free_form_errors(t, x_val, val_masks)` (section 7) gives both errors.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 1
HOLE_WEIGHT = 1.0  # read when the new trainer compiles train_step
keras.utils.set_random_seed(0)
even = PConvTrainer(build_pconv_unet(partial_conv=PartialConv2D), step=train_step)
runs.fit(even, data, quick)
HOLE_WEIGHT = 6.0  # back to Liu et al.'s
for name, t in (("hole weight 6 (section 7)", trainer), ("hole weight 1", even)):
    hole_error, known_error = free_form_errors(t, x_val, val_masks)
    print(f"{name}: {len(x_val):,} validation images, free-form holes: hole MSE {hole_error:.4f}, "
          f"MSE on the known pixels {known_error:.4f}")

# %% [markdown]
# With equal weights a known pixel counts as much as a missing one, and the known pixels are
# 60 to 90 % of each image: most of the loss is then about copying them, which is easy and
# useless, since a fill pastes the known pixels back. The hole weight is meant to move that
# effort into the hole. Read the numbers above: on a run this short, which error did the
# weight of 6 change, and which way? One short run of each is weak evidence either way.
#
# ### Exercise 2 · Liu et al.'s absolute errors (10 min)
# Train the quick run with `kind="l1"`, the loss Liu et al. use. Compare hole MSE and
# hole L1 (the mean absolute error) on the free-form validation holes with section 7's
# run. Does each loss win on its own measure?
#
# <details><summary>Hint</summary>
#
# The trainer passes its `loss` setting to your step as `kind`:
# `PConvTrainer(build_pconv_unet(partial_conv=PartialConv2D), step=train_step, loss="l1")`.
# For the L1 error use `mask_l1(predicted, truth, masks)` with
# `t.predict_images_unit(x_val, val_masks)`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 2
keras.utils.set_random_seed(0)
absolute = PConvTrainer(build_pconv_unet(partial_conv=PartialConv2D), step=train_step, loss="l1")
runs.fit(absolute, data, quick)
truth = to_scale(x_val, "unit")
for name, t in (("squared errors (section 7)", trainer), ("absolute errors", absolute)):
    predicted = t.predict_images_unit(x_val, val_masks)
    print(f"{name}: free-form validation holes: hole MSE {mask_mse(predicted, truth, val_masks):.4f}, "
          f"hole L1 {mask_l1(predicted, truth, val_masks):.4f}")

# %% [markdown]
# As in notebook 3's exercise 2: the squared error's best guess is the mean of the plausible
# fills, the absolute error's their median, so with enough training each loss should win on
# its own measure. Check the numbers above: on a run this short, does it? Liu et al. add
# perceptual and style terms on top of L1 to make fills sharper.
#
# ### Exercise 3 · Trained on the square only (10 min)
# Train the quick run on the paper's square only (`center_fraction=1.0`: the share of images
# that get the square instead of a free-form hole). Compare it with section 7's run on the
# square (the validation hole MSE) and on free-form holes. What does it show about what a
# model learns from its training holes?
#
# <details><summary>Hint</summary>
#
# `PConvTrainer(..., step=train_step, center_fraction=1.0)`; the validation error on the
# square is `t.history["val_hole_mse"][-1]`, the free-form one `free_form_errors(t, x_val,
# val_masks)[0]`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 3
keras.utils.set_random_seed(0)
square_only = PConvTrainer(build_pconv_unet(partial_conv=PartialConv2D), step=train_step, center_fraction=1.0)
runs.fit(square_only, data, quick)
for name, t in (("a quarter squares (section 7)", trainer), ("squares only", square_only)):
    print(f"{name}: validation hole MSE on the square {t.history['val_hole_mse'][-1]:.4f}, "
          f"on free-form holes {free_form_errors(t, x_val, val_masks)[0]:.4f}")

# %% [markdown]
# Expect the U-Net trained on the square alone to be better on the square and worse on
# strokes, like the paper's autoencoder (check the numbers above): even a model that is
# told where the hole is learns the holes it is shown.
#
# ### Exercise 4 · A wider window (5 min)
# With your `PartialConv2D`, count how many stride-1 layers it takes to close each of the
# eight holes of section 2, with a 3x3 and with a 5x5 kernel. Why does the 5x5 need about
# half as many?
#
# <details><summary>Hint</summary>
#
# Repeat `_, known = PartialConv2D(1, kernel)([np.zeros_like(known), known])` (as in
# section 4) until `known.min() == 1`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 4
def layers_to_close(missing, kernel):
    known, count = (~missing)[None, ..., None].astype("float32"), 0
    while known.min() < 1:
        _, known = PartialConv2D(1, kernel)([np.zeros_like(known), known])
        known, count = ops.convert_to_numpy(known), count + 1
    return count


for kernel in (3, 5):
    print(f"{kernel}x{kernel} kernel: layers to close each of the 8 holes: "
          f"{[layers_to_close(m, kernel) for m in masks]}")

# %% [markdown]
# A 3x3 window reaches one pixel to each side, a 5x5 two, so each layer closes twice as much
# of the rim. The U-Net's first layer is 5x5 with stride 2, and every encoder level halves
# the image, which closes holes faster still.
#
# ### Exercise 5 · Wider holes (5 min)
# Score the classical fills and the studied U-Net on test holes covering 40 to 60 % of the
# image, beside the usual 10 to 40 %, on the same few hundred test images. Which method's
# error rises most, and is the U-Net still ahead of every classical fill on the wide holes?
#
# <details><summary>Hint</summary>
#
# `random_masks(n, coverage=(0.4, 0.6), seed=FREE_FORM["seed"])` and
# `evaluate_masks(free_methods, images, masks, progress=False)`; keep `n` to a few hundred
# images (shift-map is slow).
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 5
n = min(300, len(x_test))  # shift-map takes tens of milliseconds per image
errors = {}
for coverage in (FREE_FORM["coverage"], (0.4, 0.6)):
    wide = random_masks(n, coverage=coverage, seed=FREE_FORM["seed"])
    rows = evaluate_masks(free_methods, x_test[:n], wide, progress=False)
    print(f"{n} test images, {wide.mean():.0%} missing on average: "
          + ", ".join(f"{r['id']} hole MSE {r['hole_mse']:.4f}" for r in rows))
    for r in rows:
        errors.setdefault(r["id"], []).append(r["hole_mse"])
print("rise with the wider holes: " + ", ".join(f"{k} {b / a - 1:+.0%}" for k, (a, b) in errors.items()))

# %% [markdown]
# A diffusion fill only continues what it sees at the border of the hole: the farther a
# missing pixel lies from known ones, the more its guess is a blend of distant colours. The
# U-Net's guess there comes from what it learned images usually hold, and shift-map copies
# from whatever is left. Read the rises above: which kind of method copes best with less
# to go on?
#
# ### Exercise 6 · Take the U-Net away (5 min)
# `export_keras("pconv", path)` writes the shipped U-Net as a `.keras` file built from
# Keras's own layers only, so anyone can load it with plain
# `keras.saving.load_model(path)`, without this course. Export it, load it, list its
# layer types, and check that it fills the same as the course's U-Net.
#
# <details><summary>Hint</summary>
#
# `from helpers.pretrained import load_pretrained`; the U-Net takes
# `[images * known, known]` (`known`: 1 = known, shape (N, 32, 32, 1)); compare the two
# outputs with `np.abs(a - b).max()`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 6
from helpers.pretrained import load_pretrained

path = export_keras("pconv", runs.runs_root() / "export" / "pconv.keras")
plain = keras.saving.load_model(path)
print(f"{path.name}: {plain.count_params():,} weights, layer types "
      f"{sorted({type(layer).__name__ for layer in plain.layers})}")
known = (~test_masks[:8])[..., None].astype("float32")
inputs = [to_scale(x_test[:8], "unit") * known, known]
difference = np.abs(np.asarray(plain(inputs)) - np.asarray(load_pretrained("pconv")(inputs))).max()
print(f"largest difference from the course's U-Net on 8 test images: {difference:.1e}")

# %% [markdown]
# Each partial convolution became three plain convolutions and a few `keras.ops`: one for
# the kernel, a frozen one of ones that counts the known pixels (those extra weights are
# the only ones added), and a 1x1 one whose kernel is the bias, applied to the new mask. The
# arithmetic is the same, so the outputs agree.
#
# **The end of the course.** Notebook 5 compared the paper's models; this one showed where
# the field went next: tell the network where the hole is.
