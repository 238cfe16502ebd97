"""Write the six teaching notebooks in notebooks/ from the cells below (outputs stripped).

The notebooks are generated so that they are easy to edit and review as plain Python,
and always stored without outputs. Edit the cells here, then run

    python tools/build_notebooks.py            # write notebooks/*.ipynb
    python tools/build_notebooks.py --check    # exit 1 if a notebook differs from this file

The Colab badge and the Colab set-up cell come from notebooks/REPOSITORY (see
tools/set_repository.py, which rewrites them in place when the address changes).
"""

from __future__ import annotations

import argparse
import sys
import textwrap
from pathlib import Path

import nbformat

sys.path.insert(0, str(Path(__file__).resolve().parent))
from set_repository import (BADGE_TAG, NOTEBOOKS, SETUP_TAG, badge,  # noqa: E402
                            read_repository, setup_source)

SERIES = ("1 the problem · 2 the crop · 3 the autoencoder · 4 the GAN · 5 the comparison · "
          "6 beyond the paper")


def md(text: str) -> dict:
    return {"cell_type": "markdown", "source": textwrap.dedent(text).strip("\n")}


def code(text: str) -> dict:
    return {"cell_type": "code", "source": textwrap.dedent(text).strip("\n")}


def header(number: int, title: str, intro: str, goals: list[str], notebook: str,
           url: str, branch: str) -> list[dict]:
    """Title + badge + intro, learning goals, the Colab set-up cell, the GPU/mode cell."""
    intro = " ".join(textwrap.dedent(intro).split())
    title_cell = {"cell_type": "markdown", "source": "\n\n".join([
        f"# {number} · {title}",
        badge(url, branch, notebook),
        intro,
        f"*Series: {SERIES}. The course reproduces a student paper, \"Reconstrução Digital de "
        f"Imagens com Redes Neurais Convolucionais\" (M. G. de Andrade, Insper), which fills a "
        f"16x16 hole in CIFAR-10 images with a convolutional autoencoder and with a GAN.*",
    ])}
    title_cell["tags"] = [BADGE_TAG]
    setup = code(setup_source(url, branch))
    setup["tags"] = [SETUP_TAG]
    return [
        title_cell,
        {"cell_type": "markdown", "source": "## Learning goals\nAfter this notebook you can:\n\n"
                                            + "\n".join(f"- {g}" for g in goals)},
        md("""
            ## Set-up
            The first cell prepares Google Colab (it clones the course and installs what Colab
            lacks) and does nothing else elsewhere. The second starts Keras without its log
            noise, says whether there is a GPU, and says which **run mode** this notebook
            uses: `full` (the paper's budgets, on a GPU), `cpu` (short budgets) or `smoke`
            (tiny, for tests). Set `INPAINTING_MODE=full|cpu|smoke` before starting Jupyter
            to choose.
        """),
        setup,
    ]


def mode_cell(*names: str) -> dict:
    args = ", ".join(repr(n) for n in names)
    return code(f"""
        from helpers import course

        course.quiet_logs()  # before Keras starts: hides TensorFlow's start-up messages
        print(course.gpu_status())
        course.describe_mode({args})
    """)


# ============================================================================ 1. the problem


def notebook_1(url, branch):
    name = "01_the_problem.ipynb"
    cells = header(1, "The problem: filling a hole in an image", """
        **Image inpainting** fills a missing region of an image (a *hole*) so that the result
        looks like the original. This notebook needs no data set and trains nothing: it
        takes two photographs that ship with scikit-image, cuts a hole in each, and lets
        classical methods fill it. They fail in the two ways the paper describes, and for
        one reason, which is the reason the rest of the course trains neural networks.
    """, [
        "say what an inpainting method takes (an image and a hole) and returns (a filled image);",
        "run three classical fills (OpenCV's Telea and Navier-Stokes, scikit-image's biharmonic) "
        "through the course's one interface, `Inpainter.inpaint(images, hole)`;",
        "recognise the paper's two failures: a face whose eyes are filled with skin (its Fig. 2) "
        "and a texture filled with an 'abstract' pattern (its Fig. 1);",
        "name their common cause: a classical method knows only the image in front of it; it has "
        "no **prior**.",
    ], name, url, branch)
    cells += [
        mode_cell(),
        md("""
            This notebook runs on any machine in a few seconds; the mode only matters from
            notebook 3 on. Now the imports: `%matplotlib inline` makes figures appear under the
            cells, in JupyterLab and in Colab.
        """),
        code("""
            %matplotlib inline
            import numpy as np
            from skimage import data as samples

            from helpers import plots, widgets
            from helpers.classical import BiharmonicFill, OpenCVFill
            from helpers.masks import Hole, cut_hole, to_scale
            from helpers.metrics import hole_mse, sharpness_ratio
        """),
        md("""
            ## 1. What inpainting is
            An inpainting method gets an image and a **hole**: the pixels that are missing.
            It returns the image with the hole filled; outside the hole nothing changes.
            In this course a hole is a rectangle, `Hole(top, left, height, width)` in pixels,
            and every method, classical or learned, has the same two calls:

            - `method.fill(images, hole)`: the predicted content of the hole (the *patch*);
            - `method.inpaint(images, hole)`: the whole images with the patch pasted in.

            Our first image is a photograph of astronaut Eileen Collins (NASA), which ships
            with scikit-image, so it needs no download. We take the 192x192 square around
            her face and cut out her eyes.
        """),
        code("""
            face = samples.astronaut()[30:222, 120:312]  # the face, 192x192, uint8 RGB
            eyes = Hole(top=60, left=46, height=28, width=88)
            print(f"image {face.shape[0]}x{face.shape[1]}x{face.shape[2]} {face.dtype}; "
                  f"hole {eyes.height}x{eyes.width} at row {eyes.top}, column {eyes.left}")
        """),
        md("""
            Before a method sees an image, the course paints the hole **mid-grey**, so no
            method can peek at what was there. `cut_hole` returns that image and the patch it
            removed (the answer we keep for scoring). Values are on the unit scale [0, 1];
            mid-grey is 0.5.
        """),
        code("""
            face_unit = to_scale(face[None], "unit")  # a batch of one image, floats in [0, 1]
            holed, eyes_truth = cut_hole(face_unit, eyes, "unit")
            assert np.all(holed[0, eyes.rows, eyes.cols] == 0.5)  # the method sees only grey there
            plots.image_row([face, holed[0]], ["original", "with the hole"],
                            title="A face with the eyes cut out", cell=3.0)
        """),
        md("""
            *What to see:* the grey band is all a method gets where the eyes were. Everything
            it paints there must come from the rest of the picture.

            ## 2. A classical fill on a face (the paper's Fig. 2)
            Three classical methods, each a few lines of well-known mathematics:

            - **Telea** (OpenCV, fast marching): fills the hole from its border inwards, each
              new pixel a weighted average of the known pixels near it.
            - **Navier-Stokes** (OpenCV): continues the lines of equal brightness that reach
              the border into the hole, like a fluid flowing in.
            - **biharmonic** (scikit-image): the smoothest surface that matches the border.

            The paper used Photoshop's Content-Aware Fill, which copies patches from elsewhere
            in the image instead; it fails in the same way, for the same reason (section 4).
        """),
        code("""
            classical = {"Telea": OpenCVFill("telea"), "Navier-Stokes": OpenCVFill("ns"),
                         "biharmonic": BiharmonicFill()}
            filled = {name: method.inpaint(face_unit, eyes)[0] for name, method in classical.items()}
            plots.photo_fills(face, eyes, filled, title="Classical fills of the eyes: skin, not eyes",
                              caption="Bottom row: the same images, zoomed in on the hole.")
        """),
        md("""
            *What to see:* every method paints a skin-coloured smear where the eyes were.
            None draws an eye, not even a blurred one: nothing at the border of the hole says
            "eyes here".

            We can put a number on "no eye was drawn". The **sharpness** of a patch is its
            mean gradient (how much the colour changes from pixel to pixel); the *sharpness
            ratio* compares a fill with what was cut out. Eyes have lashes, pupils and
            eyelids: lots of detail. The cell checks that every fill has less than 60 % of it.
        """),
        code("""
            for name, image in filled.items():
                patch = image[None, eyes.rows, eyes.cols]
                ratio = sharpness_ratio(patch, eyes_truth)
                print(f"{name:14s} hole MSE {hole_mse(patch, eyes_truth):.4f}   detail kept {ratio:.0%}")
                assert ratio < 0.6, f"{name} kept {ratio:.0%} of the detail"
        """),
        md("""
            ## 3. A texture: fills that look "abstract" (the paper's Fig. 1)
            The second failure is subtler. On a regular texture a classical fill produces
            *something*, with edges and contrast, but not the pattern a person expects. Our
            texture is a brick wall, also from scikit-image (a grey-scale photograph; we
            repeat it on three channels to make it RGB).
        """),
        code("""
            bricks = np.repeat(samples.brick()[..., None], 3, axis=-1)  # 512x512 grey -> RGB
            wall_hole = Hole(top=180, left=200, height=90, width=90)
            bricks_unit = to_scale(bricks[None], "unit")
            filled = {name: method.inpaint(bricks_unit, wall_hole)[0] for name, method in classical.items()}
            plots.photo_fills(bricks, wall_hole, filled, title="Classical fills of a brick wall: an 'abstract' pattern",
                              caption="Bottom row: zoomed in on the hole. The mortar lines stop at its border.")
        """),
        md("""
            *What to see:* Telea and Navier-Stokes draw a star of streaks from the border to
            the centre; biharmonic draws a soft blob. None continues the rows of bricks and the
            mortar lines between them, although the pattern is obvious to anyone who looks at
            the rest of the wall.

            The same happens in a scene. Below, the hole covers the far rim of an espresso cup.
        """),
        code("""
            coffee = samples.coffee()
            rim_hole = Hole(top=60, left=260, height=110, width=120)
            coffee_unit = to_scale(coffee[None], "unit")
            filled = {name: method.inpaint(coffee_unit, rim_hole)[0] for name, method in classical.items()}
            plots.photo_fills(coffee, rim_hole, filled, title="Classical fills of a cup's rim",
                              caption="Bottom row: zoomed in on the hole.")
        """),
        md("""
            *What to see:* the white rim of the cup is round; the fills replace it with
            straight shards (Telea, Navier-Stokes) or a smudge (biharmonic). The colours are
            right, the shape is not.

            ## 4. The lesson: a classical method has no prior
            Both failures have one cause. A classical method knows only *this* image: the
            pixels around the hole. A person who fills the hole uses something else: they
            have seen thousands of faces, so they know eyes go there; they know what brick
            walls and cups look like. That knowledge, brought from other images, is a
            **prior**.

            A model *trained on a data set of images* can learn a prior. That is the paper's
            idea and the plan for the rest of the course: notebook 2 prepares the data
            (CIFAR-10, tiny 32x32 photographs), notebook 3 trains an autoencoder, notebook 4 a
            GAN, and notebook 5 compares them with the classical fills you met here. One
            caution, to keep us honest: 32x32 images are too small for eyes and bricks; what a
            model can learn there is the prior of *small photographs of ten kinds of objects*.

            ## 5. Try it: move the hole
            Pick an image and a method, then move and resize the hole with the sliders (the
            figure redraws when you let go). The titles give each fill's hole error (MSE on
            [0, 1]) and how much detail it kept. Ideas: one eye only; the mouth; a hole on the
            bricks only 8 pixels high; the cat's eye. If the hole leaves the image, the widget
            says so instead of drawing.
        """),
        code("""
            widgets.classical_widget(
                {"face": face, "bricks": bricks, "coffee": coffee, "cat": samples.chelsea()},
                holes={"face": eyes, "bricks": wall_hole, "coffee": rim_hole, "cat": Hole(100, 120, 50, 70)})
        """),
        md("""
            ## Summary
            - Inpainting fills a hole so that the image looks whole; here every method has
              `fill` (the patch) and `inpaint` (the whole image), and never sees what was in
              the hole.
            - Classical fills propagate what is at the border of the hole inwards. They are fast
              and need no training.
            - They fail where the answer is not at the border: the eyes become skin (Fig. 2),
              the bricks an abstract star (Fig. 1).
            - The cause is one: no prior knowledge from other images. Learning from a data set
              supplies it; that is what the next notebooks do.

            ## Exercises
            1. Put the hole over one eye only. Does any method draw an eye now? The other eye is
               in the picture: why can none of these methods copy it?
            2. On the bricks, shrink the hole to 8 pixels high and 90 wide. Which method keeps the
               mortar lines best, and why does the size of the hole matter so much?
            3. Time the three methods on the face with `%timeit classical["biharmonic"].inpaint(face_unit, eyes)`.
               Which would you run on 10,000 images?
            4. Photoshop's Content-Aware Fill copies patches from elsewhere in the image. Describe
               what it would paste into the eyes of this photograph. Would that be better?
            5. Think ahead: what would a method need to have seen to draw eyes? How many images,
               of what?

            **Next:** notebook 2, the data and the crop.
        """),
    ]
    return name, cells, False


