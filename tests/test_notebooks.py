"""The notebooks as files: paired with their jupytext sources, stored without outputs, with one
Colab address, with the parts every notebook must have, and with exercises that have hints and
solutions. Running them is nbval's job (``pytest --nbval-lax``, in smoke mode)."""

import json
import re
import shutil
import sys
from pathlib import Path

import jupytext
import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = ROOT / "notebooks"
TOOLS = ROOT / "tools"
EXPECTED = ["01_the_problem", "02_the_crop", "03_the_autoencoder", "04_the_gan", "05_the_comparison",
            "06_beyond_the_paper", "07_going_further_with_the_gan"]
TRAINING = ["03_the_autoencoder", "04_the_gan", "06_beyond_the_paper"]

sys.path.insert(0, str(TOOLS))
import set_repository  # noqa: E402


def sources():
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def cells_of(notebook: nbformat.NotebookNode) -> list[tuple[str, str, list]]:
    return [(c.cell_type, c.source, sorted(c.get("metadata", {}).get("tags", []))) for c in notebook.cells]


def test_the_seven_notebooks_are_there_as_pairs():
    assert [p.stem for p in sources()] == EXPECTED
    assert sorted(p.stem for p in NOTEBOOKS.glob("*.ipynb")) == EXPECTED


@pytest.mark.parametrize("name", EXPECTED)
def test_each_notebook_matches_its_source(name):
    """The .ipynb (what Colab opens) holds exactly the cells of the .py (what people edit)."""
    source = jupytext.read(NOTEBOOKS / f"{name}.py")
    stored = nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)
    assert cells_of(stored) == cells_of(source), (
        f"{name}.ipynb differs from {name}.py: edit the .py and run `jupytext --sync notebooks/{name}.py`.")
    assert stored.metadata.get("jupytext", {}).get("formats") == "ipynb,py:percent"


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_is_stored_without_outputs(name):
    raw = json.loads((NOTEBOOKS / f"{name}.ipynb").read_text())
    problems = [f"cell {i} has outputs or an execution count" for i, cell in enumerate(raw["cells"])
                if cell["cell_type"] == "code" and (cell.get("outputs") or cell.get("execution_count") is not None)]
    if "widgets" in raw.get("metadata", {}):
        problems.append("widget state is stored in the notebook's metadata")
    assert not problems, f"{name}: {'; '.join(problems)}. Clear the outputs before committing."


@pytest.mark.parametrize("name", EXPECTED)
def test_colab_badge_and_setup_cell_use_the_one_address(name):
    url, branch = set_repository.read_repository()
    nb = jupytext.read(NOTEBOOKS / f"{name}.py")
    badges = [c for c in nb.cells if set_repository.BADGE_TAG in c.metadata.get("tags", [])]
    setups = [c for c in nb.cells if set_repository.SETUP_TAG in c.metadata.get("tags", [])]
    assert len(badges) == 1 and len(setups) == 1
    assert set_repository.colab_url(url, branch, f"{name}.ipynb") in badges[0].source
    assert setups[0].source == set_repository.setup_source(url, branch)
    first_import = min(i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c is not setups[0])
    assert nb.cells.index(setups[0]) < first_import


@pytest.mark.parametrize("name", EXPECTED)
def test_setup_cell_is_a_collapsed_form_in_both_files(name):
    """Colab shows it as its title (cellView: form), JupyterLab collapsed (source_hidden), in the
    .ipynb Colab opens and in the .py people edit (jupytext keeps both keys)."""
    for notebook in (jupytext.read(NOTEBOOKS / f"{name}.py"), nbformat.read(NOTEBOOKS / f"{name}.ipynb", as_version=4)):
        setup = next(c for c in notebook.cells if set_repository.SETUP_TAG in c.metadata.get("tags", []))
        assert setup.metadata["cellView"] == "form" and setup.metadata["jupyter"]["source_hidden"] is True
        assert setup.source.splitlines()[0] == set_repository.SETUP_TITLE
    assert set_repository.SETUP_TITLE.startswith("#@title ") and "\n" not in set_repository.SETUP_TITLE


