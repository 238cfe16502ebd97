"""The project's own trained weights: load them by name, check them, publish new ones.

A class on laptops cannot train a GAN for 80,000 iterations, but it can look at one that
was. Everything the course shows about "the trained models" comes from files in
``weights/`` that this project trained with its own command line:

- ``weights/<name>.npz``: the models' variables (half precision) and a JSON record of how
  they were trained (data, budget, seed, hardware, wall time, loss history);
- ``weights/<name>.md``: the model card, written from that record and the results report;
- ``weights/MANIFEST.json``: the SHA-256 of every weights file, checked on each load, so a
  damaged or half-downloaded file is refused instead of silently filling holes badly.

From Python::

    from helpers.pretrained import load_pretrained
    autoencoder = load_pretrained("autoencoder")          # a keras.Model
    trainer = load_pretrained_trainer("gan")              # to fine-tune or keep training

From a shell (what ``tools/train_paper_models.sh`` runs)::

    python -m helpers.pretrained list
    python -m helpers.pretrained publish runs/paper-autoencoder --name autoencoder --select best
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO_ROOT = Path(__file__).resolve().parent.parent
WEIGHTS_ENV = "INPAINTING_WEIGHTS"
MANIFEST = "MANIFEST.json"
META_KEY = "__meta__"
# What each published kind fills holes with, and the paper's name for it.
FILLING_MODEL = {"autoencoder": "autoencoder", "gan": "generator", "pconv": "pconv"}
KIND_TITLES = {"autoencoder": "the paper's convolutional autoencoder",
               "gan": "the paper's context-encoder GAN (generator + discriminator)",
               "pconv": "the partial-convolution U-Net (beyond the paper; Liu et al. 2018)"}
# The budget each kind is measured against (pconv: the paper's autoencoder's, for a fair comparison).
PAPER_BUDGETS = {"autoencoder": (50_000, 64), "gan": (80_000, 32), "pconv": (50_000, 64)}


class PretrainedError(FileNotFoundError):
    """Published weights are unknown, missing, or damaged."""


# --------------------------------------------------------------------------- where and what


def weights_dir() -> Path:
    """``$INPAINTING_WEIGHTS`` if set (tests, a copy elsewhere), else ``<repo>/weights``."""
    env = os.environ.get(WEIGHTS_ENV, "").strip()
    return Path(env).expanduser() if env else REPO_ROOT / "weights"


def read_manifest(folder: Path | None = None) -> dict:
    path = (folder or weights_dir()) / MANIFEST
    if not path.exists():
        return {}
    try:
        return json.loads(path.read_text())
    except ValueError as err:
        raise PretrainedError(f"{path} is damaged ({err}); restore it with "
                              f"`git checkout -- weights/`.") from err


def available() -> list[str]:
    """Names of the published weights (whether or not their files are intact)."""
    return sorted(read_manifest())


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
        raise PretrainedError(f"No published weights named {name!r} (published: {known}). "
                              f"See weights/README.md, or train your own with `python -m helpers.train`.")
    entry = manifest[name]
    path = folder / entry["file"]
    restore = (f"Restore it with `git checkout -- weights/{entry['file']}` (or clone the project "
               f"again), or train your own with `python -m helpers.train {entry['kind']}`.")
    if not path.exists():
        raise PretrainedError(f"The weights file {path} is missing. {restore}")
    size = path.stat().st_size
    if size != entry["bytes"] or sha256(path) != entry["sha256"]:
        hint = (" It looks like a Git LFS pointer, not the file itself." if size < 1024 else "")
        raise PretrainedError(f"The weights file {path} is damaged: its size or SHA-256 differs "
                              f"from weights/{MANIFEST}.{hint} {restore}")
    return path


def read_weights(name: str, folder: Path | None = None) -> tuple[dict, dict]:
    """(record, arrays) of ``name``'s published weights, after :func:`verify`; int8 kernels
    come back as float32, the rest as stored (mostly float16)."""
    meta, arrays = _read_stored(name, folder)
    return meta, dequantize_int8(arrays, meta.get("int8_scales", []))


def _read_stored(name: str, folder: Path | None = None) -> tuple[dict, dict]:
    """(record, arrays as stored: int8 kernels with their scales, float16 arrays)."""
    path = verify(name, folder)
    with np.load(path, allow_pickle=False) as f:
        meta = json.loads(str(f[META_KEY]))
        arrays = {k: f[k] for k in f.files if k != META_KEY}
    if int(meta.get("format", 1)) > NEWEST_FORMAT:
        raise PretrainedError(f"{path} is in storage format {meta['format']}, newer than this "
                              f"copy of helpers understands ({NEWEST_FORMAT}): update the project "
                              f"(git pull) to load it.")
    return meta, unpack_byte_planes(arrays, meta.get("byte_planes", {}))


def record(name: str) -> dict:
    """How ``name`` was trained (data, budget, seed, hardware, time, history)."""
    return read_weights(name)[0]


# --------------------------------------------------------------------------- loading


def _trainer_for(meta: dict, **overrides):
    from .training import LEGACY_SETTINGS, AutoencoderTrainer, GANTrainer, saved_setting

    config = {k: v for k, v in meta.get("config", {}).items() if k != "kind"}
    kind = meta.get("kind") or meta.get("config", {}).get("kind")
    # older records leave out settings they did not vary: read them as they were trained
    config.update({key: saved_setting({**meta.get("config", {}), "kind": kind}, key)
                   for key in LEGACY_SETTINGS.get(kind, {})})
    config.update(overrides)
    if kind == "autoencoder":
        return AutoencoderTrainer(**config)
    if kind == "gan":
        return GANTrainer(**config)
    if kind == "pconv":
        from .training import PConvTrainer

        config["coverage"] = tuple(config.get("coverage", (0.1, 0.4)))
        return PConvTrainer(**config)
    raise PretrainedError(f"Published weights of unknown kind {kind!r}.")


def load_pretrained_trainer(name: str, **trainer_kwargs):
    """A trainer holding ``name``'s published weights, iteration count, seed and loss
    history, ready to evaluate, fine-tune, or continue to the paper's budget with
    ``trainer.fit``. The optimizers start afresh (their state is not published).
    Keyword arguments override the training settings (e.g. ``compile_mode``)."""
    meta, arrays = read_weights(name)
    trainer = _trainer_for(meta, **trainer_kwargs)
    trainer.load_state(meta, arrays, f"weights/{name}", weights_only=True)
    return trainer


def load_pretrained(name: str):
    """The published model that fills holes, as a ``keras.Model``: the autoencoder, or the
    GAN's generator for ``"gan"``."""
    meta = record(name)
    return load_pretrained_trainer(name).models()[FILLING_MODEL[meta["kind"]]]


