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
# # 1 · The problem: filling a hole in an image
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/inpainting-course/blob/main/notebooks/01_the_problem.ipynb)
#
# **Image inpainting** fills a missing region of an image (a *hole*) so that the result looks like the original. This notebook needs no data set and trains nothing: it takes photographs that ship with scikit-image, cuts a hole in each, and lets the classical methods fill it. They come in two families: some *smooth* the border of the hole inwards, others *copy* pieces of the image into it. On a brick wall, copying works. On a face with the eyes cut out, every classical method fails, for one reason, which is the reason the rest of the course trains neural networks.
#
# *Series: 1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · 6 beyond the paper. The course reproduces a student paper, "Reconstrução Digital de Imagens com Redes Neurais Convolucionais" (M. G. de Andrade, Insper), which fills a 16x16 hole in CIFAR-10 images with a convolutional autoencoder and with a GAN.*

# %% [markdown]
# ## Learning goals
# After this notebook you can:
#
# - say what an inpainting method takes (an image and a hole) and returns (a filled image);
# - run four classical fills through the course's one interface, `Inpainter.inpaint(images, hole)`: three **diffusion** methods (OpenCV's Telea and Navier-Stokes, scikit-image's biharmonic) and one **exemplar** method (OpenCV's shift-map, a relative of Photoshop's Content-Aware Fill);
# - tell the two families apart on a repeating texture, by eye and with two numbers: the hole error and the sharpness ratio;
# - name what no classical method can do: paint what the image does not contain, such as the eyes of a face (the paper's Fig. 2). That needs a **prior**, learned from other images.

# %% [markdown]
# ## Set-up
# The first cell prepares Google Colab (it fetches the course) and does nothing else
# elsewhere. The second starts Keras without its log noise and says whether there is a
# GPU. This notebook needs neither a GPU nor a data set: it runs anywhere in a minute or two.

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

import cv2
import numpy as np
from IPython.display import display
from skimage import data as samples

from helpers import plots, widgets
from helpers.classical import BiharmonicFill, ExemplarFill, OpenCVFill, shiftmap_unavailable
from helpers.holes import Hole, cut_hole, to_scale
from helpers.metrics import hole_mse, sharpness_ratio

# %% [markdown]
# ## 1. What inpainting is
# An inpainting method gets an image and a **hole**: the pixels that are missing.
# It returns the image with the hole filled; outside the hole nothing changes.
# In this course a hole is a rectangle, `Hole(top, left, height, width)` in pixels,
# and every method, classical or learned, has the same two calls:
#
# - `method.fill(images, hole)`: the predicted content of the hole (the *patch*);
# - `method.inpaint(images, hole)`: the whole images with the patch pasted in.
#
# Our first image is a photograph of astronaut Eileen Collins (NASA), which ships
# with scikit-image, so it needs no download. We take the 192x192 square around
# her face and cut out her eyes.

# %%
face = samples.astronaut()[30:222, 120:312]  # the face, 192x192, uint8 RGB
eyes = Hole(top=60, left=46, height=28, width=88)
print(f"image {face.shape[0]}x{face.shape[1]}x{face.shape[2]} {face.dtype}; "
      f"hole {eyes.height}x{eyes.width} at row {eyes.top}, column {eyes.left}")

# %% [markdown]
# Before a method sees an image, the course paints the hole **mid-grey**, so no
# method can peek at what was there. `cut_hole` returns that image and the patch it
# removed (the answer we keep for scoring). Values are on the unit scale [0, 1];
# mid-grey is 0.5.

# %%
face_unit = to_scale(face[None], "unit")  # a batch of one image, floats in [0, 1]
holed, eyes_truth = cut_hole(face_unit, eyes, "unit")
assert np.all(holed[0, eyes.rows, eyes.cols] == 0.5)  # the method sees only grey there
plots.image_row([face, holed[0]], ["original", "with the hole"],
                title="A face with the eyes cut out", cell=3.0)

