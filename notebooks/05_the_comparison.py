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
# # 5 · The comparison
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/inpainting-course/blob/main/notebooks/05_the_comparison.ipynb)
#
# Three pictures per model are not evidence. This notebook puts every method of the course on the same test images and the same scale: the classical fills of notebook 1 (four that smooth the border inwards or paint one colour, and one that copies pieces of the image), the autoencoder of notebook 3 and the GAN of notebook 4. It measures error, structure and sharpness, looks past the averages (per class, side by side, best and worst cases), and ends with the conclusion that the numbers of *this run* support, beside the project's own report.
#
# *Series: 1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · 6 beyond the paper. The course reproduces a student paper, "Reconstrução Digital de Imagens com Redes Neurais Convolucionais" (M. G. de Andrade, Insper), which fills a 16x16 hole in CIFAR-10 images with a convolutional autoencoder and with a GAN.*

# %% [markdown]
# ## Learning goals
# After this notebook you can:
#
# - evaluate classical fills, the autoencoder and the GAN on the same test images, on one scale;
# - read hole MSE, PSNR, SSIM and the sharpness ratio, and say what each one rewards;
# - look past the averages: per class, side by side, and at each method's best and worst cases;
# - check the paper's claim ("similar error, the GAN is sharper") against computed numbers, and say how much they can support.

# %% [markdown]
# ## Set-up
# The first cell prepares Google Colab (it fetches the course) and does nothing else
# elsewhere. The second is the one choice this notebook asks of you, **which models to
# compare**:
#
# - `"pretrained"`: the weights the course trained, `autoencoder` and `gan` (the default);
# - `"quick"`: the quick runs of notebooks 3 and 4;
# - `"paper"`: the paper runs of notebooks 3 and 4 (`RUN = "paper"` there).
#
# This notebook trains nothing (exercise 2 aside). For `"quick"` and `"paper"` it loads the models that
# notebooks 3 and 4 saved for that run; where one is missing (you have not run that
# notebook with that choice), it says so and uses the shipped weights for that model.

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
RUN = "pretrained"  # "pretrained" (the shipped weights) | "quick" | "paper" (the models notebooks 3 and 4 saved)

# %%
# %matplotlib inline
from helpers import environment

environment.quiet_logs()  # start Keras without TensorFlow's start-up messages
print(environment.gpu_status())

# %%
import time

import numpy as np
from IPython.display import Markdown, display

from helpers import paper, plots, runs, widgets
from helpers.classical import CLASSICAL_IDS, classical_fills, shiftmap_unavailable
from helpers.engine.files import REPO_ROOT, read_json
from helpers.evaluation import TABLE_COLUMNS, evaluate, evaluate_with_per_image, format_table, per_class
from helpers.models import load_inpainter
from helpers.pretrained import pretrained_inpainter, record
from helpers.verdicts import conclusion, paper_claim

# %% [markdown]
# ## 1. The test images
# Every method fills the same test images: all 10,000 of CIFAR-10's test set with a GPU,
# the first 2,000 on a CPU (the same ones every time; under the test suite, 64).

# %%
SMOKE = runs.smoke_test()  # True only when the test suite runs this notebook: tiny runs, numbers that mean nothing
data = runs.load_data(smoke=SMOKE)
x_test, y_test = runs.test_images(data)
print(f"{len(x_test):,} test images of {data.source}, 16x16 centre hole, every metric on [0, 1]")

# %% [markdown]
# ## 2. The two models
# `RUN` chooses them. The cell says, for each model, exactly which one it is: where it
# comes from, and the iteration of its training it was taken at.

# %%
NOTEBOOK = {"autoencoder": 3, "gan": 4}


def model_to_compare(model, run):
    """The model of ``run`` that notebook 3 or 4 saved, else the shipped weights; and one line saying which."""
    found = runs.saved(model, run, smoke=SMOKE) if runs.check_choice(run) != "pretrained" else None
    if found is not None:
        path, saved = found
        return load_inpainter(path, name=model), (
            f"{model}: the {saved['run']} run notebook {NOTEBOOK[model]} saved ({path.name}), iteration "
            f"{saved['iteration']:,} at batch {saved['batch_size']}, trained on {saved['data_source']}")
    if run != "pretrained":
        print(f"No {run} run of the {model} is saved here (notebook {NOTEBOOK[model]} saves one when run with "
              f'RUN = "{run}"), so this notebook compares the shipped {model} weights instead.')
    r = record(model)
    return pretrained_inpainter(model, model), (
        f"{model}: the shipped weights (weights/{model}.md), iteration {r['iteration']:,} of a "
        f"{r['trained_iterations']:,}-iteration run at batch {r['batch_size']} (the paper trains "
        f"{paper.BUDGETS[model].iterations:,}), on {r['data_source']}")

