"""The model card of a published model: what it is, how it was trained, how well it does.

Written from the weights' own record and, where it was made from these very weights, the
results report (``results/results.json``); ``python -m helpers.cli.publish cards`` rewrites
every card after the report changed.
"""

from __future__ import annotations

from pathlib import Path

from .. import registry
from ..engine.files import REPO_ROOT, read_json, write_text
from ..engine.weightfiles import STORAGE_TITLES, read_manifest, read_record, weights_dir
from ..settings import PCONV_WIDTHS, VARIANTS


def _results_row(name: str, sha: str) -> dict | None:
    """This model's row of the results report, if the report was made from these weights."""
    report = read_json(REPO_ROOT / "results" / "results.json")
    for row in report.get("results", []):
        if row.get("pretrained") == name and row.get("sha256") == sha:
            return {**row, "data_source": report.get("data_source")}
    return None


def _duration(seconds: float) -> str:
    minutes = seconds / 60
    return f"{minutes:.0f} min" if minutes < 90 else f"{minutes / 60:.1f} h"


def _share_words(share: float) -> str:
    return {0.25: "a quarter", 0.5: "half", 0.75: "three quarters"}.get(share, f"{100 * share:g} %")


def _options(meta: dict) -> str:
    """The options of ``python -m helpers.cli.train`` that name this model's recipe."""
    config, options = meta["config"], ""
    if meta["kind"] == "autoencoder" and config.get("flip"):
        named = [v for v, settings in VARIANTS.items() if v != "paper" and all(
            config.get(k) == x for k, x in settings.record().items() if k != "batch_size")]
        options += f" --variant {named[0]}" if named else " (with its own settings, below)"
    if meta["kind"] == "gan" and config.get("adversarial_weight") not in (None, 0.001):
        options += f" --adversarial-weight {config['adversarial_weight']:g}"
    if config.get("average_decay") is not None:
        options += f" --average {config['average_decay']:g}"
    return options


def _architecture(meta: dict) -> str:
    kind, config = meta["kind"], meta["config"]
    if kind == "pconv":
        widths = tuple(config.get("widths", PCONV_WIDTHS))
        argument = "" if widths == PCONV_WIDTHS else f"widths={widths}"
        return (f"- Architecture: `helpers.pconv.build_pconv_unet({argument})` (partial convolutions, "
                f"Liu et al. 2018; trained on random free-form holes and, for "
                f"{_share_words(config.get('center_fraction', 0.25))} of the images, the centre square).")
    return (f"- Architecture: `helpers.models.build_{registry.kind(kind).filling_net}()`"
            + (" and `build_discriminator()`" if kind == "gan" else "")
            + " (the paper's tables, read as docs/paper.md says).")


def _training_lines(meta: dict, entry: dict) -> list[str]:
    kind, paper = meta["kind"], registry.kind(meta["kind"]).budget
    share = meta["trained_iterations"] / paper.iterations
    whose = "autoencoder " if kind == "pconv" else ""
    budget = (f"the paper's {whose}budget ({paper.iterations:,} at batch {paper.batch_size})." if share >= 1 else
              f"{100 * share:.1f}% of the paper's {whose}budget of {paper.iterations:,} iterations at "
              f"batch {paper.batch_size}.")
    lines = [
        _architecture(meta),
        f"- Data: {meta['data_source']}, {meta['train_images']:,} training images; "
        f"{meta['validation_images']:,} more carved from the training set for validation (never "
        f"the test set). " + ("Validation scores the 16x16 centre hole." if kind == "pconv" else "16x16 centre hole."),
        f"- Budget: {meta['trained_iterations']:,} iterations at batch {meta['batch_size']} "
        f"({meta['images_seen']:,} images seen, {meta['images_seen'] / meta['train_images']:.1f} passes); {budget}",
        f"- Published state: iteration {meta['iteration']:,} ("
        + ("the lowest validation hole MSE" if meta["selection"] == "best" else "the last one") + ").",
        f"- Settings: {', '.join(f'{k}={v}' for k, v in meta['config'].items() if k != 'kind')}; seed {meta['seed']}"
        + (f" (validation split: seed {meta['validation_seed']})" if "validation_seed" in meta else "") + ".",
        f"- Hardware: {meta['hardware']}; {_duration(meta['train_seconds'])} of training ({meta['backend']} backend).",
        f"- Storage: {STORAGE_TITLES['int8' if meta.get('int8_scales') else 'float16']}; "
        f"{entry['bytes'] / 1e6:.1f} MB, SHA-256 `{entry['sha256'][:16]}...`.",
    ]
    if meta.get("command"):
        lines.append(f"- Command: `{meta['command']}`")
    if meta.get("commands"):
        lines.append("- Every command that trained the run (its commands.jsonl), with when each started: "
                     + "; ".join(f"`{c['command']}` ({c.get('started', 'start not logged')})"
                                 for c in meta["commands"]) + ".")
    check = meta.get("precision_check")
    if check:
        lines.append(f"- Storage, measured when published: hole MSE {check['hole_mse_float32']:.5f} with the "
                     f"float32 weights and {check['hole_mse_stored']:.5f} stored as {check['storage']} "
                     f"({100 * check['relative_change']:+.2f}%), on {check['images']:,} validation images.")
    moved = meta.get("repacked")
    if moved and "images" in moved:
        lines.append(f"- Repacked from {moved['from']} to {moved['to']} on {moved['on']}: hole MSE "
                     f"{moved['hole_mse_before']:.5f} before and {moved['hole_mse_after']:.5f} after "
                     f"({100 * moved['relative_change']:+.2f}%), on {moved['images']:,} validation images.")
    return lines


