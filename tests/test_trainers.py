"""The trainers (helpers.trainers) on the current backend; `test_backend_tests_under_jax`
reruns every test marked ``backend`` (the compiled steps, and the optimizer and checkpoint
state they touch) with KERAS_BACKEND=jax, so that both backends are checked without paying
twice for the tests of plain loop logic."""

import math
import os
import subprocess
from functools import partial
from pathlib import Path

import keras
import numpy as np
import pytest

from synthetic import smooth_images
from helpers import steps
from helpers.engine.backend import COMPILE_ENV, Net, compile_step, gradient_norm, resolve_compile_mode
from helpers.engine.checkpoints import CheckpointError, read_checkpoint
from helpers.holes import make_pairs
from helpers.metrics import sharpness
from helpers.trainers import AutoencoderTrainer, GANTrainer, TrainingDivergedError

TESTS = Path(__file__).resolve().parent


def snapshot(state):
    return [[np.array(keras.ops.convert_to_numpy(v)) for v in group] for group in state]


def changed(before, after):
    return [not np.array_equal(a, b) for a, b in zip(before, after)]


@pytest.mark.slow
@pytest.mark.backend
def test_autoencoder_loss_goes_down(images):
    trainer = AutoencoderTrainer(batch_size=16, seed=0)
    history = trainer.fit(images, 60, log_every=10, progress=False)
    assert history["iteration"][-1] == 60 and trainer.iteration == 60
    assert history["loss"][-1] < 0.5 * history["loss"][0]
    assert all(v > 0 for v in history["images_per_second"])


@pytest.mark.slow
@pytest.mark.backend
def test_discriminator_step_changes_d_only_and_combined_step_leaves_d_untouched(images):
    t = GANTrainer(batch_size=8, seed=0)
    holed, patches = make_pairs(images[:8], "signed")
    g0, d0 = snapshot(t.state["generator"]), snapshot(t.state["discriminator"])

    t.state["discriminator"], loss, prob = t._d_step(t.state["discriminator"], patches, np.float32(1.0))
    g1, d1 = snapshot(t.state["generator"]), snapshot(t.state["discriminator"])
    assert all(changed(d0[0], d1[0])), "every trainable weight of D moves in D's own step"
    assert not any(changed(g0[0], g1[0])), "G's weights do not move in D's step"
    assert math.isfinite(float(loss))

    t.state["generator"], logs = t._g_step(t.state["generator"], t.state["discriminator"], holed, patches)
    g2, d2 = snapshot(t.state["generator"]), snapshot(t.state["discriminator"])
    assert all(changed(g1[0], g2[0])), "every trainable weight of G moves in the combined step"
    for group_before, group_after in zip(d1, d2):  # trainable, non-trainable, optimizer
        assert not any(changed(group_before, group_after)), "D is frozen in the combined step"
    assert {"g_loss", "g_l2", "g_adversarial"} <= set(logs)
    expected = 0.999 * float(logs["g_l2"]) + 0.001 * float(logs["g_adversarial"])
    assert float(logs["g_loss"]) == pytest.approx(expected, rel=1e-5)