# %%
autoencoder, about_autoencoder = model_to_compare("autoencoder", RUN)
gan, about_gan = model_to_compare("gan", RUN)
print(about_autoencoder)
print(about_gan)

# %% [markdown]
# ## 3. The methods
# Every method has the same interface, so one loop evaluates them all. `mean` paints the
# training set's mean colour over the hole: the floor that any method must beat. Telea,
# Navier-Stokes and biharmonic smooth the border inwards (notebook 1's *diffusion*
# fills); shift-map copies pieces of the image (the *exemplar* fill). Shift-map is by far
# the slowest: the cell times it on a few images and says how long the whole table takes.

# %%
# skip_unavailable: shift-map is left out where this OpenCV cannot run it (the cell says why)
methods = {**classical_fills(data.x_train, methods=CLASSICAL_IDS, skip_unavailable=True),
           "autoencoder": autoencoder, "gan": gan}
for key, method in methods.items():
    print(f"{key:12s} {method.name}")
if "shiftmap" in methods:
    start = time.perf_counter()
    methods["shiftmap"].fill(x_test[:20])
    seconds = (time.perf_counter() - start) / 20
    print(f"\nshift-map: {1000 * seconds:.0f} ms per image here, so about {seconds * len(x_test) / 60:.1f} min "
          f"for {len(x_test):,} test images; every other method together takes far less")
else:
    print(f"\n{shiftmap_unavailable()} Its rows below are left out; everything else runs.")

# %% [markdown]
# ## 4. The metrics table
# Each method fills the 16x16 centre hole of every test image; then, on [0, 1]:
#
# - **hole MSE**: the mean squared error inside the hole (what both models are trained
#   to make small; lower is better);
# - **hole PSNR**: the same error on a log scale, 10 log10(1 / MSE) per image, averaged
#   (dB; higher is better; +3 dB is half the error);
# - **SSIM**: structural similarity of the whole image with the fill pasted in (1 is
#   identical), closer to what a viewer notices: edges and contrast;
# - **sharpness ratio**: the detail of the fills (mean gradient) over the detail of the
#   real patches. 1.00 is as sharp as the truth, lower is blurrier. It says nothing
#   about being *right*: it tells blur apart.
# - **ms / image**: the time to fill one image on this machine.

# %%
rows, patches, per_image = evaluate_with_per_image(methods, x_test)
assert all(row["n_images"] == len(x_test) for row in rows)
print(f"{data.source} · {len(x_test):,} test images · 16x16 centre hole · all metrics on the unit scale [0, 1]")
Markdown(format_table(rows))

# %% [markdown]
# *What to see:* first, whether the models beat the best classical fill on the hole
# MSE, and by how much; then, whether the two models differ in sharpness more than in
# error. And the exemplar row: on notebook 1's brick wall copying won; here, in a 32x32
# image whose centre is cut out, there is rarely anything that fits to copy. The cell
# below puts its row beside the others.

# %%
by_id = {row["id"]: row for row in rows}
diffusion = min((by_id[k] for k in ("telea", "ns", "biharmonic")), key=lambda r: r["hole_mse"])
s = by_id.get("shiftmap")
if s is None:
    print("No shift-map row here (section 3 says why).")
else:
    print(f"shift-map: hole MSE {s['hole_mse']:.4f}, {s['hole_mse'] / diffusion['hole_mse']:.1f} times the best "
          f"diffusion fill's ({diffusion['method']}, {diffusion['hole_mse']:.4f}), and "
          f"{s['hole_mse'] / by_id['mean']['hole_mse']:.1f} times the mean colour's; sharpness ratio "
          f"{s['sharpness_ratio']:.2f} against {diffusion['sharpness_ratio']:.2f}")

# %% [markdown]
# A fill can be sharp and wrong: copied pieces of the border have all the detail of a
# photograph and little to do with the missing centre. Keep that in mind when the GAN's
# sharpness is read below: sharpness tells blur apart, the error tells right from wrong.
#
# ## 5. Per class
# Averages hide where a method struggles. The hole PSNR of each method, class by class:

# %%
names = {key: method.name for key, method in methods.items()}
psnr_by_class = {names[k]: per_class(per_image[k]["hole_psnr"], y_test) for k in methods}
plots.class_bars(psnr_by_class, data.class_names, "mean hole PSNR (dB), higher is better",
                 title=f"Hole PSNR per class ({data.source}, {len(x_test):,} test images)",
                 caption="Each bar is the mean over that class's test images.")

