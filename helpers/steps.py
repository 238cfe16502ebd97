"""The losses, and one training step of each model: what the trainers compile and run, and
what notebooks 3, 4 and 6 write out.

How to read a step
------------------
A network's *state* is its weights in three lists: ``trainable`` (what gradients change),
``non_trainable`` (BatchNorm's moving statistics, dropout's random seed) and the optimizer's
(Adam's running moments). A step is a pure function: states and one batch in, new states
and the values to log out. Each loss runs its model with ``model.stateless_call(trainable,
non_trainable, x)``, Keras 3's way of calling a model on exactly the weights it is given.

:func:`update` does the rest: it differentiates a loss with respect to the *trainable*
weights of one network and lets that network's optimizer take one step.
Any other network the loss reads gets no gradient and no update. That is how the GAN's
discriminator is frozen while the generator learns: not by a flag, but because its weights
are not the ones being differentiated.

Every function here works on TensorFlow and on JAX, compiled or not.
"""

from __future__ import annotations

from functools import partial

from keras import ops

from .engine.backend import check_backend, gradient_norm, mean_over_replicas, with_non_trainable
from .holes import unet_inputs
from .paper import ADVERSARIAL_WEIGHT, L2_WEIGHT
from .settings import check_pconv_loss

REAL, FAKE = 1.0, 0.0  # the discriminator's labels


def update(net, loss_fn, state, *args):
    """One optimizer update of ``net`` alone: ``(new state, loss, logs)``.

    ``state`` holds ``net``'s variables in three lists: trainable (the weights gradients
    change), non-trainable (BatchNorm's moving statistics, dropout's random seed) and the
    optimizer's (Adam's running averages of the gradients and of their squares, its step
    count, its learning rate). ``loss_fn(trainable, non_trainable, *args)`` returns ``(loss,
    (new_non_trainable, logs))``. The gradient is taken with respect to ``trainable`` alone:
    whatever else the loss reads (a discriminator that judges) gets no gradient and no update.
    """
    trainable, non_trainable, optimizer_variables = state
    if check_backend() == "jax":   # JAX: pure functions of arrays; the new state is returned
        import jax

        (loss, (non_trainable, logs)), grads = jax.value_and_grad(
            lambda t: loss_fn(t, non_trainable, *args), has_aux=True)(trainable)
        trainable, optimizer_variables = net.optimizer.stateless_apply(optimizer_variables, grads, trainable)
        return (trainable, non_trainable, optimizer_variables), loss, logs
    import tensorflow as tf        # TensorFlow: the state holds the variables, changed in place

    with tf.GradientTape() as tape:
        loss, (new_non_trainable, logs) = loss_fn(trainable, non_trainable, *args)
    grads = mean_over_replicas(tape.gradient(loss, [v.value for v in trainable]))
    net.optimizer.apply(grads, trainable)
    return with_non_trainable(state, new_non_trainable), loss, logs


def mse(truth, prediction):
    """Mean squared error."""
    return ops.mean(ops.square(truth - prediction))


def bce(label, probability):
    """Binary cross-entropy of probabilities against labels (1 = real, 0 = fake)."""
    return ops.mean(ops.binary_crossentropy(label, probability))


# --------------------------------------------------------------------------- the autoencoder


def autoencoder_loss(autoencoder, trainable, non_trainable, holed, patch):
    """The paper's loss: mean squared error of the predicted patch, values on [0, 1]."""
    predicted, non_trainable = autoencoder.stateless_call(trainable, non_trainable, holed, training=True)
    loss = mse(patch, predicted)
    return loss, (non_trainable, {"loss": loss})


def autoencoder_step(net, state, holed, patch):
    """One Adam update of the autoencoder on one batch."""
    state, loss, logs = update(net, partial(autoencoder_loss, net.model), state, holed, patch)
    return state, logs


# --------------------------------------------------------------------------- the GAN


def discriminator_loss(discriminator, trainable, non_trainable, patches, label):
    """Binary cross-entropy of D's verdicts on one batch of patches, all real or all fake."""
    probability, non_trainable = discriminator.stateless_call(trainable, non_trainable, patches,
                                                              training=True)
    loss = bce(ops.full_like(probability, label), probability)
    return loss, (non_trainable, {"prob": ops.mean(probability)})


def generator_loss(generator, discriminator, trainable, non_trainable, d_state, holed, patches,
                   l2_weight=L2_WEIGHT, adversarial_weight=ADVERSARIAL_WEIGHT):
    """G's loss: how far its fill is from the true patch (L2), and how fake D finds the fill."""
    fake, non_trainable = generator.stateless_call(trainable, non_trainable, holed, training=True)
    # D judges the fill as in its own step (training mode); what it would learn is thrown away.
    probability, _ = discriminator.stateless_call(d_state[0], d_state[1], fake, training=True)
    l2 = mse(patches, fake)
    adversarial = bce(ops.ones_like(probability), probability)  # G wants D to say "real"
    loss = l2_weight * l2 + adversarial_weight * adversarial
    return loss, (non_trainable, {"g_l2": l2, "g_adversarial": adversarial})


