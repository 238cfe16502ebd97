"""The image-inpainting course's package: what the notebooks import.

Read it in this order, each module one idea:

- :mod:`helpers.paper`: the paper's facts (budgets, hyper-parameters, its tables);
- :mod:`helpers.data`, :mod:`helpers.holes`: CIFAR-10, the crop, value scales, holes of any shape;
- :mod:`helpers.models`, :mod:`helpers.pconv`: the paper's models, and the partial-convolution U-Net;
- :mod:`helpers.steps`: the losses and one training step of each model;
- :mod:`helpers.batches`, :mod:`helpers.trainers`: what each iteration sees, and the training loop;
- :mod:`helpers.inpainters`, :mod:`helpers.classical`, :mod:`helpers.pretrained`: everything that
  fills a hole, behind one interface, and the course's trained weights;
- :mod:`helpers.metrics`, :mod:`helpers.evaluation`, :mod:`helpers.verdicts`: scoring, and what
  a table says;
- :mod:`helpers.architecture`, :mod:`helpers.diagnosis`, :mod:`helpers.study`: the models' tables,
  reading a GAN, the adversarial weight study;
- :mod:`helpers.plots`, :mod:`helpers.curves`, :mod:`helpers.diagrams`, :mod:`helpers.study_figures`,
  :mod:`helpers.live_plot`, :mod:`helpers.widgets`: figures of images, training curves, the
  models' pictures, the study's figures, the live training plot, and widgets;
- :mod:`helpers.environment`, :mod:`helpers.runs`: where a notebook runs, and the run it makes.

Machinery a student need not read is in :mod:`helpers.engine`; the command lines are in
:mod:`helpers.cli`. Importing this package does not import Keras, so that a notebook or a
command can choose the backend (``KERAS_BACKEND``) before the first model is built.
"""

import os

# TensorFlow leaves its oneDNN kernels off by default on some x86 CPUs. Where the course measured
# them, they trained both models faster with the same losses (docs/benchmark.md, "oneDNN on
# TensorFlow"), so they are switched on. This takes effect when helpers is imported before
# TensorFlow; set TF_ENABLE_ONEDNN_OPTS=0 first to keep them off.
os.environ.setdefault("TF_ENABLE_ONEDNN_OPTS", "1")

__version__ = "0.2.0"
