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
# Notebook 3's fills were blurry. The paper's second model, after the *context encoders* of Pathak et al. (2016), adds a judge: a **generator** G fills the hole, a **discriminator** D learns to tell real patches from G's fills, and G learns to match the real patch *and* to fool D.
#
# *Series: 1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · 6 beyond the paper · 7 going further with the GAN. The course reproduces a student paper, "Reconstrução Digital de Imagens com Redes Neurais Convolucionais" (M. G. de Andrade, Insper), which fills a 16x16 hole in CIFAR-10 images with a convolutional autoencoder and with a GAN.*

# %% [markdown]
# ## Learning goals
# After this notebook you can:
#
# - explain why rewarding "looking real" moves the best fill away from the blurred average;
# - build the discriminator, checked against the paper's table;
# - write the GAN's two losses and one training iteration;
# - say what the adversarial term does to the fills, and at what cost.

# %% [markdown]
# ## Set-up
# The first cell fetches the course on Colab. The second chooses the GAN that section 7
# studies: `"pretrained"` (the course's, `weights/gan.md`), `"quick"` (section 6's run) or
# `"paper"` (80,000 iterations: a GPU's work; the notebook says how long first).

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
from keras import layers, ops

from helpers import architecture, curves, diagnosis, diagrams, live_plot, paper, plots, runs
from helpers.holes import CENTER_HOLE, Hole, make_pairs, to_scale
from helpers.metrics import hole_mse, sharpness_ratio
from helpers.pretrained import pretrained_inpainter, record, warm_start
from helpers.steps import bce, generate, mse, update
from helpers.trainers import GANTrainer

# %% [markdown]
# ## 1. The data
# CIFAR-10, less 1,000 training images held out as a **validation set** (never trained on).

# %%
SMOKE = runs.smoke_test()  # True only when the test suite runs this notebook: tiny runs, numbers that mean nothing
data = runs.load_data(smoke=SMOKE)
print(data.describe())

# %% [markdown]
# ## 2. Why a second network: the two-edge example
# Notebook 3's example: an edge at column 6 (A) or 10 (B), equally likely; the lowest
# expected squared error is their blurred average. Add a cost for looking fake, a hand-made
# stand-in for D: the distance to the *nearest* sharp answer s, weighted by λ. The best guess
# is then `(average + λ s) / (1 + λ)`. **Predict first:** as λ grows, what happens to its
# steepest step and to its expected squared error?

# %%
a = np.zeros((16, 16, 3)); a[:, :6] = 1.0    # plausible fill A: the edge at column 6
b = np.zeros((16, 16, 3)); b[:, :10] = 1.0   # plausible fill B: the edge at column 10
average = (a + b) / 2
expected_mse = lambda g: (np.mean((g - a) ** 2) + np.mean((g - b) ** 2)) / 2    # A, B equally likely
looks_fake = lambda g: min(np.mean((g - a) ** 2), np.mean((g - b) ** 2))       # far from the nearest
steepest_step = lambda g: np.abs(np.diff(g, axis=1)).max()                      # 1: a sharp edge
lams, guesses = [0, 0.25, 1, 4, 20], []
for lam in lams:
    candidates = [(average + lam * s) / (1 + lam) for s in (a, b)]   # the best towards A, towards B
    guesses.append(min(candidates, key=lambda g: round(expected_mse(g) + lam * looks_fake(g), 9)))
plots.image_row(guesses, [f"λ = {lam:g}\nexpected MSE {expected_mse(g):.3f}\nsteepest step "
                          f"{steepest_step(g):.2f}" for lam, g in zip(lams, guesses)],
                cell=2.1, hole=Hole(0, 0, 16, 16), title="The best guess when looking sharp also counts")

