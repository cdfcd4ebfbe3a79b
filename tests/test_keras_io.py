"""keras.io's three GAN examples run on kerasgan's classes with only the import of the GAN class changed: their
nets, their compile calls, their GANMonitor, their data scaling, a few hundred images and a few steps, on every
backend. (The examples write ``tf.reduce_mean``; ``keras.ops.mean`` here, so that they run without TensorFlow.)
The sentences a wrong call now gets are tested beside them.
"""

import keras
import numpy as np
import pytest
from keras import layers, ops

from kerasgan.gans import GAN, WGAN, ConditionalGAN, build_gan
from kerasgan.losses import gradient_penalty

pytestmark = pytest.mark.backends
LN_2 = float(np.log(2.0))  # a cross-entropy at probability 0.5, where every fresh discriminator starts


def images(count, shape, low=0.0, high=1.0, seed=0):
    return np.random.default_rng(seed).uniform(low, high, (count, *shape)).astype("float32")


# keras.io "DCGAN to generate face images", at 16x16 instead of 64x64 (the same layers from a 2x2 seed instead of
# 8x8) to suit a CPU test.
def dcgan_nets(latent_dim=128):
    discriminator = keras.Sequential(
        [
            keras.Input(shape=(16, 16, 3)),
            layers.Conv2D(64, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Flatten(),
            layers.Dropout(0.2),
            layers.Dense(1, activation="sigmoid"),
        ],
        name="discriminator",
    )
    generator = keras.Sequential(
        [
            keras.Input(shape=(latent_dim,)),
            layers.Dense(2 * 2 * 128),
            layers.Reshape((2, 2, 128)),
            layers.Conv2DTranspose(128, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(256, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(512, kernel_size=4, strides=2, padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(3, kernel_size=5, padding="same", activation="sigmoid"),
        ],
        name="generator",
    )
    return discriminator, generator


def test_keras_io_dcgan_trains_with_its_sigmoid_discriminator_loss_fn_and_monitor(tmp_path, monkeypatch):
    from kerasgan.training.callbacks import GANMonitor

    monkeypatch.chdir(tmp_path)
    keras.utils.set_random_seed(0)
    latent_dim = 128
    discriminator, generator = dcgan_nets(latent_dim)
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=latent_dim)
    gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.0001),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.0001),
        loss_fn=keras.losses.BinaryCrossentropy(),
    )
    history = gan.fit(images(64, (16, 16, 3)), batch_size=32, epochs=1,
                      callbacks=[GANMonitor(num_img=3, latent_dim=latent_dim)], verbose=0)

    assert history.history["d_loss"][0] == pytest.approx(LN_2, abs=0.05)  # probabilities near 0.5, not logits
    assert 0.0 <= history.history["d_acc"][0] <= 1.0
    assert sorted(path.name for path in tmp_path.glob("*.png")) == [
        "generated_img_000_0.png", "generated_img_000_1.png", "generated_img_000_2.png"]
    gan.generator.save(tmp_path / "generator.keras")
    reloaded = keras.models.load_model(tmp_path / "generator.keras")
    noise = np.random.default_rng(1).normal(size=(2, latent_dim)).astype("float32")
    np.testing.assert_allclose(ops.convert_to_numpy(reloaded(noise)), ops.convert_to_numpy(gan.generator(noise)),
                               atol=1e-6)


def test_a_sigmoid_discriminator_with_the_logit_losses_is_refused_at_compile():
    discriminator, generator = dcgan_nets()
    gan = GAN(discriminator=discriminator, generator=generator, latent_dim=128)

    with pytest.raises(ValueError, match=r"ends in a sigmoid.*loss_fn=keras.losses.BinaryCrossentropy\(\)"):
        gan.compile(d_optimizer=keras.optimizers.Adam(), g_optimizer=keras.optimizers.Adam())


@pytest.mark.parametrize("data,scaling", [
    (np.full((64, 28, 28, 1), 255, dtype="uint8"), r"uint8 .*x / 127.5 - 1"),
    (images(64, (28, 28, 1)), r"lie in \[.*\].*x \* 2 - 1"),
    (images(64, (28, 28, 1), 0, 255), r"lie in \[.*\].*x / 127.5 - 1"),
], ids=["uint8 0..255", "floats in [0, 1]", "floats in [0, 255]"])
def test_images_outside_the_tanh_generators_range_are_refused_before_the_first_step(data, scaling):
    gan = build_gan(seed=0)
    before = [np.array(weight) for weight in gan.generator.weights]

    with pytest.raises(ValueError, match=scaling):
        gan.fit(data, batch_size=32, epochs=1, verbose=0)
    assert all(np.array_equal(old, np.array(new)) for old, new in zip(before, gan.generator.weights))
    assert gan.optimizer_steps() == 0