@pytest.mark.backend
def test_the_keras_2_freeze_recipe_leaves_d_untrained():
    """What helpers/engine/backend.py and notebook 4 say of the Keras 2 recipe (compile D, set
    D.trainable = False, compile G+D, train_on_batch on each): in Keras 3, D's own step then
    changes none of D's weights, on either backend; G+D's step moves G only. Setting
    D.trainable = True again does not repair it: TensorFlow changes nothing, JAX raises."""
    from keras import layers

    keras.utils.set_random_seed(0)
    d = keras.Sequential([keras.Input((4,)), layers.Dense(8, activation="relu"), layers.BatchNormalization(),
                          layers.Dense(1, activation="sigmoid")])
    d.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    g = keras.Sequential([keras.Input((2,)), layers.Dense(4)])
    d.trainable = False
    z = keras.Input((2,))
    combined = keras.Model(z, d(g(z)))
    combined.compile(optimizer=keras.optimizers.Adam(1e-2), loss="binary_crossentropy")
    rng = np.random.default_rng(0)
    x, noise, ones = rng.random((16, 4), "float32"), rng.random((16, 2), "float32"), np.ones((16, 1))
    weights = lambda model: [np.array(keras.ops.convert_to_numpy(v)) for v in model.weights]  # noqa: E731
    d0 = weights(d)
    d.train_on_batch(x, ones)
    assert not any(changed(d0, weights(d))), "D's own train_on_batch changes nothing"
    g0 = weights(g)
    combined.train_on_batch(noise, ones)
    assert any(changed(g0, weights(g))) and not any(changed(d0, weights(d)))
    d.trainable = True
    if keras.backend.backend() == "jax":
        with pytest.raises(ValueError, match="optimizer"):
            d.train_on_batch(x, ones)
    else:
        d.train_on_batch(x, ones)
        assert not any(changed(d0, weights(d))), "still nothing, and no error"


@pytest.mark.slow
@pytest.mark.backend
def test_gan_schedule_counts_two_d_updates_and_one_g_update(images):
    t = GANTrainer(batch_size=8, seed=0)
    history = t.fit(images, 4, log_every=2, progress=False)
    t.sync()
    g_opt, d_opt = t.nets["generator"].optimizer, t.nets["discriminator"].optimizer
    assert int(keras.ops.convert_to_numpy(g_opt.iterations)) == 4
    assert int(keras.ops.convert_to_numpy(d_opt.iterations)) == 8  # real batch + fake batch
    for key in ("d_loss_real", "d_loss_fake", "g_loss", "g_l2", "g_adversarial"):
        assert all(math.isfinite(v) for v in history[key])


@pytest.mark.slow
@pytest.mark.backend
def test_fused_step_matches_the_three_calls(images):
    separate = GANTrainer(batch_size=8, seed=3)
    fused = GANTrainer(batch_size=8, seed=3, fused=True)
    for i in range(3):
        batch = images[8 * i: 8 * i + 8]
        a, b = separate.train_step(batch), fused.train_step(batch)
        assert float(a["g_l2"]) == pytest.approx(float(b["g_l2"]), rel=1e-3, abs=1e-5)
    for name in ("generator", "discriminator"):
        for ga, gb in zip(snapshot(separate.state[name]), snapshot(fused.state[name])):
            for va, vb in zip(ga, gb):
                np.testing.assert_allclose(va, vb, rtol=1e-3, atol=1e-4)


