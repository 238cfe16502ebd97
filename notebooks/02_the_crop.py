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
# The paper learns its prior from **CIFAR-10**, 60,000 small colour photographs. From each image it cuts a 16x16 square out of the centre: the image with the hole is the model's input, the square is the answer it must produce. This notebook looks at the data, makes those pairs exactly as the training code does, keeps the value scales of the course apart, and shows how training draws its batches.
#
# *Series: 1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · 6 beyond the paper. The course reproduces a student paper, "Reconstrução Digital de Imagens com Redes Neurais Convolucionais" (M. G. de Andrade, Insper), which fills a 16x16 hole in CIFAR-10 images with a convolutional autoencoder and with a GAN.*

# %% [markdown]
# ## Learning goals
# After this notebook you can:
#
# - describe CIFAR-10: 60,000 images of 32x32 in 10 classes, 50,000 for training and 10,000 for testing;
# - cut the paper's 16x16 centre hole and make (input, target) pairs, as in the paper's Fig. 3;
# - convert between the value scales (uint8, [0, 1], [-1, 1]) and the errors measured on them;
# - say where the data loader finds CIFAR-10 without internet, and how training batches and the validation images are drawn.

# %% [markdown]
# ## Set-up
# The first cell prepares Google Colab (it fetches the course) and does nothing else
# elsewhere. The second starts Keras without its log noise and says whether there is a
# GPU. This notebook trains nothing; on Colab the first load downloads CIFAR-10 (about
# 170 MB, a minute or two).

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
import time

import numpy as np

from helpers import paper, plots, runs, widgets
from helpers.batches import BatchSampler
from helpers.holes import CENTER_HOLE, HOLE_FILL_UNIT, Hole, cut_hole, make_pairs, to_scale
from helpers.metrics import hole_mse

# %% [markdown]
# ## 1. Load CIFAR-10
# `runs.load_data()` loads the whole data set, as every notebook does (under the test
# suite, a small random subset: 512 training and 64 test images). Where the data comes
# from is section 6.

# %%
SMOKE = runs.smoke_test()  # True only when the test suite runs this notebook: tiny runs, numbers that mean nothing
data = runs.load_data(smoke=SMOKE)
print(data.describe())
assert data.x_train.shape[1:] == (32, 32, 3) and data.x_train.dtype == np.uint8

# %% [markdown]
# Ten classes, the same number of images of each in the full set. Labels are not used
# to train (the paper uses "only the images"); we use them to look at the data and,
# in notebook 5, to see which kinds of images are hardest to fill.

# %%
counts = np.bincount(data.y_train, minlength=10)
print("training images per class:", ", ".join(f"{name} {n:,}" for name, n in zip(data.class_names, counts)))
if len(data.x_train) == 50_000:
    assert np.all(counts == 5_000)

# %% [markdown]
# ## 2. What CIFAR-10 looks like

# %%
plots.class_grid(data.x_train, data.y_train, data.class_names, per_class=10)

# %% [markdown]
# *What to see:* the images are tiny (32x32 pixels) and the object is usually in the
# middle. So the centre hole removes a quarter of the pixels and, most of the time,
# the middle of the object: the hardest part to guess.
#
# ## 3. The crop (the paper's Fig. 3)
# The paper's hole is the 16x16 centre of the 32x32 image: rows and columns 8 to 23.
# It is `CENTER_HOLE` in `helpers.holes`, used by training, metrics and figures alike.

# %%
print(CENTER_HOLE, "->", CENTER_HOLE.height * CENTER_HOLE.width, "of 1,024 pixels")
assert CENTER_HOLE.shape == (16, 16)
assert (CENTER_HOLE.top, CENTER_HOLE.left) == (8, 8)  # rows and columns 8..23
i = 0
plots.crop_figure(data.x_test[i], CENTER_HOLE, label=data.class_names[data.y_test[i]])

