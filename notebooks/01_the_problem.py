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
# **Image inpainting** fills a missing region of an image (a *hole*) so that the result looks whole. Of the classical methods, which need no training, one fills a brick wall well; none puts back the eyes of a face, for the reason the rest of the course trains neural networks.
#
# *Series: 1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · 6 beyond the paper. The course reproduces a student paper, "Reconstrução Digital de Imagens com Redes Neurais Convolucionais" (M. G. de Andrade, Insper), which fills a 16x16 hole in CIFAR-10 images with a convolutional autoencoder and with a GAN.*

# %% [markdown]
# ## Learning goals
# After this notebook you can:
#
# - fill a hole through the course's one interface, `method.inpaint(images, hole)`;
# - tell the two families of classical fills apart, by eye and with two numbers;
# - say why no classical method can put back the eyes of a face (the paper's Fig. 2).

# %% [markdown]
# ## Set-up
# The first cell fetches the course on Colab; the second starts Keras quietly and says whether
# there is a GPU. This notebook needs neither a GPU nor a data set.

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
import cv2
import numpy as np
from skimage import data as samples

from helpers import plots
from helpers.classical import BiharmonicFill, ExemplarFill, OpenCVFill, shiftmap_unavailable
from helpers.holes import Hole, cut_hole, to_scale
from helpers.metrics import hole_mse, sharpness_ratio

# %% [markdown]
# ## 1. What inpainting is
# An inpainting method gets an image and a **hole** (the missing pixels) and returns the image
# with the hole filled; outside the hole nothing changes. Here a hole is a rectangle,
# `Hole(top, left, height, width)` in pixels, and every method of the course, classical or
# learned, has one call: `method.inpaint(images, hole)`.
#
# Our first image, astronaut Eileen Collins (NASA), ships with scikit-image. `cut_hole` paints
# the hole **mid-grey** (0.5 on the unit scale [0, 1]) so that no method can peek, and returns
# the *patch* it removed: the answer we score against.

# %%
face = samples.astronaut()[30:222, 120:312]      # 192x192 pixels around the face; RGB, 0..255
eyes = Hole(top=60, left=46, height=28, width=88)
face_unit = to_scale(face[None], "unit")         # a batch (a stack of images) of one, on [0, 1]
holed, eyes_truth = cut_hole(face_unit, eyes, "unit")
assert np.all(holed[0, eyes.rows, eyes.cols] == 0.5)  # a method sees only grey there
plots.image_row([face, holed[0]], ["original", "with the hole"], title="A face with the eyes cut out", cell=3.0)

# %% [markdown]
# ## 2. Two families of classical fills
# Classical methods need no training: each applies a few lines of mathematics to the one
# image. Two families:
#
# - **diffusion** methods spread the colours at the border of the hole inwards: OpenCV's
#   **Telea** and **Navier-Stokes** fills, scikit-image's **biharmonic** fill;
# - **exemplar** methods copy pieces of the known image into the hole, as Photoshop's
#   Content-Aware Fill (the tool the paper shows) does; here, OpenCV's **shift-map** fill.
#
# Section 6 (at home) says how each works. Where OpenCV lacks shift-map, the cell says why and
# leaves it out.

# %%
classical = {"Telea": OpenCVFill("telea"), "Navier-Stokes": OpenCVFill("ns"), "biharmonic": BiharmonicFill()}
why_not = shiftmap_unavailable()  # None where this OpenCV can run the shift-map fill
if why_not:
    print(why_not, "The cells below leave it out; everything else runs.")
else:
    classical["shift-map"] = ExemplarFill()

# %% [markdown]
# Two numbers score a fill against the cut-out patch. The **hole MSE** (mean squared error)
# averages the squared pixel differences on [0, 1]: 0 is perfect. The **sharpness ratio**
# divides the fill's detail (its mean gradient: how much the colour changes from pixel to
# pixel) by the original's: 1.0 is as much detail, lower is blurrier. How wrong, how blurry.

# %%
def fill_and_score(image, hole, methods=classical):
    """Each method's filled image and (hole MSE, sharpness ratio); prints them."""
    unit = to_scale(image[None], "unit")
    truth = unit[:, hole.rows, hole.cols]                # what was cut out
    filled, scores = {}, {}
    for name, method in methods.items():
        filled[name] = method.inpaint(unit, hole)[0]     # inpaint greys the hole first: no peeking
        patch = filled[name][None, hole.rows, hole.cols]
        scores[name] = (hole_mse(patch, truth), sharpness_ratio(patch, truth))
    print("\n".join(f"{k:14s} hole MSE {mse:.4f}   sharpness ratio {r:.2f}" for k, (mse, r) in scores.items()))
    return filled, scores

# %% [markdown]
# ## 3. A repeating texture: diffusion blurs it, the exemplar copies it
# A brick wall, also from scikit-image (grey, shrunk to 256x256, made RGB); the hole covers
# several bricks and the mortar between them. **Predict first:** which family will continue
# the mortar lines? Which fill will have the lowest hole MSE, which the highest sharpness ratio?

