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
# # 4 · The GAN: a context encoder
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/inpainting-course/blob/main/notebooks/04_the_gan.ipynb)
#
# The paper's second model follows the *context encoders* of Pathak et al. (2016): a **generator** G fills the hole, as the autoencoder did, and a **discriminator** D learns to tell real patches from generated ones. G is trained to match the real patch *and* to make D take its fill for real. Notebook 3 ended with a blur: the squared error prefers the average of all plausible fills. This notebook writes the GAN's two losses and its training schedule, trains it, and measures what the second loss does, with the course's trained GAN and a study of the weight that the paper gives it.
#
# *Series: 1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · 6 beyond the paper. The course reproduces a student paper, "Reconstrução Digital de Imagens com Redes Neurais Convolucionais" (M. G. de Andrade, Insper), which fills a 16x16 hole in CIFAR-10 images with a convolutional autoencoder and with a GAN.*

# %% [markdown]
# ## Learning goals
# After this notebook you can:
#
# - build the generator and the discriminator from the paper's tables, and check them layer by layer;
# - write the GAN's two losses and one training iteration: D on real patches, D on generated ones, then G against a frozen D with the loss 0.999 x L2 + 0.001 x adversarial;
# - explain, with a small example, why a term that rewards "looking real" moves the best fill away from the blurred average;
# - read a GAN's curves: who is winning, and what the fills show.
#
# Notebook 7 goes further: what drives the generator's update, what the adversarial weight trades, and the paper's whole schedule.

# %% [markdown]
# ## Set-up
# The first cell prepares Google Colab (it fetches the course) and does nothing else
# elsewhere. The second is the one choice this notebook asks of you, **which GAN to
# study**:
#
# - `"pretrained"`: the weights the course trained (the default; `weights/gan.md` says how far);
# - `"quick"`: the short run you train below, with the code on this page;
# - `"paper"`: the paper's 80,000 iterations, here and now. That wants a GPU: on a laptop CPU
#   it takes many hours. The notebook measures and says how long before it starts.
#
# Whatever you choose, section 6 trains a quick run with your code, so you see the GAN
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
RUN = "pretrained"  # "pretrained" (the shipped weights) | "quick" (section 6's run) | "paper"

# %%
# %matplotlib inline
from helpers import environment

environment.quiet_logs()  # start Keras without TensorFlow's start-up messages
print(environment.gpu_status())

# %%
from functools import partial

import keras
import numpy as np
from keras import ops

from helpers import architecture, curves, diagnosis, diagrams, live_plot, paper, plots, runs
from helpers.steps import update
from helpers.holes import CENTER_HOLE, Hole, make_pairs, to_scale
from helpers.metrics import hole_mse, sharpness_ratio
from helpers.models import build_discriminator, build_generator
from helpers.pretrained import pretrained_inpainter, record
from helpers.steps import bce, generate, mse
from helpers.trainers import GANTrainer

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
# ## 2. The two networks, from the paper's tables
# The **generator** (the paper's Table II) has the autoencoder's shape, deeper and wider:
# four strided convolutions down to 2x2x512, a dense bottleneck, and four transposed
# convolutions up to the 16x16x3 patch, ending in **tanh**, so that it paints on [-1, 1].
# The **discriminator** (Table I) sees a 16x16 patch only and gives the probability that it
# is real. Both are long, and they are not what this notebook is about: they are built by
# `build_generator` and `build_discriminator` in `helpers/models.py` (open it: each block is
# Conv, then LeakyReLU, then BatchNorm, as the paper says). What is new in a GAN is its
# losses and its schedule, and those this notebook writes out.

# %%
generator = build_generator()
diagrams.model_diagram(generator, title="The generator (Table II): the holed image in, the 16x16 patch "
                       "out, on [-1, 1]")

# %%
architecture.layer_table(generator, "generator")

# %%
discriminator = build_discriminator()
diagrams.model_diagram(discriminator, title="The discriminator (Table I): a 16x16 patch in, the "
                       "probability that it is real out")

# %%
architecture.layer_table(discriminator, "discriminator")