# %% [markdown]
# *What to see:* whether the classes rank alike for every method: some kinds of images
# tend to be easy to fill whatever the method (calm backgrounds) and others hard (a busy
# object in the centre). The cell below names each method's easiest and hardest class;
# compare with your guess from notebook 2's exercise 2.

# %%
for k, values in psnr_by_class.items():
    easiest, hardest = data.class_names[int(np.nanargmax(values))], data.class_names[int(np.nanargmin(values))]
    print(f"{k:30s} easiest: {easiest:10s} hardest: {hardest}")

# %% [markdown]
# ## 6. Side by side
# The paper's three test images (the same as in notebooks 3 and 4) and five more, with
# every method's fill and its hole MSE.

# %%
show = runs.showcase_indices(len(data.x_test))  # the paper's three, filled here
more = np.random.default_rng(5).choice(len(x_test), size=min(5, len(x_test)), replace=False)
images = np.concatenate([data.x_test[show], x_test[more]])
labels = np.concatenate([data.y_test[show], y_test[more]])
fills = {names[k]: np.concatenate([method.fill(data.x_test[show]), patches[k][more]])
         for k, method in methods.items()}
plots.method_grid(images, fills, title="Every method on the same test images",
                  row_labels=[data.class_names[c] for c in labels])

# %% [markdown]
# *What to see:* compare the fills across a row. The diffusion fills drag the border's
# colours inwards; the shift-map fill is a patchwork of pieces of the border; look at
# whether the models' fills continue the edges that cross the hole, and how much texture
# each has (blur or noise).
#
# ## 7. Best and worst cases
# For five of the methods, their three lowest-error fills and their three highest-error fills.

# %%
chosen = [k for k in ("telea", "biharmonic", "shiftmap", "autoencoder", "gan") if k in methods]
plots.best_worst(x_test, {names[k]: patches[k] for k in chosen},
                 {names[k]: per_image[k]["hole_mse"] for k in chosen}, k=3)

# %% [markdown]
# *What to see:* the best cases are smooth images where any fill works; the worst are
# high-contrast objects in the centre, where the border says little about the middle.
# Are the hardest images the same for every method? The cell counts it.

