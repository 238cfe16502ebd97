"""The command lines, on top of everything else (nothing imports them):

- ``python -m helpers.cli.train MODEL``: train the paper's autoencoder or GAN, or the U-Net;
- ``python -m helpers.cli.evaluate``: score classical fills and models on the test set;
- ``python -m helpers.cli.publish``: list, publish, repack or export the shipped weights, and
  rewrite their model cards;
- ``python -m helpers.cli.report``: remake ``results/`` from the shipped weights;
- ``python -m helpers.cli.gan_weights``: the GAN's adversarial weight study of notebook 7;
- ``python -m helpers.cli.bench``: how fast each part runs, side by side.

Each command chooses the Keras backend (``--backend`` or ``$KERAS_BACKEND``) before anything
imports Keras, so the modules that need it are imported inside ``main``.
docs/commands.md has every option.
"""