# %% [markdown]
# A ✓ means kernel, stride, activation and shape agree with the paper; the two ⚠ rows are
# places where the printed tables contradict themselves, read as the note under each table
# says.

# %%
g_macs = architecture.multiply_adds(generator)
print(f"generator: {generator.count_params():,} parameters (the paper: about "
      f"{paper.PARAMETERS['generator'] / 1e6:.1f} M), {g_macs / 1e6:.0f} M multiply-adds per image "
      f"(the paper: about {paper.MULTIPLY_ADDS['generator'] / 1e6:.0f} M)")
print(f"discriminator: {discriminator.count_params():,} parameters")
for kind, model in (("generator", generator), ("discriminator", discriminator)):
    assert not architecture.layer_table(model, kind).mismatches, kind

# %% [markdown]
# The paper lists four good practices for training GANs, each of which is somewhere in the
# code:
#
# | practice | where |
# |---|---|
# | values on [-1, 1], tanh on G's last layer | `make_pairs(images, "signed")`; the generator's last layer |
# | LeakyReLU followed by BatchNorm in the convolutions | the blocks of `helpers/models.py` (slope 0.2, as DCGAN; the paper gives none) |
# | D learns ten times slower than G | `paper.G_LEARNING_RATE`, `paper.D_LEARNING_RATE`, both Adam with beta_1 0.5 |
# | real and generated patches reach D in separate batches | the training step of section 5 |

# %%
holed, patches = make_pairs(data.x_train[:256], "signed")
print(f"G's inputs {holed.min():.2f}..{holed.max():.2f}, targets {patches.min():.2f}..{patches.max():.2f}; "
      f"G's last activation: {generator.layers[-1].activation.__name__}")
print(f"learning rates: G {paper.G_LEARNING_RATE:g}, D {paper.D_LEARNING_RATE:g}; Adam beta_1 {paper.GAN_BETA_1:g}")

# %% [markdown]
# ## 3. Why a second network: the two-edge example, carried on
# Notebook 3's example: given the border, the hole holds an edge at column 6 (answer A) or
# at column 10 (answer B), equally likely. The patch with the lowest expected squared error
# is their average: two half-steps, a blur. Now add a second term to what the guess pays:
# how far it is from the *nearest* sharp answer, with a weight λ. That term is a fixed,
# hand-made stand-in for a discriminator: it says how little the guess looks like a real
# answer. A toy, but the GAN's loss has exactly this shape.

# %%
a = np.zeros((16, 16, 3)); a[:, :6] = 1.0    # plausible fill A: the edge at column 6
b = np.zeros((16, 16, 3)); b[:, :10] = 1.0   # plausible fill B: the edge at column 10
average = (a + b) / 2


def expected_mse(guess):  # the error we expect when A and B are equally likely
    return (np.mean((guess - a) ** 2) + np.mean((guess - b) ** 2)) / 2


def looks_fake(guess):    # a fixed "discriminator": how far the guess is from the nearest sharp answer
    return min(np.mean((guess - a) ** 2), np.mean((guess - b) ** 2))


def steepest_step(guess):  # the largest jump between neighbouring columns: 1 for a sharp edge
    return np.abs(np.diff(guess, axis=1)).max()

# %% [markdown]
# For a fixed nearest answer s, the cost `expected_mse + λ looks_fake` is a parabola in each
# pixel, lowest at `(average + λ s) / (1 + λ)`; the best guess is the better of the two
# (s = A or s = B).

# %%
def best_guess(lam):
    candidates = [(average + lam * s) / (1 + lam) for s in (a, b)]      # towards A, towards B
    return min(candidates, key=lambda g: round(expected_mse(g) + lam * looks_fake(g), 9))  # a tie: A


lams = [0, 0.25, 1, 4, 20]
guesses = [best_guess(lam) for lam in lams]
titles = [f"λ = {lam:g}\nexpected MSE {expected_mse(g):.3f}\nsteepest step {steepest_step(g):.2f}"
          for lam, g in zip(lams, guesses)]
plots.image_row(guesses, titles, cell=2.1, hole=Hole(0, 0, 16, 16),
                title="The best guess when looking like a sharp answer also counts (weight λ)")

