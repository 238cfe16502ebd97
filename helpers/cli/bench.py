"""How fast is each part of the project, side by side, measured in one run: ``python -m helpers.cli.bench``.

Why one command: speed claims ("graph mode is the fastest", "the input pipeline is not the
bottleneck") are only comparable when measured on the same machine, in the same run, with
the same synthetic data. Timed *tests* would be flaky; a benchmark that prints a table is not.

What it measures (every throughput in images per second):

- training, for the autoencoder (batch 64) and the GAN (batch 32), on every installed backend,
  for each loop variant: a plain eager reference (``compile_mode="eager"``), Keras's own
  ``model.train_on_batch`` (autoencoder only: see :data:`GAN_TRAIN_ON_BATCH_NOTE`), and the
  project's compiled loop (``compile_mode="auto"``, plus ``"xla"`` on TensorFlow; for the GAN
  both the three-call schedule and ``fused=True``). Each variant runs a few untimed warm-up
  iterations (tracing and compilation), then a fixed number of timed ones; the ratio is to the
  same backend's eager reference;
- inference at batch 256 for both models (the Keras call that ``helpers.evaluation`` uses, and
  the trainer's compiled predict), and the classical fills (through ``helpers.evaluation``);
- the input pipeline alone (:class:`~helpers.batches.BatchSampler` + ``make_pairs``), and its
  ratio to the fastest training loop of the same model: it should be at least
  :data:`PIPELINE_TARGET` times faster;
- loading CIFAR-10 (cached, and with ``--measure-decode`` the first decode too) and the training
  arrays' memory, when the data is found; the peak memory of each backend's worker process.

The backend is chosen when Keras is imported, so each backend is measured in its own child
process (``python -m helpers.cli.bench_worker``, :mod:`helpers.cli.bench_worker`), one after the other, never in parallel;
this parent process imports neither Keras nor a backend. Training and inference use synthetic
uint8 images (random pixels: a convolution costs the same on any content), so it runs anywhere.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from .. import registry
from ..classical import classical_fills
from ..data import DataNotFoundError, load_cifar10
from ..engine.files import REPO_ROOT
from ..engine.machine import cpu_name, usable_cpus
from ..evaluation import evaluate

BACKENDS = ("tensorflow", "jax")
# the paper's two models, each at the paper's training batch size
MODELS = {name: registry.kind(name).budget.batch_size for name in ("autoencoder", "gan")}
INFERENCE_BATCH = 256
PIPELINE_TARGET = 10.0                         # the pipeline should beat training by this factor

GAN_TRAIN_ON_BATCH_NOTE = (
    "GAN with train_on_batch: n/a. Keras 3 has no correct recipe: the Keras 2 one leaves the "
    "discriminator untrained in Keras 3 (helpers/engine/backend.py says how). Doing it right needs a custom train_step, "
    "which is what the project's loop is (helpers/steps.py, helpers/trainers.py).")


@dataclass
class Settings:
    """How much to measure. Most of a default run is compiling (XLA, tracing, JAX's op-by-op
    eager mode): the floor of any complete run. docs/benchmark.md says how long it takes, and
    what the defaults were sized by."""

    iterations: int = 12               # timed iterations of each autoencoder loop
    gan_iterations: int = 2            # of each compiled GAN loop
    eager_gan_iterations: int = 1      # of the eager GAN reference, the slowest loop
    warmup: int = 2                    # untimed iterations first (tracing, compilation)
    gan_warmup: int = 1                # the first call compiles; a probe saw no retrace after it
    images: int = 2048                 # synthetic training / inference images
    inference_images: int = 1024       # at most this many per inference measurement
    inference_seconds: float = 1.0     # ... and batches of 256 only until this much time passed
    classical_images: int = 256        # scored by every classical fill (biharmonic is the slowest)
    pipeline_batches: int = 500
    variants: tuple = ()               # restrict the training variants (tests); () = all
    seed: int = 0


# --------------------------------------------------------------------------- small helpers


def synthetic_images(n: int, seed: int = 0) -> np.ndarray:
    """Random uint8 images (N, 32, 32, 3): the models' cost does not depend on the pixels."""
    return np.random.default_rng(seed).integers(0, 256, (n, 32, 32, 3), dtype=np.uint8)