@pytest.mark.slow
@pytest.mark.backend
def test_checkpoint_resume_continues_exactly(images, tmp_path):
    straight = AutoencoderTrainer(batch_size=16, seed=1)
    straight.fit(images, 6, checkpoint_dir=tmp_path / "a", checkpoint_every=3, log_every=3, progress=False)

    first = AutoencoderTrainer(batch_size=16, seed=1)
    first.fit(images, 3, checkpoint_dir=tmp_path / "b", checkpoint_every=3, log_every=3, progress=False)
    resumed = AutoencoderTrainer(batch_size=16, seed=99)  # the checkpoint's seed wins
    resumed.fit(images, 6, checkpoint_dir=tmp_path / "b", resume=True, log_every=3, progress=False)
    assert resumed.iteration == 6 and resumed.seed == 1
    assert resumed.history["iteration"] == straight.history["iteration"]
    for a, b in zip(snapshot(straight.state["autoencoder"])[0], snapshot(resumed.state["autoencoder"])[0]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    assert not list((tmp_path / "b").glob("*.tmp*")), "checkpoints are written atomically"


@pytest.mark.slow
def test_time_limit_stops_with_a_checkpoint_that_resumes_exactly(images, tmp_path):
    straight = AutoencoderTrainer(batch_size=16, seed=1)
    straight.fit(images, 3, log_every=1, progress=False)

    stopped = AutoencoderTrainer(batch_size=16, seed=1)
    stopped.fit(images, 3, checkpoint_dir=tmp_path, checkpoint_every=100, log_every=100,
                validation=images[:16], validate_every=100, progress=False, max_seconds=1e-9)
    assert stopped.iteration == 1, "the limit stops after the iteration that crossed it"
    assert stopped.history["iteration"] == [1] and stopped.history["val_hole_mse"][0] is not None
    assert (tmp_path / "checkpoint.npz").exists() and (tmp_path / "best.npz").exists()
    resumed = AutoencoderTrainer(batch_size=16, seed=1)
    resumed.fit(images, 3, checkpoint_dir=tmp_path, resume=True, log_every=1, progress=False)
    assert resumed.iteration == 3
    for a, b in zip(snapshot(straight.state["autoencoder"])[0], snapshot(resumed.state["autoencoder"])[0]):
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    with pytest.raises(ValueError, match="max_seconds"):
        resumed.fit(images, 4, progress=False, max_seconds=0)


def test_autoencoder_records_its_dropout_and_a_run_keeps_it(tmp_path):
    from helpers.settings import AUTOENCODER_DROPOUT

    trainer = AutoencoderTrainer(batch_size=16)
    assert trainer.config["dropout"] == AUTOENCODER_DROPOUT == 0.6
    trainer.save_checkpoint(tmp_path / "new.npz")
    meta, arrays = read_checkpoint(tmp_path / "new.npz")
    assert meta["config"]["dropout"] == 0.6 and meta["config"]["weight_decay"] == 0.0
    AutoencoderTrainer(batch_size=16).load_state(meta, arrays, "new.npz")
    with pytest.raises(CheckpointError, match="dropout=0.6"):
        AutoencoderTrainer(batch_size=16, dropout=0.2).load_state(meta, arrays, "new.npz")


@pytest.mark.slow
def test_gan_records_its_dropout_and_a_run_keeps_it(tmp_path):
    from helpers.settings import GAN_DROPOUT as DROPOUT

    trainer = GANTrainer(batch_size=8, dropout=0.5)
    rates = {layer.rate for net in trainer.models().values() for layer in net.layers
             if isinstance(layer, keras.layers.Dropout)}
    assert rates == {0.5} and trainer.config["dropout"] == 0.5
    GANTrainer(batch_size=8).save_checkpoint(tmp_path / "new.npz")
    meta, arrays = read_checkpoint(tmp_path / "new.npz")
    assert meta["config"]["dropout"] == DROPOUT == 0.2
    GANTrainer(batch_size=8).load_state(meta, arrays, "new.npz")
    with pytest.raises(CheckpointError, match="dropout=0.2"):
        GANTrainer(batch_size=8, dropout=0.5).load_state(meta, arrays, "new.npz")


def test_bad_checkpoints(images, tmp_path):
    trainer = AutoencoderTrainer(batch_size=16)
    with pytest.raises(CheckpointError, match="No checkpoint"):
        trainer.load_checkpoint(tmp_path / "missing.npz")
    broken = tmp_path / "broken.npz"
    broken.write_bytes(b"\x93NUMPY garbage")
    with pytest.raises(CheckpointError, match="damaged"):
        trainer.load_checkpoint(broken)
    other = AutoencoderTrainer(batch_size=32)
    other.save_checkpoint(tmp_path / "other.npz")
    with pytest.raises(CheckpointError, match="batch_size"):
        trainer.load_checkpoint(tmp_path / "other.npz")
    with pytest.raises(ValueError, match="checkpoint_dir"):
        trainer.fit(images, 2, resume=True, progress=False)


def test_nan_stops_training_with_a_clear_message(images, tmp_path, monkeypatch):
    trainer = AutoencoderTrainer(batch_size=16)
    monkeypatch.setattr(trainer, "train_step", lambda batch: {"loss": float("nan")})
    with pytest.raises(TrainingDivergedError, match="NaN"):
        trainer.fit(images, 5, log_every=1, progress=False)
    losses = iter([0.1] + [5.0] * 10)
    monkeypatch.setattr(trainer, "train_step", lambda batch: {"loss": next(losses)})
    trainer.iteration = 0
    with pytest.raises(TrainingDivergedError, match="times its first value"):
        trainer.fit(images, 5, log_every=1, progress=False)


@pytest.mark.slow
def test_validation_keeps_the_best_state(images, tmp_path):
    trainer = AutoencoderTrainer(batch_size=16)
    history = trainer.fit(images[:48], 20, validation=images[48:], validate_every=10,
                          log_every=5, checkpoint_dir=tmp_path, progress=False)
    values = [v for v in history["val_hole_mse"] if v is not None]
    assert len(values) == 2 and len(history["val_hole_mse"]) == len(history["iteration"])
    best = AutoencoderTrainer(batch_size=16).load_checkpoint(tmp_path / "best.npz")
    assert best.history["val_hole_mse"][-1] == min(values), "best.npz holds the state of the lowest error"
    assert best.iteration == history["iteration"][int(np.argmin([v if v is not None else np.inf
                                                                 for v in history["val_hole_mse"]]))]
    np.testing.assert_allclose(best.validate(images[48:]), min(values), rtol=1e-5)


def test_compile_env_says_what_auto_means(monkeypatch):
    monkeypatch.delenv(COMPILE_ENV, raising=False)
    compiled = resolve_compile_mode("auto")
    assert compiled in ("graph", "xla")
    monkeypatch.setenv(COMPILE_ENV, "eager")
    assert resolve_compile_mode("auto") == "eager" and resolve_compile_mode("graph") == compiled
    monkeypatch.setenv(COMPILE_ENV, "fast")
    with pytest.raises(ValueError, match="INPAINTING_COMPILE must be one of"):
        resolve_compile_mode("auto")


@pytest.mark.backend
def test_gradient_norm_is_the_size_of_the_loss_gradient():
    """helpers.engine.backend.gradient_norm, against the gradient worked out by hand: for
    y = x W (no bias), d sum(y) / dW[i, j] is the sum of column i of x, whatever j."""
    model = keras.Sequential([keras.Input((3,)), keras.layers.Dense(2, use_bias=False)])
    net = Net(model, keras.optimizers.SGD())
    x = np.array([[1.0, 2.0, 3.0], [0.0, 1.0, -1.0]], np.float32)

    def loss(trainable, non_trainable, x):
        y, _ = model.stateless_call(trainable, non_trainable, x)
        return keras.ops.sum(y)

    expected = np.linalg.norm(np.repeat(x.sum(axis=0)[:, None], 2, axis=1))
    assert float(gradient_norm(loss, net.read(), x)) == pytest.approx(expected, rel=1e-6)


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("KERAS_BACKEND", "tensorflow") != "tensorflow",
                    reason="runs the JAX pass from the TensorFlow pass")