# %% [markdown]
# *What to see:* at λ = 0 the best guess is the blurred average (two half-steps). As λ grows
# it moves towards one sharp answer: its steepest step grows to 1 and its expected squared
# error grows too. A sharp fill is a bet on one answer; the squared error punishes the bet
# when the other answer was true, and the second term rewards it. The weight λ sets the
# trade. The GAN does the same with a *learned* judge, the discriminator, and the paper's
# λ is the adversarial weight, 0.001. Notebook 7 measures what it trades in the real model.
#
# ## 4. The losses, on the page
# The GAN works on [-1, 1]. D's loss is the binary cross-entropy of its verdicts: it should
# say 1 ("real") to real patches and 0 ("fake") to G's fills, each batch judged on its own.
# G's loss has two terms: the L2 term (the mean squared error of its fill, as the
# autoencoder's) and the adversarial term (the cross-entropy of D's verdict on the fill
# against "real": small when D is fooled). Their weights come first, in a cell of their own,
# because section 6 asks you to change them:

# %%
L2_WEIGHT, ADVERSARIAL_WEIGHT = 0.999, 0.001   # Pathak et al.'s weights, the paper's too

# %%
def discriminator_loss(discriminator, trainable, non_trainable, patches, label):
    """Binary cross-entropy of D's verdicts on one batch of patches, all real (1) or all fake (0)."""
    probability, non_trainable = discriminator.stateless_call(trainable, non_trainable, patches,
                                                              training=True)
    loss = bce(ops.full_like(probability, label), probability)
    return loss, (non_trainable, {"prob": ops.mean(probability)})


def generator_loss(generator, discriminator, trainable, non_trainable, d_state, holed, patches,
                   l2_weight=L2_WEIGHT, adversarial_weight=ADVERSARIAL_WEIGHT):
    """G's loss: how far its fill is from the true patch (L2), and how fake D finds the fill."""
    fake, non_trainable = generator.stateless_call(trainable, non_trainable, holed, training=True)
    # D judges the fill as in its own step (training mode); what it would learn is thrown away
    probability, _ = discriminator.stateless_call(d_state[0], d_state[1], fake, training=True)
    l2 = mse(patches, fake)
    adversarial = bce(ops.ones_like(probability), probability)   # G wants D to say "real"
    loss = l2_weight * l2 + adversarial_weight * adversarial
    return loss, (non_trainable, {"g_l2": l2, "g_adversarial": adversarial})

# %% [markdown]
# As in notebook 3, each loss runs its model with `stateless_call` on exactly the weights it
# is given: `trainable` and `non_trainable` (BatchNorm's statistics, dropout's seed) of the
# network that learns, and for G's loss also D's state, `d_state`, which it only reads.
#
# ## 5. One training iteration, on the page
# The paper's schedule, for every batch: (1) one update of D on real patches, labelled 1;
# (2) G fills the holes, and one update of D on those fills, labelled 0, as a separate
# batch; (3) one update of G against D. `update(net, loss, state, ...)` (from
# `helpers/engine/backend.py`, as in notebook 3) differentiates the loss with respect to
# `net`'s trainable weights only and lets `net`'s optimizer take one step.

# %%
REAL, FAKE = 1.0, 0.0   # D's labels


def train_step(g, d, g_state, d_state, holed, patches, l2_weight, adversarial_weight):
    """One iteration of the paper's schedule on one batch (values on [-1, 1])."""
    judge = partial(discriminator_loss, d.model)
    d_state, d_loss_real, real = update(d, judge, d_state, patches, REAL)   # 1. D on real patches
    g_state, fake = generate(g, g_state, holed)                             # 2. G fills the holes,
    d_state, d_loss_fake, fakes = update(d, judge, d_state, fake, FAKE)     #    D on those fills
    fool = partial(generator_loss, g.model, d.model, l2_weight=l2_weight,
                   adversarial_weight=adversarial_weight)
    g_state, g_loss, g_logs = update(g, fool, g_state, d_state, holed, patches)  # 3. G against D
    return g_state, d_state, {"d_loss_real": d_loss_real, "d_loss_fake": d_loss_fake,
                              "d_real_prob": real["prob"], "d_fake_prob": fakes["prob"],
                              "g_loss": g_loss, **g_logs}