# ============================================================================ 2. the crop


def notebook_2(url, branch):
    name = "02_the_crop.ipynb"
    cells = header(2, "The crop: CIFAR-10 and the training pairs", """
        The paper learns its prior from **CIFAR-10**, 60,000 small colour photographs. From
        each image it cuts a 16x16 square out of the centre: the image with the hole is the
        model's input, the square is the answer it must produce. This notebook looks at the
        data, makes those pairs exactly as the training code does, and keeps the three value
        scales of the course apart.
    """, [
        "describe CIFAR-10: 60,000 images of 32x32 in 10 classes, 50,000 for training and 10,000 for testing;",
        "cut the paper's 16x16 centre hole and make (input, target) pairs, as in the paper's Fig. 3;",
        "convert between the three value scales (uint8, [0, 1], [-1, 1]) and the errors measured on them;",
        "say what the data loader does without internet, and how training batches are drawn.",
    ], name, url, branch)
    cells += [
        mode_cell("evaluation"),
        code("""
            %matplotlib inline
            import time

            import numpy as np

            from helpers import plots, widgets
            from helpers.masks import CENTER_HOLE, HOLE_FILL_UNIT, make_pairs, to_scale
            from helpers.metrics import hole_mse
        """),
        md("""
            ## 1. Load CIFAR-10
            `course.load_data()` loads the data set with the sizes of this run mode (all of it,
            except in smoke mode, where it takes small random subsets; the test set is the
            mode's evaluation set). Where the data comes from is section 6.
        """),
        code("""
            data = course.load_data()
            print(data.describe())
            assert data.x_train.shape[1:] == (32, 32, 3) and data.x_train.dtype == np.uint8
        """),
        md("""
            Ten classes, the same number of images of each in the full set. Labels are not used
            to train (the paper uses "only the images"); we use them to look at the data and,
            in notebook 5, to see which kinds of images are hardest to fill.
        """),
        code("""
            counts = np.bincount(data.y_train, minlength=10)
            print(", ".join(f"{name} {n:,}" for name, n in zip(data.class_names, counts)))
            if len(data.x_train) == 50_000:
                assert np.all(counts == 5_000)
        """),
        md("""
            ## 2. What CIFAR-10 looks like
        """),
        code("""
            plots.class_grid(data.x_train, data.y_train, data.class_names, per_class=10)
        """),
        md("""
            *What to see:* the images are tiny (32x32 pixels) and the object is usually in the
            middle. So the centre hole removes a quarter of the pixels and, most of the time,
            the middle of the object: the hardest part to guess.

            ## 3. The crop (the paper's Fig. 3)
            The paper's hole is the 16x16 centre of the 32x32 image: rows and columns 8 to 23.
            It is `CENTER_HOLE` in `helpers.masks`, used by training, metrics and figures alike.
        """),
        code("""
            print(CENTER_HOLE, "->", CENTER_HOLE.height * CENTER_HOLE.width, "of 1,024 pixels")
            assert CENTER_HOLE.shape == (16, 16)
            assert (CENTER_HOLE.top, CENTER_HOLE.left) == (8, 8)  # rows and columns 8..23
            i = 0
            plots.crop_figure(data.x_test[i], CENTER_HOLE, label=data.class_names[data.y_test[i]])
        """),
        md("""
            *What to see:* left the original; middle the **input** of the models, the same image
            with the hole painted grey; right the **target**, the 16x16 patch that was cut out,
            drawn at the same pixel size.

            The paper does not say what fills the hole in the input. The course uses mid-grey
            (`HOLE_FILL_UNIT` = 0.5 on [0, 1], which is 0 on [-1, 1]), close to CIFAR-10's mean
            colour, and uses the same value in training and in use. A model could otherwise
            learn that "black means hole" in training and meet grey later.

            ## 4. Three value scales
            The same pixels live on three scales in this course:

            | scale | range | used by |
            |---|---|---|
            | uint8 | 0 .. 255 | storage, the data loader |
            | unit | 0 .. 1 | the autoencoder (ReLU output); **every metric** |
            | signed | -1 .. 1 | the GAN (tanh output, DCGAN practice) |
        """),
        code("""
            plots.value_histograms(data.x_train[:1000], caption="Pixels of 1,000 training images: same shape, different axis.")
        """),
        md("""
            *What to see:* three identical histograms with different numbers on the axis.
            Converting is a straight line, but errors do **not** stay the same: the signed
            scale is twice as wide, so a squared error on it is **four times** larger. The
            paper quotes "0.009" for the autoencoder and "0.008" for the GAN without a scale;
            if the GAN's is on [-1, 1], it is 0.002 on [0, 1]. Check the factor of four on a
            fill that paints the hole grey:
        """),
        code("""
            _, patch_unit = make_pairs(data.x_test[:100], "unit")
            _, patch_signed = make_pairs(data.x_test[:100], "signed")
            grey_unit = np.full_like(patch_unit, HOLE_FILL_UNIT)  # grey on [0, 1] ...
            grey_signed = np.zeros_like(patch_signed)             # ... is 0 on [-1, 1]
            mse_unit = hole_mse(grey_unit, patch_unit)
            mse_signed = float(np.mean((grey_signed - patch_signed) ** 2))
            print(f"grey fill: MSE {mse_unit:.4f} on [0, 1], {mse_signed:.4f} on [-1, 1], ratio {mse_signed / mse_unit:.2f}")
            assert np.isclose(mse_signed, 4 * mse_unit, rtol=1e-4)
        """),
        md("""
            ## 5. How training pairs are made
            `make_pairs(images, scale)` turns a batch of uint8 images into what a model trains
            on: the inputs (32x32 with the grey hole) and the targets (the 16x16 patches), on
            the model's scale. The training loops call it on every batch.
        """),
        code("""
            inputs, targets = make_pairs(data.x_train[:64], "unit")
            print(f"inputs  {inputs.shape}  values {inputs.min():.2f}..{inputs.max():.2f}")
            print(f"targets {targets.shape}  values {targets.min():.2f}..{targets.max():.2f}")
            assert inputs.shape == (64, 32, 32, 3) and targets.shape == (64, 16, 16, 3)
            assert np.all(inputs[:, 8:24, 8:24] == HOLE_FILL_UNIT)  # the answer is not in the input
            assert np.array_equal(targets, to_scale(data.x_train[:64], "unit")[:, 8:24, 8:24])
            plots.image_grid(list(inputs[:8]) + list(targets[:8]), ncols=8, row_labels=["inputs", "targets\\n(enlarged)"],
                             title="Eight training pairs: inputs (top) and targets (bottom)")
        """),
        md("""
            *What to see:* each target is exactly the square missing from the input above it.

            ## 6. What the data loader does offline
            `helpers.data.load_cifar10` looks for CIFAR-10 in this order: a path you give (or
            the environment variable `INPAINTING_DATA`); the official
            `cifar-10-python.tar.gz` in `./data` or in Keras's cache; an image-folder export such
            as `../shared/data/cifar10-jpeg.tar.gz`; and, with internet, a download through
            `keras.datasets` (what happens in Colab). It decodes once, caches the arrays as one
            `.npz` file in `~/.cache/inpainting`, and records where the data came from in
            `data.source`: the official set, or the JPEG export, whose pixels differ slightly
            (JPEG is lossy). Every table in the course names its source. The data is never
            copied into the repository.
        """),
        code("""
            start = time.perf_counter()
            again = course.load_data()
            print(f"second load: {time.perf_counter() - start:.2f} s, from the cache; source: {again.source}")
            assert np.array_equal(again.x_test, data.x_test)  # same seed, same images
        """),
        md("""
            **Batches.** Training draws batches with `helpers.training.BatchSampler`: a seeded
            shuffle of the training images, a new one for every pass. Iteration *t* always gets
            the same batch for the same seed, so a run that resumes from a checkpoint sees
            exactly the data it would have seen. The paper counts batches as "epochs": its
            50,000 "epochs" at batch 64 are 50,000 *iterations*. The notebooks hold out
            1,000 training images (a few in smoke mode) to watch the error on images the model
            does not train on; the test set is kept for notebook 5.
        """),
        code("""
            from helpers.training import BatchSampler

            sampler = BatchSampler(data.x_train, batch_size=64, seed=0)
            print(f"one pass over {len(data.x_train):,} images = {sampler.per_pass:,} batches of 64")
            assert np.array_equal(sampler.batch(7), BatchSampler(data.x_train, 64, seed=0).batch(7))
            paper = course.budget("autoencoder", "full")
            print(f"the paper's {paper.iterations:,} iterations at batch {paper.batch_size} = "
                  f"{paper.passes(50_000):.0f} passes over 50,000 training images")
        """),
        md("""
            ## 7. Try it: browse the data and move the hole
            Step through the test images (or jump to a random one), move and resize the hole,
            and switch the scale to see the value ranges the models get. A hole that leaves the
            32x32 image gets a message instead of a figure.
        """),
        code("""
            widgets.crop_widget(data.x_test, data.y_test, data.class_names)
        """),
        md("""
            ## Summary
            - CIFAR-10: 50,000 training and 10,000 test images of 32x32 in ten classes; the
              course says on every table whether it used the official set or the JPEG export.
            - The crop: a 16x16 hole in the centre (rows and columns 8..23), painted mid-grey in
              the input; the cut-out patch is the target.
            - Three scales: uint8 for storage, [0, 1] for the autoencoder and all metrics, [-1, 1]
              for the GAN. A squared error on [-1, 1] is four times the same error on [0, 1].
            - Batches are seeded, so runs resume exactly; the paper's "epochs" are iterations.

            ## Exercises
            1. Move the 16x16 hole to a corner in the widget. Is the corner easier to guess than
               the centre? Why might the paper have chosen the centre?
            2. Before notebook 5 measures it: which class do you expect to be hardest to fill,
               and which easiest? Write your guess down.
            3. Compute CIFAR-10's mean colour over whole images and over the centre 16x16 only
               (`helpers.classical.MeanColorFill.from_images(data.x_train, region=CENTER_HOLE)`).
               Why do they differ?
            4. Suppose training filled the hole with 0 on the unit scale (black) and use filled it
               with grey. What would the model's first layer see that it never saw in training?
            5. How many passes over the training set is the GAN's budget of 80,000 iterations at
               batch 32?

            **Next:** notebook 3, the autoencoder.
        """),
    ]
    return name, cells, False


