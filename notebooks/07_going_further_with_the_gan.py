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
# # 7 · Going further with the GAN: what drives it, and what its weight trades
#
# [![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)](https://colab.research.google.com/github/OWNER/inpainting-course/blob/main/notebooks/07_going_further_with_the_gan.ipynb)
#
# Notebook 4 built the paper's GAN, turned its adversarial term on for a short run and looked at its fills. This notebook goes further, with no training of its own: it reads the course's trained GAN and a study the course ran to ask three questions. Who wins the contest between G and D, and does the small adversarial weight keep it balanced? Which of G's two loss terms steers its updates? And what do more weight on fooling D, and a longer run, buy and cost? Everything it reads was measured by the course's own commands and ships in `weights/` and `results/`.
#
# *Series: 1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · 6 beyond the paper · 7 going further with the GAN. The course reproduces a student paper, "Reconstrução Digital de Imagens com Redes Neurais Convolucionais" (M. G. de Andrade, Insper), which fills a 16x16 hole in CIFAR-10 images with a convolutional autoencoder and with a GAN.*

# %% [markdown]
# ## Learning goals
# After this notebook you can:
#
# - read a GAN's record to say who wins its contest, and why a winning D does not stop G from learning;
# - tell the size of a loss term's *value* from the size of its *gradient*, and say which one steers G's update;
# - say what the adversarial weight trades (squared error against sharpness), from a study of four weights;
# - read a long run's validation curves: where the error is lowest, and what the iterations after that buy.

# %% [markdown]
# ## Set-up
# The first cell prepares Google Colab (it fetches the course) and does nothing else
# elsewhere. Nothing here trains: every number comes from files the course ships.

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
from helpers import curves, diagnosis, paper, study_figures, widgets
from helpers.engine.files import REPO_ROOT, read_json
from helpers.pretrained import record
from helpers.study import LONG_RUN_JSON, load_study, long_run_reading, read_long_run, summary_lines
from helpers.verdicts import longer_training_lines

shipped = record("gan")             # how the course's GAN was trained: settings, history, test scores
full = paper.BUDGETS["gan"]         # the paper's budget: 80,000 iterations at batch 32
print(f"the shipped GAN: iteration {shipped['iteration']:,} of a run of {shipped['trained_iterations']:,} "
      f"at batch {shipped['batch_size']}; the paper's budget: {full.iterations:,} at batch {full.batch_size}")

# %% [markdown]
# ## 1. What the GAN's own numbers say
# A GAN is two networks in a contest, and the usual story of this one goes: the weights
# 0.999 for L2 and 0.001 for the adversary keep it close to the autoencoder and so keep the
# contest balanced, because "the L2 term dominates G's loss". Check both halves against the
# course's trained GAN: first who wins its contest, then how sharp its fills are, both from
# its record and from the course's test results (`results/README.md`). **Predict first:** at
# the end of its run (the line above gives its length), does D tell real patches from G's
# fills almost every time, or does it sit near 0.5, unable to tell?

# %%
for line in diagnosis.gan_diagnosis(shipped["history"])[:2]:
    print("- the shipped GAN:", line)
report = read_json(REPO_ROOT / "results" / "results.json")
scores = {row["id"]: row for row in report["results"]}
for name in ("autoencoder", "gan"):
    print(f"- the shipped {scores[name]['method']}: hole MSE {scores[name]['hole_mse']:.4f}, sharpness ratio "
          f"{scores[name]['sharpness_ratio']:.2f} ({report['n_images']:,} test images of {report['data_source']})")

# %% [markdown]
# *What to see:* the first line says how sure D is at the end of the shipped run, the second
# what that means. A D that says "real" to real patches and "fake" to generated ones almost
# every time is winning, and a balanced contest would sit near 0.5 for both. Yet the last
# two lines put the GAN's fills much closer to the real patches' sharpness than the
# autoencoder's. So the small weight does not keep this GAN balanced, and the adversarial
# term is far from idle: the weights set **how hard the adversarial term pulls** on G.
#
# How hard is that? "0.999 x L2 is much larger than 0.001 x adversarial" compares the
# *values* of the two terms. What moves G's weights is their *gradients*: each update
# follows the sum of the two terms' gradients with respect to G's weights, and the larger
# one steers. A term can be small in value and steep. The course's study of the adversarial
# weight (section 2) logged both sizes, `helpers.steps.generator_gradient_sizes`, while it
# trained the paper's recipe. **Predict first:** with the weights 0.999 and 0.001, which
# term has the larger value, and which the larger gradient? Its run with the paper's weight says:

