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
# # 2 · The crop: CIFAR-10 and the training pairs
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/inpainting-course/blob/main/notebooks/02_the_crop.ipynb)
#
# The paper learns its prior from **CIFAR-10**, 60,000 small colour photographs. From each it cuts the 16x16 centre: the image with the hole is the model's input, the square the answer it must produce. Here we make those pairs as training does, on the right value scale.
#
# *Series: 1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · 6 beyond the paper. The course reproduces a student paper, "Reconstrução Digital de Imagens com Redes Neurais Convolucionais" (M. G. de Andrade, Insper), which fills a 16x16 hole in CIFAR-10 images with a convolutional autoencoder and with a GAN.*

# %% [markdown]
# ## Learning goals
# After this notebook you can:
#
# - describe CIFAR-10 (32x32 colour images, 10 classes, 50,000 for training, 10,000 for testing);
# - make the paper's (input, target) pairs with its 16x16 centre hole (its Fig. 3);
# - convert between the value scales and say what that does to an error.

# %% [markdown]
# ## Set-up
# The first cell fetches the course on Colab; the second starts Keras quietly and says whether
# there is a GPU. On Colab the first load downloads CIFAR-10 (about 170 MB).

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


# %%
# %matplotlib inline
from helpers import environment

environment.quiet_logs()  # start Keras without TensorFlow's start-up messages
print(environment.gpu_status())

# %%
import numpy as np

from helpers import plots, runs
from helpers.batches import BatchSampler
from helpers.holes import CENTER_HOLE, HOLE_FILL_UNIT, make_pairs, to_scale
from helpers.metrics import hole_mse

# %% [markdown]
# ## 1. CIFAR-10
# `runs.load_data()` loads it all (under the test suite, 512 training and 64 test images drawn
# with a fixed random *seed*, so always the same ones). Pixels are **uint8**, whole numbers
# from 0 to 255. Each image has a *label*, its class; the paper trains on "only the images", so
# labels serve only to look at the data.

# %%
SMOKE = runs.smoke_test()  # True only when the test suite runs this notebook: tiny runs, numbers that mean nothing
data = runs.load_data(smoke=SMOKE)
print(data.describe())
assert data.x_train.shape[1:] == (32, 32, 3) and data.x_train.dtype == np.uint8
plots.class_grid(data.x_train, data.y_train, data.class_names, per_class=10)

# %% [markdown]
# *What to see:* each class's number of training images (in brackets), and tiny pictures whose
# object is usually in the middle. So the centre hole removes a quarter of the pixels and, most
# often, the middle of the object.
#
# ## 2. The crop (the paper's Fig. 3)
# The paper's hole is the 16x16 centre of the 32x32 image: rows and columns 8 to 23. It is
# `CENTER_HOLE` in `helpers.holes`, used by training, metrics and figures alike.

# %% tags=["key-figure"]
print(CENTER_HOLE, "->", CENTER_HOLE.height * CENTER_HOLE.width, "of 1,024 pixels")
assert (CENTER_HOLE.top, CENTER_HOLE.left, CENTER_HOLE.height, CENTER_HOLE.width) == (8, 8, 16, 16)
plots.crop_figure(data.x_test[0], CENTER_HOLE, label=data.class_names[data.y_test[0]])

# %% [markdown]
# *What to see:* the original; the model's **input**, the hole painted grey; the **target**, the
# 16x16 patch that was cut out. The paper does not say what fills the hole in the input; the
# course uses mid-grey (`HOLE_FILL_UNIT` = 0.5 on [0, 1]) in training and in use alike.
#
# ## 3. Value scales
# The same pixels live on three scales in this course:
#
# | scale | range | used by |
# |---|---|---|
# | uint8 | 0 .. 255 | storage, the data loader |
# | unit | 0 .. 1 | the autoencoder (its last layer is a ReLU, max(0, x)); **every metric** |
# | signed | -1 .. 1 | the GAN (its last layer is a tanh, whose values lie between -1 and 1) |

# %%
sample, _ = runs.test_images(data, 1_000)  # a seeded random choice of test images, every class
plots.value_histograms(sample, caption=f"How many pixels take each value, in {len(sample):,} test images.")

# %% [markdown]
# Converting is a straight line: the histograms have one shape. **Predict first:** the signed
# scale is twice as wide. For the same fill, how many times larger is the squared error on
# [-1, 1] than on [0, 1]? The cell measures a fill that paints every hole grey.