# %% [markdown]
# `generate` (from `helpers/steps.py`) is G's forward pass in training mode; it keeps G's
# new BatchNorm statistics.
#
# In step 3, D is **frozen**: nothing says so, and nothing needs to. `update(g, ...)`
# differentiates only G's weights, so D's weights get no gradient and no update, although
# the loss reads them. (This is how keras.io's DCGAN example does it; the Keras 2 recipe,
# `discriminator.trainable = False` on a combined model, fails silently in Keras 3.) Check
# it: step 3 alone on a fresh GAN, and which weights moved.

# %%
keras.utils.set_random_seed(1)
fresh = GANTrainer(compile_mode="eager")   # a fresh GAN: its two networks and their states
g, d = fresh.nets["generator"], fresh.nets["discriminator"]
holed, patches = make_pairs(data.x_train[:8], "signed")
copy = lambda state: [keras.ops.convert_to_numpy(w).copy() for w in state[0]]  # noqa: E731
g_before, d_before = copy(fresh.state["generator"]), copy(fresh.state["discriminator"])
fool = partial(generator_loss, g.model, d.model, l2_weight=L2_WEIGHT, adversarial_weight=ADVERSARIAL_WEIGHT)
g_state, _, _ = update(g, fool, fresh.state["generator"], fresh.state["discriminator"], holed, patches)
moved = lambda before, state: any(not np.array_equal(x, y) for x, y in zip(before, copy(state)))  # noqa: E731
print(f"step 3 changed G's weights: {moved(g_before, g_state)}; "
      f"D's weights: {moved(d_before, fresh.state['discriminator'])}")
assert moved(g_before, g_state) and not moved(d_before, fresh.state["discriminator"])

# %% [markdown]
# ## 6. Watch it learn: the quick run
# Your losses and your step, trained from fresh weights for a short run. The first line
# says how long it takes on this machine, from a speed measured here. Three panels are
# redrawn as it trains: D's two losses; D's mean probability of "real" for real and for
# generated patches (0.5: it cannot tell); G's L2 loss (on [-1, 1]) with the validation
# hole MSE (on [0, 1]) and, on the right axis, its adversarial loss. Below them, four
# validation holes filled at a quarter, half, three quarters and the end of the run.

# %%
quick = runs.plan("gan", "quick", smoke=SMOKE)
print(runs.estimate(quick))
keras.utils.set_random_seed(0)
trainer = GANTrainer(l2_weight=L2_WEIGHT, adversarial_weight=ADVERSARIAL_WEIGHT, step=train_step)
_, x_val = runs.split(data, quick)
live = live_plot.LiveLossPlot("gan", total=quick.iterations, images=x_val[:4])
runs.fit(trainer, data, quick, callback=live)
live.finish(trainer)

# %%
def run_line(name, t):
    """One line about a GAN trainer at its last log point: D's verdicts, then its validation scores."""
    h = t.history
    return (f"{name}, {t.iteration:,} iterations: D(real) {diagnosis.last_value(h, 'd_real_prob'):.2f}, "
            f"D(generated) {diagnosis.last_value(h, 'd_fake_prob'):.2f}; on {len(x_val):,} validation images "
            f"hole MSE {diagnosis.last_value(h, 'val_hole_mse'):.4f}, sharpness ratio "
            f"{diagnosis.last_value(h, 'val_sharpness_ratio'):.2f}")


print(run_line(f"quick run, weights {L2_WEIGHT:g} / {ADVERSARIAL_WEIGHT:g}", trainer))

# %% [markdown]
# *What to see:* whether D learns to tell real from generated patches: D(real) rising
# towards 1 and D(generated) falling towards 0, with G's adversarial loss climbing as they
# part. G's L2 loss should fall, as the autoencoder's did. The first fills are flat, then
# the border's colours flow in; a short run stays rough. The line above gives the end of
# the run; its sharpness ratio (1.0: as much detail as the real patches) is measured on the
# validation holes. (In the test suite's smoke mode the run is a few iterations long and
# none of this shows.)
#
# **Try it.** Put ten times more weight on fooling D: in section 4's cell write
# `L2_WEIGHT, ADVERSARIAL_WEIGHT = 0.99, 0.01`, then run that cell and every cell down to
# here again, and compare the line above with the one you had (write it down first). Then
# set the paper's weights back. Section 10 shows the same change over longer runs.
#
# ## 7. The GAN this notebook studies
# `RUN` (at the top) chooses it: the shipped weights, your quick run, or a paper run.