def test_backend_tests_under_jax(jax_pass):
    """Every test marked ``backend``, in any file of tests/, passes once more with
    KERAS_BACKEND=jax (conftest.py's ``start_jax_pass``; it starts beside the other tests)."""
    try:
        jax_pass.wait(timeout=2400)
    except subprocess.TimeoutExpired:
        jax_pass.kill()
        raise
    output = (Path(jax_pass.folder) / "output.txt").read_text()
    assert jax_pass.returncode == 0, output[-6000:]
    assert " passed" in output and " failed" not in output


def test_regularized_variant_flips_deterministically_and_round_trips(tmp_path):
    from helpers.batches import mirror_half
    from helpers.settings import VARIANTS

    images = smooth_images(16, seed=9)
    a, b = mirror_half(images, 0, 5), mirror_half(images, 0, 5)
    assert np.array_equal(a, b) and not np.array_equal(a, images)
    flipped = np.any(a != images, axis=(1, 2, 3))
    assert np.array_equal(a[flipped], images[flipped][:, :, ::-1])
    trainer = AutoencoderTrainer(settings=VARIANTS["regularized"].replace(batch_size=8), compile_mode="eager")
    assert type(trainer.nets["autoencoder"].optimizer).__name__ == "AdamW"
    assert trainer.config["flip"] and trainer.config["dropout"] == 0.2
    assert trainer.config["shift"] == 2 and trainer.config["lr_drop_at"] == [44_000]
    trainer.fit(images, 2, checkpoint_dir=tmp_path, checkpoint_every=2, progress=False)
    with pytest.raises(CheckpointError, match="flip"):
        AutoencoderTrainer(batch_size=8, compile_mode="eager").load_checkpoint(tmp_path / "checkpoint.npz")
    again = AutoencoderTrainer(settings=VARIANTS["regularized"].replace(batch_size=8), compile_mode="eager")
    assert again.load_checkpoint(tmp_path / "checkpoint.npz").iteration == 2