# %% [markdown]
# *What to see:* the grey band is all a method gets where the eyes were. Everything
# it paints there must come from the rest of the picture.
#
# ## 2. Two families of classical fills
# Classical methods are a few lines of well-known mathematics each; they need no
# training. They come in two families.
#
# **Diffusion** methods propagate the colours at the border of the hole inwards:
#
# - **Telea** (OpenCV, fast marching): fills the hole from its border inwards, each
#   new pixel a weighted average of the known pixels near it;
# - **Navier-Stokes** (OpenCV): continues the lines of equal brightness that reach
#   the border into the hole, like a fluid flowing in;
# - **biharmonic** (scikit-image): the smoothest surface that matches the border.
#
# **Exemplar** methods copy pieces of the known image into the hole: Criminisi and
# colleagues' patch filling (2004), PatchMatch (2009, behind Photoshop's
# Content-Aware Fill, the tool the paper tried), and the one used here:
#
# - **shift-map** (He and Sun, 2012; OpenCV's contrib module `cv2.xphoto`): finds
#   the shifts that map many patches of the image onto similar patches elsewhere, then
#   fills each missing pixel with the known pixel one of those shifts away, choosing
#   the shifts so that neighbouring pieces join without seams.

# %%
classical = {"Telea": OpenCVFill("telea"), "Navier-Stokes": OpenCVFill("ns"), "biharmonic": BiharmonicFill()}
why_not = shiftmap_unavailable()  # None where this OpenCV can run the shift-map fill
if why_not:
    print(why_not, "The cells below leave it out; everything else runs.\n")
else:
    classical["shift-map"] = ExemplarFill()
for short, method in classical.items():
    print(f"{short:14s} {method.name}")

# %% [markdown]
# Two numbers say how good a fill is. The **hole MSE** is the mean squared difference
# between the fill and what was cut out (on [0, 1]; 0 is perfect). The **sharpness
# ratio** compares the fill's detail (its mean gradient: how much the colour changes
# from pixel to pixel) with the detail of what was cut out: 1.0 is as much detail as
# the original, lower is blurrier. The first says *how wrong*, the second *how blurry*.

# %%
def fill_and_score(image, hole, methods=classical):
    """Every method's filled image, and one line per method: its hole MSE and sharpness."""
    unit = to_scale(image[None], "unit")
    truth = unit[:, hole.rows, hole.cols]
    filled, scores = {}, {}
    for name, method in methods.items():
        out = method.inpaint(unit, hole)
        patch = out[:, hole.rows, hole.cols]
        scores[name] = (hole_mse(patch, truth), sharpness_ratio(patch, truth))
        filled[name] = out[0]
        print(f"{name:14s} hole MSE {scores[name][0]:.4f}   sharpness ratio {scores[name][1]:.2f}")
    return filled, scores

# %% [markdown]
# ## 3. A repeating texture: diffusion blurs it, the exemplar copies it
# A brick wall, also from scikit-image: a grey-scale photograph, shrunk to 256x256 so
# the shift-map fill takes seconds, and repeated on three channels to make it RGB.
# The hole covers several bricks and the mortar between them.

# %%
bricks = np.repeat(samples.brick()[..., None], 3, axis=-1)               # 512x512 grey -> RGB
bricks = cv2.resize(bricks, (256, 256), interpolation=cv2.INTER_AREA)  # 256x256
wall_hole = Hole(top=90, left=100, height=45, width=45)
filled, wall_scores = fill_and_score(bricks, wall_hole)
plots.photo_fills(bricks, wall_hole, filled, title="The classical fills of a brick wall",
                  caption="Bottom row: zoomed in on the hole.")

# %% [markdown]
# *What to see:* Telea and Navier-Stokes draw a star of streaks from the border to the
# centre; biharmonic a soft blob. The mortar lines stop at the border of the hole:
# diffusion can only spread what touches the border, and a smooth spread of a pattern is
# a blur. The shift-map fill continues the rows of bricks, because the wall holds many
# copies of what is missing. The numbers say the same: the cell below checks that the
# exemplar fill has the lowest error *and* the most detail.