# keras.io "Conditional GAN": one concatenated input per network, one-hot labels, data in [0, 1].
def conditional_nets(latent_dim=128, num_classes=10):
    generator_in_channels = latent_dim + num_classes
    discriminator_in_channels = 1 + num_classes
    discriminator = keras.Sequential(
        [
            keras.layers.InputLayer((28, 28, discriminator_in_channels)),
            layers.Conv2D(64, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(128, (3, 3), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.GlobalMaxPooling2D(),
            layers.Dense(1),
        ],
        name="discriminator",
    )
    generator = keras.Sequential(
        [
            keras.layers.InputLayer((generator_in_channels,)),
            layers.Dense(7 * 7 * generator_in_channels),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Reshape((7, 7, generator_in_channels)),
            layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2DTranspose(128, (4, 4), strides=(2, 2), padding="same"),
            layers.LeakyReLU(negative_slope=0.2),
            layers.Conv2D(1, (7, 7), padding="same", activation="sigmoid"),
        ],
        name="generator",
    )
    return discriminator, generator


def trained_conditional_gan(labels):
    keras.utils.set_random_seed(0)
    discriminator, generator = conditional_nets()
    cond_gan = ConditionalGAN(discriminator=discriminator, generator=generator, latent_dim=128)
    cond_gan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.0003),
        loss_fn=keras.losses.BinaryCrossentropy(from_logits=True),
    )
    history = cond_gan.fit(images(128, (28, 28, 1)), labels, batch_size=64, epochs=1, shuffle=False, verbose=0)
    return cond_gan, history.history


def test_keras_io_conditional_gan_trains_its_concatenated_nets_on_one_hot_or_integer_labels():
    digits = np.arange(128) % 10
    one_hot, logs = trained_conditional_gan(keras.utils.to_categorical(digits, 10))
    integer, _ = trained_conditional_gan(digits)

    assert one_hot.num_classes == 10 and one_hot.concatenated_inputs
    assert logs["d_loss"][0] == pytest.approx(LN_2, abs=0.05)
    assert one_hot.optimizer_steps() == 2
    for ours, theirs in zip(one_hot.generator.weights, integer.generator.weights):  # the same labels either way
        np.testing.assert_allclose(np.array(ours), np.array(theirs), rtol=1e-5, atol=1e-6)
    row = one_hot.grid_inputs(rows=10, cols=3)
    assert row.shape == (30, 138) and ops.convert_to_numpy(one_hot.generator(row)).shape == (30, 28, 28, 1)


def test_a_conditional_gan_fed_images_alone_says_it_needs_labels():
    discriminator, generator = conditional_nets()
    cond_gan = ConditionalGAN(discriminator=discriminator, generator=generator, latent_dim=128)
    cond_gan.compile(d_optimizer=keras.optimizers.Adam(), g_optimizer=keras.optimizers.Adam(),
                     loss_fn=keras.losses.BinaryCrossentropy(from_logits=True))

    with pytest.raises(ValueError, match=r"trains on \(images, labels\) batches.*fit\(images, labels\)"):
        cond_gan.fit(images(64, (28, 28, 1)), batch_size=32, verbose=0)


# keras.io "WGAN-GP overriding Model.train_step": its critic and generator, its losses and its argument names.
def conv_block(x, filters, activation, kernel_size=(3, 3), strides=(1, 1), padding="same", use_bias=True,
               use_bn=False, use_dropout=False, drop_value=0.5):
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias)(x)
    if use_bn:
        x = layers.BatchNormalization()(x)
    x = activation(x)
    if use_dropout:
        x = layers.Dropout(drop_value)(x)
    return x


def get_discriminator_model(img_shape=(28, 28, 1)):
    img_input = layers.Input(shape=img_shape)
    x = layers.ZeroPadding2D((2, 2))(img_input)
    x = conv_block(x, 64, kernel_size=(5, 5), strides=(2, 2), activation=layers.LeakyReLU(0.2))
    x = conv_block(x, 128, kernel_size=(5, 5), strides=(2, 2), activation=layers.LeakyReLU(0.2), use_dropout=True,
                   drop_value=0.3)
    x = conv_block(x, 256, kernel_size=(5, 5), strides=(2, 2), activation=layers.LeakyReLU(0.2), use_dropout=True,
                   drop_value=0.3)
    x = conv_block(x, 512, kernel_size=(5, 5), strides=(2, 2), activation=layers.LeakyReLU(0.2))
    x = layers.Flatten()(x)
    x = layers.Dropout(0.2)(x)
    x = layers.Dense(1)(x)
    return keras.models.Model(img_input, x, name="discriminator")


