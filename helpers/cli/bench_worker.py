"""One backend's share of ``python -m helpers.cli.bench``, run in a child process of its own:
``KERAS_BACKEND`` is set before this module (and so Keras) is imported.

    python -m helpers.cli.bench_worker RESULT.json SETTINGS_JSON
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import keras
import numpy as np

from ..batches import BatchSampler
from ..engine.backend import check_backend, gpu_names
from ..holes import make_pairs
from ..models import build_autoencoder
from ..trainers import AutoencoderTrainer, GANTrainer
from .bench import (GAN_TRAIN_ON_BATCH_NOTE, INFERENCE_BATCH, MODELS, Settings, peak_memory_mb,
                    synthetic_images, timed, timed_until)


def training_variants(backend: str) -> dict[str, list[dict]]:
    """The loops to time per model, as (name, how to build it) specs, eager reference first."""
    compiled = ["auto"] + (["xla"] if backend == "tensorflow" else [])
    ae = ([{"variant": "eager", "compile_mode": "eager"},
           {"variant": "keras train_on_batch", "keras": True}]
          + [{"variant": f"project {m}", "compile_mode": m} for m in compiled])
    gan = ([{"variant": "eager (three calls)", "compile_mode": "eager", "fused": False},
            {"variant": "keras train_on_batch", "na": GAN_TRAIN_ON_BATCH_NOTE}]
           + [{"variant": f"project {m}{' fused' if fused else ''}", "compile_mode": m, "fused": fused}
              for m in compiled for fused in (False, True)])
    return {"autoencoder": ae, "gan": gan}


def make_autoencoder_step(spec: dict, seed: int):
    """One training iteration of the autoencoder on a uint8 batch, blocking until done.

    Returns ``(step, resolved)``; ``resolved`` says how the loop was really compiled."""
    if spec.get("keras"):
        keras.utils.set_random_seed(seed)
        model = build_autoencoder()
        model.compile(optimizer=keras.optimizers.Adam(1e-3), loss="mse")

        def step(batch):
            holed, patch = make_pairs(batch, "unit")
            return float(model.train_on_batch(holed, patch))  # returns numpy: already blocked

        jit = getattr(model, "jit_compile", None)
        return step, f"model.compile(jit_compile={jit})"
    trainer = AutoencoderTrainer(seed=seed, compile_mode=spec["compile_mode"])
    return (lambda batch: _block(trainer.train_step(batch))), trainer.compile_mode


def make_gan_step(spec: dict, seed: int):
    """One iteration of the GAN schedule (D real, D fake, combined) on a uint8 batch."""
    trainer = GANTrainer(seed=seed, compile_mode=spec["compile_mode"], fused=spec["fused"])
    return (lambda batch: _block(trainer.train_step(batch))), trainer.compile_mode


def _block(logs: dict) -> float:
    """Wait for a step to finish: JAX dispatches asynchronously, so read one of its outputs.
    Every state of a step feeds the next step, so the last output read closes the timing."""
    return float(logs[next(reversed(logs))])


def time_loop(step, images: np.ndarray, batch_size: int, warmup: int, iterations: int,
              seed: int) -> dict:
    """Warm up untimed, then time ``iterations`` steps on the project's batches."""
    sampler = BatchSampler(images, batch_size, seed)
    start = time.perf_counter()
    for t in range(warmup):
        step(sampler.batch(t))
    warm = time.perf_counter() - start
    seconds = timed(lambda t: step(sampler.batch(warmup + t)), iterations)
    return {"images_per_second": iterations * batch_size / seconds, "seconds": seconds,
            "warmup_seconds": warm, "iterations": iterations, "warmup": warmup}