def learning_rate(trainer, name="autoencoder"):
    optimizer = trainer.nets[name].optimizer
    index = next(i for i, v in enumerate(optimizer.variables) if v.name == "learning_rate")
    return float(keras.ops.convert_to_numpy(trainer.state[name][2][index]))


@pytest.mark.slow
@pytest.mark.backend
def test_learning_rate_drops_at_the_given_iterations_and_resumes_with_them(images, tmp_path):
    trainer = AutoencoderTrainer(batch_size=16, seed=2, lr_drop_at=[2, 4])
    trainer.fit(images, 1, progress=False)
    assert learning_rate(trainer) == pytest.approx(1e-3)
    trainer.fit(images, 3, checkpoint_dir=tmp_path, checkpoint_every=3, progress=False)
    assert learning_rate(trainer) == pytest.approx(1e-4) and trainer.config["lr_drop_at"] == [2, 4]
    resumed = AutoencoderTrainer(batch_size=16)  # no schedule given: the run's carries on
    resumed.fit(images, 5, checkpoint_dir=tmp_path, resume=True, progress=False)
    assert resumed.lr_drop_at == [2, 4] and learning_rate(resumed) == pytest.approx(1e-5)
    with pytest.raises(ValueError, match="distinct positive"):
        AutoencoderTrainer(batch_size=16, lr_drop_at=[0])
    gan = GANTrainer(batch_size=8, lr_drop_at=[1])
    gan.fit(images, 2, progress=False)
    assert learning_rate(gan, "generator") == pytest.approx(2e-4)
    assert learning_rate(gan, "discriminator") == pytest.approx(2e-5)


@pytest.mark.slow
@pytest.mark.backend
def test_resuming_at_another_learning_rate_uses_it(images, tmp_path):
    """Keras keeps the rate among the optimizer's variables, so a checkpoint holds it: the
    trainer's own setting must win, or a resumed run silently trains at the old rate."""
    AutoencoderTrainer(batch_size=16).fit(images, 2, checkpoint_dir=tmp_path, progress=False)
    resumed = AutoencoderTrainer(batch_size=16, learning_rate=3e-4)
    resumed.fit(images, 3, checkpoint_dir=tmp_path, resume=True, progress=False)
    assert learning_rate(resumed) == pytest.approx(3e-4)