# %% [markdown]
# *What to see:* left the original; middle the **input** of the models, the same image
# with the hole painted grey; right the **target**, the 16x16 patch that was cut out,
# drawn at the same pixel size.
#
# The paper does not say what fills the hole in the input. The course uses mid-grey
# (`HOLE_FILL_UNIT` = 0.5 on [0, 1], which is 0 on [-1, 1]), close to CIFAR-10's mean
# colour, and uses the same value in training and in use. A model could otherwise
# learn that "black means hole" in training and meet grey later (exercise 4).
#
# ## 4. Value scales
# The same pixels live on three scales in this course:
#
# | scale | range | used by |
# |---|---|---|
# | uint8 | 0 .. 255 | storage, the data loader |
# | unit | 0 .. 1 | the autoencoder (ReLU output); **every metric** |
# | signed | -1 .. 1 | the GAN (tanh output, DCGAN practice) |

# %%
plots.value_histograms(data.x_train[:1000], caption="Pixels of 1,000 training images: same shape, different axis.")

# %% [markdown]
# *What to see:* three identical histograms with different numbers on the axis.
# Converting is a straight line, but errors do **not** stay the same: the signed
# scale is twice as wide, so a squared error on it is **four times** larger. The
# paper quotes "0.009" for the autoencoder and "0.008" for the GAN without a scale;
# if the GAN's is on [-1, 1], it is 0.002 on [0, 1]. Check the factor of four on a
# fill that paints the hole grey:

# %%
_, patch_unit = make_pairs(data.x_test[:100], "unit")
_, patch_signed = make_pairs(data.x_test[:100], "signed")
grey_unit = np.full_like(patch_unit, HOLE_FILL_UNIT)  # grey on [0, 1] ...
grey_signed = np.zeros_like(patch_signed)             # ... is 0 on [-1, 1]
mse_unit = hole_mse(grey_unit, patch_unit)
mse_signed = float(np.mean((grey_signed - patch_signed) ** 2))
print(f"grey fill of {len(patch_unit)} test holes: MSE {mse_unit:.4f} on [0, 1], "
      f"{mse_signed:.4f} on [-1, 1], ratio {mse_signed / mse_unit:.2f}")
assert np.isclose(mse_signed, 4 * mse_unit, rtol=1e-4)

# %% [markdown]
# ## 5. How training pairs are made
# `make_pairs(images, scale)` turns a batch of uint8 images into what a model trains
# on: the inputs (32x32 with the grey hole) and the targets (the 16x16 patches), on
# the model's scale. The trainers call it on every batch.

# %%
inputs, targets = make_pairs(data.x_train[:64], "unit")
print(f"inputs  {inputs.shape}  values {inputs.min():.2f}..{inputs.max():.2f} (unit scale)")
print(f"targets {targets.shape}  values {targets.min():.2f}..{targets.max():.2f} (unit scale)")
assert inputs.shape == (64, 32, 32, 3) and targets.shape == (64, 16, 16, 3)
assert np.all(inputs[:, 8:24, 8:24] == HOLE_FILL_UNIT)  # the answer is not in the input
assert np.array_equal(targets, to_scale(data.x_train[:64], "unit")[:, 8:24, 8:24])
plots.image_grid(list(inputs[:8]) + list(targets[:8]), ncols=8, row_labels=["inputs", "targets\n(enlarged)"],
                 title="Eight training pairs: inputs (top) and targets (bottom)")

# %% [markdown]
# *What to see:* each target is exactly the square missing from the input above it.
#
# ## 6. Where the data comes from, offline too
# `helpers.data.load_cifar10` looks for CIFAR-10 in this order: a path you give (or the
# environment variable `INPAINTING_DATA`); the official `cifar-10-python.tar.gz` (or its
# unpacked folder) in `./data` or in Keras's cache `~/.keras/datasets`; an image-folder
# export `cifar10-jpeg.tar.gz` in `./data`; and, with internet, a download through
# `keras.datasets` (what happens in Colab). It decodes once, caches the arrays as one
# `.npz` file in `~/.cache/inpainting`, and records where the data came from in
# `data.source`: the official set, or the JPEG export, whose pixels differ slightly
# (JPEG is lossy). Every table in the course names its source. The data is never copied
# into the repository.

# %%
start = time.perf_counter()
again = runs.load_data(smoke=SMOKE)
print(f"second load: {time.perf_counter() - start:.2f} s, from the cache; source: {again.source}")
assert np.array_equal(again.x_test, data.x_test)  # same seed, same images