def _widths_argument(meta: dict) -> str:
    """How the card calls ``build_pconv_unet`` for ``meta``'s U-Net: nothing for the default."""
    from .pconv import PCONV_WIDTHS
    from .training import saved_setting

    widths = tuple(saved_setting({**meta.get("config", {}), "kind": "pconv"}, "widths"))
    return "" if widths == PCONV_WIDTHS else f"widths={widths}"


def _share_words(share: float) -> str:
    return {0.25: "a quarter", 0.5: "half", 0.75: "three quarters"}.get(share, f"{100 * share:g} %")


def _inpainter(model, kind: str, name: str):
    from .models import ModelInpainter

    if kind == "pconv":
        from .pconv import PConvInpainter

        return PConvInpainter(model, name=name)
    return ModelInpainter(model, name=name)


def pretrained_inpainter(name: str, display_name: str | None = None):
    """The published model behind the :class:`~helpers.masks.Inpainter` interface."""
    return _inpainter(load_pretrained(name), record(name)["kind"], display_name or name)


def checkpoint_inpainter(path, display_name: str | None = None):
    """The model that fills holes in a training run's ``checkpoint.npz`` or ``best.npz``:
    to score a run that is not published (``python -m helpers.evaluate --checkpoint``)."""
    from .training import read_checkpoint

    meta, arrays = read_checkpoint(path)
    kind = meta["config"]["kind"]
    trainer = _trainer_for(meta)
    trainer.load_state(meta, arrays, str(path), weights_only=True).adopt_average()
    name = display_name or f"{kind} ({Path(path).parent.name}/{Path(path).name}, iteration {meta['iteration']:,})"
    return _inpainter(trainer.models()[FILLING_MODEL[kind]], kind, name)