# %% tags=["key-figure"]
bricks = np.repeat(samples.brick()[..., None], 3, axis=-1)               # 512x512 grey -> RGB
bricks = cv2.resize(bricks, (256, 256), interpolation=cv2.INTER_AREA)  # 256x256
wall_hole = Hole(top=90, left=100, height=45, width=45)
filled, wall_scores = fill_and_score(bricks, wall_hole)
if "shift-map" in wall_scores:  # the exemplar fill: the lowest error and the most detail
    assert min(wall_scores, key=lambda k: wall_scores[k][0]) == "shift-map"
    assert max(wall_scores, key=lambda k: wall_scores[k][1]) == "shift-map"
plots.photo_fills(bricks, wall_hole, filled, title="The classical fills of a brick wall",
                  caption="Bottom row: zoomed in on the hole.")

# %% [markdown]
# *What to see:* Telea and Navier-Stokes draw streaks towards the centre, biharmonic a soft
# blob; the mortar lines stop at the border, because a smooth spread of a pattern is a blur.
# Shift-map (where it runs) continues the rows of bricks: the wall holds many copies of what is
# missing. In the table (the cell checks it) shift-map has the lowest hole MSE and the highest
# sharpness ratio. Where an image repeats, copying works.
#
# ## 4. A face: every classical method fails (the paper's Fig. 2)
# Now the eyes: a face holds only two, and both are in the hole. **Predict first:** will any
# method paint an eye? Will the sharpest fill also be the least wrong?

# %% tags=["key-figure"]
filled, face_scores = fill_and_score(face, eyes)
if "shift-map" in face_scores:  # the exemplar fill: the most detail, and the highest error
    assert max(face_scores, key=lambda k: face_scores[k][1]) == "shift-map"
    assert max(face_scores, key=lambda k: face_scores[k][0]) == "shift-map"
plots.photo_fills(face, eyes, filled, title="Classical fills of the eyes",
                  caption="Bottom row: zoomed in on the hole.")

# %% [markdown]
# *What to see:* the diffusion fills paint a smear of skin colour; shift-map (where it runs)
# pastes what the face does contain: background, and a copy of the smile. None draws an eye:
# nothing at the border says "eyes here", and no other pair of eyes is there to copy. The
# table (the cell checks it) shows two failures: shift-map's fill is the sharpest and the most
# wrong; the diffusion fills are less wrong, and blurry. Sharp is not right.
#
# ## 5. The lesson: copying and smoothing are not knowing
# The paper names two faults of Content-Aware Fill: fills that look "abstract" (its Fig. 1),
# and a hole whose content is nowhere else in the image (the eyes, its Fig. 2). One cause, it
# says: the method knows only the image itself, and smoothing or copying cannot paint what the
# image lacks. A person fills in the eyes because they have seen thousands of faces: knowledge
# from other images, a **prior**. A model *trained on many images* can learn one: notebooks 2
# to 5 train two on CIFAR-10's tiny 32x32 photographs (a prior of ten kinds of objects, not of
# eyes) and compare them with these fills.

# %% [markdown] tags=["homework"]
# ## 6. At home: how each classical fill works
# The **diffusion** fills:
#
# - **Telea** (OpenCV; Telea 2004, "fast marching"): fills the hole from its border inwards,
#   each new pixel a weighted average of the known pixels near it (within 3 pixels here);
# - **Navier-Stokes** (OpenCV; Bertalmio, Bertozzi and Sapiro 2001): continues the lines of
#   equal brightness that reach the border into the hole, with the equations of a fluid
#   flowing in;
# - **biharmonic** (scikit-image): the smoothest surface that matches the border.
#
# The **exemplar** fills copy from the known image: Criminisi and colleagues' patch filling
# (2004); PatchMatch (Barnes and colleagues, 2009), behind Photoshop's Content-Aware Fill; and
# **shift-map** (He and Sun, 2012; OpenCV's contrib module `cv2.xphoto`), used here. Shift-map
# finds the shifts that map many patches of the image onto similar patches elsewhere, then
# fills each missing pixel with the known pixel one of those shifts away, choosing the shifts
# so that neighbouring pieces join without seams.

# %% [markdown] tags=["homework"]
# ## 7. At home: move the hole
# Pick an image and a method, then move and resize the hole with the sliders (the figure
# redraws when you let go). The titles give each fill's hole MSE and its detail (the sharpness
# ratio as a percentage). The shift-map fill is the slow one (exercise 3 times it). Ideas: one
# eye only; the mouth; a hole on the bricks only 8 pixels high; the cat's eye. If the hole
# leaves the image, the widget says so instead of drawing.

# %%
from helpers import widgets