# %% [markdown]
# **Batches.** Training draws batches with `helpers.batches.BatchSampler`: a seeded
# shuffle of the training images, a new one for every pass. Iteration *t* always gets
# the same batch for the same seed, so a run that resumes from a checkpoint sees exactly
# the data it would have seen. The paper counts batches as "epochs": its 50,000 "epochs"
# at batch 64 are 50,000 *iterations*.

# %%
sampler = BatchSampler(data.x_train, batch_size=64, seed=0)
print(f"one pass over {len(data.x_train):,} images = {sampler.per_pass:,} batches of 64")
assert np.array_equal(sampler.batch(7), BatchSampler(data.x_train, 64, seed=0).batch(7))
ae = paper.BUDGETS["autoencoder"]
print(f"the paper's autoencoder: {ae.iterations:,} iterations at batch {ae.batch_size} = "
      f"{ae.images_seen:,} images seen = {ae.images_seen / 50_000:.0f} passes over 50,000 training images")

# %% [markdown]
# **Validation images.** The training notebooks hold some training images out, to watch
# the error on images the model does not train on: `runs.split` takes them, the same ones
# every time (a seeded choice). The test set is kept for notebook 5.

# %%
x_train, x_val = runs.split(data, runs.QUICK_VALIDATION)
print(f"a quick run trains on {len(x_train):,} images and validates on {len(x_val):,}")
assert len(x_train) + len(x_val) == len(data.x_train)

# %% [markdown]
# ## 7. Try it: browse the data and move the hole
# Step through the test images (or jump to a random one), move and resize the hole,
# and switch the scale to see the value ranges the models get. A hole that leaves the
# 32x32 image gets a message instead of a figure.

# %%
widgets.crop_widget(data.x_test, data.y_test, data.class_names)

# %% [markdown]
# ## Summary
# - CIFAR-10: 50,000 training and 10,000 test images of 32x32 in ten classes; the
#   course says on every table whether it used the official set or the JPEG export.
# - The crop: a 16x16 hole in the centre (rows and columns 8..23), painted mid-grey in
#   the input; the cut-out patch is the target.
# - Scales: uint8 for storage, [0, 1] for the autoencoder and all metrics, [-1, 1] for
#   the GAN. A squared error on [-1, 1] is four times the same error on [0, 1].
# - Batches are seeded, so runs resume exactly; the paper's "epochs" are iterations.
#
# ## Exercises
# Each takes a few minutes. Try it first; then open the hint, and then the solution (the
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
# using `hole_mse`, for `CENTER_HOLE` and `Hole(0, 0, 16, 16)`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 1
from helpers.classical import OpenCVFill

test = data.x_test[:1000]
unit = to_scale(test, "unit")
for name, hole in (("centre", CENTER_HOLE), ("top-left corner", Hole(0, 0, 16, 16))):
    error = hole_mse(OpenCVFill("telea").fill(test, hole), unit[:, hole.rows, hole.cols])
    print(f"{name:16s} Telea hole MSE {error:.4f} ({len(test):,} test images, unit scale)")

# %% [markdown]
# Two effects pull apart. A corner hole has known pixels on two sides only, so a fill
# has less to go on; but corners of CIFAR-10 images usually hold background, which is
# calmer than the object in the centre. The centre is the harder *question* (the middle
# of the object), and a hole with border on all four sides is the fairer test of a
# model that must use its surroundings.
#
# ### Exercise 2 · Which class is hardest? (10 min)
# Before notebook 5 measures it: which class do you expect to be hardest to fill, and
# which easiest? Write your guess down, then find a number that supports it without
# filling anything: how *busy* the centre patch of each class is.
#
# <details><summary>Hint</summary>
#
# The standard deviation of a patch's pixels (`patch.std(axis=(1, 2)).mean(-1)`) is
# large for a busy patch and small for a calm one. Average it per class with
# `data.y_train == c`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 2
x, y = data.x_train[:10_000], data.y_train[:10_000]
_, patches = make_pairs(x, "unit")
busy = patches.std(axis=(1, 2)).mean(axis=-1)  # per image: spread of its centre's pixels
by_class = [busy[y == c].mean() for c in range(10)]
for c in np.argsort(by_class):
    print(f"{data.class_names[c]:10s} mean spread of the centre patch {by_class[c]:.3f} "
          f"(unit scale, {np.sum(y == c):,} training images)")

