"""CIFAR-10 as uint8 arrays, from wherever it can be found, decoded once and cached.

Where the data comes from, in this order:

1. a path given as ``path=`` or in the environment variable ``INPAINTING_DATA``;
2. the official ``cifar-10-python.tar.gz`` or its unpacked ``cifar-10-batches-py/``
   (Keras keeps one in ``~/.keras/datasets`` after a download; ``./data`` is searched too);
3. an image-folder tree ``train|test/<class>/*.jpg|png``, as a folder or a ``.tar.gz``
   (such as a ``cifar10-jpeg.tar.gz`` export, which ``./data`` is searched for too);
4. with internet, ``keras.datasets.cifar10`` (the reference).

Every loaded set carries ``source`` ("CIFAR-10 (official)" or "CIFAR-10 (JPEG export)"),
so that every figure computed on it can say which data it used.
"""

from __future__ import annotations

import hashlib
import io
import os
import pickle
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .engine.files import REPO_ROOT, atomic_write

CLASS_NAMES = ["airplane", "automobile", "bird", "cat", "deer",
               "dog", "frog", "horse", "ship", "truck"]
OFFICIAL = "CIFAR-10 (official)"
IMAGE_FOLDER = "CIFAR-10 (JPEG export)"
IMAGE_SUFFIXES = (".jpg", ".jpeg", ".png")
CACHE_VERSION = 1


class DataNotFoundError(FileNotFoundError):
    """No copy of CIFAR-10 could be found or downloaded."""


@dataclass
class Cifar10:
    """CIFAR-10 as uint8 images (N, 32, 32, 3) and integer labels (N,)."""

    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    source: str
    origin: str = ""
    class_names: list = field(default_factory=lambda: list(CLASS_NAMES))

    def describe(self) -> str:
        return (f"{self.source}: {len(self.x_train):,} training and {len(self.x_test):,} test "
                f"images of {self.x_train.shape[1]}x{self.x_train.shape[2]}, uint8"
                + (f", from {self.origin}" if self.origin else ""))

    def __repr__(self) -> str:
        return f"<Cifar10 {self.describe()}>"


# --------------------------------------------------------------------------- public API


def load_cifar10(path: str | os.PathLike | None = None, *, train_size: int | None = None,
                 test_size: int | None = None, seed: int = 0,
                 cache_dir: str | os.PathLike | None = None, download: bool = True,
                 progress: bool = True) -> Cifar10:
    """Load CIFAR-10, decoding it once and caching the arrays.

    ``train_size`` / ``test_size`` take a random subset (chosen with ``seed``) for quick
    runs. ``cache_dir`` defaults to ``$INPAINTING_CACHE`` or ``~/.cache/inpainting``.
    """
    data = _load_full(path, cache_dir, download, progress)
    return take_subset(data, train_size, test_size, seed)


def take_subset(data: Cifar10, train_size: int | None = None, test_size: int | None = None,
                seed: int = 0) -> Cifar10:
    """A random subset of the training and test sets (all classes, seeded)."""
    rng = np.random.default_rng(seed)
    x_train, y_train = _subset(data.x_train, data.y_train, train_size, rng, "train_size")
    x_test, y_test = _subset(data.x_test, data.y_test, test_size, rng, "test_size")
    return Cifar10(x_train, y_train, x_test, y_test, data.source, data.origin, data.class_names)


def split_validation(x: np.ndarray, y: np.ndarray, size: int, seed: int = 0):
    """Carve a validation set out of the training set: (x_train, y_train, x_val, y_val)."""
    if not 0 < size < len(x):
        raise ValueError(f"validation size must be between 1 and {len(x) - 1}, got {size}.")
    order = np.random.default_rng(seed).permutation(len(x))
    val, train = order[:size], order[size:]
    return x[train], y[train], x[val], y[val]


def showcase_indices(n_images: int, k: int = 3, seed: int = 2019) -> np.ndarray:
    """The "three random test images" of the paper's result figures: the same in notebooks
    3, 4 and 5 and in the report."""
    if n_images < 1:
        raise ValueError("There are no test images to choose from.")
    return np.sort(np.random.default_rng(seed).choice(n_images, size=min(k, n_images), replace=False))