# %%
_, patch_unit = make_pairs(sample, "unit")
_, patch_signed = make_pairs(sample, "signed")
mse_unit = hole_mse(np.full_like(patch_unit, HOLE_FILL_UNIT), patch_unit)  # grey: 0.5 on [0, 1] ...
mse_signed = float(np.mean((0.0 - patch_signed) ** 2))  # ... 0 on [-1, 1]; hole_mse takes [0, 1] only
print(f"grey fill of {len(sample):,} test holes: MSE {mse_unit:.4f} on [0, 1], "
      f"{mse_signed:.4f} on [-1, 1], ratio {mse_signed / mse_unit:.2f}")
assert np.isclose(mse_signed, 4 * mse_unit, rtol=1e-4)

# %% [markdown]
# Four times: every difference doubles, so its square grows fourfold. The paper gives its
# errors without a scale: the GAN's "0.008", if on [-1, 1], is 0.002 on [0, 1]. The course
# reports every error on [0, 1].
#
# ## 4. How training pairs are made
# At every **iteration** (one training step) training draws a **batch** of images (64 for the
# autoencoder) with `BatchSampler`, a seeded random draw, and `make_pairs(images, scale)` turns
# it into inputs (32x32, grey hole) and targets (16x16 patches) on the model's scale.

# %%
batch = BatchSampler(data.x_train, batch_size=64, seed=0).batch(0)  # 64 uint8 images
inputs, targets = make_pairs(batch, "unit")
print(f"inputs  {inputs.shape}  values {inputs.min():.2f}..{inputs.max():.2f} (unit scale)\n"
      f"targets {targets.shape}  values {targets.min():.2f}..{targets.max():.2f} (unit scale)")
assert np.all(inputs[:, 8:24, 8:24] == HOLE_FILL_UNIT)  # the answer is not in the input
assert np.array_equal(targets, to_scale(batch, "unit")[:, 8:24, 8:24])
plots.image_grid(list(inputs[:8]) + list(targets[:8]), ncols=8, row_labels=["inputs", "targets\n(enlarged)"],
                 title="Eight training pairs: inputs (top) and targets (bottom)")

# %% [markdown]
# *What to see:* each target is the square missing from the input above it (the cell checks it).

# %% [markdown] tags=["homework"]
# ## 5. At home: where the data comes from, offline too
# `helpers.data.load_cifar10` looks for CIFAR-10 in this order: a path you give (or the
# environment variable `INPAINTING_DATA`); the official `cifar-10-python.tar.gz` (or its
# unpacked folder) in `./data` or in Keras's cache `~/.keras/datasets`; an image-folder
# export `cifar10-jpeg.tar.gz` in `./data`; and, with internet, a download through
# `keras.datasets` (what happens in Colab). A file it finds is decoded once and cached as one
# `.npz` file in `~/.cache/inpainting`. `data.source` says which set it is: the official one,
# or the JPEG export, whose pixels differ slightly (JPEG compression loses some detail), so a
# table can name the data it used. The data is never copied into the repository.

# %%
import time

start = time.perf_counter()
again = runs.load_data(smoke=SMOKE)
print(f"second load: {time.perf_counter() - start:.2f} s; {again.source}, from {again.origin}")
assert np.array_equal(again.x_test, data.x_test)  # the same images, in the same order

# %% [markdown] tags=["homework"]
# ## 6. At home: passes, iterations and validation images
# `BatchSampler` shuffles the training images with a seed (a number that fixes the random
# draw), a new shuffle for every **pass** over them. Iteration *t* always gets the same batch
# for the same seed, so a run that resumes from a **checkpoint** (its saved state) sees
# exactly the data it would have seen (exercise 5 checks it). The paper counts batches as
# "epochs": its 50,000 "epochs" at batch 64 are 50,000 *iterations*.

# %%
from helpers import paper

sampler = BatchSampler(data.x_train, batch_size=64, seed=0)
print(f"one pass over {len(data.x_train):,} images = {sampler.per_pass:,} batches of 64")
ae = paper.BUDGETS["autoencoder"]
print(f"the paper's autoencoder: {ae.iterations:,} iterations at batch {ae.batch_size} = "
      f"{ae.images_seen:,} images seen = {ae.images_seen / 50_000:.0f} passes over 50,000 training images")

# %% [markdown]
# The training notebooks hold some training images out, a **validation set**, to watch the
# error on images the model does not train on: `runs.split` takes them, the same ones every
# time (a seeded choice). No model trains on the test images; notebooks 3 to 5 score on them.

