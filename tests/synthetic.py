"""Small synthetic data made in the tests (no test needs the real data set), and tiny
published weights trained on it."""

import io
import tarfile

import numpy as np
from PIL import Image

from helpers.data import CLASS_NAMES


def smooth_images(n: int, seed: int = 0, size: int = 32) -> np.ndarray:
    """Synthetic uint8 images that a model can learn quickly: smooth colour gradients."""
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:size, 0:size] / (size - 1)
    a = rng.uniform(0, 1, (n, 1, 1, 3))
    b = rng.uniform(-0.5, 0.5, (n, 1, 1, 3))
    c = rng.uniform(-0.5, 0.5, (n, 1, 1, 3))
    x = a + b * xx[None, :, :, None] + c * yy[None, :, :, None]
    return np.clip(np.round(x * 255), 0, 255).astype(np.uint8)


def make_image_folder_tar(path, per_class=2, fmt="PNG"):
    """A miniature image-folder tarball laid out like the shared JPEG export."""
    rng = np.random.default_rng(0)
    expected = {}
    with tarfile.open(path, "w:gz") as tar:
        for split in ("train", "test"):
            for label, cls in enumerate(CLASS_NAMES):
                for k in range(per_class):
                    img = rng.integers(0, 256, (32, 32, 3), dtype=np.uint8)
                    buf = io.BytesIO()
                    Image.fromarray(img).save(buf, format=fmt)
                    info = tarfile.TarInfo(f"cifar10-mini/{split}/{cls}/{k:04d}.png")
                    info.size = len(buf.getvalue())
                    tar.addfile(info, io.BytesIO(buf.getvalue()))
                    expected[(split, label, k)] = img
    return expected


def synthetic_cifar10(n_train: int = 160, n_test: int = 24, seed: int = 0):
    """A :class:`~helpers.data.Cifar10` of smooth, slightly noisy images with random labels."""
    from helpers.data import Cifar10

    rng = np.random.default_rng(seed)
    rows, cols = np.mgrid[0:32, 0:32]
    base = np.stack([cols * 7, rows * 7, (rows + cols) * 3], axis=-1)

    def make(n):
        return np.clip(base[None] + rng.integers(0, 30, (n, 32, 32, 3)), 0, 255).astype(np.uint8)

    return Cifar10(make(n_train), rng.integers(0, 10, n_train), make(n_test), rng.integers(0, 10, n_test),
                   "synthetic test images")


def publish_tiny(trainer, tmp_path, name, images, select="last"):
    """Train ``trainer`` for 4 iterations on ``images[:48]`` (validating on the rest) and
    publish the run as ``name`` into the current weights folder; returns the trainer."""
    from helpers.cli.publish import publish

    run = tmp_path / f"run-{name}"
    trainer.fit(images[:48], 4, checkpoint_dir=run, checkpoint_every=2, log_every=2,
                validation=images[48:], validate_every=2, progress=False)
    publish(run, name, select=select, data_source="synthetic", train_images=48,
            validation_images=16, hardware="test machine", precision_check=images[48:])
    return trainer