@pytest.mark.parametrize("name", EXPECTED)
def test_notebook_has_goals_setup_summary_and_short_cells(name):
    nb = jupytext.read(NOTEBOOKS / f"{name}.py")
    markdown = "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    for heading in ("## Learning goals", "## Summary", "## Exercises"):
        assert heading in markdown, f"{name} has no {heading!r}"
    assert "environment.quiet_logs()" in code and "environment.gpu_status()" in code
    assert "%matplotlib inline" in code
    long_cells = [i for i, c in enumerate(nb.cells) if c.cell_type == "code" and c.source.count("\n") >= 20
                  and set_repository.SETUP_TAG not in c.metadata.get("tags", [])]
    assert not long_cells, f"{name}: code cells {long_cells} are long; move code into helpers"
    assert not re.search(r"SPEC\.md|\.\./shared|\bissue", markdown + code)


@pytest.mark.parametrize("name", TRAINING)
def test_training_notebook_has_one_visible_choice_of_run(name):
    nb = jupytext.read(NOTEBOOKS / f"{name}.py")
    choice = [c for c in nb.cells if "run-choice" in c.metadata.get("tags", [])]
    assert len(choice) == 1 and re.fullmatch(r'RUN = "pretrained"\s*#.*', choice[0].source.strip())
    code = "\n".join(c.source for c in nb.cells if c.cell_type == "code")
    assert "runs.estimate(" in code and "runs.studied(RUN" in code


@pytest.mark.parametrize("name", EXPECTED)
def test_every_exercise_has_a_time_a_hint_and_a_solution(name):
    nb = jupytext.read(NOTEBOOKS / f"{name}.py")
    start = next(i for i, c in enumerate(nb.cells) if c.cell_type == "markdown" and "## Exercises" in c.source)
    numbers = []
    for i, cell in enumerate(nb.cells[start:], start):
        for number, minutes in re.findall(r"^### Exercise (\d+) · .+ \((\d+) min\)$", cell.source, re.M):
            numbers.append(int(number))
            assert "<details><summary>Hint</summary>" in cell.source, f"{name}: exercise {number} has no hint"
            solution = nb.cells[i + 1]
            assert solution.cell_type == "code" and "solution" in solution.metadata.get("tags", []), (
                f"{name}: exercise {number} is not followed by a code cell tagged 'solution'")
            assert solution.source.startswith(f"# Solution to exercise {number}")
            assert solution.metadata.get("jupyter", {}).get("source_hidden") is True
    assert numbers and numbers == list(range(1, len(numbers) + 1)), f"{name}: exercises {numbers}"


# --------------------------------------------------------------------------- Colab


def _colab_setup(tmp_path, repository: str, branch: str | None = None, repair: bool = False) -> str:
    """The set-up cell as Colab runs it: google.colab importable, the clone going to tmp_path.
    Its OpenCV repair is imported but not called unless ``repair``: on this interpreter it could
    install a wheel (tests/test_environment.py tests it with a stand-in interpreter)."""
    url, default = set_repository.read_repository()
    source = set_repository.setup_source(url, branch or default)
    if not repair:
        assert source.count("\n    repair_opencv()") == 1
        source = source.replace("\n    repair_opencv()", "\n    assert callable(repair_opencv)")
    source = source.replace(f'REPOSITORY = "{url}"', f"REPOSITORY = {repository!r}")
    source = source.replace(f'Path("{set_repository.COLAB_ROOT}")', f"Path({str(tmp_path / 'course')!r})")
    return "import sys, types\nsys.modules['google.colab'] = types.ModuleType('google.colab')\n" + source


def _run(code: str, cwd: Path):
    import os
    import subprocess

    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    return subprocess.run([sys.executable, "-c", code], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=300)