# %%
gan_study = load_study()   # results/gan_weights.json and .npz: python -m helpers.cli.gan_weights collect
paper_run = gan_study["runs"][paper.ADVERSARIAL_WEIGHT]
for line in diagnosis.what_drives_g(paper_run["history"], paper_run["l2_weight"],
                                    paper_run["adversarial_weight"]):
    print("-", line)

# %% [markdown]
# *What to see:* the first line is the argument from loss values, the second what the
# update actually follows; each ends with what its numbers say. Wherever the second
# disagrees with the first, the argument from values is wrong: a weight of 0.001 does not
# make a term a thousand times weaker. Why can a small weight pull hard? The L2 term's
# gradient is proportional to the fill's error, which shrinks as G learns. The adversarial
# term, -log D(fill), is steepest where D is sure that the fill is fake (its slope with
# respect to D's logit, the value before D's sigmoid, is then close to -1, as steep as it
# gets), and a D that wins is sure.
# The gradient sizes along each run of the study:

# %%
study_figures.gradient_sizes(gan_study)

# %% [markdown]
# ## 2. The adversarial weight, seen
# The study trains the paper's recipe with four adversarial weights W (the L2 weight is
# 1 - W): 0 (G on L2 alone: the autoencoder's loss on the GAN's generator), the paper's
# 0.001, and ten and a hundred times more: the same seed, data and budget (the lines below
# print them), each run scored on the same test images. It is too long to train in a lesson;
# the command that made it, and each run's own command, are in `results/gan_weights.md`.
# **Predict first:** which weight has the lowest hole MSE, and which the sharpness closest to
# the real patches'?

# %%
print(f"{gan_study['command']} (made {gan_study['made']})")
for w, run in gan_study["runs"].items():
    m = run["metrics"]
    print(f"W = {w:<6g} (L2 weight {run['l2_weight']:g}), seed {run['seed']}, {run['train_images']:,} training "
          f"images, iteration {run['iteration']:,}: hole MSE {m['hole_mse']:.4f}, hole PSNR {m['hole_psnr']:.2f} dB, "
          f"sharpness ratio {m['sharpness_ratio']:.2f}")
for line in summary_lines(gan_study):
    print("-", line)

# %%
shipped_points = {f"shipped: {scores[name]['method']} ({scores[name]['n_images']:,} test images)":
                  (scores[name]["hole_mse"], scores[name]["sharpness_ratio"]) for name in ("autoencoder", "gan")}
study_figures.adversarial_tradeoff(gan_study, references=shipped_points)

# %% [markdown]
# *What to see:* each point is one weight. Down and left is closer to the truth on average
# and blurrier; up is sharper. The dashed line is the real patches' sharpness: a point above
# it paints more detail than there is, noise or invented edges. The lines above say which
# weight has the lowest error and which has the sharpness closest to the real patches'. In
# notebook 4's two-edge example (its section 2), more weight on looking real buys sharpness and costs squared error;
# the figure shows how far the real GAN, with a learned judge, follows it.
#
# **Try it: browse the fills.** The slider chooses the weight; each page shows eight test
# images: the truth, that weight's fills and, for comparison, the fills of G trained on L2
# alone (W = 0).

# %%
widgets.adversarial_weight_widget(gan_study)

# %% [markdown]
# ## 3. The GAN over the paper's whole schedule
# The paper trains its GAN for 80,000 iterations; the shipped GAN stopped well short of
# that (the first cell's line). The course then trained the same recipe, same seed, over the
# paper's whole schedule, resumed from its checkpoint over several sittings with `--resume`;
# `python -m helpers.cli.gan_weights long` wrote its validations into
# `results/gan_long_run.json`, and its last state ships as a model of its own (the first
# line below says which). The next lines read the validations; the last of them compares the
# validations near the iteration where the shipped GAN stopped with the last ones (without
# that file the cell shows the shipped GAN's own record). **Predict first:** does the
# validation error keep falling to the end of the run? And the sharpness?

# %%
found = read_long_run()
if found is None:
    history, shown = shipped["history"], (f"the shipped GAN's record (weights/gan.md), to iteration "
                                          f"{shipped['iteration']:,}; results/gan_long_run.json is not there")
else:
    history, shown = found
print("shown:", shown)
print("\n".join(long_run_reading(history, since=shipped["iteration"])))
curves.long_run_curves(history, budget=full.iterations, mark=shipped["iteration"],
                       mark_label="where the shipped GAN stopped",
                       title="The paper's GAN recipe over its whole schedule: validation error and sharpness")