# %%
studied, about = runs.studied(RUN, "gan", quick=trainer, data=data, smoke=SMOKE,
                              make=lambda: GANTrainer(l2_weight=L2_WEIGHT, adversarial_weight=ADVERSARIAL_WEIGHT,
                                                      step=train_step))
print(about)
if RUN != "pretrained":  # notebook 5 compares the model this notebook studies: save it for it
    print("saved for notebook 5:", runs.save(studied, runs.plan("gan", RUN, smoke=SMOKE), data))
curves.gan_curves(studied.history, mark=studied.iteration, title="The studied GAN: both networks' curves")

# %% [markdown]
# *What to see:* the middle panel is the contest: D's mean verdict on real patches and on
# G's fills, against 0.5, where D could not tell them apart. The lines below read the end
# of the curves; each quotes its numbers.

# %%
for line in diagnosis.gan_diagnosis(studied.history):
    print("-", line)

# %% [markdown]
# (`diagnosis.gan_diagnosis` reads the last quarter of the run's iterations.) How much has the
# shipped GAN seen? Its record says:

# %%
shipped = record("gan")
full = paper.BUDGETS["gan"]
passes = shipped["images_seen"] / shipped["train_images"]
print(f"the shipped GAN: {shipped['iteration']:,} iterations at batch {shipped['batch_size']} = "
      f"{shipped['images_seen']:,} images, {passes:.1f} passes over its {shipped['train_images']:,} "
      f"training images of {shipped['data_source']}")
print(f"the paper's budget: {full.iterations:,} iterations at batch {full.batch_size} = "
      f"{full.images_seen / shipped['train_images']:.0f} such passes; the shipped GAN trained "
      f"{shipped['iteration'] / full.iterations:.0%} of it, on CPUs (weights/gan.md)")

# %% [markdown]
# ## 8. The paper's result figure
# The same three test images as in notebook 3: the original, the image with the hole, and
# the studied GAN's fill pasted in. Then the GAN beside the course's trained autoencoder.

# %%
gan = studied.inpainter("GAN")
show = runs.showcase_indices(len(data.x_test))
labels = [data.class_names[c] for c in data.y_test[show]]
plots.result_figure(data.x_test[show], gan.fill(data.x_test[show]), method="GAN", labels=labels,
                    title="The GAN on three random test images (the paper's result figure)")

# %%
autoencoder = pretrained_inpainter("autoencoder", "autoencoder (shipped)")
plots.method_grid(data.x_test[show], {"GAN": gan.fill(data.x_test[show]),
                                      "autoencoder": autoencoder.fill(data.x_test[show])},
                  row_labels=labels, cell=2.0, title="The GAN and the autoencoder on the same holes")

# %% [markdown]
# *What to see:* the paper found the GAN's fills about as close to the truth as the
# autoencoder's, and sharper. Look at the edges inside the hole: does the GAN continue them
# where the autoencoder blurs them? Numbers on many test images:

# %%
x_test, _ = runs.test_images(data)
fills = gan.fill(x_test)
truth = to_scale(x_test, "unit")[:, CENTER_HOLE.rows, CENTER_HOLE.cols]
ae_fills = autoencoder.fill(x_test)
for name, f in (("the studied GAN", fills), ("the shipped autoencoder", ae_fills)):
    print(f"{name}: hole MSE {hole_mse(f, truth):.4f}, sharpness ratio {sharpness_ratio(f, truth):.2f} "
          f"({len(x_test):,} test images of {data.source}, values on [0, 1])")