def upsample_block(x, filters, activation, kernel_size=(3, 3), strides=(1, 1), up_size=(2, 2), padding="same",
                   use_bn=False, use_bias=True):
    x = layers.UpSampling2D(up_size)(x)
    x = layers.Conv2D(filters, kernel_size, strides=strides, padding=padding, use_bias=use_bias)(x)
    if use_bn:
        x = layers.BatchNormalization()(x)
    if activation:
        x = activation(x)
    return x


def get_generator_model(noise_dim=128):
    noise = layers.Input(shape=(noise_dim,))
    x = layers.Dense(4 * 4 * 256, use_bias=False)(noise)
    x = layers.BatchNormalization()(x)
    x = layers.LeakyReLU(0.2)(x)
    x = layers.Reshape((4, 4, 256))(x)
    x = upsample_block(x, 128, layers.LeakyReLU(0.2), use_bias=False, use_bn=True)
    x = upsample_block(x, 64, layers.LeakyReLU(0.2), use_bias=False, use_bn=True)
    x = upsample_block(x, 1, layers.Activation("tanh"), use_bias=False, use_bn=True)
    x = layers.Cropping2D((2, 2))(x)
    return keras.models.Model(noise, x, name="generator")


def discriminator_loss(real_img, fake_img):
    return ops.mean(fake_img) - ops.mean(real_img)


def generator_loss(fake_img):
    return -ops.mean(fake_img)


def test_keras_io_wgan_gp_trains_with_its_argument_names_losses_and_monitor(tmp_path, monkeypatch):
    from kerasgan.training.callbacks import GANMonitor

    monkeypatch.chdir(tmp_path)
    keras.utils.set_random_seed(0)
    noise_dim = 128
    train_images = np.random.default_rng(0).integers(0, 256, (64, 28, 28)).reshape(64, 28, 28, 1).astype("float32")
    train_images = (train_images - 127.5) / 127.5
    wgan = WGAN(discriminator=get_discriminator_model(), generator=get_generator_model(noise_dim),
                latent_dim=noise_dim, discriminator_extra_steps=3)
    wgan.compile(
        d_optimizer=keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5, beta_2=0.9),
        g_optimizer=keras.optimizers.Adam(learning_rate=0.0002, beta_1=0.5, beta_2=0.9),
        g_loss_fn=generator_loss,
        d_loss_fn=discriminator_loss,
    )
    history = wgan.fit(train_images, batch_size=32, epochs=1, callbacks=[GANMonitor(num_img=3, latent_dim=noise_dim)],
                       verbose=0)

    assert wgan.critic_steps == 3 and wgan.gp_weight == 10.0
    assert int(ops.convert_to_numpy(wgan.d_optimizer.iterations)) == 6 and wgan.optimizer_steps() == 2
    logs = history.history
    assert np.isfinite(logs["gp"][0]) and logs["gp"][0] > 0
    assert len(list(tmp_path.glob("generated_img_000_*.png"))) == 3


def test_the_gradient_penalty_of_a_linear_critic_is_its_weights_norm_minus_one_squared():
    from kerasgan.gans import step_module

    # D(x) = 3 x0 + 4 x2 has the gradient (3, 0, 4, 0) everywhere: ||grad|| = 5, penalty (5 - 1)^2 = 16
    critic = keras.Sequential([keras.Input((2, 2, 1)), layers.Flatten(),
                               layers.Dense(1, kernel_initializer=keras.initializers.Constant([[3], [0], [4], [0]]))])
    points = ops.convert_to_tensor(images(5, (2, 2, 1), -1, 1))

    slopes = step_module().input_gradient(lambda x: critic(x), points)

    np.testing.assert_allclose(ops.convert_to_numpy(slopes)[:, :, :, 0], np.tile([[3, 0], [4, 0]], (5, 1, 1)))
    assert float(ops.convert_to_numpy(gradient_penalty(slopes))) == pytest.approx(16.0)


def test_discriminator_extra_steps_is_critic_steps_under_keras_ios_name():
    wgan = WGAN(discriminator=get_discriminator_model(), generator=get_generator_model(), latent_dim=128,
                discriminator_extra_steps=5)
    assert wgan.critic_steps == 5
