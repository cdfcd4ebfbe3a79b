"""The fast loop's home in earlier releases: ``GAN`` and ``build_gan`` now live in :mod:`kerasgan.gans`."""

from kerasgan.gans import GAN, BaseGAN, build_gan

__all__ = ["BaseGAN", "GAN", "build_gan"]