# ============================================================================ 3. the autoencoder


def notebook_3(url, branch):
    name = "03_the_autoencoder.ipynb"
    cells = header(3, "The autoencoder", """
        The paper's first model is a small **convolutional autoencoder**: convolutions shrink
        the 32x32 image with its hole into a compact code, a dense layer in the middle mixes
        everything, and transposed convolutions grow the code into the 16x16 patch. It is
        trained to make the patch's mean squared error small. This notebook builds it from
        the paper's table, trains it with a live loss curve, reproduces the paper's result
        figure, and shows why its fills are blurry.
    """, [
        "build the paper's autoencoder and check it, layer by layer, against the paper's table;",
        "count its parameters and multiply-adds and match the paper's 4.4 M and 12 M;",
        "train it with the mean squared error, read the live curves, and resume a run from its checkpoint;",
        "reproduce the paper's result figure, and explain why a model trained on MSE paints blurry fills.",
    ], name, url, branch)
    cells += [
        mode_cell("autoencoder"),
        code("""
            %matplotlib inline
            import numpy as np

            from helpers import plots, widgets
            from helpers.classical import OpenCVFill
            from helpers.masks import CENTER_HOLE, to_scale
            from helpers.metrics import hole_mse, sharpness_ratio
            from helpers.models import AUTOENCODER_DROPOUT, PARAMETER_COUNTS, ModelInpainter, build_autoencoder
            from helpers.training import PAPER_AUTOENCODER, AutoencoderTrainer
        """),
        md("""
            ## 1. Data and budget
            The training images, less a held-out validation set; the budget of this run mode.
        """),
        code("""
            data = course.load_data()
            budget = course.budget("autoencoder")
            x_train, x_val = course.training_split(data, budget)
            print(data.describe())
            print(f"training on {len(x_train):,} images, validating on {len(x_val):,}")
            print(budget.describe(len(x_train)))
        """),
        md("""
            ## 2. The paper's table next to the model
            `build_autoencoder()` follows the paper's table. The table below puts each row of
            the paper (left) next to the Keras layer that implements it (right), with the
            output shape Keras computes and the layer's number of parameters. A ✓ means the
            kernel, stride, activation and output shape all agree.
        """),
        code("""
            model = build_autoencoder()
            table = course.layer_table(model, "autoencoder")
            table
        """),
        code("""
            assert not table.mismatches, table.mismatches
            assert model.count_params() == PARAMETER_COUNTS["autoencoder"]
            macs = course.multiply_adds(model)
            print(f"{model.count_params():,} parameters (the paper: about 4.4 M)")
            print(f"{macs / 1e6:.1f} M multiply-adds per image (the paper: about 12 M)")
            assert abs(macs / course.PAPER_MULTIPLY_ADDS["autoencoder"] - 1) < 0.05
        """),
        md("""
            Keras's own summary says the same, with each layer's name:
        """),
        code("""
            model.summary()
        """),
        md("""
            ## 3. Every layer, explained
            | layer | what it does | shape |
            |---|---|---|
            | Conv 3x3, stride 2, ReLU (x3) | each output pixel looks at a 3x3 neighbourhood; stride 2 halves the size; more channels hold more kinds of features | 32 → 16 → 8 → 4 pixels, 3 → 32 → 64 → 128 channels |
            | BatchNorm | rescales each channel to zero mean and unit variance over the batch (then learns a scale and shift): steadier training | 4x4x128 |
            | Flatten | lays the 4x4x128 code out as one vector | 2,048 |
            | Dropout | in training, zeroes a random part of the code (the paper gives no rate; the course's `AUTOENCODER_DROPOUT` is printed below), so no single feature is relied on | 2,048 |
            | Dense, ReLU | the **bottleneck**: every output depends on every input, so the fill of the centre can use the whole border | 2,048 |
            | Reshape | back to a small image of features | 4x4x128 |
            | Deconv 3x3, stride 2, ReLU (x2) | transposed convolutions: each input pixel paints a 3x3 stamp, stride 2 doubles the size | 4 → 8 → 16 pixels, 3 channels at the end |

            Choices the paper leaves open are named in `helpers/models.py`: `"same"` padding
            (so stride 2 exactly halves), the dropout rate, Keras's default initialisation. Note the
            last ReLU: fills can exceed 1, and are clipped to [0, 1] when used.

            Where are the 4.4 M parameters? Almost all in one layer:
        """),
        code("""
            dense = next(layer for layer in model.layers if type(layer).__name__ == "Dense")
            print(f"dropout rate {AUTOENCODER_DROPOUT}; the Dense layer holds {dense.count_params():,} parameters, "
                  f"{dense.count_params() / model.count_params():.0%} of the model")
        """),
        md("""
            ## 4. Training
            The loss is the **mean squared error** between the predicted patch and the real one,
            on [0, 1]. The optimiser is Adam with Keras's default learning rate 1e-3 (the paper
            does not give one), the batch is 64, and one iteration is one batch. The paper trains
            50,000 iterations; the run mode decides how many we train here (printed above).

            On a CPU (`cpu` mode) the notebook loads the project's **trained weights** instead:
            the paper's full budget, trained with `python -m helpers.train` (their model card,
            `weights/autoencoder.md`, says where and how long). Set `TRAIN_HERE = True` below to
            train from scratch anyway; in `full` mode (a GPU) it always trains.

            The trainer saves a **checkpoint** every few hundred iterations in
            `runs/<mode>/autoencoder/`. Run the cell again after an interruption (a closed
            laptop, a Colab disconnect) and it resumes from the last checkpoint instead of
            starting over; once the budget is reached, it only loads the result. On Colab the
            runs live in `/content/inpainting-runs`, which survives a disconnect but not a
            runtime reset; to keep them longer, mount Google Drive and set
            `os.environ["INPAINTING_RUNS"]` to a folder in it before this section.
        """),
        code("""
            print("the paper's settings:", PAPER_AUTOENCODER)
            TRAIN_HERE = False  # True: train from scratch even where trained weights ship
            print(course.pretrained_note("autoencoder"))
            use_pretrained = course.pretrained_available("autoencoder") and budget.mode == "cpu" and not TRAIN_HERE
            run = course.run_dir("autoencoder")
            if not use_pretrained:
                print(course.resume_note(run, budget))
        """),
        md("""
            The curve below is redrawn while the model trains: the training loss (the mean of
            the last few batches) and, from time to time, the hole MSE on the held-out
            validation images.
        """),
        code("""
            if use_pretrained:
                trainer = course.load_pretrained("autoencoder")
            else:
                trainer = AutoencoderTrainer(model, batch_size=budget.batch_size, seed=0)
                live = plots.LiveLossPlot("autoencoder", total=budget.iterations,
                                          caption="Both on [0, 1]. Log scale: equal steps are equal ratios.")
                trainer.fit(x_train, budget.iterations, validation=x_val, callback=live,
                            **budget.fit_kwargs(run))
                live.finish(trainer.history)
            history = trainer.history
        """),
        md("""
            *What to see:* in `cpu` and `full` mode, the loss falls fast in the first few hundred
            iterations (the model learns the average colour of a hole, then to continue the
            colours of its border) and then slowly. The first validation points are high
            while BatchNorm's running statistics settle. After that, if the validation curve
            follows the training curve, the model is not memorising its training images.
        """),
        code("""
            print(f"trained {trainer.iteration:,} iterations ({budget.mode} mode); last training loss "
                  f"{course.last_value(history, 'loss'):.4f}; validation hole MSE "
                  f"{course.last_value(history, 'val_hole_mse'):.4f} (both on [0, 1])")
            print("the paper: 'the error converged to 0.009' after 50,000 iterations (scale not stated; "
                  "[0, 1] is the natural reading of a ReLU output)")
            saved = course.save_trained(trainer, data)
            print(f"saved {course.short_path(saved['autoencoder'])} (notebook 5 loads it)")
        """),
        md("""
            ## 5. The paper's result figure
            The paper shows three random test images: the original, the image with the hole,
            and the image with the autoencoder's patch pasted in. These are three random test
            images too, chosen by a fixed seed, so notebooks 4 and 5 show the same three.
        """),
        code("""
            autoencoder = ModelInpainter(trainer.models()["autoencoder"], name="autoencoder")
            show = course.showcase_indices(len(data.x_test))
            plots.result_figure(data.x_test[show], autoencoder.fill(data.x_test[show]), method="autoencoder",
                                labels=[data.class_names[c] for c in data.y_test[show]],
                                title="The autoencoder on three random test images (the paper's result figure)")
        """),
        md("""
            *What to see:* the colours of the fill match the border: the model has learned to
            continue the image. The paper found the fills "coherent but blurry"; look at the
            edges inside the hole: are they as crisp as those outside it? (In smoke mode the
            model has trained for a few seconds: expect grey-brown squares.)

            ## 6. Why MSE gives blurry fills
            Suppose that, given the border, the hole could hold one of two things with equal
            chance: an edge at column 6, or an edge at column 10. A model must paint *one*
            patch. Which patch has the lowest *expected* squared error? Not either edge: the
            **average** of the two.
        """),
        code("""
            a = np.zeros((16, 16, 3)); a[:, :6] = 1.0    # plausible fill A: the edge at column 6
            b = np.zeros((16, 16, 3)); b[:, :10] = 1.0   # plausible fill B: the edge at column 10

            def expected_mse(guess):  # the error we expect when A and B are equally likely
                return (np.mean((guess - a) ** 2) + np.mean((guess - b) ** 2)) / 2

            average = (a + b) / 2
            for name, guess in [("A", a), ("B", b), ("average", average)]:
                print(f"paint {name:8s} expected MSE {expected_mse(guess):.4f}")
            assert expected_mse(average) < min(expected_mse(a), expected_mse(b))
            plots.image_row([a, b, average], ["plausible A", "plausible B", "the MSE-best guess"], cell=2.2,
                            title="Two sharp answers; the lowest expected MSE is their blurred average")
        """),
        md("""
            *What to see:* painting a sharp edge risks a large error when the other edge was the
            truth; the average pays half of that for sure, so MSE prefers it. A real hole has
            countless plausible fills; the MSE-best patch averages them all, and averages are
            blurry. The paper says this too, citing Iizuka et al.; it is why notebook 4 adds an
            adversary that punishes blur.

            Measured on the test images: how much detail do the autoencoder's fills have?
        """),
        code("""
            fills = autoencoder.fill(data.x_test)
            truth = to_scale(data.x_test, "unit")[:, CENTER_HOLE.rows, CENTER_HOLE.cols]
            ratio = sharpness_ratio(fills, truth)
            print(f"{len(data.x_test):,} test images ({data.source}), values on [0, 1]:")
            print(f"  hole MSE {hole_mse(fills, truth):.4f}")
            print(f"  sharpness ratio {ratio:.2f}: the fills have {ratio:.0%} of the detail of the real patches")
        """),
        md("""
            ## 7. Try it: browse the reconstructions
            Step through the test images. The autoencoder's fill is shown next to OpenCV's Telea
            fill from notebook 1, with each fill's hole MSE. Where does the model beat the
            classical fill, and where not?
        """),
        code("""
            widgets.reconstruction_widget({"autoencoder": autoencoder, "Telea": OpenCVFill("telea")},
                                          data.x_test, data.y_test, data.class_names)
        """),
        md("""
            ## Summary
            - The autoencoder squeezes the 32x32 input through a 2,048-number bottleneck and
              paints a 16x16 patch. It matches the paper's table row by row: 4,365,635
              parameters (about 4.4 M, 96 % of them in the dense layer) and about 12 M
              multiply-adds per image.
            - It trains on the mean squared error of the patch with Adam; the run mode sets the
              budget, and checkpoints let an interrupted run resume.
            - Its fills continue the colours of the border. They are blurry because the
              squared error is lowest for the average of all plausible fills.

            ## Exercises
            1. Train longer: `budget = course.budget("autoencoder", iterations=10_000)` and rerun
               section 4 (it resumes from your checkpoint). How much lower does the validation
               error go?
            2. The last layer uses ReLU, so fills can exceed 1. Build a copy with a sigmoid at the
               end (copy `build_autoencoder` from `helpers/models.py`). Does training change?
            3. In the two-edge example, the L1 error (mean absolute error) prefers the *median*
               of the answers. What does the L1-best guess look like? Would an L1 loss give
               sharper fills?
            4. Replace the 4.2 M-parameter dense layer by a 1x1 convolution. How many parameters
               are left, and what can the fill of the centre no longer see?
            5. Compare the training and validation curves. At what budget would you expect the
               model to start memorising its training images?
            6. Fine-tune the shipped weights: `trainer = course.load_pretrained("autoencoder")`,
               then `trainer.fit(x_train, trainer.iteration + 500, validation=x_val)`. The
               optimizer starts afresh: does the validation error first rise, then recover?
            7. Average two guesses: `from helpers.masks import MirrorAveraged`, then rerun the
               measurement of section 6 with `MirrorAveraged(autoencoder).fill(data.x_test)`
               (each fill averaged with the fill of the mirrored image). Why does the error go
               down, and what happens to the sharpness ratio? Would you do this to the GAN?
            8. The project ships a variant beside the paper's recipe, `autoencoder-regularized`
               (the same layers, trained with flips, shifts, weight decay and a learning-rate
               drop; `weights/autoencoder-regularized.md`). Load it with
               `regularized = course.load_pretrained("autoencoder-regularized")`, score
               `ModelInpainter(regularized.models()["autoencoder"])` as in section 6 and draw
               `plots.loss_curves(regularized.history)`. Which of the two still memorises its
               training images?

            **Next:** notebook 4, the GAN, which attacks the blur.
        """),
    ]
    return name, cells, True