# --------------------------------------------------------------------------- publishing


def machine_description() -> str:
    """This machine in words, for records and reports: its CPU and the GPUs Keras sees."""
    from .bench import cpu_name, usable_cpus
    from .training import gpu_names

    gpus = gpu_names()
    return f"{usable_cpus()} CPU cores ({cpu_name()}), " + (", ".join(gpus) if gpus else "no GPU")


def _atomic_write(path: Path, write) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp" + path.suffix)
    try:
        with os.fdopen(fd, "wb") as f:
            write(f)
        os.chmod(tmp, 0o644)  # mkstemp makes it private; these files are for everyone
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


FLOAT16_MAX = float(np.finfo(np.float16).max)
STORAGES = ("float16", "int8")
NEWEST_FORMAT = 3
SCALE_SUFFIX = "::int8_scale"
STORAGE_TITLES = {"float16": "half precision (float16)",
                  "int8": "int8 kernels with one float32 scale per channel of their last axis, the rest float16"}


def half_precision(arrays: dict) -> dict:
    """float32 arrays as float16 (half the bytes); other dtypes (seeds, counters), and the
    rare array with values beyond float16's range (65,504; e.g. a BatchNorm variance), as
    they are, so that nothing becomes infinite."""
    return {k: v.astype(np.float16) if v.dtype == np.float32 and np.abs(v).max(initial=0) <= FLOAT16_MAX
            else v for k, v in arrays.items()}


def pack_byte_planes(arrays: dict) -> tuple[dict, dict]:
    """float16 arrays as two uint8 planes (low bytes, then high bytes), and their shapes.

    Why: neighbouring weights share their high byte (sign and exponent) far more often than
    their low byte, so grouping the bytes by significance lets zip's deflate compress the
    weights about 7 % smaller (1.6 MB over the paper's two models), with identical values.
    """
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


def quantize_int8(arrays: dict) -> dict:
    """Kernels (float32 arrays of two or more dimensions) as int8, with one float32 scale per
    channel of the last axis (the output channels of dense and convolution kernels, the input
    channels of transposed ones) under ``key + SCALE_SUFFIX``; the rest as
    :func:`half_precision` stores them.

    Why: a quarter of float32's bytes, so more models fit the repository's 25 MB. Measure
    it before you use it: it barely moves the paper's two models (see their model cards) but
    costs the partial-convolution U-Net 2 % of validation hole MSE, so that one stays float16.
    """
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


def dequantize_int8(arrays: dict, keys) -> dict:
    """The inverse of :func:`quantize_int8` for ``keys`` (float32); other arrays as they are."""
    out = {k: v for k, v in arrays.items() if not k.endswith(SCALE_SUFFIX)}
    for key in keys:
        quantized, scale = arrays.get(key), arrays.get(key + SCALE_SUFFIX)
        if (quantized is None or scale is None or quantized.dtype != np.int8
                or scale.dtype != np.float32 or scale.ndim != quantized.ndim
                or scale.shape[-1] != quantized.shape[-1] or scale.size != quantized.shape[-1]):
            raise PretrainedError(f"The weights array {key!r} is not int8 with one scale per "
                                  f"channel; the file is damaged or from another tool.")
        out[key] = quantized.astype(np.float32) * scale
    return out


def _int8_keys(stored: dict) -> list[str]:
    """The names of the int8 arrays in ``stored`` (those with a scale beside them)."""
    return sorted(k[:-len(SCALE_SUFFIX)] for k in stored if k.endswith(SCALE_SUFFIX))


def _as_float32(arrays: dict) -> dict:
    """float16 arrays as float32 (what a trainer loads); the rest as they are."""
    return {k: v.astype(np.float32) if v.dtype == np.float16 else v for k, v in arrays.items()}


def _check_storage(storage: str) -> None:
    if storage not in STORAGES:
        raise ValueError(f"storage must be one of {', '.join(STORAGES)}, got {storage!r}.")


def stored_storage(meta: dict) -> str:
    """How a published file stores its weights: "int8" or "float16"."""
    return "int8" if meta.get("int8_scales") else "float16"