# %% [markdown]
# ## Summary
# - The generator and the discriminator match the paper's tables, with its two typos read
#   as the notes say; their code is in `helpers/models.py`.
# - Every iteration: D on real patches (label 1), D on G's fills (label 0, a separate
#   batch), then G against D with the loss 0.999 x L2 + 0.001 x adversarial. D is frozen in
#   G's update because only G's weights are differentiated.
# - A term that rewards looking real moves the best fill from the blurred average towards one
#   sharp answer, at a cost in squared error; its weight sets the trade (section 3's example;
#   notebook 7 measures it in the real model).
#
# ## Exercises
# Each runs in a few minutes at most on a laptop CPU. Try it first; then open the hint,
# and then the solution (the collapsed cell below the exercise).
#
# ### Exercise 1 · One-sided label smoothing (10 min)
# A common remedy for a D that is too sure of itself: label the real patches 0.9 instead of
# 1 in D's step (and leave the fakes at 0). Write your own `train_step` that does this, train
# the quick run with it, and compare D's verdicts, the validation error and the sharpness
# ratio with the quick run of section 6.
#
# <details><summary>Hint</summary>
#
# Copy `train_step` as `smooth_step` and change the label in step 1 only. Train it with
# `GANTrainer(l2_weight=L2_WEIGHT, adversarial_weight=ADVERSARIAL_WEIGHT, step=smooth_step)`
# and `runs.fit(smooth, data, quick)`; `run_line(name, trainer)` prints the line to compare.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 1
def smooth_step(g, d, g_state, d_state, holed, patches, l2_weight, adversarial_weight):
    judge = partial(discriminator_loss, d.model)
    d_state, d_loss_real, real = update(d, judge, d_state, patches, 0.9)   # 1. real patches: 0.9, not 1
    g_state, fake = generate(g, g_state, holed)
    d_state, d_loss_fake, fakes = update(d, judge, d_state, fake, FAKE)
    fool = partial(generator_loss, g.model, d.model, l2_weight=l2_weight,
                   adversarial_weight=adversarial_weight)
    g_state, g_loss, g_logs = update(g, fool, g_state, d_state, holed, patches)
    return g_state, d_state, {"d_loss_real": d_loss_real, "d_loss_fake": d_loss_fake,
                              "d_real_prob": real["prob"], "d_fake_prob": fakes["prob"],
                              "g_loss": g_loss, **g_logs}


keras.utils.set_random_seed(0)
smooth = GANTrainer(l2_weight=L2_WEIGHT, adversarial_weight=ADVERSARIAL_WEIGHT, step=smooth_step)
runs.fit(smooth, data, quick)
print(run_line("real labels 1  ", trainer))
print(run_line("real labels 0.9", smooth))

# %% [markdown]
# With 0.9 as its target, D can no longer push its verdict on real patches to 1, so it
# stays less sure of itself and its gradients to G stay less extreme. Over a short run the
# difference in the fills is small; compare D(real), which should now stay below the 0.9
# target.
#
# ### Exercise 2 · More weight on fooling D (10 min)
# Train the quick run with the weights 0.9 and 0.1 (a hundred times the paper's adversarial
# weight). Compare its validation error and sharpness ratio with the quick run of section 6,
# and with the point W = 0.1 of notebook 7's figure (its section 2). What does a fill look like when the
# sharpness ratio is well above 1?
#
# <details><summary>Hint</summary>
#
# `GANTrainer(l2_weight=0.9, adversarial_weight=0.1, step=train_step)`; the live plot
# (`live_plot.LiveLossPlot("gan", total=quick.iterations, images=x_val[:4])` as the `callback`
# of `runs.fit`, then `live.finish(...)`) shows the fills.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 2
keras.utils.set_random_seed(0)
strong = GANTrainer(l2_weight=0.9, adversarial_weight=0.1, step=train_step)
strong_live = live_plot.LiveLossPlot("gan", total=quick.iterations, images=x_val[:4], title="W = 0.1")
runs.fit(strong, data, quick, callback=strong_live)
strong_live.finish(strong)
print(run_line(f"weights {L2_WEIGHT:g} / {ADVERSARIAL_WEIGHT:g}", trainer))
print(run_line("weights 0.9 / 0.1", strong))