def shrink(image, width=300):
    """The image shrunk to ``width`` pixels across, so that the shift-map fill stays quick."""
    return cv2.resize(image, (width, width * image.shape[0] // image.shape[1]), interpolation=cv2.INTER_AREA)


widgets.classical_widget(
    {"face": face, "bricks": bricks, "coffee": shrink(samples.coffee()), "cat": shrink(samples.chelsea())},
    holes={"face": eyes, "bricks": wall_hole, "coffee": Hole(30, 130, 55, 60), "cat": Hole(66, 80, 34, 46)})

# %% [markdown]
# ## Summary
# - Diffusion fills (Telea, Navier-Stokes, biharmonic) smooth the border inwards: blurry
#   wherever the hole holds detail.
# - Exemplar fills (shift-map; Content-Aware Fill) copy pieces of the image: sharp on a
#   repeating texture, wrong where nothing in the image fits.
# - No classical method paints what the image lacks, such as a face's eyes: that needs a
#   prior, learned from other images. The next notebooks learn one.
#
# ## Exercises
# Each says how long it takes. Try it first; then open the hint, and then the solution (the
# collapsed cell below the exercise).
#
# ### Exercise 1 · One eye (5 min)
# Cut out the left eye only (`Hole(60, 46, 28, 40)`). The other eye is in the picture
# now. Does the shift-map fill copy it? Why, or why not?
#
# <details><summary>Hint</summary>
#
# `fill_and_score(face, Hole(60, 46, 28, 40))` fills and scores with every method;
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
# is whatever fits the border: here, mostly the pale background beside the face.
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
# A thin hole lies close to its border everywhere, so diffusion has the answer nearby: Telea's
# sharpness ratio is highest for the 8-pixel hole and falls as the hole grows, while its error
# rises. The farther the centre of the hole is from its border, the more a diffusion fill
# averages, and the blurrier it gets. Shift-map's error grows with the hole too, but its
# sharpness ratio stays near 1 or above at every height: copying keeps the detail wherever the
# image holds something that fits.
#
# ### Exercise 3 · How long does each take? (5 min)
# Time the methods on the face. Which would you run on 10,000 images?
#
# <details><summary>Hint</summary>
#
# `import time`; `start = time.perf_counter()` before `method.inpaint(face_unit, eyes)` and
# `time.perf_counter() - start` after it.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 3
import time

for name, method in classical.items():
    start = time.perf_counter()
    method.inpaint(face_unit, eyes)
    seconds = time.perf_counter() - start
    print(f"{name:14s} {seconds * 1000:8.1f} ms for one 192x192 image "
          f"(10,000 such images: {seconds * 10_000 / 60:.1f} min)")

# %% [markdown]
# ### Exercise 4 · Sharp but wrong, blurry but close (10 min)
# Gravel (`samples.gravel()`, grey, 512x512) is a texture that does not repeat exactly.
# Shrink it to 256x256 like the bricks, cut the same hole, and compare the fills by eye and
# by the two numbers. Which fill looks most like gravel? Which has the lowest error? What
# does that say about the hole MSE as a measure?
#
# <details><summary>Hint</summary>
#
# Copy the two lines that made `bricks`, with `samples.gravel()`. Then
# `fill_and_score(gravel, wall_hole)` and `plots.photo_fills(...)`; a figure shows when it is
# the last line of the cell.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 4
gravel = np.repeat(samples.gravel()[..., None], 3, axis=-1)
gravel = cv2.resize(gravel, (256, 256), interpolation=cv2.INTER_AREA)
filled, gravel_scores = fill_and_score(gravel, wall_hole)
print("lowest hole MSE:", min(gravel_scores, key=lambda k: gravel_scores[k][0]),
      "· most detail:", max(gravel_scores, key=lambda k: gravel_scores[k][1]))
plots.photo_fills(gravel, wall_hole, filled, title="Gravel: which fill looks right, which scores best?")

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
from IPython.display import display

for image, hole, name in ((bricks, wall_hole, "bricks"), (face, eyes, "face")):
    out, (r, c) = copy_best_block(image, hole)
    truth = to_scale(image[None], "unit")[:, hole.rows, hole.cols]
    print(f"{name}: copied from rows {r + 6}..{r + 5 + hole.height}, columns {c + 6}..{c + 5 + hole.width}; "
          f"hole MSE {hole_mse(out[None, hole.rows, hole.cols], truth):.4f}")
    display(plots.photo_fills(image, hole, {"best block": out}, title=f"One copied block: {name}"))

# %% [markdown]
# On the bricks one well-chosen block is already a fair fill (compare its hole MSE with
# Telea's in section 3). On the face, the block whose border looks most like the border of
# the eyes is the mouth: the method can only choose among the pieces it has. Shift-map
# improves on this by using many shifts and seamless joins, and PatchMatch by copying small
# patches, not one block; neither can invent an eye.
#
# **Next:** notebook 2, the data and the crop.