def peak_memory_mb() -> float:
    """This process's peak resident memory (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / 2**20 if sys.platform == "darwin" else peak / 2**10


def timed(fn, repeats: int) -> float:
    """Seconds for ``repeats`` calls of ``fn(i)``; ``fn`` must block until its work is done."""
    start = time.perf_counter()
    for i in range(repeats):
        fn(i)
    return time.perf_counter() - start


def timed_until(fn, min_seconds: float, max_calls: int) -> tuple[int, float]:
    """Call ``fn(i)`` until ``min_seconds`` have passed (at least once, at most ``max_calls``
    times): slow models get one call, fast ones enough calls to time reliably."""
    start, calls = time.perf_counter(), 0
    while calls < max(max_calls, 1):
        fn(calls)
        calls += 1
        if time.perf_counter() - start >= min_seconds:
            break
    return calls, time.perf_counter() - start


def version(package: str) -> str | None:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return None


def installed_backends() -> list[str]:
    return [b for b in BACKENDS if importlib.util.find_spec(b) is not None]


# --------------------------------------------------------------------------- parent


def spawn_worker(backend: str, settings: Settings) -> dict:
    """Run one backend's worker in a child process and read back its JSON."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "result.json"
        cmd = [sys.executable, "-m", "helpers.cli.bench_worker", str(out), json.dumps(asdict(settings))]
        env = {**os.environ, "KERAS_BACKEND": backend, "TF_CPP_MIN_LOG_LEVEL": "3"}
        done = subprocess.run(cmd, env=env, cwd=REPO_ROOT, capture_output=True, text=True)
        if done.returncode != 0 or not out.exists():
            tail = "\n".join(done.stderr.strip().splitlines()[-5:])
            return {"backend": backend, "error": f"worker exited with {done.returncode}: {tail}",
                    "rows": []}
        return json.loads(out.read_text())


def bench_classical(settings: Settings) -> list[dict]:
    """The classical fills through ``helpers.evaluation`` (backend-independent: run here)."""
    images = synthetic_images(max(settings.classical_images, 1), settings.seed + 1)
    scored = evaluate(classical_fills(images), images, batch_size=INFERENCE_BATCH, progress=False)
    return [{"kind": "inference", "model": row["method"], "backend": "numpy/OpenCV/skimage",
             "variant": "helpers.classical", "batch": INFERENCE_BATCH,
             "images_per_second": 1000.0 / row["ms_per_image"]} for row in scored]


def bench_data(path, measure_decode: bool) -> dict:
    """CIFAR-10 load times and the training arrays' memory, or why it was skipped."""
    result = {}
    try:
        if measure_decode:
            with tempfile.TemporaryDirectory() as cache:
                start = time.perf_counter()
                load_cifar10(path, cache_dir=cache, download=False, progress=False)
                result["first_load_seconds"] = time.perf_counter() - start
                start = time.perf_counter()
                data = load_cifar10(path, cache_dir=cache, download=False, progress=False)
                result["cached_load_seconds"] = time.perf_counter() - start
        else:
            load_cifar10(path, download=False, progress=False)  # builds the cache if missing
            start = time.perf_counter()
            data = load_cifar10(path, download=False, progress=False)
            result["cached_load_seconds"] = time.perf_counter() - start
    except DataNotFoundError:
        return {"skipped": "CIFAR-10 not found (set INPAINTING_DATA or pass --data); "
                           "data rows skipped"}
    result.update(source=data.source, train_images=len(data.x_train),
                  train_mb=(data.x_train.nbytes + data.y_train.nbytes) / 1e6)
    return result


def machine() -> dict:
    """What the numbers were measured on (the workers add the accelerators they see)."""
    return {"cpu": cpu_name(), "cpu_count": os.cpu_count(), "usable_cpus": usable_cpus(),
            "platform": platform.platform(), "python": platform.python_version(),
            "versions": {p: version(p) for p in ("numpy", "keras", "tensorflow", "jax", "jaxlib")}}