# %% [markdown]
# *What to see:* as λ grows the guess leaves the average for one sharp answer, and its
# expected squared error grows: a sharp fill is a bet, which the squared error punishes and
# the second term rewards. The GAN's judge is learned; the paper's λ is 0.001.
#
# ## 3. The discriminator, on the page
# D gives the probability that a 16x16 patch is real (the paper's Table I). Each block: a 3x3
# convolution; **LeakyReLU** (ReLU, but negative inputs are scaled by 0.2, not zeroed);
# **BatchNorm** (each channel rescaled to zero mean and unit spread over the batch, then a
# learned scale and shift). Stride 2 halves the size and widens the **receptive field** (the
# input pixels one output sees). Before the sigmoid, D's output is its **logit**.

# %%
def d_block(filters, strides):
    """Conv 3x3 -> LeakyReLU -> BatchNorm: the paper's order ("LeakyReLU followed by BN")."""
    return [layers.Conv2D(filters, 3, strides=strides, padding="same"),
            layers.LeakyReLU(negative_slope=0.2), layers.BatchNormalization()]


def build_discriminator(dropout=0.2):
    """Table I: a 16x16x3 patch on [-1, 1] -> the probability that it is real."""
    return keras.Sequential([
        keras.Input((16, 16, 3)),
        *d_block(32, strides=1),   # Table I prints stride 2, but its output shape needs 1
        *d_block(64, strides=2), *d_block(128, strides=2), *d_block(256, strides=2),
        layers.Flatten(), layers.Dropout(dropout), layers.Dense(1024, activation="relu"),
        layers.Dense(1, activation="sigmoid"),   # the logit -> a probability
    ], name="discriminator")

# %%
discriminator = build_discriminator()
x = ops.zeros((1, 16, 16, 3))                          # a dummy batch: one patch
for layer in discriminator.layers:
    x = layer(x)
    if isinstance(layer, layers.BatchNormalization):   # the end of a block
        print("block output:", tuple(x.shape))
table = architecture.layer_table(discriminator, "discriminator")
assert not table.mismatches, table.mismatches          # shapes, kernels, strides as Table I says

# %% [markdown]
# G (Table II) is `build_generator` in `helpers/models.py`: blocks like D's down to 2x2x512,
# a dense layer, then **transposed convolutions** (with stride 2, each doubles the size) up
# to the patch, with tanh to paint on [-1, 1]. Section 8 checks both against the tables.
#
# ## 4. The two losses, on the page
# D's loss is the **binary cross-entropy** of its verdicts: -log D(x) on a real patch x,
# -log(1 - D(G(z))) on G's fill of a holed image z. Goodfellow et al. (2014) wrote the GAN as
# a **minimax** game: D maximises log D(x) + log(1 - D(G(z))), G minimises it. But where D is
# sure a fill is fake, D(G(z)) ≈ 0, the slope of log(1 - D(G(z))) with respect to D's logit
# is -D(G(z)) ≈ 0: G learns nothing. So G's **adversarial** term is the non-saturating
# -log D(G(z)), whose slope there is -(1 - D(G(z))) ≈ -1. Its L2 term is the squared error.

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
    probability, _ = discriminator.stateless_call(d_state[0], d_state[1], fake, training=True)  # D reads
    l2 = mse(patches, fake)
    adversarial = bce(ops.ones_like(probability), probability)   # -log D(G(z)): G wants "real"
    loss = l2_weight * l2 + adversarial_weight * adversarial
    return loss, (non_trainable, {"g_l2": l2, "g_adversarial": adversarial})

# %% [markdown]
# ## 5. One training iteration, on the page
# `update(net, loss, state, ...)` (notebook 3) is one gradient step of `net`. Its `state`:
# trainable weights, non-trainable ones (BatchNorm's **moving averages** of batch statistics,
# each batch nudging them, used outside training) and the optimizer's. It differentiates with
# respect to `net`'s trainable weights only. Per batch: (1) D on real patches, label 1;
# (2) G fills the holes, D on those fills, label 0, a separate batch; (3) G against D.

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
# In step 3, D is **frozen** with no flag: `update(g, ...)` differentiates G's weights only
# (section 9 checks it).
#
# ## 6. The adversarial term, turned on: the quick run
# G *and* D start from the published `gan-l2`, the paper's GAN trained on L2 alone: its G
# paints blurry fills, its D learned to spot them without pulling on G. Your step trains both
# with the paper's weights. **Predict first:** will the validation **sharpness ratio** (the
# fills' detail over the real patches'; 1.0: as sharp) rise or fall? The hole MSE? The cell
# prints the run's iterations and time here; `runs.plan("gan", "quick", iterations=N)`
# repeats N iterations.