def bench_training(settings: Settings, backend: str, images: np.ndarray) -> list[dict]:
    """Every training variant of both models; ratios to the backend's eager reference."""
    rows = []
    for model, specs in training_variants(backend).items():
        batch = MODELS[model]
        eager = None
        for spec in specs:
            if settings.variants and spec["variant"] not in settings.variants:
                continue
            row = {"kind": "training", "model": model, "backend": backend,
                   "variant": spec["variant"], "batch": batch}
            if "na" in spec:
                rows.append({**row, "images_per_second": None, "note": spec["na"]})
                continue
            iterations = _iterations(settings, model, spec)
            make = make_autoencoder_step if model == "autoencoder" else make_gan_step
            step, resolved = make(spec, settings.seed)
            warmup = settings.warmup if model == "autoencoder" else settings.gan_warmup
            row.update(time_loop(step, images, batch, warmup, iterations, settings.seed))
            row["resolved"] = resolved
            if spec.get("compile_mode") == "eager":
                eager = row["images_per_second"]
            row["vs_eager"] = row["images_per_second"] / eager if eager else None
            rows.append(row)
    return rows


def _iterations(settings: Settings, model: str, spec: dict) -> int:
    if model == "autoencoder":
        return settings.iterations
    if spec.get("compile_mode") == "eager":
        return settings.eager_gan_iterations
    return settings.gan_iterations


# --------------------------------------------------------------------------- worker: the rest


def bench_inference(settings: Settings, backend: str, images: np.ndarray) -> list[dict]:
    """Both models at batch 256: the Keras call ``helpers.evaluation`` makes (through
    :class:`~helpers.inpainters.ModelInpainter`), and the trainers' compiled predict."""
    images = images[:settings.inference_images]
    trainers = {"autoencoder": AutoencoderTrainer(seed=settings.seed),
                "gan": GANTrainer(seed=settings.seed)}
    rows = []
    for model, trainer in trainers.items():
        base = {"kind": "inference", "model": model, "backend": backend, "batch": INFERENCE_BATCH}
        batches = [images[i:i + INFERENCE_BATCH] for i in range(0, len(images), INFERENCE_BATCH)]
        inpainter = trainer.inpainter()
        inpainter.batch_size = INFERENCE_BATCH
        paths = {"keras call (ModelInpainter, as evaluate)": inpainter.fill,
                 f"project predict ({trainer.compile_mode})": trainer.predict_patch_unit}
        for variant, fill in paths.items():
            fill(batches[0])  # warm-up: tracing, compilation, first allocations
            calls, seconds = timed_until(lambda i: fill(batches[i]), settings.inference_seconds,
                                         len(batches))
            rows.append({**base, "variant": variant, "images_per_second":
                         sum(len(b) for b in batches[:calls]) / seconds, "batches": calls})
    return rows


def bench_pipeline(settings: Settings, backend: str, images: np.ndarray) -> list[dict]:
    """The input pipeline alone: seeded batches and training pairs, no model."""
    rows = []
    for model, batch in MODELS.items():
        scale = "unit" if model == "autoencoder" else "signed"
        sampler = BatchSampler(images, batch, settings.seed)
        make_pairs(sampler.batch(0), scale)
        seconds = timed(lambda t: make_pairs(sampler.batch(t), scale), settings.pipeline_batches)
        rows.append({"kind": "pipeline", "model": model, "backend": backend,
                     "variant": f"BatchSampler + make_pairs ({scale})", "batch": batch,
                     "images_per_second": settings.pipeline_batches * batch / seconds})
    return rows


def run_worker(settings: Settings) -> dict:
    """Everything measured on the current backend, as one JSON-able dict."""
    backend = check_backend()
    images = synthetic_images(settings.images, settings.seed)
    start = time.perf_counter()
    rows = (bench_pipeline(settings, backend, images) + bench_training(settings, backend, images)
            + bench_inference(settings, backend, images))
    return {"backend": backend, "keras": keras.__version__, "devices": gpu_names(),
            "rows": rows, "peak_memory_mb": peak_memory_mb(),
            "wall_seconds": time.perf_counter() - start}


def main(argv=None) -> int:
    out, settings = (argv or sys.argv[1:])[:2]
    settings = Settings(**{k: tuple(v) if isinstance(v, list) else v for k, v in json.loads(settings).items()})
    Path(out).write_text(json.dumps(run_worker(settings)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