def finish_ratios(rows: list[dict]) -> None:
    """Each pipeline row's speed over the fastest training loop of its model (any backend)."""
    for row in rows:
        if row["kind"] != "pipeline":
            continue
        fastest = [r["images_per_second"] for r in rows if r["kind"] == "training"
                   and r["model"] == row["model"] and r.get("images_per_second")]
        row["vs_fastest_training"] = row["images_per_second"] / max(fastest) if fastest else None


# --------------------------------------------------------------------------- the table


COLUMNS = ("measure", "model", "backend", "variant", "batch", "value", "ratio")


def _number(x: float) -> str:
    return f"{x:,.0f}" if x >= 100 else f"{x:.3g}"


def table_rows(result: dict) -> list[list[str]]:
    """The result's measurements as table cells, in the order they are printed."""
    cells = []
    rows = [r for w in result["workers"] for r in w["rows"]] + result.get("classical", [])
    for kind in ("training", "pipeline", "inference"):
        for r in (r for r in rows if r["kind"] == kind):
            ips = r.get("images_per_second")
            value = f"{_number(ips)} img/s" if ips else "n/a [a]"
            ratio = ""
            if r.get("vs_eager"):
                ratio = f"{r['vs_eager']:.2f}x eager"
            elif r.get("vs_fastest_training"):
                ratio = f"{r['vs_fastest_training']:.0f}x fastest training"
            variant = r["variant"]
            if r.get("resolved") and r["resolved"] not in variant:
                variant += f" -> {r['resolved']}"
            cells.append([kind, r["model"], r["backend"], variant, str(r["batch"]), value, ratio])
    data = result.get("data", {})
    if "first_load_seconds" in data:
        cells.append(["data", "CIFAR-10", "", "first load (decode, fresh cache)", "",
                      f"{data['first_load_seconds']:.2f} s", ""])
    if "cached_load_seconds" in data:
        cells.append(["data", "CIFAR-10", "", "cached load", "",
                      f"{data['cached_load_seconds']:.2f} s", ""])
        cells.append(["data", "CIFAR-10", "", f"training arrays ({data['train_images']:,} images)",
                      "", f"{data['train_mb']:.1f} MB", ""])
    for w in result["workers"]:
        if "peak_memory_mb" in w:
            cells.append(["memory", "", w["backend"], "worker peak (ru_maxrss)", "",
                          f"{w['peak_memory_mb']:,.0f} MiB", ""])
    return cells


def format_table(result: dict) -> str:
    """A Markdown table (padded for the terminal) and its footnotes."""
    body = table_rows(result)
    widths = [max(len(h), *(len(r[i]) for r in body)) if body else len(h)
              for i, h in enumerate(COLUMNS)]
    right = {"batch", "value", "ratio"}

    def line(cells):
        return "| " + " | ".join(c.rjust(w) if h in right else c.ljust(w)
                                 for c, w, h in zip(cells, widths, COLUMNS)) + " |"

    rule = "|" + "|".join("-" * (w + 1) + (":" if h in right else "-")
                          for w, h in zip(widths, COLUMNS)) + "|"
    return "\n".join([line(COLUMNS), rule, *(line(r) for r in body), "", *footnotes(result)])


def footnotes(result: dict) -> list[str]:
    s = result["settings"]
    notes = [f"[a] {GAN_TRAIN_ON_BATCH_NOTE}",
             f"Training: untimed warm-up iterations ({s['warmup']} autoencoder, {s['gan_warmup']} "
             f"GAN), then timed: {s['iterations']} (autoencoder), {s['gan_iterations']} "
             f"(compiled GAN loops), {s['eager_gan_iterations']} (eager GAN); one iteration = one "
             f"batch, GAN = D real + D fake + combined. 'auto' is graph mode on TensorFlow and "
             f"XLA on JAX. Synthetic uint8 images ({s['images']:,}).",
             f"Inference: batches of {INFERENCE_BATCH} after one untimed warm-up batch, timed "
             f"until {s['inference_seconds']:g} s passed (1 to {s['inference_images'] // INFERENCE_BATCH} "
             f"batches); classical fills: {s['classical_images']:,} images through "
             f"helpers.evaluation. Pipeline: {s['pipeline_batches']} batches; the ratio is to the fastest "
             f"training loop of the same model on any backend (target: {PIPELINE_TARGET:g}x).",
             "Memory: MiB = 2^20 bytes; MB = 10^6 bytes."]
    data = result.get("data", {})
    if "skipped" in data:
        notes.append(f"Data: {data['skipped']}.")
    elif data:
        notes.append(f"Data: {data['source']}; without --measure-decode only the cached load "
                     f"is timed.")
    for w in result["workers"]:
        if "error" in w:
            notes.append(f"{w['backend']}: not measured ({w['error']})")
    return notes