# %% [markdown]
# A calm centre (a frog on grass, a deer on a field) is easy for any fill; a busy one
# (a car's wheels and windows, an aeroplane against the sky with its edges) is hard.
# Keep the list: notebook 5 measures each method's error per class.
#
# ### Exercise 3 · The mean colour, whole image or centre (5 min)
# Compute CIFAR-10's mean colour over whole images and over the centre 16x16 only. Why
# do they differ?
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
# The centre holds the object; the border holds sky, water, grass and walls. Sky and
# water are blue and light, so the border is bluer and lighter than the centre. The
# centre's mean is the better constant fill for the centre hole: notebook 5's "mean"
# row uses it.
#
# ### Exercise 4 · Black in training, grey in use (10 min)
# Suppose training filled the hole with 0 on the unit scale (black) and use filled it
# with grey. What would the model's first layer see at the edge of the hole that it
# never saw in training?
#
# <details><summary>Hint</summary>
#
# `cut_hole(images, CENTER_HOLE, "unit", fill=0.0)` fills with black. A first-layer
# filter that straddles the hole's left edge sees the step from column 7 (known) to
# column 8 (the fill): compare its mean size for the two fills.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 4
images = to_scale(data.x_train[:1000], "unit")
steps = {}
for name, fill in (("black", 0.0), ("grey", HOLE_FILL_UNIT)):
    holed, _ = cut_hole(images, CENTER_HOLE, "unit", fill=fill)
    steps[name] = holed
    step = np.mean(np.abs(holed[:, 8:24, 8] - holed[:, 8:24, 7]))
    print(f"{name} fill: mean step at the hole's left edge {step:.3f} (unit scale, {len(images):,} images)")
plots.image_grid(list(steps["black"][:6]) + list(steps["grey"][:6]), ncols=6,
                 row_labels=["black fill", "grey fill"], title="The same inputs, two hole fills")

# %% [markdown]
# A model trained with black learns features for "a dark square with a strong edge
# around it". With grey, the edges are weaker and the square is a different colour: an
# input unlike any it trained on, and nothing tells us what it will do with it. Whatever
# the fill, it must be the same in training and in use.
#
# ### Exercise 5 · One pass, every image once (10 min)
# Check two promises of `BatchSampler`: within one pass every training image appears
# exactly once (less the remainder that does not fill a batch), and a sampler started
# afresh at iteration *t*, as a resumed run is, gives the same batch as one that has run
# from 0.
#
# <details><summary>Hint</summary>
#
# `sampler.indices(t)` gives the image numbers of batch `t`. Concatenate them for
# `t` in `range(sampler.per_pass)` and count them with `np.unique(..., return_counts=True)`.
# For the second promise, compare `sampler.indices(t)` of a new sampler with the one above.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 5
sampler = BatchSampler(data.x_train, batch_size=64, seed=0)
seen = np.concatenate([sampler.indices(t) for t in range(sampler.per_pass)])
numbers, counts = np.unique(seen, return_counts=True)
print(f"pass 0: {len(numbers):,} different images in {sampler.per_pass:,} batches of 64, "
      f"each seen {counts.min()} to {counts.max()} times; {len(data.x_train) - len(numbers)} left for the remainder")
t = sampler.per_pass + 3  # the fourth batch of the second pass
resumed = BatchSampler(data.x_train, batch_size=64, seed=0)
print("a fresh sampler at iteration", t, "gives the same batch:",
      np.array_equal(resumed.indices(t), sampler.indices(t)))
assert counts.max() == 1 and np.array_equal(resumed.indices(t), sampler.indices(t))

# %% [markdown]
# The batch of iteration *t* depends only on the seed and *t* (the pass number seeds the
# shuffle), so a run that stops and resumes trains on exactly the batches it would have.
#
# **Next:** notebook 3, the autoencoder.