# ============================================================================ 4. the GAN


def notebook_4(url, branch):
    name = "04_the_gan.ipynb"
    cells = header(4, "The GAN: a context encoder", """
        The paper's second model follows the *context encoders* of Pathak et al. (2016): a
        **generator** fills the hole, as the autoencoder did, and a **discriminator** learns to
        tell real patches from generated ones. The generator is trained to fool it as well as
        to match the real patch. A blurry patch is easy to spot, so the adversary pushes the
        generator towards sharp fills. This notebook builds both networks from the paper's
        tables, shows the paper's good practices in code, trains with live curves of both
        networks, and shows how a GAN's training goes wrong.
    """, [
        "build the generator, the discriminator and the combined network from the paper's tables;",
        "point to each of the paper's four good practices in the code;",
        "explain the training schedule: D on real patches, D on generated ones, then the combined "
        "network with the loss 0.999 x L2 + 0.001 x adversarial;",
        "read the curves of both networks, and recognise collapse and one network winning.",
    ], name, url, branch)
    cells += [
        mode_cell("gan"),
        code("""
            %matplotlib inline
            import inspect

            import keras

            from helpers import plots, widgets
            from helpers.masks import CENTER_HOLE, make_pairs, to_scale
            from helpers.metrics import hole_mse, sharpness_ratio
            from helpers.models import (LEAKY_SLOPE, PARAMETER_COUNTS, ModelInpainter, build_autoencoder,
                                        build_discriminator, build_generator, load_inpainter)
            from helpers.training import PAPER_GAN, GANTrainer
        """),
        md("""
            ## 1. Data and budget
        """),
        code("""
            data = course.load_data()
            budget = course.budget("gan")
            x_train, x_val = course.training_split(data, budget)
            print(data.describe())
            print(f"training on {len(x_train):,} images, validating on {len(x_val):,}")
            print(budget.describe(len(x_train)))
        """),
        md("""
            ## 2. The generator (the paper's Table II)
            The generator has the autoencoder's shape, made deeper and wider: four strided
            convolutions down to 2x2x512, a dense bottleneck, and four transposed convolutions
            up to the 16x16x3 patch, ending in **tanh** so that it paints on [-1, 1]. Each
            convolution is followed by LeakyReLU and BatchNormalization.
        """),
        code("""
            generator = build_generator()
            table = course.layer_table(generator, "generator")
            table
        """),
        code("""
            assert not table.mismatches, table.mismatches
            assert generator.count_params() == PARAMETER_COUNTS["generator"]
            g_macs, ae_macs = course.multiply_adds(generator), course.multiply_adds(build_autoencoder())
            print(f"{generator.count_params():,} parameters (the paper: about 7.5 M)")
            print(f"{g_macs / 1e6:.0f} M multiply-adds per image (the paper: about 150 M), "
                  f"{g_macs / ae_macs:.1f}x the autoencoder")
            assert abs(g_macs / course.PAPER_MULTIPLY_ADDS["generator"] - 1) < 0.05
        """),
        md("""
            The ⚠ row is a typo in the paper, documented in the course's SPEC: a BatchNorm cannot
            change the number of channels, so its output is 4x4x256, not 4x4x512.

            ## 3. The discriminator (the paper's Table I)
            The discriminator looks at a 16x16 patch only and says how likely it is to be real:
            four convolutions down to 2x2x256, a dense layer, and one sigmoid output.
        """),
        code("""
            discriminator = build_discriminator()
            table = course.layer_table(discriminator, "discriminator")
            table
        """),
        code("""
            assert not table.mismatches, table.mismatches
            assert discriminator.count_params() == PARAMETER_COUNTS["discriminator"]
            print(f"{discriminator.count_params():,} parameters")
        """),
        md("""
            The ⚠ row: the paper prints stride 2 for the first convolution, but its own output
            column stays at 16x16 and the Flatten of 1,024 = 2x2x256 only works if it does. So
            the first convolution has stride 1.

            ## 4. The combined network
            For the generator's update, the two networks are chained: the holed image goes
            through the generator, its patch through the discriminator. Keras can show the chain:
        """),
        code("""
            combined = keras.Sequential([keras.Input((32, 32, 3)), generator, discriminator], name="combined")
            combined.summary()
            assert combined.count_params() == PARAMETER_COUNTS["generator"] + PARAMETER_COUNTS["discriminator"]
        """),
        md("""
            In the combined step only the **generator** learns; the discriminator is *frozen*.
            (Keras 2 did this with `discriminator.trainable = False`; in Keras 3 that recipe
            fails silently, so `helpers/training.py` writes each step as a function of explicit
            weight lists, and the combined step differentiates the generator's weights only.)
            We can check it: run one combined step on a fresh GAN and see which weights moved.
        """),
        code("""
            moved = course.check_frozen_discriminator(data.x_train[:8])
            print("weights changed by one combined step:", moved)
            assert moved == {"generator": True, "discriminator": False}
        """),
        md("""
            ## 5. The paper's good practices, in code
            **1. Inputs on [-1, 1] and tanh on the generator's last layer.** The GAN's pairs are
            made on the signed scale, and the generator's last activation is tanh, whose outputs
            lie in (-1, 1).
        """),
        code("""
            inputs, targets = make_pairs(data.x_train[:256], "signed")
            print(f"inputs {inputs.min():.2f}..{inputs.max():.2f}, targets {targets.min():.2f}..{targets.max():.2f}, "
                  f"last activation: {generator.layers[-1].activation.__name__}")
            assert generator.layers[-1].activation.__name__ == "tanh"
            assert inputs.min() >= -1 and inputs.max() <= 1
        """),
        md("""
            **2. LeakyReLU followed by BatchNormalization in the convolutional layers.**
            LeakyReLU lets a little gradient through for negative inputs (slope `LEAKY_SLOPE`,
            0.2 as in DCGAN; the paper gives none), so units do not die.
        """),
        code("""
            print(" -> ".join(type(layer).__name__ for layer in generator.layers[:6]), "-> ...")
            print("LeakyReLU slope:", LEAKY_SLOPE)
            assert [type(layer).__name__ for layer in generator.layers[:3]] == ["Conv2D", "LeakyReLU", "BatchNormalization"]
        """),
        md("""
            **3. A discriminator learning rate ten times lower than the generator's.** A
            discriminator that learns too fast wins the game and stops teaching (section 8).
            Both use Adam with beta_1 = 0.5, as in DCGAN.
        """),
        code("""
            trainer = GANTrainer(generator, discriminator, batch_size=budget.batch_size, seed=0)
            print(trainer.config)
            assert trainer.config["g_learning_rate"] == 10 * trainer.config["d_learning_rate"]
            assert (trainer.config["l2_weight"], trainer.config["adversarial_weight"]) == (0.999, 0.001)
        """),
        md("""
            **4. Real and generated patches go to the discriminator in separate batches.** Each
            training iteration is this method of `GANTrainer`; the three numbered steps are the
            paper's schedule:
        """),
        code("""
            print(inspect.getsource(GANTrainer.train_step))
        """),
        md("""
            1. **D on real patches**, labelled 1 ("real"): one Adam update of D alone.
            2. **G fills the holes; D on those patches**, labelled 0 ("fake"), as a *separate*
               batch. Separate batches keep BatchNorm's batch statistics from mixing real and
               generated patches, which would let D tell them apart by the statistics alone.
            3. **The combined network**: G's loss is
               0.999 x MSE(G(x), real patch) + 0.001 x BCE(D(G(x)), "real"). The first term asks
               for the right colours; the second asks for patches that D takes for real. The
               weights are Pathak et al.'s.

            ## 6. Training
            Same set-up as the autoencoder: the run mode's budget, checkpoints in
            `runs/<mode>/gan/`, resume on a rerun. On a CPU the notebook loads the project's
            trained GAN instead (`weights/gan.md` says how far it was trained); set
            `TRAIN_HERE = True` to train from scratch.
        """),
        code("""
            print("the paper's settings:", PAPER_GAN)
            TRAIN_HERE = False  # True: train from scratch even where trained weights ship
            print(course.pretrained_note("gan"))
            use_pretrained = course.pretrained_available("gan") and budget.mode == "cpu" and not TRAIN_HERE
            run = course.run_dir("gan")
            if not use_pretrained:
                print(course.resume_note(run, budget))
        """),
        md("""
            Three live panels: the discriminator's two losses; its mean probability of "real"
            for real and for generated patches (0.5 means it cannot tell); the generator's L2
            loss (on [-1, 1]), the validation hole MSE (on [0, 1]) and, on the right axis, its
            adversarial loss.
        """),
        code("""
            if use_pretrained:
                trainer = course.load_pretrained("gan")
            else:
                live = plots.LiveLossPlot("gan", total=budget.iterations,
                                          caption="D: discriminator, G: generator. Read section 8 for what to look for.")
                trainer.fit(x_train, budget.iterations, validation=x_val, callback=live, **budget.fit_kwargs(run))
                live.finish(trainer.history)
            history = trainer.history
        """),
        md("""
            *What to see:* whether D's two probabilities stay far apart (D is ahead) or drift
            towards 0.5 (D cannot tell), and whether G's L2 loss and the validation error keep
            falling. Section 8 says what each pattern means, and reads it for this run.
        """),
        code("""
            g_l2 = course.last_value(history, "g_l2")
            print(f"trained {trainer.iteration:,} iterations ({budget.mode} mode)")
            print(f"G's L2 loss at the end: {g_l2:.4f} on [-1, 1] = {g_l2 / 4:.4f} on [0, 1]; "
                  f"validation hole MSE {course.last_value(history, 'val_hole_mse'):.4f} on [0, 1]")
            print("the paper: G's error 'converged to 0.008' after 80,000 iterations (scale not stated: "
                  "0.008 on [-1, 1] would be 0.002 on [0, 1])")
            saved = course.save_trained(trainer, data)
            print("saved", ", ".join(course.short_path(p) for p in saved.values()))
        """),
        md("""
            ## 7. The same three test images
            The same three test images as in notebook 3. If notebook 3 has saved its
            autoencoder in this mode, it is shown too.
        """),
        code("""
            gan = ModelInpainter(trainer.models()["generator"], name="GAN")
            show = course.showcase_indices(len(data.x_test))
            fills = {"GAN": gan.fill(data.x_test[show])}
            found = course.find_trained("autoencoder")
            if found is not None:
                fills["autoencoder"] = load_inpainter(found[0], name="autoencoder").fill(data.x_test[show])
                print("autoencoder:", course.describe_trained(found[1]))
            plots.method_grid(data.x_test[show], fills, title="The GAN on the paper's three test images",
                              row_labels=[data.class_names[c] for c in data.y_test[show]], cell=2.0)
        """),
        md("""
            *What to see:* the paper reports that, at its budget, the GAN's fills are as close
            to the truth as the autoencoder's but sharper. Look at how much texture each fill
            has, and whether it continues the edges that cross the hole. Keep the budget in
            mind: on a CPU the GAN has seen a fraction of one pass over the data (the budget
            line at the top says how much), so rough, noisy fills are expected. Numbers on many
            images follow:
        """),
        code("""
            fills = gan.fill(data.x_test)
            truth = to_scale(data.x_test, "unit")[:, CENTER_HOLE.rows, CENTER_HOLE.cols]
            print(f"{len(data.x_test):,} test images ({data.source}), on [0, 1]: hole MSE {hole_mse(fills, truth):.4f}, "
                  f"sharpness ratio {sharpness_ratio(fills, truth):.2f}")
        """),
        md("""
            ## 8. What can go wrong, and how to see it in the curves
            A GAN is two networks in a contest, and a contest can go wrong. Each failure has a
            signature in the curves above:

            - **The discriminator wins.** D(real) goes to 1 and D(generated) to 0, both
              discriminator losses go to 0, and G's adversarial loss climbs. D has nothing left
              to learn and its verdict, "fake, certainly", does not tell G *how* to improve.
              Cure: a lower learning rate for D (the paper's 10x), or more weight on L2.
            - **The generator wins.** D(generated) rises above D(real): D no longer gives useful
              feedback, and G can drift to odd fills that happen to fool it.
            - **Mode collapse.** G paints nearly the same patch whatever the image. The losses
              can look calm; the tell is in the fills: they hardly vary between images.
            - **Divergence.** A loss jumps to huge values or NaN; the trainer stops with
              `TrainingDivergedError` and names the last good checkpoint.

            The paper's weights, 0.999 for L2 and 0.001 for the adversary, keep this GAN close to
            the autoencoder and so make it stable: the L2 term dominates the generator's loss.
            The diagnosis below reads the end of *this* run's curves and the variety of its
            fills; every sentence quotes its numbers.
        """),
        code("""
            for line in course.gan_diagnosis(history, fills, truth):
                print("-", line)
        """),
        md("""
            ## 9. Try it: browse the GAN's fills
        """),
        code("""
            browse = {"GAN": gan}
            if found is not None:
                browse["autoencoder"] = load_inpainter(found[0], name="autoencoder")
            widgets.reconstruction_widget(browse, data.x_test, data.y_test, data.class_names)
        """),
        md("""
            ## Summary
            - The generator (7,440,643 parameters, about 150 M multiply-adds, over 12 times the
              autoencoder's) fills the hole on [-1, 1]; the discriminator (1,440,961 parameters)
              judges 16x16 patches. Both match the paper's tables, with its two typos read as
              the SPEC explains.
            - The paper's good practices are all in the code: [-1, 1] and tanh; LeakyReLU then
              BatchNorm; D's learning rate 10x lower; real and generated patches in separate
              batches.
            - Every iteration: D on real, D on generated, then the combined network with D frozen
              and the loss 0.999 x L2 + 0.001 x adversarial.
            - The curves tell which network is winning; the variety of the fills tells whether
              the generator has collapsed.

            ## Exercises
            1. Make the discriminator win: `GANTrainer(d_learning_rate=2e-2)` (100x the paper's)
               and train 200 iterations in a new `run_dir`. Which curves show it?
            2. Raise the adversarial weight: `GANTrainer(l2_weight=0.9, adversarial_weight=0.1)`.
               Do the fills get sharper? What happens to the hole MSE?
            3. Put real and generated patches in one batch for D (write your own `train_step`).
               What does BatchNorm now let D see?
            4. `GANTrainer(fused=True)` runs the three steps as one compiled function. Time 50
               iterations both ways.
            5. With the paper's budget of 80,000 iterations at batch 32, how many passes over the
               training images does the GAN make? And in this run?
            6. Keep an average of the generator's weights beside the ones that train:
               `GANTrainer(average_decay=0.99, fused=True)` (with a short run, a short memory).
               Training is unchanged; `trainer.fit(..., validation=...)` then logs the
               validation error of both (`val_hole_mse` for the average, `val_hole_mse_raw`).
               Which one swings less from one validation to the next? The project's
               `gan-averaged` weights are this with 0.999 over 17,000 iterations: compare its
               row with the GAN's in `results/README.md`.

            **Next:** notebook 5 compares every method on the same test images.
        """),
    ]
    return name, cells, True


