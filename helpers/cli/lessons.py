"""The course as a class runs it: how long each section takes, and the students' edition.

    python -m helpers.cli.lessons time                  # run every notebook as a student would
    python -m helpers.cli.lessons time 03_the_autoencoder --out /tmp/timing
    python -m helpers.cli.lessons time 05 07 --update   # after editing two notebooks: time them again
    python -m helpers.cli.lessons student OUT           # the notebooks without their solutions
    python -m helpers.cli.lessons figures KEPT          # docs/teaching/'s figures, from `time --keep KEPT`

``time`` executes each notebook top to bottom in a fresh kernel, as a student would: the
default ``RUN``, full data and budgets (not the test suite's smoke mode), the exercises'
solution cells too (timed apart). It records each section's compute time (the wall time of
its cells) and a reading allowance from its text (:data:`READING`), and writes
``results/lesson_timing.json`` and ``results/lesson_timing.md`` with the machine it ran on.
A section is a ``## `` heading and what follows it; a heading cell tagged ``homework`` marks
its section as not part of the 90-minute class (docs/teaching.md). A collapsed code cell (the
set-up's form) counts as run, not read. It also compares each
quick run's printed estimate with the time its training cell took. ``--update`` times only the
notebooks named and replaces their entries in the record, on the same machine.

``figures`` saves the figure of each cell tagged ``key-figure`` in notebooks executed by
``time --keep``, as the PNGs docs/teaching.md shows (what the class should see).

``student`` writes a copy of the notebooks (``.ipynb``, what students open) without the
cells tagged ``solution``; everything else is unchanged, so the copy runs as the course does.
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from ..engine.files import REPO_ROOT, read_json, write_json, write_text

NOTEBOOKS = REPO_ROOT / "notebooks"
HOMEWORK_TAG, SOLUTION_TAG, FIGURE_TAG = "homework", "solution", "key-figure"
FIGURES = REPO_ROOT / "docs" / "teaching"
FIGURE_WIDTH = 800   # pixels at most: the guide's figures are small (and in 256 colours)
# The reading allowance, per section: prose at a careful reader's pace for a technical text,
# code read (not written), and a look at each figure and printed result.
READING = {"words_per_minute": 100, "seconds_per_code_line": 4, "seconds_per_output": 15}
CLASS_MINUTES = 90
CLASS_NOTEBOOKS = ("01", "02", "03", "04", "05")   # the class's path; the others come after it
# How a notebook prints a quick run's estimate (helpers.runs.estimate): "... so about 2 min 30 s ..."
ESTIMATE = re.compile(r"so about (\d+(?:\.\d+)?) (s|min|h)\b(?: (\d+) s\b)?")


def notebook_paths(names=None) -> list[Path]:
    paths = sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if names:
        paths = [p for p in paths if any(p.stem.startswith(n) for n in names)]
        if not paths:
            raise ValueError(f"no notebook matches {names}: they are {[p.stem for p in sorted(NOTEBOOKS.glob('*.ipynb'))]}")
    return paths


# --------------------------------------------------------------------------- sections


def _words(text: str) -> int:
    text = re.sub(r"\(https?://[^)]*\)|<[^>]+>|[#*`|\\-]", " ", text)
    return len(re.findall(r"[\w'.,%×]+", text))


def _outputs(cell) -> int:
    """Figures and printed results a student looks at."""
    shown = 0
    for out in cell.get("outputs", []):
        data = out.get("data", {})
        if "image/png" in data or "text/markdown" in data or "text/html" in data:
            shown += 1
        elif out.get("output_type") == "stream" and out.get("name") == "stdout" and out.get("text", "").strip():
            shown += 1
    return shown


def _seconds(cell) -> float:
    """The wall time of an executed code cell, from the timestamps nbclient records."""
    timing = cell.get("metadata", {}).get("execution", {})
    start, end = timing.get("iopub.execute_input"), timing.get("shell.execute_reply")
    if not (start and end):
        return 0.0
    parse = lambda s: datetime.fromisoformat(s.replace("Z", "+00:00"))  # noqa: E731
    return max((parse(end) - parse(start)).total_seconds(), 0.0)


def sections(notebook) -> list[dict]:
    """A notebook's sections: title, kind ("core", "homework", or "solutions": the exercises'
    solution cells, apart), compute seconds, words, code lines, outputs, reading minutes."""
    found = [_section("(top)", "core")]
    solutions = _section("exercise solutions", "solutions")
    for cell in notebook.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if cell.cell_type == "markdown":
            # a cell may end one section and start the next: split it at its "## " headings
            for part in re.split(r"^(?=## )", cell.source, flags=re.M):
                heading = re.match(r"## (.+)", part)
                if heading:
                    kind = "homework" if HOMEWORK_TAG in tags or heading.group(1).startswith("Exercises") else "core"
                    found.append(_section(heading.group(1).strip(), kind))
                found[-1]["words"] += _words(part)
            continue
        target = solutions if SOLUTION_TAG in tags else found[-1]
        hidden = cell.get("metadata", {}).get("jupyter", {}).get("source_hidden") and target is not solutions
        if not hidden:   # a collapsed cell (the set-up's form) is run, not read
            target["code_lines"] += len([line for line in cell.source.splitlines() if line.strip()])
        target["seconds"] += _seconds(cell)
        target["outputs"] += _outputs(cell)
    found = [s for s in found if s["words"] or s["code_lines"] or s["seconds"]] + (
        [solutions] if solutions["code_lines"] else [])
    for s in found:
        s["seconds"] = round(s["seconds"], 1)
        s["reading_minutes"] = round(reading_minutes(s), 1)
    return found


def _section(title: str, kind: str) -> dict:
    return {"title": title, "kind": kind, "seconds": 0.0, "words": 0, "code_lines": 0, "outputs": 0}


def reading_minutes(s: dict) -> float:
    """The reading allowance of a section (:data:`READING`): solutions are read as code only."""
    return (s["words"] / READING["words_per_minute"] + s["code_lines"] * READING["seconds_per_code_line"] / 60
            + s["outputs"] * READING["seconds_per_output"] / 60)


def estimates(notebook) -> list[dict]:
    """Each printed estimate of a quick run, and the wall time of the training cell after it
    (the first later cell that calls ``runs.fit``)."""
    found, cells = [], notebook.cells
    for i, cell in enumerate(cells):
        text = "".join(o.get("text", "") for o in cell.get("outputs", []) if o.get("output_type") == "stream")
        match = ESTIMATE.search(text) if cell.cell_type == "code" and "runs.estimate(" in cell.source else None
        if not match:
            continue
        value = float(match.group(1)) * {"s": 1, "min": 60, "h": 3600}[match.group(2)] + float(match.group(3) or 0)
        trained = next((c for c in cells[i:] if c.cell_type == "code" and "runs.fit(" in c.source), None)
        if trained is not None:
            measured = _seconds(trained)
            found.append({"printed_seconds": value, "measured_seconds": round(measured, 1),
                          "ratio": round(measured / value, 2) if value else None,
                          "line": match.group(0)})
    return found


# --------------------------------------------------------------------------- running


def execute(path: Path, runs_folder: Path, timeout: int):
    """Run a notebook top to bottom in a fresh kernel as a student would; return it executed."""
    import nbformat
    from nbclient import NotebookClient

    notebook = nbformat.read(path, as_version=4)
    env = {k: v for k, v in os.environ.items() if k not in ("INPAINTING_SMOKE", "INPAINTING_COMPILE")}
    env.update(INPAINTING_RUNS=str(runs_folder), MPLBACKEND="module://matplotlib_inline.backend_inline")
    client = NotebookClient(notebook, timeout=timeout, kernel_name="python3", record_timing=True,
                            resources={"metadata": {"path": str(path.parent)}})
    saved = dict(os.environ)
    os.environ.clear()
    os.environ.update(env)   # the kernel inherits this process's environment
    try:
        client.execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return notebook


def machine() -> str:
    from ..engine.machine import machine_description

    return machine_description([])


def time_notebooks(paths: list[Path], timeout: int = 3600, progress=print, keep: Path | None = None) -> dict:
    """Execute ``paths`` one after the other and measure them (see the module's docstring);
    ``keep``: a folder to save the executed notebooks in (their figures, for docs/teaching.md)."""
    import nbformat

    record = {"made": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(), "cores": os.cpu_count(),
              "python": platform.python_version(), "reading": READING, "class_minutes": CLASS_MINUTES,
              "notebooks": {}}
    with tempfile.TemporaryDirectory(prefix="lesson-runs-") as runs_folder:
        for path in paths:
            start = time.perf_counter()
            notebook = execute(path, Path(runs_folder), timeout)
            wall = time.perf_counter() - start
            if keep is not None:
                Path(keep).mkdir(parents=True, exist_ok=True)
                nbformat.write(notebook, Path(keep) / path.name)
            record["notebooks"][path.stem] = {"wall_seconds": round(wall, 1), "sections": sections(notebook),
                                              "estimates": estimates(notebook)}
            progress(f"{path.stem}: {wall:.0f} s")
    return record


def updated(old: dict, new: dict) -> dict:
    """``old`` with the notebooks timed in ``new`` replaced (the rest kept, in their order);
    refused where the two were timed on different machines or with other reading allowances."""
    if not old:
        raise ValueError("There is no timing record to update yet: run `lessons time` without --update.")
    for key in ("machine", "cores", "python", "reading", "class_minutes"):
        if old.get(key) != new[key]:
            raise ValueError(f"The record was made with {key} {old.get(key)!r} and this run has {new[key]!r}: "
                             f"time every notebook again (without --update) so that one record compares like "
                             f"with like.")
    timed_again = {name: {**entry, "made": new["made"]} for name, entry in new["notebooks"].items()}
    return {**old, "notebooks": {**old["notebooks"], **timed_again}}


def totals(entry: dict) -> dict:
    """Minutes of a notebook: the class's core (compute + reading), homework, solutions."""
    out = {}
    for kind in ("core", "homework", "solutions"):
        chosen = [s for s in entry["sections"] if s["kind"] == kind]
        out[kind] = {"compute": sum(s["seconds"] for s in chosen) / 60,
                     "reading": sum(s["reading_minutes"] for s in chosen)}
    return out


def minutes(record: dict) -> dict:
    """What the README and docs/teaching.md quote, whole minutes: per notebook its class (the
    core) and at home (homework sections, exercises and their solutions), and the class's
    path (the core of :data:`CLASS_NOTEBOOKS`) as ``"class"``."""
    out, path = {}, 0.0
    for name, entry in record["notebooks"].items():
        t = totals(entry)
        core = t["core"]["compute"] + t["core"]["reading"]
        home = sum(t[k]["compute"] + t[k]["reading"] for k in ("homework", "solutions"))
        out[name] = {"class": round(core), "home": round(home)}
        path += core if name.startswith(CLASS_NOTEBOOKS) else 0.0
    out["class"] = round(path)
    return out


def report_markdown(record: dict) -> str:
    """The timing record as a page: per notebook, then per section."""
    r = record["reading"]
    lines = ["# How long each lesson takes", "",
             f"Made by `python -m helpers.cli.lessons time` on {record['made']}: every notebook run top to "
             f"bottom as a student runs it (the default `RUN`, the full data, not the test suite's smoke "
             f"mode) on {record['machine']} ({record['cores']} cores, Python {record['python']}). Compute is "
             f"the wall time of a section's cells. Reading is an allowance from its text: "
             f"{r['words_per_minute']} words of prose a minute, {r['seconds_per_code_line']} s a line of "
             f"code, {r['seconds_per_output']} s for each figure or printed result. The class's path is "
             f"every section not tagged homework (docs/teaching.md).", "",
             "| notebook | class: compute | class: reading | class | at home | of which solutions' compute |",
             "|---|---:|---:|---:|---:|---:|"]
    quoted = minutes(record)
    for name, entry in record["notebooks"].items():
        t = totals(entry)
        lines.append(f"| {name} | {t['core']['compute']:.1f} min | {t['core']['reading']:.1f} min "
                     f"| {quoted[name]['class']} min | {quoted[name]['home']} min | {t['solutions']['compute']:.1f} min |")
    lines += ["", "\"Class\" is the notebook's core, compute and reading; \"at home\" its homework sections, "
                  "exercises and their solutions, compute and reading.", "",
              f"The class's path, the core of notebooks {', '.join(CLASS_NOTEBOOKS)}: **{quoted['class']} "
                  f"minutes** (the plan is {record['class_minutes']}); later notebooks come after the class.", ""]
    for name, entry in record["notebooks"].items():
        when = f" (timed {entry['made']})" if entry.get("made", record["made"]) != record["made"] else ""
        lines += [f"## {name}", "", f"Wall time of the whole notebook: {entry['wall_seconds'] / 60:.1f} min{when}.", "",
                  "| section | part | compute (s) | words | code lines | outputs | reading (min) |",
                  "|---|---|---:|---:|---:|---:|---:|"]
        lines += [f"| {s['title']} | {s['kind']} | {s['seconds']:.1f} | {s['words']} | {s['code_lines']} | "
                  f"{s['outputs']} | {s['reading_minutes']:.1f} |" for s in entry["sections"]]
        for e in entry["estimates"]:
            lines += ["", f"Quick run: the notebook printed \"{e['line']}\" ({e['printed_seconds']:.0f} s); its "
                          f"training cell took {e['measured_seconds']:.0f} s (measured / printed = {e['ratio']})."]
        lines.append("")
    return "\n".join(lines)


# --------------------------------------------------------------------------- what the class should see


def key_figures(kept: Path, out: Path = FIGURES) -> list[Path]:
    """The figures of the cells tagged ``key-figure`` in the executed notebooks in ``kept``,
    written as ``out/<notebook>_<n>.png`` (n counts the notebook's tagged figures from 1; a
    training cell's live plot gives two, its curves and its fills, as they ended)."""
    import base64

    import nbformat

    paths = sorted(Path(kept).glob("[0-9][0-9]_*.ipynb"))
    if not paths:
        raise ValueError(f"no executed notebook in {kept}: run `python -m helpers.cli.lessons time --keep {kept}` first")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths:
        tagged = [c for c in nbformat.read(path, as_version=4).cells if FIGURE_TAG in c.metadata.get("tags", [])]
        pngs = []
        for cell in tagged:
            shown = [o["data"]["image/png"] for o in cell.get("outputs", []) if "image/png" in o.get("data", {})]
            if not shown:
                raise ValueError(f"{path.name}: a cell tagged {FIGURE_TAG} shows no figure; was it executed?")
            pngs += shown
        for n, png in enumerate(pngs, start=1):
            written.append(_small_png(base64.b64decode(png), out / f"{path.stem}_{n}.png"))
    return written


def _small_png(raw: bytes, target: Path) -> Path:
    """Save a figure at most :data:`FIGURE_WIDTH` wide, in 256 colours."""
    import io

    from PIL import Image

    image = Image.open(io.BytesIO(raw)).convert("RGB")
    if image.width > FIGURE_WIDTH:
        image = image.resize((FIGURE_WIDTH, round(image.height * FIGURE_WIDTH / image.width)), Image.LANCZOS)
    image.quantize(256).save(target, optimize=True)
    return target


# --------------------------------------------------------------------------- the students' edition


def student_edition(out: Path, paths: list[Path] | None = None) -> list[Path]:
    """Copies of the notebooks without their ``solution`` cells, in ``out``."""
    import nbformat

    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for path in paths or notebook_paths():
        notebook = nbformat.read(path, as_version=4)
        notebook.cells = [c for c in notebook.cells if SOLUTION_TAG not in c.get("metadata", {}).get("tags", [])]
        notebook.metadata.pop("jupytext", None)   # the copy has no .py beside it
        target = out / path.name
        nbformat.write(notebook, target)
        written.append(target)
    return written


# --------------------------------------------------------------------------- command line


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m helpers.cli.lessons", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    timing = sub.add_parser("time", help="run the notebooks as a student would and time each section")
    timing.add_argument("notebooks", nargs="*", help="name prefixes, e.g. 03 04 (default: all)")
    timing.add_argument("--out", default=str(REPO_ROOT / "results" / "lesson_timing"),
                        help="where to write (.json and .md are added)")
    timing.add_argument("--timeout", type=int, default=3600, help="seconds one cell may take")
    timing.add_argument("--keep", default=None, help="a folder to save the executed notebooks in")
    timing.add_argument("--update", action="store_true",
                        help="time only the notebooks named, and replace their entries in the existing "
                             "record (each notebook's entry says when it was timed); the machine must be the same")
    student = sub.add_parser("student", help="write the students' edition: the notebooks without solutions")
    student.add_argument("out", help="the folder to write the .ipynb files into")
    figures = sub.add_parser("figures", help="save the key figures of executed notebooks (docs/teaching/)")
    figures.add_argument("kept", help="the folder `time --keep` saved the executed notebooks in")
    figures.add_argument("--out", default=str(FIGURES), help="where to write the PNGs")
    return parser


def main(argv=None) -> int:
    args = build_parser().parse_args(argv)
    try:
        if args.command == "figures":
            for path in key_figures(Path(args.kept), Path(args.out)):
                print(f"wrote {path}")
            return 0
        paths = notebook_paths(getattr(args, "notebooks", None))
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.command == "student":
        for path in student_edition(Path(args.out), paths):
            print(f"wrote {path}")
        return 0
    record = time_notebooks(paths, args.timeout, progress=lambda line: print(line, flush=True),
                            keep=None if args.keep is None else Path(args.keep))
    out = Path(args.out)
    if args.update:
        try:
            record = updated(read_json(out.with_suffix(".json")), record)
        except ValueError as err:
            print(f"error: {err}", file=sys.stderr)
            return 2
    write_json(out.with_suffix(".json"), record)
    write_text(out.with_suffix(".md"), report_markdown(record))
    print(f"wrote {out.with_suffix('.json')} and {out.with_suffix('.md')}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