# %% [markdown]
# The adversarial term now pulls far harder than the L2 term (notebook 7, section 1, measures it), so G
# paints whatever D takes for real, which need not be the right colours: the error rises.
# A sharpness ratio well above 1 means more detail than the real patches have: noise,
# speckles or a texture repeated over the hole.
#
# ### Exercise 3 · Real and generated patches in one batch (15 min)
# The paper's fourth practice puts real and generated patches into D in *separate* batches.
# Write a `train_step` that gives D one batch of both instead (real patches labelled 1,
# G's fills labelled 0, one update), train the quick run with it, and compare D's verdicts
# with the quick run of section 6. What can BatchNorm's batch statistics show D in a mixed
# batch that they cannot in a batch of one kind?
#
# <details><summary>Hint</summary>
#
# D's loss needs both kinds and their labels at once: concatenate them
# (`ops.concatenate([patches, fake], axis=0)`) and compare `probability` with a label
# vector of ones then zeros. Your step then makes one `update` of D instead of two. Log
# the mean verdict on each half as `d_real_prob` and `d_fake_prob`.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 3
def mixed_loss(discriminator, trainable, non_trainable, patches, fake):
    both = ops.concatenate([patches, fake], axis=0)   # one batch: real, then generated
    probability, non_trainable = discriminator.stateless_call(trainable, non_trainable, both, training=True)
    n = ops.shape(patches)[0]
    labels = ops.concatenate([ops.ones_like(probability[:n]), ops.zeros_like(probability[n:])], axis=0)
    return bce(labels, probability), (non_trainable, {"real": ops.mean(probability[:n]),
                                                      "fake": ops.mean(probability[n:])})


def one_batch_step(g, d, g_state, d_state, holed, patches, l2_weight, adversarial_weight):
    g_state, fake = generate(g, g_state, holed)
    d_state, d_loss, p = update(d, partial(mixed_loss, d.model), d_state, patches, fake)   # 1+2 at once
    fool = partial(generator_loss, g.model, d.model, l2_weight=l2_weight,
                   adversarial_weight=adversarial_weight)
    g_state, g_loss, g_logs = update(g, fool, g_state, d_state, holed, patches)
    return g_state, d_state, {"d_loss_real": d_loss, "d_loss_fake": d_loss, "d_real_prob": p["real"],
                              "d_fake_prob": p["fake"], "g_loss": g_loss, **g_logs}

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 3, continued: train it
keras.utils.set_random_seed(0)
mixed = GANTrainer(l2_weight=L2_WEIGHT, adversarial_weight=ADVERSARIAL_WEIGHT, step=one_batch_step)
runs.fit(mixed, data, quick)
print(run_line("separate batches", trainer))
print(run_line("one mixed batch ", mixed))

# %% [markdown]
# In a batch of one kind, BatchNorm rescales D's features with that batch's own mean and
# spread, so whatever all the fills share (duller colours, less contrast) is normalised
# away and D must judge each patch by its structure. In a mixed batch the statistics are
# shared: a fill that is flatter than the real patches beside it stays flatter after the
# normalisation, and D can tell the two kinds apart by such batch-wide differences. D's
# verdicts then say how easily it does. Note also that G's step judges an all-generated
# batch, which D no longer sees in its own steps.
#
# ### Exercise 4 · How many passes over the data? (5 min)
# One iteration is one batch. How many times does the paper's budget go through the
# training images? How many times did the shipped GAN, and your quick run?
#
# <details><summary>Hint</summary>
#
# Images seen = iterations x batch size. `paper.BUDGETS["gan"]`, the shipped record
# (`record("gan")`: `images_seen`, `train_images`) and `quick` have what you need; the quick
# run trains on the training images less its validation images (`runs.split(data, quick)`).
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 4
x_train, _ = runs.split(data, quick)
for name, seen, images in (("the paper's budget", full.images_seen, shipped["train_images"]),
                           ("the shipped GAN", shipped["images_seen"], shipped["train_images"]),
                           ("the quick run", quick.iterations * quick.batch_size, len(x_train))):
    print(f"{name}: {seen:,} images seen = {seen / images:.2f} passes over {images:,} training images")

# %% [markdown]
# **Next:** notebook 5 compares every method of the course on the same test images; notebook 7
# goes further with the GAN.