@pytest.mark.slow
def test_colab_setup_fetches_the_course_which_then_finds_its_weights(tmp_path):
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout: nothing to clone")
    import subprocess

    head = subprocess.run(["git", "symbolic-ref", "--short", "-q", "HEAD"], cwd=ROOT, capture_output=True,
                          text=True).stdout.strip()  # the branch checked out here (its set-up cell)
    code = _colab_setup(tmp_path, str(ROOT), head or None) + (
        "\nimport helpers.pretrained as p, helpers.runs\n"
        "from helpers.engine.weightfiles import verify\n"
        "print(p.__file__)\n"
        "print(verify('autoencoder'))\n"
        "print(helpers.runs.pretrained_available('gan'))\n")
    done = _run(code, tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    module, weights, gan = done.stdout.strip().splitlines()[-3:]
    assert module.startswith(str(tmp_path / "course")) and weights.startswith(str(tmp_path / "course"))
    assert gan == "True"


def test_colab_setup_says_what_to_do_with_the_placeholder_address(tmp_path):
    done = _run(_colab_setup(tmp_path, set_repository.PLACEHOLDER), tmp_path)
    assert done.returncode != 0 and "still says OWNER" in done.stderr
    assert not (tmp_path / "course").exists()


def test_colab_setup_shows_gits_message_when_the_clone_fails(tmp_path):
    done = _run(_colab_setup(tmp_path, str(tmp_path / "no-such-repository")), tmp_path)
    assert done.returncode != 0 and "Could not fetch the course" in done.stderr
    assert "git said:" in done.stderr and "does not exist" in done.stderr


def test_colab_setup_repairs_opencv_before_anything_imports_cv2(tmp_path):
    """On Colab the cell calls helpers.environment.repair_opencv, with cv2 not yet imported (the
    repair itself is tested with a stand-in interpreter in tests/test_environment.py)."""
    stub = tmp_path / "course" / "helpers"
    stub.mkdir(parents=True)  # the course already fetched: no clone
    (stub / "__init__.py").write_text("")
    (stub / "environment.py").write_text(
        "import sys\ndef repair_opencv():\n    print('repair_opencv called; cv2 imported:', 'cv2' in sys.modules)\n")
    done = _run(_colab_setup(tmp_path, "https://github.com/someone/course", repair=True), tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "repair_opencv called; cv2 imported: False"


def test_setup_cell_does_nothing_outside_colab(tmp_path, monkeypatch):
    source = set_repository.setup_source("https://github.com/someone/course", "main")
    sub = tmp_path / "a" / "b"
    sub.mkdir(parents=True)
    (tmp_path / "helpers").mkdir()
    monkeypatch.chdir(sub)
    monkeypatch.setattr(sys, "path", list(sys.path))
    namespace = {}
    exec(compile(source, "setup", "exec"), namespace)  # no subprocess: not in Colab
    assert namespace["ROOT"] == tmp_path and str(tmp_path) in sys.path
    assert "repair_opencv" not in namespace  # OpenCV is left as it is outside Colab


def test_set_repository_rewrites_badge_and_setup_in_both_files(tmp_path):
    for suffix in (".py", ".ipynb"):
        shutil.copy(NOTEBOOKS / f"03_the_autoencoder{suffix}", tmp_path)
    copy = tmp_path / "03_the_autoencoder.py"
    new = "https://github.com/teacher/inpainting"
    assert set_repository.apply(copy, new, "dev") is True
    for path in (copy, copy.with_suffix(".ipynb")):
        text = "\n".join(c.source for c in jupytext.read(path).cells)
        assert "colab.research.google.com/github/teacher/inpainting/blob/dev/notebooks/03_the_autoencoder.ipynb" in text
        assert 'REPOSITORY = "https://github.com/teacher/inpainting"' in text and 'BRANCH = "dev"' in text
    assert set_repository.apply(copy, new, "dev") is False  # idempotent
    assert cells_of(jupytext.read(copy)) == cells_of(nbformat.read(copy.with_suffix(".ipynb"), as_version=4))
    repository = tmp_path / "REPOSITORY"
    repository.write_text("# comment\nurl: https://github.com/a/b\nbranch: main\n")
    set_repository.write_repository(new + ".git", "dev", repository)
    assert set_repository.read_repository(repository) == (new, "dev")
    assert repository.read_text().startswith("# comment")
    with pytest.raises(ValueError, match="GitHub"):
        set_repository.parse_url("https://example.com/a/b")