# %%
start = record("gan-l2")   # the published run this one starts from
print(f"gan-l2: {start['iteration']:,} iterations, adversarial weight {start['config']['adversarial_weight']:g}; at its end "
      f"D said 'real' with probability {diagnosis.last_value(start['history'], 'd_fake_prob'):.2f} to G's fills")
quick = runs.plan("gan", "quick", smoke=SMOKE)
_, x_val = runs.split(data, quick)
live = live_plot.LiveLossPlot("gan", total=quick.iterations, images=x_val[:4])
print(runs.estimate(quick, live))

# %% [markdown]
# The panels: D's losses (dashed: ln 2 = 0.69, the loss of a D that says 0.5 to everything),
# its mean verdicts, G's losses, the sharpness ratio; then four validation holes, filled at
# iteration 0 (by `gan-l2`) and at each quarter of the run.

# %% tags=["key-figure"]
keras.utils.set_random_seed(0)
trainer = GANTrainer(discriminator=build_discriminator(), l2_weight=L2_WEIGHT,
                     adversarial_weight=ADVERSARIAL_WEIGHT, step=train_step)
warm_start(trainer, "gan-l2")   # G and D take gan-l2's weights; iteration 0, this trainer's settings
runs.fit(trainer, data, quick, callback=live)
live.finish(trainer)

# %%
def before_after(name, t):
    h = t.history   # the run's validation scores where it started and ended, then D's last verdicts
    lines = [f"{name}, iteration {h['iteration'][i]:,}: sharpness ratio {h['val_sharpness_ratio'][i]:.2f}, "
             f"hole MSE {h['val_hole_mse'][i]:.4f}" for i in (0, -1)]
    return "\n".join(lines) + f"; D(real) {h['d_real_prob'][-1]:.2f}, D(generated) {h['d_fake_prob'][-1]:.2f}"


print(before_after("quick run", trainer), f"\n({len(x_val):,} validation images)")

# %% [markdown]
# *What to see:* D's verdict on G's fills, near 0 at the end of `gan-l2`, starts high: G's
# fills moved, and D is fooled until it learns them. Compare the first and last rows of
# fills: texture and contrast? grid patterns in flat areas? The two lines give the change in
# sharpness and its cost in hole MSE: section 2's trade, on real images.
#
# **Try it.** A control without the adversarial term, then ten times the paper's weight:
#
# ```python
# tried = {}
# for w in (0.0, 0.01):
#     tried[w] = warm_start(GANTrainer(discriminator=build_discriminator(), l2_weight=1 - w,
#                                      adversarial_weight=w, step=train_step), "gan-l2")
#     runs.fit(tried[w], data, quick)
#     print(before_after(f"W = {w:g}", tried[w]))
# ```
#
# ## 7. The paper's result figure, against the autoencoder
# The GAN that `RUN` chose beside the course's autoencoder.

# %% tags=["key-figure"]
studied, about = runs.studied(RUN, "gan", quick=trainer, data=data, smoke=SMOKE,
                              make=lambda: GANTrainer(discriminator=build_discriminator(), l2_weight=L2_WEIGHT,
                                                      adversarial_weight=ADVERSARIAL_WEIGHT, step=train_step))
print(about)
if RUN != "pretrained":  # notebook 5 compares the model this notebook studies: save it for it
    print("saved for notebook 5:", runs.save(studied, runs.plan("gan", RUN, smoke=SMOKE), data))