def _error_lines(name: str, meta: dict, entry: dict) -> list[str]:
    kind, history = meta["kind"], meta["history"]
    val = [(i, v) for i, v in zip(history["iteration"], history.get("val_hole_mse", [])) if v is not None]
    train_key, what = registry.kind(kind).training_loss, registry.kind(kind).training_loss_words
    train = [(i, v) for i, v in zip(history["iteration"], history.get(train_key, [])) if v is not None]
    lines = []
    if train:
        lines.append(f"- Training loss ({what}), mean over the last logged window: {train[-1][1]:.4f} "
                     f"at iteration {train[-1][0]:,}.")
    if val:
        best = min(val, key=lambda p: p[1])
        lines.append(f"- Validation hole MSE: {val[-1][1]:.4f} at iteration {val[-1][0]:,} (the last), "
                     f"lowest {best[1]:.4f} at iteration {best[0]:,}.")
    row = _results_row(name, entry["sha256"])
    if row:
        lines.append(f"- Test ({row['n_images']:,} test images of {row['data_source']}): hole MSE "
                     f"{row['hole_mse']:.4f}, hole L1 {row['hole_l1']:.4f}, mean hole PSNR "
                     f"{row['hole_psnr']:.2f} dB, SSIM {row['ssim']:.3f}, sharpness ratio "
                     f"{row['sharpness_ratio']:.2f}. From `python -m helpers.cli.report` (results/README.md).")
    else:
        lines.append("- Test: run `python -m helpers.cli.report` to score these weights on the test set.")
    if kind == "autoencoder":
        lines += ["", "The paper reports its autoencoder \"converged to 0.009\". Compare the errors above: "
                  "a training loss keeps falling as the model memorises its training images while "
                  "the validation and test errors level off, so 0.009 is most likely a training "
                  "error late in a long run, not a test error."]
    return lines


def model_card(name: str, folder: Path | None = None) -> str:
    """The model card of ``name`` as Markdown, from its record and the results report."""
    folder = Path(folder or weights_dir())
    entry = read_manifest(folder)[name]
    meta = read_record(name, folder)
    kind = meta["kind"]
    title, filling = registry.kind(kind).title, registry.kind(kind).filling_net
    averaged = (f", its {filling}'s weights averaged over training (beyond the paper)"
                if meta["config"].get("average_decay") else "")
    title = title[0].upper() + title[1:]
    lines = [f"# Model card: `{name}`", "",
             f"{title}{averaged}, trained by this project with `python -m helpers.cli.train {kind}"
             f"{_options(meta)}`. Load it with `helpers.pretrained.load_pretrained({name!r})`.", ""]
    if meta.get("notes"):
        lines += [meta["notes"], ""]
    lines += ["## Training", "", *_training_lines(meta, entry),
              "", "## Errors (hole region, [0,1] scale)", "", *_error_lines(name, meta, entry)]
    # a state already at the paper's budget continues past it (to it would train nothing)
    paper = registry.kind(kind).budget.iterations
    until = paper if int(meta["iteration"]) < paper else int(meta["iteration"]) + 10_000
    lines += ["", "## Continue or fine-tune", "",
              f"`python -m helpers.cli.train {kind}{' --fused' if kind == 'gan' else ''} --from-pretrained {name} "
              f"--iterations {until} --validation-size {meta['validation_images']} "
              f"--out runs/{name}-continued` continues from these weights to iteration {until:,} (the "
              f"iteration count, seed and data order carry on; the optimizer state starts afresh).", ""]
    return "\n".join(lines)


def write_card(name: str, folder: Path | None = None) -> Path:
    folder = Path(folder or weights_dir())
    return write_text(folder / f"{name}.md", model_card(name, folder))