# ============================================================================ 5. the comparison


def notebook_5(url, branch):
    name = "05_the_comparison.ipynb"
    cells = header(5, "The comparison", """
        Three pictures per model are not evidence. This notebook puts every method of the
        course on the same test images and the same scale: the classical fills of notebook 1,
        the autoencoder of notebook 3 and the GAN of notebook 4. It measures error, structure
        and sharpness, looks past the averages (per class, side by side, best and worst
        cases), and ends with the conclusion that the numbers of *this run* support.
    """, [
        "evaluate classical fills, the autoencoder and the GAN on the same test images, on one scale;",
        "read hole MSE, PSNR, SSIM and the sharpness ratio, and say what each one rewards;",
        "look past the averages: per class, side by side, and at each method's best and worst cases;",
        "state the conclusion the numbers support, and how much they can support at this budget.",
    ], name, url, branch)
    cells += [
        mode_cell("autoencoder", "gan", "evaluation"),
        code("""
            %matplotlib inline
            import numpy as np
            from IPython.display import Markdown

            from helpers import plots, widgets
            from helpers.classical import classical_fills
            from helpers.evaluate import format_table
        """),
        md("""
            ## 1. Data and models
            The test set of this run mode, and the two trained models. Notebooks 3 and 4 saved
            theirs in `runs/<mode>/models/`; if they are not there (you opened this notebook
            first), this cell trains them now with the mode's budget and says so. On a CPU, a
            model trained in full mode (for example on Colab, copied into `runs/full/models/`)
            is preferred.
        """),
        code("""
            data = course.load_data()
            print(data.describe())
            autoencoder = course.trained_inpainter("autoencoder", data)
            gan = course.trained_inpainter("gan", data)
        """),
        md("""
            ## 2. The methods
            Every method has the same interface, so one loop evaluates them all. `mean` paints
            the training set's mean colour: the floor that any method must beat.
        """),
        code("""
            methods = {**classical_fills(data.x_train), "autoencoder": autoencoder, "gan": gan}
            for key, method in methods.items():
                print(f"{key:12s} {method.name}")
        """),
        md("""
            ## 3. The metrics table
            Each method fills the 16x16 centre hole of every test image; then, on [0, 1]:

            - **hole MSE**: the mean squared error inside the hole (what both models are trained
              to make small; lower is better);
            - **hole PSNR**: the same error on a log scale, 10 log10(1 / MSE) per image, averaged
              (dB; higher is better; +3 dB is half the error);
            - **SSIM**: structural similarity of the whole image with the fill pasted in (1 is
              identical), closer to what a viewer notices: edges and contrast;
            - **sharpness ratio**: the detail of the fills (mean gradient) over the detail of the
              real patches. 1.00 is as sharp as the truth, lower is blurrier. It says nothing
              about being *right*: it tells blur apart.
            - **ms / image**: the time to fill one image on this machine.
        """),
        code("""
            rows, patches, per_image = course.evaluate_methods(methods, data.x_test)
            assert all(row["n_images"] == len(data.x_test) for row in rows)
            saved = course.save_results(rows, data)
            print(f"{data.source} · {len(data.x_test):,} test images · 16x16 centre hole · "
                  f"all metrics on the unit scale [0, 1] · saved to {saved.name}")
            Markdown(format_table(rows))
        """),
        md("""
            *What to see:* first, whether the models beat the best classical fill on the hole
            MSE, and by how much; then, whether the two models differ in sharpness more than in
            error. The conclusion in section 7 is computed from this table.

            ## 4. Per class
            Averages hide where a method struggles. The hole PSNR of each method, class by class:
        """),
        code("""
            names = {key: method.name for key, method in methods.items()}
            psnr_by_class = {names[k]: course.per_class(per_image[k]["hole_psnr"], data.y_test) for k in methods}
            plots.class_bars(psnr_by_class, data.class_names, "mean hole PSNR (dB), higher is better",
                             title=f"Hole PSNR per class ({data.source}, {len(data.x_test):,} test images)",
                             caption="Each bar is the mean over that class's test images.")
        """),
        md("""
            *What to see:* whether the classes rank alike for every method: some kinds of
            images tend to be easy to fill whatever the method (calm backgrounds) and others
            hard (a busy object in the centre). The cell below names each method's easiest and
            hardest class; compare with the guess you wrote down in notebook 2.
        """),
        code("""
            easiest = {k: data.class_names[int(np.nanargmax(v))] for k, v in psnr_by_class.items()}
            hardest = {k: data.class_names[int(np.nanargmin(v))] for k, v in psnr_by_class.items()}
            for k in psnr_by_class:
                print(f"{k:26s} easiest: {easiest[k]:10s} hardest: {hardest[k]}")
        """),
        md("""
            ## 5. Side by side
            The paper's three test images (the same as in notebooks 3 and 4) and five more,
            with every method's fill and its hole MSE.
        """),
        code("""
            show = course.showcase_indices(len(data.x_test))
            more = np.random.default_rng(5).choice(np.setdiff1d(np.arange(len(data.x_test)), show),
                                                   size=min(5, len(data.x_test) - len(show)), replace=False)
            pick = np.concatenate([show, more])
            plots.method_grid(data.x_test[pick], {names[k]: patches[k][pick] for k in methods},
                              title="Every method on the same test images",
                              row_labels=[data.class_names[c] for c in data.y_test[pick]])
        """),
        md("""
            *What to see:* compare the fills across a row. The classical fills drag the
            border's colours inwards; look at whether the models' fills continue the edges that
            cross the hole, and how much texture each has (blur or noise).

            ## 6. Best and worst cases
            For each method, its three lowest-error fills and its three highest-error fills.
        """),
        code("""
            chosen = ["telea", "biharmonic", "autoencoder", "gan"]
            plots.best_worst(data.x_test, {names[k]: patches[k] for k in chosen},
                             {names[k]: per_image[k]["hole_mse"] for k in chosen}, k=3)
        """),
        md("""
            *What to see:* the best cases are smooth images where any fill works; the worst are
            high-contrast objects in the centre, where the border says little about the middle.
            Are the hardest images the same for every method? The cell counts it.
        """),
        code("""
            k = max(1, len(data.x_test) // 20)  # the hardest 5 %
            hardest_sets = {key: set(np.argsort(per_image[key]["hole_mse"])[-k:]) for key in chosen}
            for key in chosen[1:]:
                shared = len(hardest_sets[key] & hardest_sets["telea"])
                print(f"of the {k} hardest images for {names[key]}, {shared} ({shared / k:.0%}) are also among "
                      f"the {k} hardest for {names['telea']}")
        """),
        md("""
            Browse every method side by side. Filter by class, or step through the images that
            are hardest (or easiest) for one method.
        """),
        code("""
            widgets.comparison_widget(data.x_test, {names[k]: patches[k] for k in methods},
                                      data.y_test, data.class_names,
                                      errors={names[k]: per_image[k]["hole_mse"] for k in chosen})
        """),
        md("""
            ## 7. The conclusion these numbers support
            The paper's claim is that the two models reach a **similar error** and that the
            **GAN's fills are sharper**. The cell below checks it against this run's table,
            nothing assumed:
        """),
        code("""
            print(course.mode_summary("autoencoder", "gan", "evaluation"))
            print()
            for line in course.conclusion(rows):
                print("-", line)
        """),
        md("""
            How much weight the verdict carries depends on the budgets the models had (section 1
            printed them). In **full** mode the models had the paper's budgets, and the verdict
            tests the paper. In **cpu** mode they are the project's trained weights where they
            ship (see `weights/*.md` for their budgets), else short runs: a GAN that has seen a
            fraction of one pass over the data has not yet learned what the adversary can
            teach. In **smoke** mode the numbers mean nothing. To test your own full-budget
            models on a CPU-only machine, train them elsewhere (notebooks 3 and 4 on Colab with
            a GPU save into `/content/inpainting-runs/full/models/`), copy that folder to
            `runs/full/models/` here, and rerun this notebook: it prefers full-mode models.

            ## 8. The project's results report
            The project scores its shipped weights on **all 10,000** test images in
            `results/README.md`, made by one command, `python -m helpers.report` (it also draws
            the per-class bars, best and worst cases and training curves). Here is its table,
            loaded from `results/results.json`; compare it with yours above (in cpu mode the
            models are the same, the test images a subset). It also holds a GAN beyond the
            paper, `gan-averaged`: the same training, with an average of the generator's weights
            over the last thousand or so iterations kept beside them (`--average 0.999`). The
            lines under the table check the paper's claim with it in the GAN's place.
        """),
        code("""
            from helpers.report import load_report, results_table

            report = load_report()
            if report is None:
                print("No results report yet: run `python -m helpers.report` in the repository.")
            else:
                print(f"{report['data_source']} · {report['n_images']:,} test images · {report['scale']} · "
                      f"made {report['made']} on {report['machine']}")
                display(Markdown(results_table(report["results"])))
                for line in course.paper_claim(report["results"], gan="gan-averaged", subject="the averaged GAN"):
                    print("-", line)
        """),
        md("""
            ## Summary
            - One interface, one test set, one scale: every number in sections 3 to 7 was computed in this run
              on the data set named above the table, and saved in `runs/<mode>/comparison.json`.
            - The hole MSE and PSNR reward the right colours; SSIM rewards structure; the
              sharpness ratio tells blur apart. A method can win on one and lose on another,
              which is the paper's point about MSE.
            - Per class, the same kinds of images are hard for every method; the worst cases
              overlap.

            ## Exercises
            1. Which metric would you use to choose a method for a photo editor, and which for
               compressing images? Why?
            2. The biharmonic fill is the smoothest surface that fits the border. Why is its
               sharpness ratio still above zero?
            3. Add the autoencoder from the `cpu` run and from a `full` run as two rows (load
               both with `helpers.models.load_inpainter`). How much does the budget matter?
            4. Use the widget to find an image where the autoencoder beats the GAN by a wide
               margin. What do such images have in common?
            5. Write the paragraph for a report: what do your numbers say about the paper's claim,
               and what would you need to make the claim firmer?

            **Next:** notebook 6 goes beyond the paper: holes of any shape, and your own photos.
        """),
    ]
    return name, cells, True