# %%
k = max(1, len(x_test) // 20)  # the hardest 5 %
hardest_sets = {key: set(np.argsort(per_image[key]["hole_mse"])[-k:]) for key in chosen}
for key in chosen[1:]:
    shared = len(hardest_sets[key] & hardest_sets["telea"])
    print(f"of the {k} hardest test images for {names[key]}, {shared} ({shared / k:.0%}) are also among "
          f"the {k} hardest for {names['telea']}")

# %% [markdown]
# Browse every method side by side. Filter by class, or step through the images that
# are hardest (or easiest) for one method.

# %%
widgets.comparison_widget(x_test, {names[k]: patches[k] for k in methods}, y_test, data.class_names,
                          errors={names[k]: per_image[k]["hole_mse"] for k in chosen})

# %% [markdown]
# ## 8. The conclusion these numbers support
# The paper's claim is that the two models reach a **similar error** and that the **GAN's
# fills are sharper**. The cell below checks it against this run's table, nothing
# assumed, after saying again which two models it compares.

# %%
print(about_autoencoder)
print(about_gan)
print()
for line in conclusion(rows):
    print("-", line)

# %% [markdown]
# How much weight the verdict carries depends on the models. Section 2 printed how far
# each one trained against the paper's budget; where the shipped weights stopped short
# of it, their model card (`weights/gan.md`, `weights/autoencoder.md`) says why, and the
# verdict is about those models, not the paper's. With `"paper"` runs of both, it tests
# the paper.
# Quick runs are minutes of training: a GAN that has seen a fraction of one pass over the
# data has not yet learned what the adversary can teach. Under the test suite, the
# numbers mean nothing.
#
# ## 9. The project's results report
# The project scores its shipped weights on **all 10,000** test images in
# `results/README.md`, made by one command, `python -m helpers.cli.report`. Here is its
# table, loaded from `results/results.json`, and the two tables side by side. With
# `RUN = "pretrained"` the models are the same; the test images are the same or (on a
# CPU) the first part of them. The report also holds models beyond the paper, among them
# `gan-averaged`: the same GAN training with an average of the generator's weights over
# the last thousand or so iterations kept beside them (`--average 0.999`).

# %%
report = read_json(REPO_ROOT / "results" / "results.json")
if not report:
    print("No results report yet: run `python -m helpers.cli.report` in the repository.")
else:
    print(f"{report['data_source']} · {report['n_images']:,} test images · {report['scale']} · "
          f"made {report['made']} on {report['machine']}")
    display(Markdown(format_table(report["results"])))

# %%
def side_by_side(ours, theirs, keys=("hole_mse", "sharpness_ratio")):
    """One row per method in either table: each metric here and in the report ("–": not in that table)."""
    mine, other = {r["id"]: r for r in ours}, {r["id"]: r for r in theirs}
    formats = {key: (header, fmt) for header, key, fmt in TABLE_COLUMNS}
    head = ["method"] + [f"{formats[k][0]}, {where}" for k in keys for where in ("here", "report")]
    lines = ["| " + " | ".join(head) + " |", "|---" + "|---:" * (len(head) - 1) + "|"]
    for key in [*mine, *(k for k in other if k not in mine)]:
        name = (mine.get(key) or other[key])["method"]
        cells = [formats[k][1].format(t[key][k]) if key in t else "–" for k in keys for t in (mine, other)]
        lines.append("| " + " | ".join([name, *cells]) + " |")
    return "\n".join(lines)


if report:
    display(Markdown(side_by_side(rows, report["results"])))

# %% [markdown]
# The paper's claim, checked on the report's 10,000 images: with the paper's GAN, and
# with the averaged GAN in its place.

# %%
if report:
    for gan_id, subject in (("gan", "the report's GAN"), ("gan-averaged", "the averaged GAN")):
        for line in paper_claim(report["results"], gan=gan_id, subject=subject):
            print("-", line)

# %% [markdown]
# ## Summary
# - One interface, one set of test images, one scale: every number in sections 4 to 8 was
#   computed in this run, on the data set named above the table.
# - The hole MSE and PSNR reward the right colours; SSIM rewards structure; the sharpness
#   ratio tells blur apart. A method can win on one and lose on another: the exemplar fill
#   is sharp and wrong, the autoencoder right-ish and blurry.
# - Per class, the same kinds of images are hard for every method; the worst cases overlap.
# - The paper's claim is checked, not assumed, here and on the project's report.
#
# ## Exercises
# Each takes a few minutes on a laptop CPU (exercise 2 trains for a minute or two). Try it
# first; then open the hint, and then the solution (the collapsed cell below the exercise).
#
# ### Exercise 1 · Which metric? (5 min)
# Which metric would you use to choose a method for a photo editor, and which for
# compressing images? Rank the methods by each metric of the table: do the rankings agree?
#
# <details><summary>Hint</summary>
#
# `sorted(rows, key=lambda r: r["hole_mse"])` ranks by error (lowest first). For the
# sharpness ratio, rank by the distance to 1, `abs(1 - r["sharpness_ratio"])`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 1
rankings = {"hole MSE (lowest first)": lambda r: r["hole_mse"],
            "SSIM (highest first)": lambda r: -r["ssim"],
            "sharpness (closest to 1 first)": lambda r: abs(1 - r["sharpness_ratio"])}
for metric, key in rankings.items():
    print(f"{metric:32s}", " > ".join(r["id"] for r in sorted(rows, key=key)))

# %% [markdown]
# Compression wants the pixels back: the error. A photo editor wants a fill that looks
# real: structure and sharpness, and the error only as a guard against sharp nonsense
# (the exemplar fill ranks high on sharpness alone).
#
# ### Exercise 2 · How much does the budget matter? (10 min)
# Train the package's autoencoder for the quick budget here and score it beside the one
# compared above, on the same test images. How much of the autoencoder's lead over the
# classical fills does a quick run already have?
#
# <details><summary>Hint</summary>
#
# `from helpers.trainers import AutoencoderTrainer`; `runs.fit(trainer, data, quick)` with
# `quick = runs.plan("autoencoder", "quick", smoke=SMOKE)`; `trainer.inpainter()`
# fills like any method; `evaluate({...}, x_test)` scores it.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 2
import keras

from helpers.trainers import AutoencoderTrainer

quick = runs.plan("autoencoder", "quick", smoke=SMOKE)
keras.utils.set_random_seed(0)
trainer = AutoencoderTrainer()
runs.fit(trainer, data, quick)
short = trainer.inpainter(f"autoencoder, {quick.iterations:,} iterations here")
more = evaluate({"short": short}, x_test, progress=False)
Markdown(format_table([by_id["biharmonic"], *more, by_id["autoencoder"]]))

# %% [markdown]
# ### Exercise 3 · Where the autoencoder beats the GAN (10 min)
# Find the test images where the autoencoder's hole MSE is lowest compared with the
# GAN's, and show the six with the widest margin. What do they have in common?
#
# <details><summary>Hint</summary>
#
# `per_image["gan"]["hole_mse"] - per_image["autoencoder"]["hole_mse"]` is large where the
# autoencoder wins; `np.argsort(...)[-6:]` picks the six largest. Show them with
# `plots.method_grid`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 3
margin = per_image["gan"]["hole_mse"] - per_image["autoencoder"]["hole_mse"]
widest = np.argsort(margin)[-6:][::-1]
print(f"the autoencoder has the lower error on {np.mean(margin > 0):.0%} of the {len(x_test):,} test images")
plots.method_grid(x_test[widest], {names[k]: patches[k][widest] for k in ("autoencoder", "gan")},
                  title="Where the autoencoder beats the GAN by the widest margin",
                  row_labels=[data.class_names[c] for c in y_test[widest]])

# %% [markdown]
# Look for strong edges and textures that the GAN continued in the wrong place: a sharp
# guess that misses costs more squared error than a blurred one (notebook 3's two-edge
# example).
#
# ### Exercise 4 · Give the exemplar something to copy (10 min)
# Shift-map can only copy what the image contains. Put an intact copy of each test image
# beside it (a 32x64 image: the image with its hole on the left, the copy on the right)
# and fill the same hole. How much does the error fall?
#
# <details><summary>Hint</summary>
#
# `np.concatenate([images, images], axis=2)` on unit-scale images puts them side by side;
# `methods["shiftmap"].fill(side, CENTER_HOLE)` fills the left image's centre (import
# `CENTER_HOLE` from `helpers.holes`). Use a few dozen images: shift-map is slow.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 4
from helpers.holes import CENTER_HOLE, to_scale

few = to_scale(x_test[:32], "unit")
truth = few[:, CENTER_HOLE.rows, CENTER_HOLE.cols]
side = np.concatenate([few, few], axis=2)  # 32x64: the image, and an intact copy on its right
if "shiftmap" not in methods:
    print(shiftmap_unavailable())
else:
    alone = per_image["shiftmap"]["hole_mse"][:32]
    copied = ((methods["shiftmap"].fill(side, CENTER_HOLE) - truth) ** 2).mean(axis=(1, 2, 3))
    print(f"shift-map on {len(few)} test images: hole MSE {alone.mean():.4f} alone, {copied.mean():.4f} with a "
          f"copy beside; {np.sum(copied < 1e-3)} of them filled almost exactly (MSE under 0.001)")

# %% [markdown]
# With the answer in the image, copying finds it, for some images exactly. Shift-map
# keeps only a few dozen shifts that many patches agree on and joins them by a graph
# cut, so it does not always pick the one right shift. Without a copy, nothing in a
# 32x32 image is its missing centre: a learned prior is the only way to do better.
#
# ### Exercise 5 · How firm is the verdict? (10 min)
# The verdict rests on the difference between the GAN's and the autoencoder's mean hole
# MSE over the test images. How much would that difference move with another sample of
# test images? Estimate a 95 % interval by resampling the test images (a bootstrap).
#
# <details><summary>Hint</summary>
#
# Draw `len(x_test)` image numbers with replacement, 1,000 times
# (`rng.integers(0, n, size=(1000, n))`); for each draw, the relative difference of the
# two means; `np.percentile(..., [2.5, 97.5])`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 5
rng = np.random.default_rng(0)
a, g = per_image["autoencoder"]["hole_mse"], per_image["gan"]["hole_mse"]
draws = rng.integers(0, len(a), size=(1000, len(a)))
relative = g[draws].mean(axis=1) / a[draws].mean(axis=1) - 1
low, high = np.percentile(relative, [2.5, 97.5])
print(f"GAN's hole MSE relative to the autoencoder's on {len(a):,} test images: {g.mean() / a.mean() - 1:+.1%}, "
      f"95 % bootstrap interval {low:+.1%} to {high:+.1%} (the verdict calls up to ±15 % similar)")

# %% [markdown]
# The interval says how much the test sample alone could move the number. It says nothing
# about the training: another seed, or another stopping point, moves the GAN's error too
# (its model card reports how much from state to state). A firmer claim needs several
# training runs of each model, scored on all 10,000 test images.
#
# **Next:** notebook 6 goes beyond the paper: holes of any shape, and your own photos.