gan, autoencoder = studied.inpainter("GAN"), pretrained_inpainter("autoencoder", "autoencoder (shipped)")
show = runs.showcase_indices(len(data.x_test))
fills = {name: m.fill(data.x_test[show]) for name, m in (("GAN", gan), ("autoencoder", autoencoder))}
plots.method_grid(data.x_test[show], fills, row_labels=[data.class_names[c] for c in data.y_test[show]],
                  cell=2.0, title="The GAN and the autoencoder on the same holes")

# %% [markdown]
# *What to see:* does the GAN continue the edges that the autoencoder blurs? Each fill's hole
# MSE is under it; section 10 scores both on 2,000 test images.

# %% [markdown] tags=["homework"]
# ## 8. At home: the two networks against the paper's tables
# The paper's Table II (the generator) and Table I (the discriminator) beside the models,
# row by row: kernel, stride, activation, output shape and parameters. A ✓ means they agree;
# the two ⚠ rows are places where the printed tables contradict themselves, read as the note
# under each table says.

# %%
from helpers.models import build_generator

generator = build_generator()   # read it in helpers/models.py
diagrams.model_diagram(generator, title="The generator (Table II): the holed image in, the 16x16 patch "
                       "out, on [-1, 1]")

# %%
architecture.layer_table(generator, "generator")

# %%
architecture.layer_table(discriminator, "discriminator")

# %%
g_macs = architecture.multiply_adds(generator)
print(f"generator: {generator.count_params():,} parameters (the paper: about "
      f"{paper.PARAMETERS['generator'] / 1e6:.1f} M), {g_macs / 1e6:.0f} M multiply-adds per image "
      f"(the paper: about {paper.MULTIPLY_ADDS['generator'] / 1e6:.0f} M); last activation "
      f"{generator.layers[-1].activation.__name__}")
print(f"discriminator: {discriminator.count_params():,} parameters")
assert not architecture.layer_table(generator, "generator").mismatches

# %% [markdown]
# The paper lists four good practices for training GANs, each of which is somewhere in the
# code:
#
# | practice | where |
# |---|---|
# | values on [-1, 1], tanh on G's last layer | `make_pairs(images, "signed")`; the generator's last layer |
# | LeakyReLU followed by BatchNorm in the convolutions | `d_block` (section 3) and the blocks of `helpers/models.py` (slope 0.2, as DCGAN; the paper gives none) |
# | D learns ten times slower than G | `paper.G_LEARNING_RATE`, `paper.D_LEARNING_RATE` |
# | real and generated patches reach D in separate batches | `train_step` (section 5) |
#
# Both networks learn with Adam, with **beta_1** 0.5: Adam steps along a moving average of
# past gradients, and beta_1 is how much of the old average each step keeps (Keras's default
# is 0.9; 0.5, as in DCGAN, forgets faster).

# %%
holed, patches = make_pairs(data.x_train[:256], "signed")
print(f"G's inputs {holed.min():.2f}..{holed.max():.2f}, targets {patches.min():.2f}..{patches.max():.2f}")
print(f"learning rates: G {paper.G_LEARNING_RATE:g}, D {paper.D_LEARNING_RATE:g}; Adam beta_1 "
      f"{paper.GAN_BETA_1:g} (Keras's default: {keras.optimizers.Adam().beta_1:g})")

# %% [markdown] tags=["homework"]
# ## 9. At home: D is frozen in G's step, check it
# Step 3 alone on a fresh GAN: which weights moved? This is how keras.io's DCGAN example
# freezes D too. The Keras 2 recipe, `discriminator.trainable = False` before compiling the
# combined model, then `train_on_batch` on each, leaves D untrained in Keras 3: D's own
# `train_on_batch` then changes none of D's weights (TensorFlow warns once that the model
# has no trainable weights; JAX says nothing), and `helpers/engine/backend.py` says more.

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

# %% [markdown] tags=["homework"]
# ## 10. At home: the studied GAN in numbers, and its curves
# The paper found the GAN's error similar to the autoencoder's, and its fills sharper.
# **Predict first:** on many test images, which of the two has the lower hole MSE, and which
# the higher sharpness ratio?