def data_help() -> str:
    """The ways to provide the data, as one message."""
    return (
        "CIFAR-10 could not be found. Give it in one of these ways:\n"
        "  1. pass path=... (or --data PATH on the command line), or set the environment "
        "variable INPAINTING_DATA, to one of:\n"
        "     - the official cifar-10-python.tar.gz, or its unpacked cifar-10-batches-py/ "
        "folder;\n"
        "     - an image-folder tree train|test/<class>/*.jpg|png, as a folder or a .tar.gz "
        "(e.g. cifar10-jpeg.tar.gz);\n"
        "  2. put cifar-10-python.tar.gz in ./data or ~/.keras/datasets;\n"
        "  3. connect to the internet: keras.datasets.cifar10 downloads the official set "
        "(about 170 MB)."
    )


# --------------------------------------------------------------------------- finding it


def _candidates() -> list[Path]:
    roots = [Path.cwd(), REPO_ROOT]
    found = []
    for root in roots:
        found += [root / "data" / "cifar-10-python.tar.gz", root / "data" / "cifar-10-batches-py"]
    keras_home = Path(os.environ.get("KERAS_HOME", Path.home() / ".keras")) / "datasets"
    found += [keras_home / "cifar-10-batches-py", keras_home / "cifar-10-python.tar.gz"]
    for root in roots:
        found += [root / "data" / "cifar10-jpeg.tar.gz", root / "data" / "cifar10-jpeg"]
    unique = []
    for p in found:
        if p not in unique:
            unique.append(p)
    return unique


def _load_full(path, cache_dir, download, progress) -> Cifar10:
    path = path if path is not None else os.environ.get("INPAINTING_DATA") or None
    if path is not None:
        path = Path(path).expanduser()
        if not path.exists():
            raise DataNotFoundError(
                f"The data path {str(path)!r} does not exist"
                + (" (it came from $INPAINTING_DATA)" if os.environ.get("INPAINTING_DATA") == str(path) else "")
                + ".\n" + data_help())
        return _load_cached(path, cache_dir, progress)
    for candidate in _candidates():
        if candidate.exists():
            return _load_cached(candidate, cache_dir, progress)
    if download:
        try:
            return _load_keras()
        except Exception as err:  # no internet, most often
            raise DataNotFoundError(
                f"{data_help()}\n(The download through keras.datasets failed: {err})") from err
    raise DataNotFoundError(data_help())


def _cache_path(path: Path, cache_dir) -> Path:
    cache_dir = Path(cache_dir or os.environ.get("INPAINTING_CACHE")
                     or Path.home() / ".cache" / "inpainting").expanduser()
    stat = path.stat()
    key = f"{CACHE_VERSION}|{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}"
    digest = hashlib.sha256(key.encode()).hexdigest()[:16]
    return cache_dir / f"cifar10-{digest}.npz"


def _load_cached(path: Path, cache_dir, progress) -> Cifar10:
    cache = _cache_path(path, cache_dir)
    if cache.exists():
        try:
            with np.load(cache, allow_pickle=False) as f:
                return Cifar10(f["x_train"], f["y_train"], f["x_test"], f["y_test"],
                               str(f["source"]), str(path), [str(c) for c in f["class_names"]])
        except Exception:
            pass  # a damaged cache is rebuilt below
    data = _decode(path, progress)
    _write_cache(cache, data)
    return data


def _write_cache(cache: Path, data: Cifar10) -> None:
    def write(f):
        np.savez(f, x_train=data.x_train, y_train=data.y_train, x_test=data.x_test, y_test=data.y_test,
                 source=np.str_(data.source), class_names=np.array(data.class_names))

    try:
        atomic_write(cache, write)
    except OSError:
        pass  # a cache we cannot write only costs time


# --------------------------------------------------------------------------- decoding


def _decode(path: Path, progress: bool) -> Cifar10:
    try:
        if path.is_dir():
            batches = path / "cifar-10-batches-py"
            if (path / "data_batch_1").exists():
                return _official_from_files(lambda n: (path / n).read_bytes(), path)
            if (batches / "data_batch_1").exists():
                return _official_from_files(lambda n: (batches / n).read_bytes(), path)
            return _image_folder_from_dir(path, progress)
        if tarfile.is_tarfile(path):
            return _from_tarball(path, progress)
    except (DataNotFoundError, ValueError):
        raise
    except Exception as err:
        raise ValueError(
            f"Could not read CIFAR-10 from {str(path)!r}: {type(err).__name__}: {err}. The file "
            f"may be damaged or incomplete; download or copy it again.") from err
    raise ValueError(
        f"{str(path)!r} is neither a folder nor a .tar.gz archive. " + data_help())


def _unpickle(raw: bytes) -> dict:
    return pickle.loads(raw, encoding="bytes")