@pytest.mark.slow
def test_resume_with_validation_keeps_the_best_state(images, tmp_path):
    """Validation is logged less often than the loss (None in between): resuming such a
    history must work and must not overwrite a better best.npz."""
    first = AutoencoderTrainer(batch_size=16, seed=2, compile_mode="eager")
    first.fit(images, 4, checkpoint_dir=tmp_path, checkpoint_every=2, log_every=1,
              validation=images[:16], validate_every=2, progress=False)
    assert None in first.history["val_hole_mse"]
    best_before = min(v for v in first.history["val_hole_mse"] if v is not None)
    again = AutoencoderTrainer(batch_size=16, seed=2, compile_mode="eager")
    again.fit(images, 6, checkpoint_dir=tmp_path, resume=True, log_every=1,
              validation=images[:16], validate_every=2, progress=False)
    assert again.iteration == 6 and again.train_seconds >= first.train_seconds > 0
    best = AutoencoderTrainer(batch_size=16, compile_mode="eager").load_checkpoint(tmp_path / "best.npz")
    vals = [v for v in again.history["val_hole_mse"] if v is not None]
    assert min(vals) <= best_before
    assert best.history["val_hole_mse"][-1] == min(vals)


@pytest.mark.slow
@pytest.mark.backend
def test_weight_averaging_follows_its_formula_and_leaves_training_unchanged(images, tmp_path):
    """``average_decay``: the raw weights train exactly as without it; the average follows
    the exponential-moving-average formula; validation and ``weight_arrays`` use the average,
    and a resumed run carries it on exactly."""
    from helpers.engine.averaging import AVERAGE_EVERY

    plain = AutoencoderTrainer(batch_size=16, seed=3)
    plain.fit(images, 2 * AVERAGE_EVERY, log_every=AVERAGE_EVERY, progress=False)
    averaging = AutoencoderTrainer(batch_size=16, seed=3, average_decay=0.9)

    first = snapshot(averaging.state["autoencoder"])[0]
    averaging.fit(images, AVERAGE_EVERY, log_every=AVERAGE_EVERY, progress=False)
    at_first_update = snapshot(averaging.state["autoencoder"])[0]
    for a, b in zip(averaging.average[0], at_first_update):   # the average starts at the weights
        np.testing.assert_array_equal(a, b)
    assert not all(np.array_equal(a, b) for a, b in zip(first, at_first_update))
    averaging.fit(images, 2 * AVERAGE_EVERY, log_every=AVERAGE_EVERY, progress=False,
                  checkpoint_dir=tmp_path, checkpoint_every=AVERAGE_EVERY,
                  validation=images[:32], validate_every=AVERAGE_EVERY)
    now = snapshot(averaging.state["autoencoder"])[0]
    for a, b in zip(now, snapshot(plain.state["autoencoder"])[0]):   # training is unchanged
        np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-6)
    t = 2 * AVERAGE_EVERY
    decay = min(0.9, (1 + t) / (10 + t)) ** AVERAGE_EVERY
    for avg, start, end in zip(averaging.average[0], at_first_update, now):
        np.testing.assert_allclose(avg, start + (1 - decay) * (end - start), rtol=1e-5, atol=1e-6)
    # validation scores the average (and logs the raw weights' error beside it)
    assert averaging.history["val_hole_mse_raw"][-1] == pytest.approx(averaging.validate(images[:32]), rel=1e-5)
    with averaging.averaged_weights():
        assert averaging.history["val_hole_mse"][-1] == pytest.approx(averaging.validate(images[:32]), rel=1e-5)
    assert averaging.history["val_hole_mse"][-1] != averaging.history["val_hole_mse_raw"][-1]
    for a, b in zip(snapshot(averaging.state["autoencoder"])[0], now):   # the raw weights came back
        np.testing.assert_array_equal(a, b)
    published = averaging.weight_arrays()
    np.testing.assert_allclose(published["autoencoder/0/0"], averaging.average[0][0])
    # the checkpoint holds both; a resumed run has the same average, an evaluation adopts it
    resumed = AutoencoderTrainer(batch_size=16, seed=3, average_decay=0.9).load_checkpoint(tmp_path / "checkpoint.npz")
    for a, b in zip(resumed.average[0], averaging.average[0]):
        np.testing.assert_array_equal(a, b)
    adopted = snapshot(resumed.adopt_average().state["autoencoder"])[0]
    np.testing.assert_allclose(adopted[0], averaging.average[0][0])
    with pytest.raises(CheckpointError, match="average_decay"):
        AutoencoderTrainer(batch_size=16, seed=3).load_checkpoint(tmp_path / "checkpoint.npz")
    with pytest.raises(ValueError, match="between 0 and 1"):
        AutoencoderTrainer(average_decay=1.5)