# ============================================================================ 6. beyond the paper


def notebook_6(url, branch):
    name = "06_beyond_the_paper.ipynb"
    cells = header(6, "Beyond the paper: holes of any shape", """
        The paper's models fill one hole: the 16x16 square in the centre. Draw any other hole
        and they are lost. The paper itself cites the way out (Liu et al. 2018, "Image
        inpainting for irregular holes using partial convolutions"): tell the network which
        pixels are missing, and let every layer look only at the known ones. This notebook
        builds that model in the same style as the paper's, measures it against them and
        against the classical fills, and ends in a playground where you draw the holes, on
        test images or on your own photo.
    """, [
        "make random free-form holes (brush strokes and rectangles) and score any method on them;",
        "explain why a model trained on one square fails on other holes;",
        "explain a partial convolution, and how the hole shrinks layer by layer;",
        "train (or load) a partial-convolution U-Net and compare it with the paper's models;",
        "try every method on holes you draw, in images you choose.",
    ], name, url, branch)
    cells += [
        mode_cell("pconv", "evaluation"),
        code("""
            %matplotlib inline
            import numpy as np
            from IPython.display import Markdown

            from helpers import plots, widgets
            from helpers.classical import classical_fills
            from helpers.evaluate import FREE_FORM, evaluate, evaluate_masks, format_table
            from helpers.masks import CENTER_HOLE, apply_masks, paste_patch, random_masks, to_scale
            from helpers.metrics import mask_mse
            from helpers.pconv import PConvInpainter, build_pconv_unet, mask_through_layers
            from helpers.training import PConvTrainer
        """),
        md("""
            ## 1. Data, and the paper's autoencoder
            The test images of this run mode, and the paper's autoencoder: the project's
            trained weights on a CPU, the model notebook 3 saved, or a quick one trained now
            (the cell says which).
        """),
        code("""
            data = course.load_data()
            print(data.describe())
            autoencoder = course.trained_inpainter("autoencoder", data)
        """),
        md("""
            ## 2. Free-form holes
            `random_masks` draws brush strokes of random width and length, and now and then a
            rectangle, until a chosen share of the image is missing (here 10 to 40 %). Each
            mask depends only on the seed and its number, so the same call always gives the
            same holes. The paper's square is one special case (25 % of the pixels).
        """),
        code("""
            masks = random_masks(8, coverage=(0.1, 0.4), seed=0)
            shown = apply_masks(to_scale(data.x_test[:8], "unit"), masks)
            plots.image_grid(shown, titles=[f"{m.mean():.0%} missing" for m in masks], ncols=8,
                             title="Eight random free-form holes (grey = missing)")
        """),
        md("""
            ## 3. The paper's autoencoder on a free-form hole
            The autoencoder was trained on one question: "given this image with a grey
            square in the middle, what was in the square?". Give it strokes instead and it
            still answers that question: it repaints the centre square, over pixels that
            were known, and leaves every stroke outside the centre grey.
        """),
        code("""
            x = to_scale(data.x_test[:4], "unit")
            holes = random_masks(4, coverage=(0.2, 0.3), seed=1)
            holed = apply_masks(x, holes)
            painted = paste_patch(holed, autoencoder.predict_patch(holed, CENTER_HOLE))
            plots.image_grid(np.concatenate([x, holed, painted]), ncols=4,
                             row_labels=["original", "strokes", "autoencoder"],
                             title="The paper's autoencoder, asked to fill strokes", hole=CENTER_HOLE)
        """),
        code("""
            telea = classical_fills(None, methods=["telea"])["telea"]
            print(f"hole MSE on the strokes: autoencoder {mask_mse(painted, x, holes):.4f}, "
                  f"OpenCV Telea {mask_mse(telea.fill_masks(x, holes), x, holes):.4f} (unit scale, 4 images)")
        """),
        md("""
            *What to see:* the square outline marks what the autoencoder paints. Inside it, the
            known pixels are replaced by a blurry guess; outside it, the strokes stay grey.
            Telea, which knows nothing about images but is told which pixels are missing,
            does better here. A model for any hole must be told where the hole is.

            ## 4. Partial convolutions
            A partial convolution gets two inputs: the image (features) and a mask of known
            pixels. For each output pixel it
            1. convolves only the known pixels of its window (the missing ones count as 0),
            2. scales the result by *window size / known pixels in the window*, so a window
               half known gives an answer on the same scale as a fully known one,
            3. marks the output pixel known if its window held at least one known pixel.

            So each layer fills in the rim of the hole from its neighbours, and the hole
            shrinks layer by layer. Below, a hole through four 3x3 partial convolutions:
        """),
        code("""
            steps = mask_through_layers(masks[3], layers_=4)
            plots.image_grid([(~m).astype(np.float32) for m in steps], ncols=5,
                             titles=["input"] + [f"after layer {i}" for i in range(1, 5)],
                             title="The known pixels (white) grow through partial convolutions", cell=1.8)
        """),
        md("""
            *What to see:* every 3x3 layer closes one pixel of the hole's rim from each side,
            so thin strokes vanish after a layer or two and wide ones take longer. In the
            U-Net below the encoder also halves the image at each layer, so by the fourth
            layer (2x2) no hole is left at all.

            ## 5. The partial-convolution U-Net
            Four encoder layers (partial convolution, stride 2: 32 → 16 → 8 → 4 → 2 pixels,
            32 to 128 channels), four decoder layers (upsample, join the encoder's features
            *and masks* of the same size, partial convolution), a sigmoid for [0, 1]. About
            0.7 M parameters, six times fewer than the paper's autoencoder. The known pixels
            are pasted back over the output, so a fill never changes what was there.

            The loss is Liu et al.'s two pixel terms, 6 x (error in the hole) + 1 x (error
            elsewhere), without their perceptual and style terms, which need a big
            pretrained VGG network. Liu et al. use absolute errors (L1); here they are squared
            (L2) by default, because we score hole MSE and this U-Net reached a lower
            validation error that way (`PConvTrainer(loss="l1")` is theirs). It trains on a
            fresh random hole for every image: free-form masks, and the paper's square for a
            quarter of the images. Its training images are mirrored and moved by up to 2
            pixels, the regularized autoencoder's remedies (`flip=True, shift=2`), and the
            learning rate drops tenfold for the last 12 % of the budget: with both, the
            shipped U-Net's validation error fell from 0.0238 to 0.0226 at 50,000 iterations
            (README, "Measured here").
        """),
        code("""
            model = build_pconv_unet()
            print(f"{model.count_params():,} parameters")
            budget = course.budget("pconv")
            print(budget.describe())
        """),
        md("""
            ## 6. Training
            As in notebooks 3 and 4: the run mode's budget, checkpoints that resume. On a CPU
            the notebook loads the project's trained weights when they ship
            (`weights/pconv.md` says how they were trained); set `TRAIN_HERE = True` to train
            anyway.
        """),
        code("""
            TRAIN_HERE = False  # True: train from scratch even where trained weights ship
            x_train, x_val = course.training_split(data, budget)
            use_pretrained = course.pretrained_available("pconv") and budget.mode == "cpu" and not TRAIN_HERE
            if use_pretrained:
                trainer = course.load_pretrained("pconv")
                print(f"loaded the project's trained weights: {trainer.iteration:,} iterations")
            else:
                run = course.run_dir("pconv")
                print(course.resume_note(run, budget))
                trainer = PConvTrainer(model, batch_size=budget.batch_size, seed=0, flip=True, shift=2,
                                       lr_drop_at=[int(0.88 * budget.iterations)])
                live = plots.LiveLossPlot("pconv", total=budget.iterations,
                                          caption="Validation: hole MSE on the paper's centre square, [0, 1].")
                trainer.fit(x_train, budget.iterations, validation=x_val, callback=live, **budget.fit_kwargs(run))
                live.finish(trainer.history)
            pconv = PConvInpainter(trainer.models()["pconv"])
        """),
        md("""
            ## 7. On the paper's square
            The fair first test: the paper's own hole, which the autoencoder was trained for
            and the U-Net sees in only a quarter of its training images.
        """),
        code("""
            square_methods = {**classical_fills(data.x_train, methods=["telea", "biharmonic"]),
                              "autoencoder": autoencoder, "pconv": pconv}
            square_rows = evaluate(square_methods, data.x_test, progress=False)
            print(f"{data.source} · {len(data.x_test):,} test images · 16x16 centre hole · unit scale [0, 1]")
            Markdown(format_table(square_rows))
        """),
        md("""
            ## 8. On free-form holes
            Now random holes covering 10 to 40 % of each test image: the results report's own
            masks (`FREE_FORM`: a fixed seed, so every method gets the same holes). The paper's
            models cannot take part.
        """),
        code("""
            test_masks = random_masks(len(data.x_test), **FREE_FORM)
            free_methods = {key: square_methods[key] for key in ("telea", "biharmonic", "pconv")}
            free_rows = evaluate_masks(free_methods, data.x_test, test_masks, progress=False)
            print(f"{len(data.x_test):,} test images · free-form holes, {100 * test_masks.mean():.0f}% "
                  f"of the pixels on average · metrics over the missing pixels, unit scale")
            Markdown(format_table(free_rows))
        """),
        code("""
            for line in course.beyond_the_paper_verdict(square_rows, free_rows):
                print(line)
            print(course.mode_summary("pconv"))
        """),
        md("""
            *What to see:* the last line above says what the U-Net's numbers rest on: the
            shipped weights (`cpu` mode) or the budget it trained with here. In `smoke` mode the
            U-Net has trained for seconds and the numbers mean nothing. The targets in the
            lines above (+1 dB over the paper's autoencoder on the square, a hole MSE 30 %
            below each classical fill on free-form holes) are what a well-trained U-Net
            should reach; `results/README.md` says how far the shipped weights get on all
            10,000 test images.

            ## 9. Playground
            Pick a test image, or upload a photo of your own (it is cut to its central square
            and shrunk to **32x32 pixels**, the size these models know: at that size a face
            is a few pixels wide, so expect colours and shapes, not details). Choose the
            paper's square, a rectangle, or random strokes, and compare every method. The
            paper's models fill only their square, and say so otherwise.

            (If the upload button does nothing in your Colab, run
            `from google.colab import files; data_bytes = next(iter(files.upload().values()))`
            and `widgets.photo_to_cifar(data_bytes)` gives the 32x32 image.)
        """),
        code("""
            widgets.playground_widget(data.x_test, {**square_methods}, data.y_test, data.class_names)
        """),
        md("""
            ## Summary
            - A model trained on one hole learns that hole: the paper's autoencoder repaints
              its square whatever you cut out.
            - Partial convolutions are told where the hole is: each layer uses only the known
              pixels, rescales, and the hole shrinks layer by layer.
            - Trained on random holes, one U-Net fills holes of any shape, and on the paper's
              square competes with the model made for it (section 7 says by how much here).

            ## Exercises
            1. Train the U-Net on the centre square only (`PConvTrainer(center_fraction=1.0)`)
               and evaluate it on free-form holes. What does it show about training data?
            2. Change the coverage of the test holes to (0.4, 0.6). Which method degrades
               most? Why do the classical fills suffer from wide holes?
            3. Liu et al. add a perceptual loss (distances between VGG features). Why might it
               make fills sharper, as the GAN did in notebook 4?
            4. In `mask_through_layers`, use a 5x5 kernel. How many layers until the hole of
               the figure is gone?
            5. Upload a photo with a small object in the centre, cut the object out, and
               compare the fills. What can no method recover, and why?
            6. Build a wider U-Net (`PConvTrainer(widths=(48, 96, 192, 192))`: 2.2 times the
               parameters and 2.2 times the arithmetic per image) and train it beside the
               default for the same number of iterations, then for the same wall time. Which
               wins each race? (README "Measured here" has the full-budget answer.)

            **The end of the course.** Notebook 5 compared the paper's models; this one showed
            where the field went next.
        """),
    ]
    return name, cells, True