def format_machine(result: dict) -> str:
    m = result["machine"]
    versions = ", ".join(f"{k} {v}" for k, v in m["versions"].items() if v)
    gpus = sorted({d for w in result["workers"] for d in w.get("devices", [])})
    return (f"Machine: {m['cpu']}, {m['usable_cpus']} usable of {m['cpu_count']} CPUs; "
            f"{m['platform']}; Python {m['python']}\n"
            f"Versions: {versions}\n"
            f"GPU: {', '.join(gpus) if gpus else 'none'}")


# --------------------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    d = Settings()
    p = argparse.ArgumentParser(
        prog="python -m helpers.cli.bench",
        description="Measure training, inference, input-pipeline and data-loading speed of "
                    "the project on every installed Keras backend, in one run, and print one "
                    "table (images per second, ratios to the eager reference).")
    p.add_argument("--iterations", type=int, default=d.iterations,
                   help="timed iterations per autoencoder training variant")
    p.add_argument("--gan-iterations", type=int, default=d.gan_iterations,
                   help="timed iterations per compiled GAN training variant")
    p.add_argument("--eager-gan-iterations", type=int, default=d.eager_gan_iterations,
                   help="timed iterations of the (slow) eager GAN reference")
    p.add_argument("--warmup", type=int, default=d.warmup,
                   help="untimed iterations per autoencoder variant")
    p.add_argument("--gan-warmup", type=int, default=d.gan_warmup,
                   help="untimed iterations per GAN variant")
    p.add_argument("--images", type=int, default=d.images, help="synthetic images to train on")
    p.add_argument("--backends", default=",".join(BACKENDS),
                   help="comma-separated backends to measure (those not installed are skipped)")
    p.add_argument("--data", default=None, help="CIFAR-10 location (default: the loader's search)")
    p.add_argument("--measure-decode", action="store_true",
                   help="also time the first load (decoding into a temporary cache, ~15 s)")
    p.add_argument("--json", metavar="PATH", default=None, help="also write every number here")
    return p


def settings_from(args) -> Settings:
    return Settings(iterations=args.iterations, gan_iterations=args.gan_iterations,
                    eager_gan_iterations=args.eager_gan_iterations, warmup=args.warmup,
                    gan_warmup=args.gan_warmup, images=args.images)


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    settings = settings_from(args)
    wanted = [b.strip() for b in args.backends.split(",") if b.strip()]
    start = time.perf_counter()
    result = {"machine": machine(), "settings": asdict(settings), "workers": []}
    for backend in wanted:
        if backend not in installed_backends():
            result["workers"].append({"backend": backend, "error": "not installed", "rows": []})
            continue
        print(f"measuring {backend} in a child process ...", file=sys.stderr, flush=True)
        result["workers"].append(spawn_worker(backend, settings))
    print("measuring the classical fills and the data ...", file=sys.stderr, flush=True)
    result["classical"] = bench_classical(settings)
    result["data"] = bench_data(args.data, args.measure_decode)
    finish_ratios([r for w in result["workers"] for r in w["rows"]])
    result["wall_seconds"] = time.perf_counter() - start
    print(format_machine(result))
    print()
    print(format_table(result))
    print(f"\nWall time: {result['wall_seconds']:.0f} s")
    if args.json:
        path = Path(args.json)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(result, indent=2) + "\n")
        print(f"Wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
