"""The benchmark's worker functions on tiny settings, in this process (current backend) and
as the worker's own command, and its table. Only the structure is checked: timings are
printed by `python -m helpers.cli.bench`, never asserted."""

import json
import math
import sys

import pytest

from helpers.cli import bench, bench_worker
from helpers.engine.backend import check_backend

TINY = bench.Settings(iterations=1, gan_iterations=1, eager_gan_iterations=1, warmup=1,
                      gan_warmup=1, images=64, inference_images=32, inference_seconds=0.0,
                      classical_images=4, pipeline_batches=2)


def positive(x):
    return isinstance(x, float) and math.isfinite(x) and x > 0


@pytest.mark.slow
def test_worker_functions_return_rows_for_every_variant():
    backend = check_backend()
    images = bench.synthetic_images(TINY.images)
    variants = ("eager", "keras train_on_batch", "project auto fused")
    rows = bench_worker.bench_training(bench.Settings(**{**vars(TINY), "variants": variants}),
                                backend, images)
    assert [(r["model"], r["variant"]) for r in rows] == [
        ("autoencoder", "eager"), ("autoencoder", "keras train_on_batch"),
        ("gan", "keras train_on_batch"), ("gan", "project auto fused")]
    for r in rows:
        assert r["kind"] == "training" and r["backend"] == backend
        assert r["batch"] == bench.MODELS[r["model"]]
    measured = [r for r in rows if r["images_per_second"] is not None]
    assert all(positive(r["images_per_second"]) and r["iterations"] == 1 for r in measured)
    assert rows[0]["vs_eager"] == pytest.approx(1.0) and positive(rows[1]["vs_eager"])
    assert rows[2]["images_per_second"] is None and "train_on_batch" in rows[2]["note"]
    assert rows[3]["vs_eager"] is None, "no eager GAN reference was measured in this run"

    pipeline = bench_worker.bench_pipeline(TINY, backend, images)
    inference = bench_worker.bench_inference(TINY, backend, images)
    assert [r["model"] for r in pipeline] == ["autoencoder", "gan"]
    assert [r["model"] for r in inference] == ["autoencoder"] * 2 + ["gan"] * 2
    assert all(positive(r["images_per_second"]) for r in pipeline + inference)


def test_every_backend_lists_the_eager_reference_first_and_xla_only_on_tensorflow():
    for backend in bench.BACKENDS:
        variants = bench_worker.training_variants(backend)
        for specs in variants.values():
            assert specs[0]["compile_mode"] == "eager"
        names = [s["variant"] for s in variants["gan"]]
        assert ("project xla fused" in names) == (backend == "tensorflow")
        assert "project auto fused" in names and "project auto" in names


def test_table_and_ratios_from_a_made_up_result():
    rows = [
        {"kind": "training", "model": "gan", "backend": "jax", "variant": "eager (three calls)",
         "batch": 32, "images_per_second": 10.0, "vs_eager": 1.0, "resolved": "eager"},
        {"kind": "training", "model": "gan", "backend": "jax", "variant": "keras train_on_batch",
         "batch": 32, "images_per_second": None, "note": bench.GAN_TRAIN_ON_BATCH_NOTE},
        {"kind": "training", "model": "gan", "backend": "jax", "variant": "project auto fused",
         "batch": 32, "images_per_second": 40.0, "vs_eager": 4.0, "resolved": "xla"},
        {"kind": "pipeline", "model": "gan", "backend": "jax", "variant": "BatchSampler",
         "batch": 32, "images_per_second": 4000.0},
    ]
    bench.finish_ratios(rows)
    assert rows[-1]["vs_fastest_training"] == pytest.approx(100.0)
    result = {"machine": bench.machine(), "settings": vars(TINY),
              "workers": [{"backend": "jax", "rows": rows, "peak_memory_mb": 1234.0,
                           "devices": []},
                          {"backend": "tensorflow", "error": "not installed", "rows": []}],
              "classical": [], "data": {"skipped": "CIFAR-10 not found"}}
    table = bench.format_table(result)
    lines = table.splitlines()
    assert lines[0].startswith("| measure") and set(lines[1]) <= set("|-:")
    assert len({len(line) for line in lines[:6]}) == 1, "the table's rows are padded alike"
    assert "4.00x eager" in table and "n/a [a]" in table and "100x fastest training" in table
    assert "1,234 MiB" in table and "tensorflow: not measured (not installed)" in table
    assert "GPU: none" in bench.format_machine(result)


def test_command_line_defaults():
    args = bench.build_parser().parse_args([])
    assert bench.settings_from(args) == bench.Settings()
    args = bench.build_parser().parse_args(["--iterations", "3", "--measure-decode"])
    assert bench.settings_from(args).iterations == 3 and args.measure_decode


@pytest.mark.slow
def test_the_worker_is_its_own_command(tmp_path, monkeypatch):
    """spawn_worker runs `python -m helpers.cli.bench_worker RESULT.json SETTINGS_JSON` in a
    child process with the backend chosen, and reads back its JSON; a worker that fails
    becomes an error row, not an exception."""
    backend = check_backend()
    settings = bench.Settings(**{**vars(TINY), "variants": ("eager",)})
    result = bench.spawn_worker(backend, settings)
    assert "error" not in result, result.get("error")
    assert result["backend"] == backend and positive(result["peak_memory_mb"])
    kinds = [(r["kind"], r["model"]) for r in result["rows"]]
    assert kinds == [("pipeline", "autoencoder"), ("pipeline", "gan"), ("training", "autoencoder")] + \
        [("inference", "autoencoder")] * 2 + [("inference", "gan")] * 2
    assert result["rows"][2]["variant"] == "eager" and result["rows"][2]["iterations"] == 1
    json.dumps(result)

    monkeypatch.setattr(sys, "executable", "/bin/false")     # a worker that cannot start
    failed = bench.spawn_worker(backend, settings)
    assert failed["rows"] == [] and failed["error"].startswith("worker exited with 1")