def d_step(d, d_state, patches, label):
    """Steps 1 and 2 of the schedule: one Adam update of D alone, on one batch, one label."""
    d_state, loss, logs = update(d, partial(discriminator_loss, d.model), d_state, patches, label)
    return d_state, loss, logs["prob"]


def generate(g, g_state, holed):
    """G fills the holes (training mode, as in its own step), for D to judge."""
    fake, non_trainable = g.model.stateless_call(g_state[0], g_state[1], holed, training=True)
    return with_non_trainable(g_state, non_trainable), ops.stop_gradient(fake)


def g_step(g, d, g_state, d_state, holed, patches, l2_weight=L2_WEIGHT,
           adversarial_weight=ADVERSARIAL_WEIGHT):
    """Step 3, the combined network: G's weights alone are differentiated, so D stays frozen."""
    loss_fn = partial(generator_loss, g.model, d.model, l2_weight=l2_weight,
                      adversarial_weight=adversarial_weight)
    g_state, loss, logs = update(g, loss_fn, g_state, d_state, holed, patches)
    return g_state, {"g_loss": loss, **logs}


def gan_step(g, d, g_state, d_state, holed, patches, l2_weight=L2_WEIGHT,
             adversarial_weight=ADVERSARIAL_WEIGHT):
    """One iteration of the paper's schedule, on one batch."""
    d_state, d_loss_real, p_real = d_step(d, d_state, patches, REAL)   # 1. D on real patches
    g_state, fake = generate(g, g_state, holed)                         # 2. G fills the holes,
    d_state, d_loss_fake, p_fake = d_step(d, d_state, fake, FAKE)       #    D on those fills
    g_state, g_logs = g_step(g, d, g_state, d_state, holed, patches,    # 3. G against frozen D
                             l2_weight, adversarial_weight)
    return g_state, d_state, {"d_loss_real": d_loss_real, "d_loss_fake": d_loss_fake,
                              "d_real_prob": p_real, "d_fake_prob": p_fake, **g_logs}


# --------------------------------------------------------------------------- the U-Net (beyond the paper)

HOLE_WEIGHT, KNOWN_WEIGHT = 6.0, 1.0  # Liu et al.'s weights of their two pixel terms
def hole_and_known_loss(predicted, truth, known, kind: str = "l2"):
    """Liu et al.'s two pixel terms: 6 x the error over the missing pixels + 1 x the error over
    the known ones, each a mean over all pixels (so bigger holes weigh more, as in their paper).
    ``"l1"``: absolute errors, as Liu et al.; ``"l2"``: squared, what hole MSE rewards. Their
    VGG perceptual, style and total-variation terms are left out (they need VGG's weights)."""
    diff = ops.abs(predicted - truth) if check_pconv_loss(kind) == "l1" else ops.square(predicted - truth)
    return HOLE_WEIGHT * ops.mean(diff * (1.0 - known)) + KNOWN_WEIGHT * ops.mean(diff * known)


def pconv_loss(unet, trainable, non_trainable, image, known, kind="l2"):
    """The U-Net sees the image with its missing pixels zeroed, and the mask (1 = known)."""
    predicted, non_trainable = unet.stateless_call(trainable, non_trainable, unet_inputs(image, known),
                                                   training=True)
    loss = hole_and_known_loss(predicted, image, known, kind)
    return loss, (non_trainable, {"loss": loss})


def pconv_step(net, state, image, known, kind="l2"):
    """One Adam update of the U-Net on one batch of images and their holes."""
    state, loss, logs = update(net, partial(pconv_loss, net.model, kind=kind), state, image, known)
    return state, logs


# --------------------------------------------------------------------------- what drives G


def generator_gradient_sizes(g, d, g_state, d_state, holed, patches, l2_weight=L2_WEIGHT,
                             adversarial_weight=ADVERSARIAL_WEIGHT):
    """The size (global L2 norm) of each weighted term's gradient with respect to G's weights:
    ``(L2 term, adversarial term)``. The larger one sets the direction of G's update; comparing
    the loss values instead says nothing about that. Nothing is updated."""
    def term(l2, adversarial):
        loss_fn = partial(generator_loss, g.model, d.model, l2_weight=l2, adversarial_weight=adversarial)
        return lambda *args: loss_fn(*args)[0]

    return (gradient_norm(term(l2_weight, 0.0), g_state, d_state, holed, patches),
            gradient_norm(term(0.0, adversarial_weight), g_state, d_state, holed, patches))
