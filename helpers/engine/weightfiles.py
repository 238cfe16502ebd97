"""The published weights' files: where they are, how their arrays are stored, and the manifest
that says each file is intact.

- ``weights/<name>.npz``: the models' variables and a JSON record (under :data:`META_KEY`) of
  how they were trained: data, budget, settings, seeds, hardware, wall time, loss history;
- ``weights/MANIFEST.json``: each file's kind, size and SHA-256, checked on every load, so a
  damaged or half-downloaded file is refused instead of silently filling holes badly.

Storage, to fit the repository's budget (:data:`SIZE_BUDGET_BYTES`): kernels as int8 with one float32 scale per channel
(:func:`quantize_int8`) or everything as float16 (:func:`half_precision`), and every float16
array split into two byte planes (:func:`pack_byte_planes`), which zip compresses better.
docs/weights.md describes the format in full.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import numpy as np

from .files import REPO_ROOT, atomic_write, write_json

WEIGHTS_ENV = "INPAINTING_WEIGHTS"
MANIFEST = "MANIFEST.json"
META_KEY = "__meta__"
FORMAT = 3
STORAGES = ("float16", "int8")
STORAGE_TITLES = {"float16": "half precision (float16)",
                  "int8": "int8 kernels with one float32 scale per channel of their last axis, the rest float16"}
SCALE_SUFFIX = "::int8_scale"
FLOAT16_MAX = float(np.finfo(np.float16).max)
SIZE_BUDGET_BYTES = 50_000_000   # all published files together (MB = 10^6 bytes)


class PretrainedError(FileNotFoundError):
    """Published weights are unknown, missing, or damaged."""


# --------------------------------------------------------------------------- where, and intact


def weights_dir() -> Path:
    """``$INPAINTING_WEIGHTS`` if set (tests, a copy elsewhere), else ``<repo>/weights``."""
    env = os.environ.get(WEIGHTS_ENV, "").strip()
    return Path(env).expanduser() if env else REPO_ROOT / "weights"


def read_manifest(folder: Path | None = None) -> dict:
    path = Path(folder or weights_dir()) / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except ValueError as err:
        raise PretrainedError(f"{path} is damaged ({err}); restore it with "
                              f"`git checkout -- weights/`.") from err


def available(folder: Path | None = None) -> list[str]:
    """Names of the published weights (whether or not their files are intact)."""
    return sorted(read_manifest(folder))


def sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def verify(name: str, folder: Path | None = None) -> Path:
    """The path of ``name``'s weights after checking that the file is there and intact."""
    folder = Path(folder or weights_dir())
    manifest = read_manifest(folder)
    if name not in manifest:
        known = ", ".join(repr(n) for n in sorted(manifest)) or "none yet"
        raise PretrainedError(f"No published weights named {name!r} (published: {known}). See "
                              f"weights/README.md, or train your own with `python -m helpers.cli.train`.")
    entry = manifest[name]
    path = folder / entry["file"]
    restore = (f"Restore it with `git checkout -- weights/{entry['file']}` (or clone the project "
               f"again), or train your own with `python -m helpers.cli.train {entry['kind']}`.")
    if not path.exists():
        raise PretrainedError(f"The weights file {path} is missing. {restore}")
    size = path.stat().st_size
    if size != entry["bytes"] or sha256(path) != entry["sha256"]:
        hint = (" It looks like a Git LFS pointer, not the file itself." if size < 1024 else "")
        raise PretrainedError(f"The weights file {path} is damaged: its size or SHA-256 differs "
                              f"from weights/{MANIFEST}.{hint} {restore}")
    return path


# --------------------------------------------------------------------------- reading


def read_stored(name: str, folder: Path | None = None) -> tuple[dict, dict]:
    """(record, arrays as stored: int8 kernels with their scales, float16 arrays)."""
    path = verify(name, folder)
    with np.load(path, allow_pickle=False) as f:
        meta = json.loads(str(f[META_KEY]))
        arrays = {k: f[k] for k in f.files if k != META_KEY}
    if int(meta.get("format", 1)) > FORMAT:
        raise PretrainedError(f"{path} is in storage format {meta['format']}, newer than this copy "
                              f"of helpers understands ({FORMAT}): update the project (git pull) to load it.")
    return meta, unpack_byte_planes(arrays, meta.get("byte_planes", {}))


def read_weights(name: str, folder: Path | None = None) -> tuple[dict, dict]:
    """(record, arrays) of ``name``'s published weights, after :func:`verify`: every float
    array as float32, ready to load into a trainer."""
    meta, stored = read_stored(name, folder)
    return meta, restored(stored)


def read_record(name: str, folder: Path | None = None) -> dict:
    """The record of ``name`` (after :func:`verify`), without reading its arrays."""
    with np.load(verify(name, folder), allow_pickle=False) as f:
        return json.loads(str(f[META_KEY]))


# --------------------------------------------------------------------------- storage


def half_precision(arrays: dict) -> dict:
    """float32 arrays as float16 (half the bytes); other dtypes (seeds, counters), and the rare
    array with values beyond float16's range (65,504; e.g. a BatchNorm variance), as they are."""
    return {k: v.astype(np.float16) if v.dtype == np.float32 and np.abs(v).max(initial=0) <= FLOAT16_MAX
            else v for k, v in arrays.items()}