# %%
x_train, x_val = runs.split(data, runs.QUICK_VALIDATION)
print(f"a quick run trains on {len(x_train):,} images and validates on {len(x_val):,}")
assert len(x_train) + len(x_val) == len(data.x_train)

# %% [markdown] tags=["homework"]
# ## 7. At home: browse the data and move the hole
# Step through the test images (or jump to a random one), move and resize the hole,
# and switch the scale to see the value ranges the models get. A hole that leaves the
# 32x32 image gets a message instead of a figure.

# %%
from helpers import widgets

widgets.crop_widget(data.x_test, data.y_test, data.class_names)

# %% [markdown]
# ## Summary
# - CIFAR-10: 50,000 training and 10,000 test images, 32x32, ten classes.
# - Input: the image with its 16x16 centre painted mid-grey; target: the cut-out patch.
# - uint8 for storage, [0, 1] for the autoencoder and every metric, [-1, 1] for the GAN; a
#   squared error on [-1, 1] is four times that on [0, 1].
# - Every iteration draws a seeded batch and makes the pairs from it.
#
# ## Exercises
# Each says how long it takes. Try it first; then open the hint, and then the solution (the
# collapsed cell below the exercise).
#
# ### Exercise 1 · Corner or centre? (10 min)
# Is a 16x16 hole in a corner easier to fill than the paper's centre hole? Guess first,
# then measure it with OpenCV's Telea fill on the test images. Why might the paper have
# chosen the centre?
#
# <details><summary>Hint</summary>
#
# `from helpers.classical import OpenCVFill`; `OpenCVFill("telea").fill(images, hole)`
# returns the patches; compare them with `to_scale(images, "unit")[:, hole.rows, hole.cols]`
# using `hole_mse`, for `CENTER_HOLE` and `Hole(0, 0, 16, 16)` (`from helpers.holes import Hole`).
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 1
from helpers.classical import OpenCVFill
from helpers.holes import Hole

test, _ = runs.test_images(data, 1_000)  # a seeded random choice, every class
unit = to_scale(test, "unit")
errors = {}
for name, hole in (("centre", CENTER_HOLE), ("top-left corner", Hole(0, 0, 16, 16))):
    errors[name] = hole_mse(OpenCVFill("telea").fill(test, hole), unit[:, hole.rows, hole.cols])
    print(f"{name:16s} Telea hole MSE {errors[name]:.4f} ({len(test):,} test images, unit scale)")
print(f"corner / centre: {errors['top-left corner'] / errors['centre']:.2f}")

# %% [markdown]
# Compare the two printed errors before reading on. Two effects pull apart. A corner hole has
# known pixels on two sides only, so a fill has less to go on; but the corners of CIFAR-10
# images mostly hold background, which may be calmer than the object in the centre. Where
# the ratio is near 1, neither effect wins by much. The centre is the harder *question* (the
# middle of the object), and a hole with known pixels on all four sides is the fairer test of
# a model that must use its surroundings.
#
# ### Exercise 2 · Which class is hardest? (10 min)
# Before notebook 5 measures it: which class do you expect to be hardest to fill, and
# which easiest? Write your guess down, then find a number that bears on it without
# filling anything: how *busy* the centre patch of each class is.
#
# <details><summary>Hint</summary>
#
# The standard deviation of a patch's pixels (`patch.std(axis=(1, 2)).mean(-1)`) is
# large for a busy patch and small for a calm one. Average it per class over a seeded random
# choice of test images, `x, y = runs.test_images(data, 5_000)`, with `y == c`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 2
x, y = runs.test_images(data, 5_000)           # a seeded random choice, every class
_, patches = make_pairs(x, "unit")
busy = patches.std(axis=(1, 2)).mean(axis=-1)  # per image: spread of its centre's pixels
present = [c for c in range(10) if np.any(y == c)]
by_class = {c: busy[y == c].mean() for c in present}
for c in sorted(present, key=by_class.get):
    print(f"{data.class_names[c]:10s} mean spread of the centre patch {by_class[c]:.3f} "
          f"(unit scale, {np.sum(y == c):,} test images)")