# %%
best = min(wall_scores, key=lambda name: wall_scores[name][0])
sharpest = max(wall_scores, key=lambda name: wall_scores[name][1])
print(f"lowest hole MSE: {best}; most detail: {sharpest}")
if "shift-map" in wall_scores:
    assert best == sharpest == "shift-map"
    diffusion = min(v[0] for k, v in wall_scores.items() if k != "shift-map")
    print(f"the best diffusion fill's error is {diffusion / wall_scores['shift-map'][0]:.1f} times the exemplar's")
else:
    print("(no shift-map fill here, so no exemplar to compare: section 2 says why)")

# %% [markdown]
# This is what the paper's Content-Aware Fill does well too: where the image repeats,
# copying is the right idea, and it needs no training.
#
# ## 4. A face: every classical method fails (the paper's Fig. 2)
# Now the eyes. A face holds only two eyes, and both are in the hole.

# %%
filled, face_scores = fill_and_score(face, eyes)
plots.photo_fills(face, eyes, filled, title="Classical fills of the eyes: skin, or a copied mouth",
                  caption="Bottom row: the same images, zoomed in on the hole.")

# %% [markdown]
# *What to see:* the three diffusion methods paint a skin-coloured smear. The
# shift-map fill pastes pieces of the rest of the face: look closely, and where the eyes
# were you find what the face does contain (skin, hair, the background, even parts of
# the smile). None draws an eye, not even a blurred one: nothing at the border of the
# hole says "eyes here", and nothing elsewhere in the picture is a pair of eyes to copy.
#
# The numbers show the two failures apart. The exemplar fill is sharp (a sharpness
# ratio near that of the eyes) and yet the most wrong; the diffusion fills are less wrong
# and blurry. Sharp is not the same as right. The cell checks both statements.

# %%
worst = max(face_scores, key=lambda name: face_scores[name][0])
assert worst == "shift-map" or "shift-map" not in face_scores   # sharp, and the most wrong
assert all(ratio < 0.6 for name, (_, ratio) in face_scores.items() if name != "shift-map")
print(f"highest error: {worst}; the diffusion fills keep under 60 % of the eyes' detail")

# %% [markdown]
# ## 5. The lesson: copying and smoothing are not knowing
# The paper names two faults of Content-Aware Fill: fills that look "abstract" (its
# Fig. 1), and a hole whose content is nowhere else in the image (the eyes, its Fig. 2).
# Sections 3 and 4 sort them out:
#
# - a classical method can **smooth** the border inwards (diffusion) or **copy** what the
#   image contains (exemplar). Copying continues a repeating texture well; where the
#   image holds nothing that fits, it pastes something that does not belong, which can
#   look abstract;
# - **no** classical method can paint what the image does not contain. A person who fills
#   the eyes uses something else: they have seen thousands of faces, so they know eyes go
#   there. That knowledge, brought from other images, is a **prior**.
#
# A model *trained on a data set of images* can learn a prior. That is the paper's idea
# and the plan of the course: notebook 2 prepares the data (CIFAR-10, tiny 32x32
# photographs), notebook 3 trains an autoencoder, notebook 4 a GAN, and notebook 5
# compares them with these four fills. One caution, to keep us honest: 32x32 images are
# too small for eyes and bricks; what a model can learn there is the prior of *small
# photographs of ten kinds of objects*.
#
# ## 6. Try it: move the hole
# Pick an image and a method, then move and resize the hole with the sliders (the figure
# redraws when you let go). The titles give each fill's hole error (MSE on [0, 1]) and how
# much detail it kept. The shift-map fill takes a few seconds per redraw. Ideas: one eye
# only; the mouth; a hole on the bricks only 8 pixels high; the cat's eye. If the hole
# leaves the image, the widget says so instead of drawing.