# %% [markdown]
# *What to see:* how far the run got against the paper's budget (the dashed line) and
# where the shipped GAN stopped (the dotted one); where the validation error was lowest
# and how much it grew after that; and whether the fills got sharper meanwhile. The printed
# lines give the numbers, the curves show how much they swing from one validation to the
# next (which is why the last line compares averages of five). A panel that says the run
# did not log a value means just that: the shipped GAN's record has no sharpness ratio.
#
# The validation images are training images held out; the test set says the same or not.
# The course's report scored both published states of the recipe on all 10,000 test images:
# the shipped GAN, and the last state of this run. **Predict first:** what did the
# iterations after the shipped GAN's stop buy, and what did they cost?

# %%
long_name = read_json(LONG_RUN_JSON).get("published") if found else None
if long_name in scores:
    for line in longer_training_lines(scores["gan"], scores[long_name], record(long_name)["iteration"],
                                      shipped["iteration"], report["n_images"], report["data_source"]):
        print("-", line)
else:
    print("The run's last state is not published and scored yet: `python -m helpers.cli.publish publish "
          "runs/gan-long ...`, then `python -m helpers.cli.report` (docs/commands.md).")

# %% [markdown]
# *What to see:* the first two lines compare the sharpness and the error of the two states
# on the same test images, the third says what the longer training bought and what it cost.
# Compare it with the last line of the cell before: the validations of the long run itself,
# near the shipped GAN's stop and at the end. Notebook 5 and the course's report keep the
# shipped GAN as *the* GAN of the comparison with the autoencoder, and repeat the check with
# this one in its place: the report says whether the verdict changes.
#
# ## Summary
# - The shipped GAN's D wins its contest, and its fills are still much sharper than the
#   autoencoder's: the weights set how hard the adversarial term pulls, not a balance.
# - Which term drives G is read from the sizes of the two terms' gradients, not from the
#   sizes of their values: a weight of 0.001 does not make a term a thousand times weaker.
# - More weight on fooling D buys sharpness and costs squared error (section 2). Training the
#   paper's recipe over its whole schedule did not lower the validation error after its
#   lowest point early in the run; section 3 printed what the iterations after the shipped
#   GAN's stop bought and cost.
#
# ## Exercises
# Each runs in a few minutes at most on a laptop CPU. Try it first; then open the hint,
# and then the solution (the collapsed cell below the exercise).
#
# ### Exercise 1 · Where does the adversarial term take over? (5 min)
# In the study's gradient figure (section 1), find for each weight W whether the adversarial
# term's gradient is larger or smaller than the L2 term's over the last quarter of the run.
# From which weight on does the adversarial term steer G?
#
# <details><summary>Hint</summary>
#
# `diagnosis.what_drives_g(run["history"], run["l2_weight"], run["adversarial_weight"])`
# reads one run of `gan_study["runs"]`; its second line compares the gradients.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 1
for w, run in gan_study["runs"].items():
    lines = diagnosis.what_drives_g(run["history"], run["l2_weight"], run["adversarial_weight"])
    print(f"W = {w:g}: {lines[-1]}")

# %% [markdown]
# Only at W = 0.1 is the adversarial term's gradient the larger one (the last line says by how
# much); at 0.001 and 0.01 the two are of the same order, and both steer G.

# %% [markdown]
# ### Exercise 2 · An average of the generator's weights (5 min)
# The course also ships `gan-averaged`: the paper's GAN trained with an exponential moving
# average of G's weights kept beside the ones that train: an average that, per iteration,
# keeps 0.999 of itself and takes 0.001 of the current weights, so recent weights count most
# (beyond the paper; `GANTrainer(..., average_decay=0.999)`). Training is unchanged; the average is what is kept. Compare its
# test scores with the GAN's in `results/results.json`. Why would an average of the weights
# have a lower error, and why might it be less sharp?
#
# <details><summary>Hint</summary>
#
# `scores` (section 1) holds the rows of `results/results.json` by id: `scores["gan"]` and
# `scores["gan-averaged"]`. Think of notebook 4's two-edge example: an average of several guesses.
# </details>

# %% tags=["solution"] jupyter={"source_hidden": true}
# Solution to exercise 2
for name in ("gan", "gan-averaged"):
    row = scores[name]
    print(f"{row['method']}: hole MSE {row['hole_mse']:.4f}, sharpness ratio {row['sharpness_ratio']:.2f} "
          f"({row['n_images']:,} test images of {report['data_source']})")

# %% [markdown]
# The GAN's weights wander from one iteration to the next as D and G take turns; their
# average sits in the middle of the wandering, so its fills are close to an average of
# nearby models' fills, and averages have a lower expected squared error (the two-edge example
# once more) and, for the same reason, a little less detail: the two lines show both.
#
# **Next:** notebook 5 compares every method of the course on the same test images; notebook 6 goes beyond the paper's square hole.