# ============================================================================ writing


BUILDERS = (notebook_1, notebook_2, notebook_3, notebook_4, notebook_5, notebook_6)


def build(url: str, branch: str) -> dict[str, nbformat.NotebookNode]:
    books = {}
    for builder in BUILDERS:
        name, cells, gpu = builder(url, branch)
        nb = nbformat.v4.new_notebook()
        stem = name.removesuffix(".ipynb")
        for i, cell in enumerate(cells):
            if cell["cell_type"] == "markdown":
                new = nbformat.v4.new_markdown_cell(cell["source"])
            else:
                new = nbformat.v4.new_code_cell(cell["source"])
            new["id"] = f"{stem[:2]}-{i:02d}"
            if cell.get("tags"):
                new["metadata"]["tags"] = list(cell["tags"])
            nb.cells.append(new)
        nb.metadata = {
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"},
            "colab": {"provenance": [], "toc_visible": True},
        }
        if gpu:
            nb.metadata["accelerator"] = "GPU"
            nb.metadata["colab"]["gpuType"] = "T4"
        books[name] = nb
    return books


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true",
                        help="write nothing; exit 1 if a notebook differs from what this script makes")
    args = parser.parse_args(argv)
    url, branch = read_repository()
    books = build(url, branch)
    stale = []
    for name, nb in books.items():
        path = NOTEBOOKS / name
        text = nbformat.writes(nb) + "\n"
        if not path.exists() or path.read_text() != text:
            stale.append(name)
            if not args.check:
                path.write_text(text)
    if args.check:
        if stale:
            print("Differ from tools/build_notebooks.py: " + ", ".join(stale)
                  + "\nEdit the cells in tools/build_notebooks.py and run it.", file=sys.stderr)
            return 1
        print(f"All {len(books)} notebooks match tools/build_notebooks.py.")
        return 0
    print(f"Wrote {len(stale)} of {len(books)} notebooks in {NOTEBOOKS}" + (f": {', '.join(stale)}" if stale else "."))
    return 0


if __name__ == "__main__":
    sys.exit(main())