# %% [markdown]
# The list runs from the calmest centres to the busiest. A calm centre (one colour, few
# edges) leaves less to guess than a busy one, so the classes at the bottom of the list are
# the likely hard ones. Keep the list: notebook 5 measures each method's error per class, and
# you can check your guess there.
#
# ### Exercise 3 · The mean colour, whole image or centre (5 min)
# Compute CIFAR-10's mean colour over whole images and over the centre 16x16 only. How do
# they differ, and why might they?
#
# <details><summary>Hint</summary>
#
# `helpers.classical.MeanColorFill.from_images(data.x_train)` and
# `MeanColorFill.from_images(data.x_train, region=CENTER_HOLE)`; the colour is in `.mean_rgb`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 3
from helpers.classical import MeanColorFill

whole = MeanColorFill.from_images(data.x_train).mean_rgb
centre = MeanColorFill.from_images(data.x_train, region=CENTER_HOLE).mean_rgb
print("mean colour (R, G, B) on [0, 1], whole images:", np.round(whole, 3))
print("mean colour (R, G, B) on [0, 1], centre 16x16: ", np.round(centre, 3))
print("centre minus whole:", np.round(centre - whole, 3))

# %% [markdown]
# Read the last line: where a channel is negative, the centre is darker in it than the image
# as a whole. The centre mostly holds the object; the border holds the background (sky,
# water, grass, walls), so the two means need not agree. For a fill of one colour, the colour
# with the lowest squared error over the training images' centres is, by definition, their
# mean. Notebook 5's "mean" row uses the centre's mean, not the whole image's.
#
# ### Exercise 4 · Black in training, grey in use (10 min)
# Suppose training filled the hole with 0 on the unit scale (black) and use filled it
# with grey. What would the model's first layer see at the edge of the hole that it
# never saw in training?
#
# <details><summary>Hint</summary>
#
# `cut_hole(images, CENTER_HOLE, "unit", fill=0.0)` (`from helpers.holes import cut_hole`)
# fills with black. A first-layer filter that straddles the hole's left edge sees the step
# from column 7 (known) to column 8 (the fill): compare its mean size for the two fills.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 4
from helpers.holes import cut_hole

images = to_scale(sample, "unit")  # section 3's test images
filled_with = {}
for name, fill in (("black", 0.0), ("grey", HOLE_FILL_UNIT)):
    filled_with[name], _ = cut_hole(images, CENTER_HOLE, "unit", fill=fill)
    step = np.mean(np.abs(filled_with[name][:, 8:24, 8] - filled_with[name][:, 8:24, 7]))
    print(f"{name} fill: mean step at the hole's left edge {step:.3f} (unit scale, {len(images):,} images)")
plots.image_grid(list(filled_with["black"][:6]) + list(filled_with["grey"][:6]), ncols=6,
                 row_labels=["black fill", "grey fill"], title="The same inputs, two hole fills")

# %% [markdown]
# A model trained with black learns features for "a dark square with a strong edge
# around it". With grey, the printed step at the edge is smaller and the square is a
# different colour: an input unlike any it trained on, and nothing tells us what it will do
# with it. Whatever the fill, it must be the same in training and in use.
#
# ### Exercise 5 · One pass, every image once (10 min)
# Check two promises of `BatchSampler`: within one pass every training image appears
# at most once (the few that do not fill a last batch are left out of that pass), and a
# sampler started afresh at iteration *t*, as a resumed run is, gives the same batch as one
# that has run from 0.
#
# <details><summary>Hint</summary>
#
# `sampler.indices(t)` gives the image numbers of batch `t`. Concatenate them for
# `t` in `range(sampler.per_pass)` and count them with `np.unique(..., return_counts=True)`.
# For the second promise, compare `sampler.indices(t)` of a new sampler with the first one's.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 5
running = BatchSampler(data.x_train, batch_size=64, seed=0)
seen = np.concatenate([running.indices(t) for t in range(running.per_pass)])
numbers, times_seen = np.unique(seen, return_counts=True)
print(f"pass 0: {len(numbers):,} different images in {running.per_pass:,} batches of 64, each seen "
      f"{times_seen.min()} to {times_seen.max()} times; {len(data.x_train) - len(numbers)} left out of this pass")
t = running.per_pass + 3  # the fourth batch of the second pass
resumed = BatchSampler(data.x_train, batch_size=64, seed=0)
print("a fresh sampler at iteration", t, "gives the same batch:",
      np.array_equal(resumed.indices(t), running.indices(t)))
assert times_seen.max() == 1 and np.array_equal(resumed.indices(t), running.indices(t))

# %% [markdown]
# The batch of iteration *t* depends only on the seed and *t* (the pass number seeds the
# shuffle), so a run that stops and resumes trains on exactly the batches it would have.
#
# **Next:** notebook 3, the autoencoder.