def _official_arrays(batch: dict) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(batch[b"data"], dtype=np.uint8).reshape(-1, 3, 32, 32).transpose(0, 2, 3, 1)
    y = np.asarray(batch[b"labels"], dtype=np.int64)
    return np.ascontiguousarray(x), y


def _official_from_files(read, origin) -> Cifar10:
    parts = [_official_arrays(_unpickle(read(f"data_batch_{i}"))) for i in range(1, 6)]
    x_test, y_test = _official_arrays(_unpickle(read("test_batch")))
    x_train = np.concatenate([p[0] for p in parts])
    y_train = np.concatenate([p[1] for p in parts])
    return Cifar10(x_train, y_train, x_test, y_test, OFFICIAL, str(origin))


def _class_order(names) -> list[str]:
    names = sorted(set(names))
    if set(names) == set(CLASS_NAMES):
        return list(CLASS_NAMES)
    return names


def _decode_image(raw: bytes, name: str) -> np.ndarray:
    from PIL import Image

    with Image.open(io.BytesIO(raw)) as im:
        arr = np.asarray(im.convert("RGB"), dtype=np.uint8)
    if arr.shape != (32, 32, 3):
        raise ValueError(f"{name} is {arr.shape[1]}x{arr.shape[0]} pixels; CIFAR-10 images are 32x32.")
    return arr


def _assemble(entries: list[tuple[str, str, str, object]], origin, progress) -> Cifar10:
    """entries: (split, class, file name, bytes-or-reader) -> a Cifar10 (sorted, labelled)."""
    from tqdm.auto import tqdm

    splits = {s for s, _, _, _ in entries}
    if not {"train", "test"} <= splits:
        raise ValueError(
            f"{str(origin)!r} does not look like CIFAR-10: expected folders train/<class>/ and "
            f"test/<class>/ with images, found splits {sorted(splits) or 'none'}. " + data_help())
    classes = _class_order(c for _, c, _, _ in entries)
    out = {}
    for split in ("train", "test"):
        items = sorted((e for e in entries if e[0] == split), key=lambda e: (classes.index(e[1]), e[2]))
        x = np.empty((len(items), 32, 32, 3), dtype=np.uint8)
        y = np.empty(len(items), dtype=np.int64)
        for i, (_, cls, name, raw) in enumerate(
                tqdm(items, desc=f"decoding {split}", disable=not progress, mininterval=1.0)):
            x[i] = _decode_image(raw() if callable(raw) else raw, name)
            y[i] = classes.index(cls)
        out[split] = (x, y)
    return Cifar10(*out["train"], *out["test"], IMAGE_FOLDER, str(origin), classes)


def _split_parts(member: str):
    """'cifar10-jpeg/train/cat/0001.jpg' -> ('train', 'cat', '0001.jpg'), else None."""
    parts = Path(member).parts
    if len(parts) >= 3 and parts[-3] in ("train", "test") and parts[-1].lower().endswith(IMAGE_SUFFIXES):
        return parts[-3], parts[-2], parts[-1]
    return None


def _from_tarball(path: Path, progress: bool) -> Cifar10:
    with tarfile.open(path, "r:*") as tar:
        members = tar.getmembers()
        names = {Path(m.name).name: m for m in members if m.isfile()}
        if "data_batch_1" in names:
            return _official_from_files(lambda n: tar.extractfile(names[n]).read(), path)
        entries = []
        for m in members:
            parts = m.isfile() and _split_parts(m.name)
            if parts:
                entries.append((*parts, tar.extractfile(m).read()))
    return _assemble(entries, path, progress)


def _image_folder_from_dir(path: Path, progress: bool) -> Cifar10:
    entries = []
    for f in path.rglob("*"):
        parts = f.is_file() and _split_parts(str(f.relative_to(path)))
        if parts:
            entries.append((*parts, f.read_bytes))
    return _assemble(entries, path, progress)


def _load_keras() -> Cifar10:
    import keras

    (x_train, y_train), (x_test, y_test) = keras.datasets.cifar10.load_data()
    return Cifar10(x_train, y_train.reshape(-1).astype(np.int64), x_test,
                   y_test.reshape(-1).astype(np.int64), OFFICIAL, "keras.datasets.cifar10")


def _subset(x, y, size, rng, name):
    if size is None:
        return x, y
    if not isinstance(size, (int, np.integer)) or size < 1:
        raise ValueError(f"{name} must be a positive integer or None, got {size!r}.")
    if size >= len(x):
        return x, y
    idx = rng.permutation(len(x))[:size]
    return x[idx], y[idx]
