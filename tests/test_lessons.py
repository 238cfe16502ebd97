"""The lesson plan's measurements (python -m helpers.cli.lessons time) and the students' edition
(python -m helpers.cli.lessons student): sections, reading allowances, estimates against their
runs, and notebooks without their solutions that still run."""

import ast
import builtins
import os
import re
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from helpers.cli import lessons

ROOT = Path(__file__).resolve().parent.parent


def timed(source, seconds, tags=(), text=""):
    cell = new_code_cell(source, metadata={"tags": list(tags), "execution": {
        "iopub.execute_input": "2026-01-01T10:00:00.000000Z",
        "shell.execute_reply": f"2026-01-01T10:00:{seconds:02d}.500000Z"}})
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)] if text else []
    return cell


def test_sections_split_at_headings_and_add_up_compute_and_reading():
    nb = new_notebook(cells=[
        new_markdown_cell("# Title\n\nten words of introduction in this very short opening cell"),
        new_markdown_cell("## 1. First\nfive words are here now"),
        timed("x = 1\ny = 2", 3),
        new_markdown_cell("end of the first\n\n## 2. Second"),
        timed("print(x)", 5, text="1\n"),
        new_code_cell("#@title Set-up\nimport os\nprint(os.sep)", metadata={"jupyter": {"source_hidden": True}}),
        new_markdown_cell("## 3. Later\nread at home", metadata={"tags": ["homework"]}),
        timed("z = 3", 7),
        new_markdown_cell("## Exercises\n### Exercise 1 · Try (5 min)"),
        timed("# Solution to exercise 1\nprint(z)", 9, tags=["solution"], text="3\n"),
    ])
    found = {s["title"]: s for s in lessons.sections(nb)}
    assert list(found) == ["(top)", "1. First", "2. Second", "3. Later", "Exercises", "exercise solutions"]
    assert found["1. First"]["seconds"] == 3.5 and found["1. First"]["code_lines"] == 2
    assert found["1. First"]["words"] == 7 + 4, "the heading, its text, and the words before the next heading"
    assert found["2. Second"]["outputs"] == 1 and found["2. Second"]["seconds"] == 5.5
    assert found["2. Second"]["code_lines"] == 1, "a collapsed cell is run, not read"
    assert found["3. Later"]["kind"] == "homework" and found["Exercises"]["kind"] == "homework"
    solutions = found["exercise solutions"]
    assert solutions["kind"] == "solutions" and solutions["seconds"] == 9.5 and found["Exercises"]["seconds"] == 0
    r = lessons.READING
    expected = 11 / r["words_per_minute"] + 2 * r["seconds_per_code_line"] / 60
    assert found["1. First"]["reading_minutes"] == round(expected, 1)
    t = lessons.totals({"sections": list(found.values())})
    assert t["core"]["compute"] == pytest.approx(9 / 60) and t["solutions"]["compute"] == pytest.approx(9.5 / 60)


def test_update_replaces_the_notebooks_timed_again_on_the_same_machine():
    def record(made, notebooks, machine="m"):
        return {"made": made, "machine": machine, "cores": 2, "python": "3.11", "reading": lessons.READING,
                "class_minutes": lessons.CLASS_MINUTES,
                "notebooks": {n: {"wall_seconds": w, "sections": [], "estimates": []} for n, w in notebooks.items()}}

    old = record("2026-01-01 10:00", {"01_a": 1.0, "02_b": 2.0, "03_c": 3.0})
    new = lessons.updated(old, record("2026-01-02 09:00", {"02_b": 5.0}))
    assert list(new["notebooks"]) == ["01_a", "02_b", "03_c"] and new["made"] == "2026-01-01 10:00"
    assert new["notebooks"]["02_b"] == {"wall_seconds": 5.0, "sections": [], "estimates": [], "made": "2026-01-02 09:00"}
    assert "made" not in new["notebooks"]["01_a"]
    page = lessons.report_markdown(new)
    assert "## 02_b\n\nWall time of the whole notebook: 0.1 min (timed 2026-01-02 09:00)." in page
    assert "## 01_a\n\nWall time of the whole notebook: 0.0 min.\n" in page
    with pytest.raises(ValueError, match="time every notebook again"):
        lessons.updated(old, record("2026-01-02 09:00", {"02_b": 5.0}, machine="another"))
    with pytest.raises(ValueError, match="no timing record"):
        lessons.updated({}, new)


def test_an_estimate_is_compared_with_the_training_cell_after_it():
    nb = new_notebook(cells=[
        timed("print(runs.estimate(quick))", 2, text="gan, quick run: ... so about 2 min; the paper's ...\n"),
        timed("runs.fit(trainer, data, quick)", 59),
    ])
    (found,) = lessons.estimates(nb)
    assert found["printed_seconds"] == 120 and found["measured_seconds"] == 59.5 and found["ratio"] == 0.5
    nb.cells[0] = timed("print(runs.estimate(quick))", 2, text="autoencoder, quick run: ... so about 2 min 30 s (...).\n")
    (found,) = lessons.estimates(nb)
    assert found["printed_seconds"] == 150 and found["line"] == "so about 2 min 30 s"