# %%
def shrink(image, width=300):
    """The image shrunk to ``width`` pixels across: the shift-map fill takes seconds there."""
    return cv2.resize(image, (width, width * image.shape[0] // image.shape[1]), interpolation=cv2.INTER_AREA)


widgets.classical_widget(
    {"face": face, "bricks": bricks, "coffee": shrink(samples.coffee()), "cat": shrink(samples.chelsea())},
    holes={"face": eyes, "bricks": wall_hole, "coffee": Hole(30, 130, 55, 60), "cat": Hole(66, 80, 34, 46)})

# %% [markdown]
# ## Summary
# - Inpainting fills a hole so that the image looks whole; here every method has `fill`
#   (the patch) and `inpaint` (the whole image), and never sees what was in the hole.
# - Diffusion methods (Telea, Navier-Stokes, biharmonic) smooth the border inwards: fast,
#   no training, and blurry wherever the hole holds detail.
# - Exemplar methods (shift-map here; Content-Aware Fill in Photoshop) copy pieces of the
#   image: they continue a repeating texture sharply, and paste the wrong thing where
#   nothing in the image fits.
# - No classical method paints what the image does not contain, such as a face's eyes:
#   that needs a prior from other images. Learning from a data set supplies it; that is
#   what the next notebooks do.
#
# ## Exercises
# Each takes a few minutes. Try it first; then open the hint, and then the solution (the
# collapsed cell below the exercise).
#
# ### Exercise 1 · One eye (5 min)
# Cut out the left eye only (`Hole(60, 46, 28, 40)`). The other eye is in the picture
# now. Does the shift-map fill copy it? Why, or why not?
#
# <details><summary>Hint</summary>
#
# `fill_and_score(face, Hole(60, 46, 28, 40))` fills and scores with all four methods;
# show the fills with `plots.photo_fills`. Shift-map copies by *translation* and chooses
# shifts that are common in the whole image and that join well with the border of the
# hole. Is "one eye-width to the right" such a shift?
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 1
left_eye = Hole(60, 46, 28, 40)
filled, _ = fill_and_score(face, left_eye)
plots.photo_fills(face, left_eye, filled, title="The left eye cut out; the right eye is still there")

# %% [markdown]
# Shift-map does not "look for an eye": it knows no eyes. It chooses among shifts that
# many patches of the image agree on, and per pixel the one whose copy joins the border of
# the hole best; a shift that only the two eyes share is rarely among them. What it pastes
# is whatever fits the border, here the skin and background around the eye.
#
# ### Exercise 2 · The size of the hole (10 min)
# On the bricks, keep the hole 45 pixels wide and make it 8, 20 and 45 pixels high
# (centred on the same place). Compare Telea and shift-map: how do the error and the
# sharpness change with the height, and why does the size matter so much for diffusion?
#
# <details><summary>Hint</summary>
#
# `Hole(90 + (45 - h) // 2, 100, h, 45)` for `h` in `(8, 20, 45)`; call
# `fill_and_score(bricks, hole, {k: classical[k] for k in ("Telea", "shift-map")})`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 2
two = {k: classical[k] for k in ("Telea", "shift-map") if k in classical}  # shift-map where available
for h in (8, 20, 45):
    print(f"hole {h}x45 on the bricks:")
    fill_and_score(bricks, Hole(90 + (45 - h) // 2, 100, h, 45), two)

# %% [markdown]
# A thin hole lies close to its border everywhere, so diffusion has the answer nearby and
# the mortar lines barely break; the farther the centre of the hole is from its border,
# the more a diffusion fill averages, and the blurrier it gets. Copying does not depend on
# that distance: it depends on the image holding something that fits.
#
# ### Exercise 3 · How long does each take? (5 min)
# Time the four methods on the face. Which would you run on 10,000 images?
#
# <details><summary>Hint</summary>
#
# `start = time.perf_counter()` before `method.inpaint(face_unit, eyes)` and
# `time.perf_counter() - start` after it. The shift-map fill's time grows with the whole
# image, not only with the hole.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 3
for name, method in classical.items():
    start = time.perf_counter()
    method.inpaint(face_unit, eyes)
    seconds = time.perf_counter() - start
    print(f"{name:14s} {seconds * 1000:8.1f} ms for one 192x192 image "
          f"(10,000 such images: {seconds * 10_000 / 60:.1f} min)")

# %% [markdown]
# ### Exercise 4 · Sharp but wrong, blurry but close (10 min)
# Gravel (`samples.gravel()`, grey, 512x512) is a texture that does not repeat exactly.
# Shrink it to 256x256 like the bricks, cut the same hole, and compare the four fills by
# eye and by the two numbers. Which fill looks most like gravel? Which has the lowest
# error? What does that say about the hole MSE as a measure?
#
# <details><summary>Hint</summary>
#
# Copy the two lines that made `bricks`, with `samples.gravel()`. Then
# `fill_and_score(gravel, wall_hole)` and `plots.photo_fills(...)`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 4
gravel = np.repeat(samples.gravel()[..., None], 3, axis=-1)
gravel = cv2.resize(gravel, (256, 256), interpolation=cv2.INTER_AREA)
filled, gravel_scores = fill_and_score(gravel, wall_hole)
plots.photo_fills(gravel, wall_hole, filled, title="Gravel: which fill looks right, which scores best?")
print("lowest hole MSE:", min(gravel_scores, key=lambda k: gravel_scores[k][0]),
      "· most detail:", max(gravel_scores, key=lambda k: gravel_scores[k][1]))

# %% [markdown]
# Copied gravel looks like gravel, but no stone lands exactly where a stone was, and the
# squared error punishes a sharp stone in the wrong place more than a grey blur. A blur
# can score best and look worst. Notebooks 3 and 4 meet this again: a network trained on
# the squared error paints blurry fills, and the GAN is the paper's answer to it.
#
# ### Exercise 5 · An exemplar fill by hand (15 min)
# Write the simplest exemplar method: look at a ring of known pixels around the hole;
# find the place in the image whose ring looks most like it (smallest mean squared
# difference); copy what is inside that ring into the hole. Try it on the bricks and on
# the face. Where did it copy the eyes from?
#
# <details><summary>Hint</summary>
#
# With a ring of 6 pixels, the block is `(hole.height + 12) x (hole.width + 12)`. Loop over
# its top-left corner `(r, c)` in steps of 2, skip blocks that overlap the hole, and
# compare only the ring pixels (a boolean mask of the block, False in its middle).
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 5
def copy_best_block(image, hole, ring=6, step=2):
    u = to_scale(image[None], "unit")[0]
    top, left, h, w = hole.top - ring, hole.left - ring, hole.height + 2 * ring, hole.width + 2 * ring
    known = np.ones((h, w), bool)
    known[ring:-ring, ring:-ring] = False
    target, best, where = u[top:top + h, left:left + w][known], np.inf, None
    for r in range(0, u.shape[0] - h + 1, step):
        for c in range(0, u.shape[1] - w + 1, step):
            if abs(r - top) < h and abs(c - left) < w:
                continue  # this block overlaps the hole
            cost = np.mean((u[r:r + h, c:c + w][known] - target) ** 2)
            best, where = (cost, (r, c)) if cost < best else (best, where)
    out = u.copy()
    out[hole.rows, hole.cols] = u[where[0] + ring:where[0] + ring + hole.height,
                                  where[1] + ring:where[1] + ring + hole.width]
    return out, where

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 5 (continued): the bricks and the face
for image, hole, name in ((bricks, wall_hole, "bricks"), (face, eyes, "face")):
    out, (r, c) = copy_best_block(image, hole)
    truth = to_scale(image[None], "unit")[:, hole.rows, hole.cols]
    print(f"{name}: copied from rows {r + 6}..{r + 5 + hole.height}, columns {c + 6}..{c + 5 + hole.width}; "
          f"hole MSE {hole_mse(out[None, hole.rows, hole.cols], truth):.4f}")
    display(plots.photo_fills(image, hole, {"best block": out}, title=f"One copied block: {name}"))

# %% [markdown]
# On the bricks one well-chosen block is already a fair fill. On the face, the block
# whose border looks most like the border of the eyes is some other part of the face:
# the method can only choose among the pieces it has. Shift-map improves on this by
# using many shifts and seamless joins, and PatchMatch by copying small patches, not one
# block; neither can invent an eye.
#
# **Next:** notebook 2, the data and the crop.