# %%
x_test, _ = runs.test_images(data)
truth = to_scale(x_test, "unit")[:, CENTER_HOLE.rows, CENTER_HOLE.cols]
for name, model in (("the studied GAN", gan), ("the shipped autoencoder", autoencoder)):
    fills = model.fill(x_test)
    print(f"{name}: hole MSE {hole_mse(fills, truth):.4f}, sharpness ratio {sharpness_ratio(fills, truth):.2f} "
          f"({len(x_test):,} test images of {data.source}, values on [0, 1])")

# %% [markdown]
# *What to see:* with the shipped weights, the GAN has the sharper fills and the higher hole
# MSE: the paper's "sharper" holds, and its "similar error" is for you to judge from the two
# numbers. Sharp fills are bets, which the squared error punishes when they are wrong
# (section 2).
#
# The studied GAN's curves: the second panel is the contest, D's mean verdict on real patches
# and on G's fills, against 0.5, where D could not tell them apart.

# %%
curves.gan_curves(studied.history, mark=studied.iteration, title="The studied GAN: both networks' curves")

# %% [markdown]
# **Predict first:** at the end of its run, who is winning, D or G? Then the lines below read
# the last quarter of the curves; each quotes its numbers.

# %%
for line in diagnosis.gan_diagnosis(studied.history):
    print("-", line)

# %% [markdown]
# How much has the shipped GAN seen? Its record says:

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
# ## Summary
# - Rewarding a fill for looking real moves it from the blurred average towards a sharp
#   answer, at a cost in squared error.
# - D's loss: the cross-entropy of its verdicts; G's: 0.999 x L2 + 0.001 x -log D(G(z)). Per
#   batch: D on real patches, D on G's fills, then G against D (frozen: `update` differentiates
#   G's weights only).
# - Section 6 printed what the adversarial term did to `gan-l2`'s fills.
#
# **Next:** notebook 5 compares every method; notebook 7 goes further with the GAN.
#
# ## Exercises
# Each runs in a few minutes at most on a laptop CPU. Try it first; then open the hint,
# and then the solution (the collapsed cell below the exercise).
#
# ### Exercise 1 · One-sided label smoothing (10 min)
# A common remedy for a D that is too sure of itself: label the real patches 0.9 instead of
# 1 in D's step (and leave the fakes at 0). Write your own `train_step` that does this, train
# the quick run with it from `gan-l2`, and compare D's verdicts, the sharpness ratio and the
# hole MSE with the quick run of section 6.
#
# <details><summary>Hint</summary>
#
# Copy `train_step` as `smooth_step` and change the label in step 1 only. Train it as in
# section 6, with `step=smooth_step`; `before_after(name, trainer)` prints its scores and
# D's last mean verdicts.
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
smooth = warm_start(GANTrainer(discriminator=build_discriminator(), l2_weight=L2_WEIGHT,
                               adversarial_weight=ADVERSARIAL_WEIGHT, step=smooth_step), "gan-l2")
runs.fit(smooth, data, quick)
for name, t in (("real labels 1  ", trainer), ("real labels 0.9", smooth)):
    print(before_after(name, t))