def test_validation_scores_the_sharpness_ratio_and_fit_logs_it(images):
    """validate() keeps the fills' sharpness ratio (mean sharpness of the fills over that of
    the true patches) in ``validation_sharpness_ratio``; fit logs it as ``val_sharpness_ratio``
    wherever it validates."""
    trainer = AutoencoderTrainer(batch_size=16, compile_mode="eager")
    assert math.isnan(trainer.validation_sharpness_ratio), "nothing validated yet"
    mse = trainer.validate(images[:20])
    _, patch = make_pairs(images[:20], "unit")
    pred = trainer.predict_patch_unit(images[:20])
    expected = np.mean(sharpness(pred, per_image=True)) / np.mean(sharpness(patch, per_image=True))
    assert trainer.validation_sharpness_ratio == pytest.approx(expected, rel=1e-5)
    assert mse == pytest.approx(float(np.mean((pred - patch) ** 2)), rel=1e-5)
    trainer.validate(images[:20], batch_size=8)            # the same over several batches
    assert trainer.validation_sharpness_ratio == pytest.approx(expected, rel=1e-5)

    history = trainer.fit(images[:48], 4, validation=images[48:], validate_every=2, log_every=1,
                          progress=False)
    assert len(history["val_sharpness_ratio"]) == len(history["iteration"]) == 4
    assert [v is None for v in history["val_sharpness_ratio"]] == [True, False, True, False]
    assert all(math.isfinite(v) and v > 0 for v in history["val_sharpness_ratio"] if v is not None)
    assert history["val_sharpness_ratio"][-1] == trainer.validation_sharpness_ratio
    trainer.validate(images[48:])
    assert trainer.validation_sharpness_ratio == pytest.approx(history["val_sharpness_ratio"][-1], rel=1e-5)


@pytest.mark.slow
@pytest.mark.backend
def test_gan_logs_the_sizes_of_its_two_terms_gradients(images):
    """At each log point the GAN logs ``g_grad_l2`` and ``g_grad_adversarial``: the sizes of
    the gradients of G's two weighted terms (helpers.steps.generator_gradient_sizes) on the
    last batch, each scaling with its weight, when asked (the command line asks; the default
    does not, to spare a compiled function)."""
    assert GANTrainer(batch_size=8, compile_mode="eager").log_extras(images[:8]) == {}
    trainer = GANTrainer(batch_size=8, seed=0, fused=True, gradient_sizes=True)
    history = trainer.fit(images, 2, log_every=1, progress=False)
    for key in ("g_grad_l2", "g_grad_adversarial"):
        assert len(history[key]) == 2 and all(math.isfinite(v) and v > 0 for v in history[key])
    batch = images[:8]
    holed, patches = make_pairs(batch, "signed")
    g, d = trainer.nets["generator"], trainer.nets["discriminator"]
    unweighted = compile_step(partial(steps.generator_gradient_sizes, g, d, l2_weight=1.0, adversarial_weight=1.0),
                              trainer.compile_mode, n_in=2, n_out=0)   # eager JAX takes a minute
    l2, adversarial = unweighted(trainer.state["generator"], trainer.state["discriminator"], holed, patches)
    logged = trainer.log_extras(batch)
    assert logged["g_grad_l2"] == pytest.approx(0.999 * float(l2), rel=1e-3)
    assert logged["g_grad_adversarial"] == pytest.approx(0.001 * float(adversarial), rel=1e-3)
