"""Small synthetic data made in the tests (no test needs the real data set)."""

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