def as_stored(arrays: dict, storage: str) -> dict:
    """``arrays`` (float32 or float16) in ``storage``, ready for :func:`_write_weights`."""
    _check_storage(storage)
    return quantize_int8(_as_float32(arrays)) if storage == "int8" else half_precision(arrays)


def restored(stored: dict) -> dict:
    """What a trainer loads from ``stored`` (its :func:`as_stored` form): float32 values."""
    return _as_float32(dequantize_int8(stored, _int8_keys(stored)))


def publish(run_dir, name: str, *, select: str = "last", data_source: str,
            train_images: int, validation_images: int, hardware: str | None = None,
            notes: str = "", command: str = "", precision_check=None,
            folder: Path | None = None, storage: str = "float16", raw: bool = False) -> Path:
    """Publish a run's weights as ``name``: a compact ``.npz`` with its record, the manifest
    entry and the model card. ``select``: "last" (the final state) or "best" (the state with
    the lowest validation hole MSE, ``best.npz``). ``storage``: "float16" or "int8" (see
    :func:`quantize_int8`). ``precision_check``: uint8 images on which the hole MSE of the
    float32 and the stored weights is measured and recorded. A run that averaged its weights
    (``--average``) publishes the average; ``raw=True`` publishes its raw weights instead, as
    if it had not averaged (training is the same either way), e.g. the paper's GAN and its
    averaged variant from one run.
    """
    _check_storage(storage)  # a clear error before any work
    from .training import read_checkpoint

    run_dir, folder = Path(run_dir), Path(folder or weights_dir())
    last_meta, last_arrays = read_checkpoint(run_dir / "checkpoint.npz")
    if select == "best":
        meta, arrays = read_checkpoint(run_dir / "best.npz")
    elif select == "last":
        meta, arrays = last_meta, last_arrays
    else:
        raise ValueError(f"select must be 'last' or 'best', got {select!r}.")
    kind = meta["config"]["kind"]
    history = last_meta["history"]
    if raw:
        if "average_decay" not in meta["config"]:
            raise ValueError(f"{run_dir} did not average its weights: publish it without raw "
                             f"(--raw is for runs trained with --average).")
        if select == "best":
            raise ValueError("The best state of a run that averaged was chosen by the average's "
                             "validation error: publish its raw weights with select='last'.")
        meta = {**meta, "config": {k: v for k, v in meta["config"].items() if k != "average_decay"}}
        # the raw weights' validation errors are the ones their curves and card show
        history = {k: v for k, v in history.items() if k != "val_hole_mse_raw"}
        history["val_hole_mse"] = last_meta["history"].get("val_hole_mse_raw", [])
    trainer = _trainer_for(meta)
    trainer.load_state(meta, arrays, str(run_dir)).adopt_average()
    weights = trainer.weight_arrays()
    stored = as_stored(weights, storage)
    from .training import estimated_train_seconds

    seconds = last_meta.get("train_seconds") or estimated_train_seconds(history, meta["config"]["batch_size"])
    record_ = {
        "name": name, "kind": kind,
        "iteration": int(meta["iteration"]), "trained_iterations": int(last_meta["iteration"]),
        "selection": select, "seed": int(meta.get("seed", 0)), "config": meta["config"],
        **({"validation_seed": int(meta["validation_seed"])} if "validation_seed" in meta else {}),
        "batch_size": int(meta["config"]["batch_size"]),
        "images_seen": int(last_meta["iteration"]) * int(meta["config"]["batch_size"]),
        "data_source": data_source, "train_images": int(train_images),
        "validation_images": int(validation_images), "hardware": hardware or machine_description(),
        "train_seconds": round(float(seconds), 1), "backend": meta.get("backend"),
        "history": history, "published": time.strftime("%Y-%m-%d"), "notes": notes,
        "command": command, "train_seconds_note": "wall time inside the training loop, all sessions",
    }
    if precision_check is not None:
        record_["precision_check"] = _precision_check(trainer, restored(stored), precision_check,
                                                      storage)
    return _write_weights(folder, name, record_, stored)