def quantize_int8(arrays: dict) -> dict:
    """Kernels (float32 arrays of two or more dimensions) as int8, with one float32 scale per
    channel of the last axis (the output channels of dense and convolution kernels, the input
    channels of transposed ones) under ``key + SCALE_SUFFIX``; the rest as float16.
    A quarter of float32's bytes; measure its cost before keeping it (publish does)."""
    out = {}
    for key, value in arrays.items():
        if value.dtype == np.float32 and value.ndim >= 2 and value.size:
            peak = np.abs(value).max(axis=tuple(range(value.ndim - 1)), keepdims=True)
            scale = np.where(peak > 0, peak / 127, 1).astype(np.float32)
            out[key] = np.clip(np.rint(value / scale), -127, 127).astype(np.int8)
            out[key + SCALE_SUFFIX] = scale
        else:
            out.update(half_precision({key: value}))
    return out


def int8_keys(stored: dict) -> list[str]:
    """The names of the int8 arrays in ``stored`` (those with a scale beside them)."""
    return sorted(k[:-len(SCALE_SUFFIX)] for k in stored if k.endswith(SCALE_SUFFIX))


def dequantize_int8(stored: dict) -> dict:
    """The inverse of :func:`quantize_int8` (int8 arrays back as float32); the rest as they are."""
    out = {k: v for k, v in stored.items() if not k.endswith(SCALE_SUFFIX)}
    # an int8 array is a quantized kernel: one without its scales would load as raw integers
    lost = sorted(k for k, v in out.items() if v.dtype == np.int8 and k + SCALE_SUFFIX not in stored)
    for key in lost + int8_keys(stored):
        quantized, scale = stored.get(key), stored.get(key + SCALE_SUFFIX)
        if (quantized is None or scale is None or quantized.dtype != np.int8 or scale.dtype != np.float32
                or scale.ndim != quantized.ndim or scale.size != quantized.shape[-1]):
            raise PretrainedError(f"The weights array {key!r} is not int8 with one scale per "
                                  f"channel; the file is damaged or from another tool.")
        out[key] = quantized.astype(np.float32) * scale
    return out


def pack_byte_planes(arrays: dict) -> tuple[dict, dict]:
    """float16 arrays as two uint8 planes (low bytes, then high bytes), and their shapes.
    Neighbouring weights share their high byte (sign and exponent) far more often than their
    low byte, so grouping the bytes lets zip compress the file smaller, with identical values."""
    packed, shapes = {}, {}
    for key, value in arrays.items():
        if value.dtype == np.float16:
            little = np.ascontiguousarray(value, dtype="<f2").reshape(-1)
            packed[key] = np.ascontiguousarray(little.view(np.uint8).reshape(-1, 2).T)
            shapes[key] = list(value.shape)
        else:
            packed[key] = value
    return packed, shapes


def unpack_byte_planes(arrays: dict, shapes: dict) -> dict:
    """The inverse of :func:`pack_byte_planes` (``shapes``: its second result)."""
    out = dict(arrays)
    for key, shape in shapes.items():
        planes = arrays[key]
        if planes.dtype != np.uint8 or planes.ndim != 2 or planes.shape[0] != 2 \
                or planes.shape[1] != int(np.prod(shape, dtype=np.int64)):
            raise PretrainedError(f"The weights array {key!r} is not two byte planes of shape "
                                  f"{shape}; the file is damaged or from another tool.")
        out[key] = np.ascontiguousarray(planes.T).view("<f2").reshape(shape).astype(np.float16)
    return out


def check_storage(storage: str) -> str:
    if storage not in STORAGES:
        raise ValueError(f"storage must be one of {', '.join(STORAGES)}, got {storage!r}.")
    return storage


def storage_of(stored: dict) -> str:
    """How stored arrays keep their weights: "int8" or "float16"."""
    return "int8" if int8_keys(stored) else "float16"


def as_stored(arrays: dict, storage: str) -> dict:
    """``arrays`` (float32 or float16) in ``storage``, ready for :func:`write_weights`."""
    floats = _as_float32(arrays)
    return quantize_int8(floats) if check_storage(storage) == "int8" else half_precision(floats)


def restored(stored: dict) -> dict:
    """What a trainer loads from ``stored``: every float array as float32."""
    return _as_float32(dequantize_int8(stored))


def _as_float32(arrays: dict) -> dict:
    return {k: v.astype(np.float32) if v.dtype == np.float16 else v for k, v in arrays.items()}


# --------------------------------------------------------------------------- writing


def write_weights(folder: Path, name: str, record: dict, stored: dict) -> Path:
    """Write ``name``'s weights file (atomically) and its manifest entry. ``stored``: the
    arrays as :func:`as_stored` gives them; ``record``: how they were trained."""
    path = Path(folder) / f"{name}.npz"
    packed, shapes = pack_byte_planes(stored)
    storage = storage_of(stored)
    record = {**{k: v for k, v in record.items() if k not in ("byte_planes", "int8_scales")},
              "format": FORMAT, "storage": STORAGE_TITLES[storage] + " (byte planes)",
              "byte_planes": shapes, "int8_scales": int8_keys(stored)}
    atomic_write(path, lambda f: np.savez_compressed(f, **{META_KEY: np.str_(json.dumps(record))}, **packed))
    manifest = read_manifest(folder)
    manifest[name] = {"file": path.name, "kind": record["kind"], "bytes": path.stat().st_size,
                      "sha256": sha256(path), "iteration": record["iteration"]}
    write_json(Path(folder) / MANIFEST, manifest)
    return path