# %% [markdown]
# With 0.9 as its target, D's loss on real patches is lowest where it says 0.9, not 1, so D
# stays less sure of itself and its gradients to G less extreme: compare the two D(real). Over a
# run this short, do the sharpness ratios and hole MSEs differ by more than the runs' own
# swing from one validation to the next (section 6's sharpness panel)?
#
# ### Exercise 2 · A judge without BatchNorm (10 min)
# The paper puts a BatchNorm after every LeakyReLU of D. Build a D without them (blocks of
# convolution and LeakyReLU only), start G from `gan-l2` and your D from fresh weights, and
# train the quick run with the live plot. How many iterations does your D need to tell G's
# fills from real patches (the middle panel), and do the fills get sharper?
#
# <details><summary>Hint</summary>
#
# Write `build_plain_discriminator()` from section 3's cell, leaving out each block's
# `layers.BatchNormalization()`, and pass it as `GANTrainer(discriminator=...)`. A D with
# other layers cannot take `gan-l2`'s D weights: `warm_start(trainer, "gan-l2",
# nets=["generator"])` loads G's only. The live plot is section 6's, with its own name.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 2
def build_plain_discriminator(dropout=0.2):
    """Table I without BatchNorm: four blocks of Conv 3x3 -> LeakyReLU, then the same head."""
    blocks = [[layers.Conv2D(filters, 3, strides=strides, padding="same"), layers.LeakyReLU(negative_slope=0.2)]
              for filters, strides in ((32, 1), (64, 2), (128, 2), (256, 2))]
    return keras.Sequential([keras.Input((16, 16, 3)), *sum(blocks, []), layers.Flatten(), layers.Dropout(dropout),
                             layers.Dense(1024, activation="relu"), layers.Dense(1, activation="sigmoid")])

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 2, continued: train it
keras.utils.set_random_seed(0)
plain = warm_start(GANTrainer(discriminator=build_plain_discriminator(), l2_weight=L2_WEIGHT,
                              adversarial_weight=ADVERSARIAL_WEIGHT, step=train_step), "gan-l2", nets=["generator"])
plain_live = live_plot.LiveLossPlot("gan", total=quick.iterations, images=x_val[:4], title="D without BatchNorm")
runs.fit(plain, data, quick, callback=plain_live)
plain_live.finish(plain)
print(before_after("D without BatchNorm, from fresh weights", plain))
print(before_after("section 6's quick run, D from gan-l2", trainer))

# %% [markdown]
# The middle panel shows how many iterations your D needs before D(real) and D(generated)
# part; the lines show how much sharper the fills became. The comparison is not yet fair:
# section 6's D started from 10,000 iterations of training, yours from nothing. Train the
# paper's D from fresh weights the same way (`build_discriminator()`, with `nets=["generator"]`)
# to tell the effect of BatchNorm from that of the start.
#
# ### Exercise 3 · Real and generated patches in one batch (15 min)
# The paper's fourth practice puts real and generated patches into D in *separate* batches.
# Write a `train_step` that gives D one batch of both instead (real patches labelled 1,
# G's fills labelled 0, one update), train the quick run with it from `gan-l2`, and compare
# D's verdicts with the quick run of section 6. What can BatchNorm's batch statistics show D
# in a mixed batch that they cannot in a batch of one kind?
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
mixed = warm_start(GANTrainer(discriminator=build_discriminator(), l2_weight=L2_WEIGHT,
                              adversarial_weight=ADVERSARIAL_WEIGHT, step=one_batch_step), "gan-l2")
runs.fit(mixed, data, quick)
for name, t in (("separate batches", trainer), ("one mixed batch ", mixed)):
    print(before_after(name, t))

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
# training images? How many times did the shipped GAN, `gan-l2`, and your quick run?
#
# <details><summary>Hint</summary>
#
# Images seen = iterations x batch size. `paper.BUDGETS["gan"]`, the published records
# (`record("gan")`, `record("gan-l2")`: `images_seen`, `train_images`) and `quick` have what
# you need; the quick run trains on the training images less its validation images
# (`runs.split(data, quick)`).
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 4
x_train, _ = runs.split(data, quick)
full, shipped, l2_run = paper.BUDGETS["gan"], record("gan"), record("gan-l2")
for name, seen, images in (("the paper's budget", full.images_seen, shipped["train_images"]),
                           ("the shipped GAN", shipped["images_seen"], shipped["train_images"]),
                           ("gan-l2", l2_run["images_seen"], l2_run["train_images"]),
                           ("the quick run", quick.iterations * quick.batch_size, len(x_train))):
    print(f"{name}: {seen:,} images seen = {seen / images:.2f} passes over {images:,} training images")