def _write_weights(folder: Path, name: str, record_: dict, stored: dict) -> Path:
    """Write ``name``'s weights file (atomically), its manifest entry and its model card.
    ``stored``: the arrays as :func:`as_stored` gives them."""
    path = folder / f"{name}.npz"
    packed, shapes = pack_byte_planes(stored)
    int8 = _int8_keys(stored)
    record_ = {k: v for k, v in record_.items() if k not in ("byte_planes", "int8_scales")}
    record_.update(format=2, storage="float16 (byte planes)", byte_planes=shapes)
    if int8:
        record_.update(format=3, storage=STORAGE_TITLES["int8"] + " (byte planes)", int8_scales=int8)

    def write(f):
        np.savez_compressed(f, **{META_KEY: np.str_(json.dumps(record_))}, **packed)

    _atomic_write(path, write)
    manifest = read_manifest(folder)
    manifest[name] = {"file": path.name, "kind": record_["kind"], "bytes": path.stat().st_size,
                      "sha256": sha256(path), "iteration": record_["iteration"]}
    _atomic_write(folder / MANIFEST, lambda f: f.write((json.dumps(manifest, indent=2) + "\n").encode()))
    write_card(name, folder)
    return path


def repack(name: str, folder: Path | None = None, storage: str | None = None,
           check_images=None, notes: str | None = None) -> Path:
    """Rewrite published weights in the current file format, in ``storage`` (default: the
    one they have; then the values stay bit for bit). A change of storage is measured on
    ``check_images`` (uint8) when given: hole MSE before and after, kept in the record.
    ``notes`` replaces the model card's paragraph, e.g. when a model it compares with changed."""
    folder = Path(folder or weights_dir())
    meta, stored = _read_stored(name, folder)
    if notes is not None:
        meta["notes"] = notes
    before = stored_storage(meta)
    storage = storage or before
    if storage != before:
        arrays = dequantize_int8(stored, meta.get("int8_scales", []))
        stored = as_stored(arrays, storage)
        meta["repacked"] = {"from": before, "to": storage, "on": time.strftime("%Y-%m-%d")}
        if check_images is not None:
            trainer = _trainer_for(meta)
            trainer.load_state(meta, restored(arrays), f"weights/{name}", weights_only=True)
            check = _precision_check(trainer, restored(stored), check_images, storage)
            meta["repacked"].update(images=check["images"], hole_mse_before=check["hole_mse_float32"],
                                    hole_mse_after=check["hole_mse_stored"],
                                    relative_change=check["relative_change"])
    return _write_weights(folder, name, meta, stored)


def _precision_check(trainer, stored_values: dict, images_uint8, storage: str) -> dict:
    """Hole MSE (unit scale) with the trainer's weights (float32) and with ``stored_values``
    (what loading the stored copy gives); the trainer ends holding the stored copy."""
    full = trainer.validate(images_uint8)
    meta = {"iteration": trainer.iteration, **trainer.seeds(), "history": trainer.history,
            "config": trainer._config_check(), "train_seconds": trainer.train_seconds}
    trainer.load_state(meta, stored_values, f"{storage} copy", weights_only=True)
    stored = trainer.validate(images_uint8)
    return {"images": int(len(images_uint8)), "storage": storage, "hole_mse_float32": full,
            "hole_mse_stored": stored, "relative_change": (stored - full) / full}


# --------------------------------------------------------------------------- model cards


def _results_row(name: str, sha: str) -> dict | None:
    """This model's row of the results report, if the report was made from these weights."""
    path = REPO_ROOT / "results" / "results.json"
    try:
        report = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    for row in report.get("results", []):
        if row.get("pretrained") == name and row.get("sha256") == sha:
            return {**row, "data_source": report.get("data_source"), "n_images": row.get("n_images")}
    return None