def _names(tree, kind):
    if kind == "stored":
        found = {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Store)}
        found |= {n.name for n in ast.walk(tree) if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
        found |= {(a.asname or a.name).split(".")[0] for n in ast.walk(tree)
                  if isinstance(n, (ast.Import, ast.ImportFrom)) for a in n.names}
        found |= {a.arg for n in ast.walk(tree) if isinstance(n, ast.arguments)
                  for a in n.args + n.kwonlyargs + ([n.vararg] if n.vararg else []) + ([n.kwarg] if n.kwarg else [])}
        return found
    return {n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and isinstance(n.ctx, ast.Load)}


@pytest.mark.parametrize("path", lessons.notebook_paths(), ids=lambda p: p.stem)
def test_no_cell_of_the_students_edition_needs_a_solution(path):
    """A name a solution defines is not used by any cell a student keeps."""
    notebook = nbformat.read(path, as_version=4)
    kept, from_solutions = set(dir(builtins)) | {"display", "get_ipython"}, set()
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
        tree = ast.parse(code)
        if lessons.SOLUTION_TAG in cell.metadata.get("tags", []):
            from_solutions |= _names(tree, "stored") - kept
            continue
        needed = (_names(tree, "load") - _names(tree, "stored")) & (from_solutions - kept)
        assert not needed, f"{path.stem}: a cell students keep uses {sorted(needed)}, defined only in a solution"
        kept |= _names(tree, "stored")


@pytest.mark.slow
def test_the_students_edition_has_no_solutions_and_runs(tmp_path):
    assert lessons.main(["student", str(tmp_path)]) == 0
    for path in lessons.notebook_paths():
        full = nbformat.read(path, as_version=4)
        student = nbformat.read(tmp_path / path.name, as_version=4)
        assert not [c for c in student.cells if lessons.SOLUTION_TAG in c.metadata.get("tags", [])]
        assert [c.source for c in student.cells] == [
            c.source for c in full.cells if lessons.SOLUTION_TAG not in c.metadata.get("tags", [])]
    # nbval runs one of them (the others have the same cells as the course's own, which nbval runs)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-m", "pytest", "--nbval-lax", "-q", "-p", "no:cacheprovider",
                           "--rootdir", str(ROOT), "-c", str(ROOT / "pytest.ini"), str(tmp_path / "02_the_crop.ipynb")],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]


def test_key_figures_are_saved_from_executed_notebooks_and_missing_ones_say_why(tmp_path):
    import base64

    import io

    from PIL import Image

    made = io.BytesIO()
    Image.new("RGB", (1000, 500), (200, 30, 30)).save(made, format="PNG")   # a figure wider than the guide's
    png = base64.b64encode(made.getvalue()).decode()
    figure = new_code_cell("plots.figure()", metadata={"tags": [lessons.FIGURE_TAG]})
    figure.outputs = [nbformat.v4.new_output("display_data", data={"image/png": png, "text/plain": "<Figure>"})]
    kept = tmp_path / "kept"
    kept.mkdir()
    nbformat.write(new_notebook(cells=[new_code_cell("x = 1"), figure]), kept / "03_the_autoencoder.ipynb")
    assert lessons.main(["figures", str(kept), "--out", str(tmp_path / "out")]) == 0
    with Image.open(tmp_path / "out" / "03_the_autoencoder_1.png") as saved:
        assert saved.size == (lessons.FIGURE_WIDTH, lessons.FIGURE_WIDTH // 2)
        assert saved.convert("RGB").getpixel((10, 10)) == (200, 30, 30)
    figure.outputs = []   # not executed
    nbformat.write(new_notebook(cells=[figure]), kept / "03_the_autoencoder.ipynb")
    with pytest.raises(ValueError, match="shows no figure"):
        lessons.key_figures(kept, tmp_path / "out")
    assert lessons.main(["figures", str(tmp_path / "empty")]) == 2


def test_every_key_figure_in_the_teachers_guide_is_made_from_a_tagged_cell():
    guide = (ROOT / "docs" / "teaching.md").read_text()
    shown = sorted(set(re.findall(r"\(teaching/(\d\d_[a-z_]+)_(\d+)\.png\)", guide)))
    assert shown, "docs/teaching.md shows the key figures"
    for stem, n in shown:
        notebook = nbformat.read(lessons.NOTEBOOKS / f"{stem}.ipynb", as_version=4)
        assert any(lessons.FIGURE_TAG in c.metadata.get("tags", []) for c in notebook.cells), stem
        assert (ROOT / "docs" / "teaching" / f"{stem}_{n}.png").exists()


def test_the_readme_and_the_teachers_guide_quote_the_measured_minutes():
    import json

    record = json.loads((ROOT / "results" / "lesson_timing.json").read_text())
    quoted = lessons.minutes(record)
    assert set(record["notebooks"]) == {p.stem for p in lessons.notebook_paths()}, "rerun lessons time"
    readme = (ROOT / "README.md").read_text()
    for name in record["notebooks"]:
        row = re.search(rf"^\| `{name}` \|[^|]+\| (\d+) \| (\d+) \|$", readme, re.M)
        assert row, f"README.md: no minutes for {name}"
        assert (int(row.group(1)), int(row.group(2))) == (quoted[name]["class"], quoted[name]["home"]), name
    guide = (ROOT / "docs" / "teaching.md").read_text()
    rows = re.findall(r"^\| (\d) · [^|]+\|[^|]+\| (\d+) \|$", guide, re.M)
    assert [(f"0{n}", int(m)) for n, m in rows] == [(name[:2], quoted[name]["class"]) for name in record["notebooks"]
                                                    if name.startswith(lessons.CLASS_NOTEBOOKS)]
    assert re.search(rf"^\| \*\*the class\*\* \| \| \*\*{quoted['class']}\*\* \|$", guide, re.M)
    assert quoted["class"] <= lessons.CLASS_MINUTES, "the class's path fits its 90 minutes"
