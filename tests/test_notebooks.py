"""The notebooks as files: stored without outputs, generated from tools/build_notebooks.py,
with one Colab address, and with the parts every notebook must have.

Running them is nbval's job: ``INPAINTING_SMOKE=1 pytest --nbval-lax notebooks/``.
"""

import importlib.util
import json
import shutil
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TOOLS = ROOT / "tools"
EXPECTED = ["01_the_problem.ipynb", "02_the_crop.ipynb", "03_the_autoencoder.ipynb",
            "04_the_gan.ipynb", "05_the_comparison.ipynb", "06_beyond_the_paper.ipynb"]


def load_tool(name):
    sys.path.insert(0, str(TOOLS))
    try:
        spec = importlib.util.spec_from_file_location(name, TOOLS / f"{name}.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        return module
    finally:
        sys.path.remove(str(TOOLS))


def all_notebooks():
    return sorted(NOTEBOOKS.glob("*.ipynb"))


def test_the_six_notebooks_are_there():
    assert [p.name for p in all_notebooks()] == EXPECTED


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_notebook_is_stored_without_outputs(path):
    raw = json.loads(path.read_text())
    problems = []
    for i, cell in enumerate(raw["cells"]):
        if cell["cell_type"] == "code":
            if cell.get("outputs"):
                problems.append(f"cell {i} has outputs")
            if cell.get("execution_count") is not None:
                problems.append(f"cell {i} has an execution count")
    if "widgets" in raw.get("metadata", {}):
        problems.append("widget state is stored in the notebook's metadata")
    assert not problems, (f"{path.name}: {'; '.join(problems)}. Notebooks are committed with outputs "
                          f"stripped: regenerate them with `python tools/build_notebooks.py`.")


def test_notebooks_match_their_generator():
    build = load_tool("build_notebooks")
    url, branch = build.read_repository()
    for name, nb in build.build(url, branch).items():
        assert (NOTEBOOKS / name).read_text() == nbformat.writes(nb) + "\n", (
            f"{name} differs from tools/build_notebooks.py: edit the cells there and run it.")


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_colab_badge_and_setup_cell_use_the_one_address(path):
    tool = load_tool("set_repository")
    url, branch = tool.read_repository()
    nb = nbformat.read(path, as_version=4)
    badges = [c for c in nb.cells if tool.BADGE_TAG in c.metadata.get("tags", [])]
    setups = [c for c in nb.cells if tool.SETUP_TAG in c.metadata.get("tags", [])]
    assert len(badges) == 1 and len(setups) == 1
    assert tool.colab_url(url, branch, path.name) in badges[0].source
    assert setups[0].source == tool.setup_source(url, branch)
    assert nb.cells.index(setups[0]) < min(i for i, c in enumerate(nb.cells) if c.cell_type == "code"
                                           and c is not setups[0] and "import" in c.source)


@pytest.mark.parametrize("path", all_notebooks(), ids=lambda p: p.name)
def test_notebook_has_goals_gpu_cell_summary_and_exercises(path):
    nb = nbformat.read(path, as_version=4)
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for heading in ("## Learning goals", "## Summary", "## Exercises"):
        assert heading in markdown, f"{path.name} has no {heading!r}"
    assert "course.gpu_status()" in code and "course.describe_mode(" in code
    assert "%matplotlib inline" in code
    long_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.count("\n") > 20]
    assert not long_cells, f"{path.name}: code cells {long_cells} are long; move code into helpers"


def test_setup_cell_does_nothing_outside_colab(tmp_path, monkeypatch):
    tool = load_tool("set_repository")
    source = tool.setup_source("https://github.com/someone/course", "main")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (tmp_path / "helpers").mkdir()
    monkeypatch.chdir(sub)
    monkeypatch.setattr(sys, "path", list(sys.path))
    namespace = {}
    exec(compile(source, "setup", "exec"), namespace)  # no subprocess: not in Colab
    assert namespace["ROOT"] == tmp_path and str(tmp_path) in sys.path


def test_set_repository_rewrites_badge_and_setup(tmp_path):
    tool = load_tool("set_repository")
    copy = tmp_path / EXPECTED[2]
    shutil.copy(NOTEBOOKS / EXPECTED[2], copy)
    new = "https://github.com/teacher/inpainting"
    assert tool.apply(copy, new, "dev") is True
    nb = nbformat.read(copy, as_version=4)
    text = "\n".join(c.source for c in nb.cells)
    assert "colab.research.google.com/github/teacher/inpainting/blob/dev/notebooks/03_the_autoencoder.ipynb" in text
    assert 'REPOSITORY = "https://github.com/teacher/inpainting"' in text and 'BRANCH = "dev"' in text
    assert tool.apply(copy, new, "dev") is False  # idempotent
    repository = tmp_path / "REPOSITORY"
    repository.write_text("# comment\nurl: https://github.com/a/b\nbranch: main\n")
    tool.write_repository(new + ".git", "dev", repository)
    assert tool.read_repository(repository) == (new, "dev")
    assert repository.read_text().startswith("# comment")
    with pytest.raises(ValueError, match="GitHub"):
        tool.parse_url("https://example.com/a/b")


def test_set_repository_and_the_generator_agree(tmp_path):
    """After a change of address, the rewritten notebooks are what the generator makes."""
    build = load_tool("build_notebooks")
    tool = load_tool("set_repository")
    url, branch = "https://github.com/teacher/inpainting", "dev"
    books = build.build(url, branch)
    for path in all_notebooks():
        copy = tmp_path / path.name
        shutil.copy(path, copy)
        tool.apply(copy, url, branch)
        assert copy.read_text() == nbformat.writes(books[path.name]) + "\n"
