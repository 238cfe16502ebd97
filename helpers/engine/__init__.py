"""The machinery under the course, which a student need not read to follow it.

- :mod:`~helpers.engine.backend`: the Keras backend (TensorFlow or JAX), a network's state as
  the step functions see it, one gradient update, and compiling a step;
- :mod:`~helpers.engine.parallel`: data-parallel training over several devices;
- :mod:`~helpers.engine.averaging`: an exponential moving average of weights;
- :mod:`~helpers.engine.checkpoints`: the checkpoint file a run resumes from;
- :mod:`~helpers.engine.weightfiles`: the published weights' file format and manifest;
- :mod:`~helpers.engine.files`: where the repository is, and writing files atomically;
- :mod:`~helpers.engine.machine`: this machine in words.

Nothing here imports the student path (``helpers.*`` outside ``engine``), and only
``backend``, ``parallel`` and ``averaging`` import Keras.
"""