def _duration(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"


def _variant_option(meta: dict) -> str:
    """" --variant NAME" when an autoencoder was trained with a named variant's settings, and
    " --average DECAY" for a run that averaged its weights."""
    if meta["config"].get("average_decay") is not None:
        return f"{_autoencoder_variant(meta)} --average {meta['config']['average_decay']:g}"
    return _autoencoder_variant(meta)


def _autoencoder_variant(meta: dict) -> str:
    if meta.get("kind") != "autoencoder" or not meta["config"].get("flip"):
        return ""
    from .training import AUTOENCODER_VARIANTS

    for variant, settings in AUTOENCODER_VARIANTS.items():
        if variant != "paper" and all(meta["config"].get(k) == (list(v) if isinstance(v, tuple) else v)
                                      for k, v in settings.items()):
            return f" --variant {variant}"
    return " (with its own settings, below)"


def model_card(name: str, folder: Path | None = None) -> str:
    """The model card of ``name`` as Markdown, from its record and the results report."""
    folder = Path(folder or weights_dir())
    entry = read_manifest(folder)[name]
    with np.load(folder / entry["file"], allow_pickle=False) as f:
        meta = json.loads(str(f[META_KEY]))
    kind = meta["kind"]
    paper_iterations, paper_batch = PAPER_BUDGETS[kind]
    history = meta["history"]
    val = [(i, v) for i, v in zip(history["iteration"], history.get("val_hole_mse", [])) if v is not None]
    train_key = "loss" if kind == "autoencoder" else "g_l2"
    train = [(i, v) for i, v in zip(history["iteration"], history.get(train_key, [])) if v is not None]
    averaged = (f", its {FILLING_MODEL[kind]}'s weights averaged over training (beyond the paper)"
                if meta["config"].get("average_decay") else "")
    lines = [f"# Model card: `{name}`", "",
             f"{KIND_TITLES[kind][0].upper() + KIND_TITLES[kind][1:]}{averaged}"
             f", trained by this project with "
             f"`python -m helpers.train {kind}{_variant_option(meta)}`. Load it with "
             f"`helpers.pretrained.load_pretrained({name!r})`.", ""]
    if meta.get("notes"):
        lines += [meta["notes"], ""]
    share = meta["trained_iterations"] / paper_iterations
    lines += [
        "## Training", "",
        (f"- Architecture: `helpers.pconv.build_pconv_unet({_widths_argument(meta)})` (partial convolutions, Liu et al. 2018; "
         f"trained on random free-form holes and, for {_share_words(meta['config'].get('center_fraction', 0.25))} "
         "of the images, the centre square)."
         if kind == "pconv" else
         f"- Architecture: `helpers.models.build_{FILLING_MODEL[kind]}()`"
         + (" and `build_discriminator()`" if kind == "gan" else "") + " (the paper's tables; see SPEC.md)."),
        f"- Data: {meta['data_source']}, {meta['train_images']:,} training images; "
        f"{meta['validation_images']:,} more carved from the training set for validation "
        f"(never the test set). "
        + ("Validation scores the 16x16 centre hole." if kind == "pconv" else "16x16 centre hole."),
        f"- Budget: {meta['trained_iterations']:,} iterations at batch {meta['batch_size']} "
        f"({meta['images_seen']:,} images seen, {meta['images_seen'] / meta['train_images']:.1f} passes); "
        + (f"the paper's {'autoencoder ' if kind == 'pconv' else ''}budget ({paper_iterations:,} at batch "
           f"{paper_batch})." if share >= 1 else
           f"{100 * share:.1f}% of the paper's {'autoencoder budget of ' if kind == 'pconv' else ''}"
           f"{paper_iterations:,} iterations at batch {paper_batch}."),
        f"- Published state: iteration {meta['iteration']:,} ("
        + ("the lowest validation hole MSE" if meta["selection"] == "best" else "the last one") + ").",
        f"- Settings: {', '.join(f'{k}={v}' for k, v in meta['config'].items() if k != 'kind')}; seed {meta['seed']}"
        + (f" (validation split: seed {meta['validation_seed']})" if "validation_seed" in meta else "") + ".",
        f"- Hardware: {meta['hardware']}; {_duration(meta['train_seconds'])} of training "
        f"({meta['backend']} backend).",
        f"- Storage: {STORAGE_TITLES[stored_storage(meta)]}; {entry['bytes'] / 1e6:.1f} MB, "
        f"SHA-256 `{entry['sha256'][:16]}...`.",
    ]
    if meta.get("command"):
        lines += [f"- Command: `{meta['command']}`"]
    pc = meta.get("precision_check")
    if pc:
        kept = pc.get("storage", "float16")
        lines += [f"- Storage, measured when published: hole MSE {pc['hole_mse_float32']:.5f} with the "
                  f"float32 weights and {pc.get('hole_mse_stored', pc.get('hole_mse_float16')):.5f} "
                  f"stored as {kept} ({100 * pc['relative_change']:+.2f}%), on {pc['images']:,} "
                  f"validation images."]
    moved = meta.get("repacked")
    if moved and "images" in moved:
        lines += [f"- Repacked from {moved['from']} to {moved['to']} on {moved['on']}: hole MSE "
                  f"{moved['hole_mse_before']:.5f} before and {moved['hole_mse_after']:.5f} after "
                  f"({100 * moved['relative_change']:+.2f}%), on {moved['images']:,} validation images."]
    lines += ["", "## Errors (hole region, [0,1] scale)", ""]
    if train:
        lines += [f"- Training loss ({'MSE of the patch' if kind == 'autoencoder' else 'L2 of the patch, [-1,1] scale'})"
                  f", mean over the last logged window: {train[-1][1]:.4f} at iteration {train[-1][0]:,}."]
    if val:
        best = min(val, key=lambda p: p[1])
        lines += [f"- Validation hole MSE: {val[-1][1]:.4f} at iteration {val[-1][0]:,} (the last), "
                  f"lowest {best[1]:.4f} at iteration {best[0]:,}."]
    row = _results_row(name, entry["sha256"])
    if row:
        lines += [f"- Test ({row['n_images']:,} test images of {row['data_source']}): hole MSE "
                  f"{row['hole_mse']:.4f}, hole L1 {row['hole_l1']:.4f}, mean hole PSNR "
                  f"{row['hole_psnr']:.2f} dB, SSIM {row['ssim']:.3f}, sharpness ratio "
                  f"{row['sharpness_ratio']:.2f}. From `python -m helpers.report` (results/README.md)."]
    else:
        lines += ["- Test: run `python -m helpers.report` to score these weights on the test set."]
    if kind == "autoencoder":
        lines += ["", "The paper reports its autoencoder \"converged to 0.009\". Compare the errors above: "
                  "a training loss keeps falling as the model memorises its training images while "
                  "the validation and test errors level off, so 0.009 is most likely a training "
                  "error late in a long run, not a test error."]
    # a state already at the paper's budget continues past it (to it would train nothing)
    until = paper_iterations if int(meta["iteration"]) < paper_iterations else int(meta["iteration"]) + 10_000
    lines += ["", "## Continue or fine-tune", "",
              f"`python -m helpers.train {kind}{' --fused' if kind == 'gan' else ''} --from-pretrained {name} "
              f"--iterations {until} --validation-size {meta['validation_images']} "
              f"--out runs/{name}-continued` continues from these weights to iteration {until:,} (the "
              f"iteration count, seed and data order carry on; the optimizer state starts afresh).", ""]
    return "\n".join(lines)


def write_card(name: str, folder: Path | None = None) -> Path:
    folder = Path(folder or weights_dir())
    path = folder / f"{name}.md"
    text = model_card(name, folder)
    _atomic_write(path, lambda f: f.write(text.encode()))
    return path


# --------------------------------------------------------------------------- command line


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m helpers.pretrained",
                                     description="List, check or publish the project's trained weights.")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("list", help="the published weights and whether each file is intact")
    pub = sub.add_parser("publish", help="publish a run's weights (float16 or int8) with its model card")
    pub.add_argument("run_dir", help="the run folder of `python -m helpers.train` (checkpoint.npz)")
    pub.add_argument("--name", required=True, help="the name to load it by, e.g. autoencoder")
    pub.add_argument("--select", choices=["last", "best"], default="last",
                     help="publish the final state or the one with the lowest validation error")
    pub.add_argument("--hardware", default=None, help="where it trained (default: this machine)")
    pub.add_argument("--notes", default="", help="a paragraph for the model card")
    pub.add_argument("--command-line", default="", help="the command that trained it, for the card")
    pub.add_argument("--validation-size", type=int, default=5000,
                     help="the run's --validation-size (its split is recomputed with its seeds)")
    pub.add_argument("--data", default=None, help="CIFAR-10 location, as for helpers.train")
    pub.add_argument("--raw", action="store_true",
                     help="a run trained with --average: publish its raw (not averaged) weights, "
                          "as if it had not averaged (with --select last)")
    pub.add_argument("--storage", choices=STORAGES, default="float16",
                     help="float16 (default), or int8 kernels with a scale per channel: "
                          "about half the bytes again; the change in hole MSE is measured and "
                          "printed, so check it before you keep it")
    sub.add_parser("cards", help="rewrite every model card (after the results report changed)")
    rep = sub.add_parser("repack", help="rewrite published weights in the current file format")
    rep.add_argument("names", nargs="+", help="published names, e.g. autoencoder gan")
    rep.add_argument("--storage", choices=STORAGES, default=None,
                     help="change the storage (measured on the model's validation images)")
    rep.add_argument("--data", default=None, help="CIFAR-10 location, for that measurement")
    rep.add_argument("--notes", default=None,
                     help="replace the model card's paragraph (one name only; the values stay)")
    args = parser.parse_args(argv)

    if args.command == "list":
        for name in available():
            try:
                verify(name)
                state = "ok"
            except PretrainedError as err:
                state = f"NOT OK: {err}"
            entry = read_manifest()[name]
            print(f"{name:24s} {entry['kind']:12s} iteration {entry['iteration']:>7,}  "
                  f"{entry['bytes'] / 1e6:5.1f} MB  {state}")
        if not available():
            print(f"No published weights in {weights_dir()}.")
        return 0
    if args.command == "repack":
        if args.notes is not None and len(args.names) != 1:
            print("error: --notes replaces one model's paragraph: give one name", file=sys.stderr)
            return 2
        for name in args.names:
            try:
                before = verify(name).stat().st_size
            except PretrainedError as err:
                print(f"error: {err}", file=sys.stderr)
                return 2
            meta = record(name)
            check = None
            if args.storage and args.storage != stored_storage(meta):
                check = _validation_images(args.data, meta)
            path = repack(name, storage=args.storage, check_images=check, notes=args.notes)
            moved = record(name).get("repacked", {})
            change = (f"hole MSE on {moved['images']:,} validation images {moved['hole_mse_before']:.5f} -> "
                      f"{moved['hole_mse_after']:.5f}" if check is not None else "same values")
            if args.notes is not None:
                change += "; new notes"
            print(f"Repacked {path}: {before / 1e6:.2f} MB -> {path.stat().st_size / 1e6:.2f} MB, {change}.")
        return 0
    if args.command == "cards":
        for name in available():
            print(write_card(name))
        return 0

    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    from .data import load_cifar10, split_validation

    from .training import read_checkpoint, validation_seed_of

    run = read_checkpoint(Path(args.run_dir) / "checkpoint.npz", arrays=False)[0]
    data = load_cifar10(args.data, seed=int(run.get("seed", 0)), progress=False)
    x_train, _, x_val, _ = split_validation(data.x_train, data.y_train, args.validation_size,
                                            validation_seed_of(run))
    try:
        path = publish(args.run_dir, args.name, select=args.select, data_source=data.source,
                       train_images=len(x_train), validation_images=len(x_val), hardware=args.hardware,
                       notes=args.notes, command=args.command_line, precision_check=x_val,
                       storage=args.storage, raw=args.raw)
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    meta = record(args.name)
    pc = meta["precision_check"]
    print(f"Published {path} ({path.stat().st_size / 1e6:.1f} MB), iteration {meta['iteration']:,}; "
          f"validation hole MSE float32 {pc['hole_mse_float32']:.5f}, {args.storage} "
          f"{pc['hole_mse_stored']:.5f}.")
    return 0


def _validation_images(data_path, meta: dict):
    """The validation images a published model (its record ``meta``) was chosen on: its
    split, recomputed."""
    from .data import load_cifar10, split_validation
    from .training import validation_seed_of

    data = load_cifar10(data_path, seed=int(meta["seed"]), progress=False)
    return split_validation(data.x_train, data.y_train, int(meta["validation_images"]),
                            validation_seed_of(meta))[2]


if __name__ == "__main__":
    sys.exit(main())
