"""Set the course's public repository address; rewrite every Colab badge and set-up cell.

The address lives in one place, ``notebooks/REPOSITORY``. This script writes it there and
rewrites, in every notebook of ``notebooks/`` (the jupytext source ``NN_name.py`` and its
paired ``NN_name.ipynb``), the cell tagged ``colab-badge`` (its "Open in Colab" badge) and
the cell tagged ``colab-setup`` (the set-up code that fetches the course in Colab, shown as a
collapsed form: its ``#@title`` line, ``cellView: form`` for Colab and ``source_hidden`` for
JupyterLab). Outputs stay stripped.

    python tools/set_repository.py https://github.com/OWNER/NAME            # set and rewrite
    python tools/set_repository.py https://github.com/OWNER/NAME --branch dev
    python tools/set_repository.py                                          # rewrite from the file
    python tools/set_repository.py --check     # exit 1 if a notebook disagrees with the file
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import jupytext
import nbformat

REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO_ROOT / "notebooks"
REPOSITORY_FILE = NOTEBOOKS / "REPOSITORY"
BADGE_TAG = "colab-badge"
SETUP_TAG = "colab-setup"
# Where Colab clones the course, and the address a copy has before anyone set it.
COLAB_ROOT = "/content/inpainting-course"
PLACEHOLDER = "https://github.com/OWNER/inpainting-course"
SETUP_TITLE = "#@title Set-up: fetch the course on Colab (click ▶; nothing to read here)"
# The set-up cell shows as its title only: a form in Colab, a collapsed cell in JupyterLab.
SETUP_METADATA = {"cellView": "form", "jupyter": {"source_hidden": True}}

BADGE_RE = re.compile(r"\[!\[Open In Colab\]\([^)]*\)\]\([^)]*\)")
URL_RE = re.compile(r"^https://github\.com/([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$")


def parse_url(url: str) -> tuple[str, str]:
    """'https://github.com/OWNER/NAME' -> ('OWNER', 'NAME'), or a ValueError."""
    match = URL_RE.match(url.strip())
    if not match:
        raise ValueError(f"{url!r} is not a GitHub repository address like "
                         f"https://github.com/OWNER/NAME (Colab opens notebooks from GitHub).")
    return match.group(1), match.group(2)


def read_repository(path: Path = REPOSITORY_FILE) -> tuple[str, str]:
    """(url, branch) from ``notebooks/REPOSITORY``."""
    values = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and ":" in line:
            key, value = line.split(":", 1)
            values[key.strip()] = value.strip()
    if "url" not in values:
        raise ValueError(f"{path} has no 'url: https://github.com/OWNER/NAME' line.")
    parse_url(values["url"])
    return values["url"].rstrip("/").removesuffix(".git"), values.get("branch", "main")


def write_repository(url: str, branch: str, path: Path = REPOSITORY_FILE) -> None:
    """Replace the url and branch lines of ``notebooks/REPOSITORY``, keeping its comments."""
    parse_url(url)
    if not re.fullmatch(r"[A-Za-z0-9_./-]+", branch):
        raise ValueError(f"{branch!r} is not a branch name.")
    url = url.rstrip("/").removesuffix(".git")
    lines = [line for line in path.read_text().splitlines()
             if not re.match(r"\s*(url|branch)\s*:", line)] if path.exists() else []
    path.write_text("\n".join(lines + [f"url: {url}", f"branch: {branch}"]) + "\n")


def colab_url(url: str, branch: str, notebook: str) -> str:
    owner, name = parse_url(url)
    return f"https://colab.research.google.com/github/{owner}/{name}/blob/{branch}/notebooks/{notebook}"


def badge(url: str, branch: str, notebook: str) -> str:
    return (f"[![Open In Colab](https://colab.research.google.com/assets/colab-badge.svg)]"
            f"({colab_url(url, branch, notebook)})")


def setup_source(url: str, branch: str) -> str:
    """The set-up cell: in Colab, fetch the course, with a message that says what to do when
    that fails, then repair OpenCV if its wheels hide the shift-map fill
    (:func:`helpers.environment.repair_opencv`, before anything imports cv2); elsewhere, only
    make ``helpers`` importable from the repository root. (Colab ships everything else.)"""
    return f'''{SETUP_TITLE}
# In Google Colab: fetch the course (once a session) and make sure OpenCV can run the shift-map
# fill. Anywhere else: nothing to install, only make the `helpers` package importable.
import subprocess, sys
from pathlib import Path

REPOSITORY = "{url}"  # set by tools/set_repository.py
BRANCH = "{branch}"
if "google.colab" in sys.modules:
    ROOT = Path("{COLAB_ROOT}")
    if "/OWNER/" in REPOSITORY:
        raise RuntimeError("This copy of the course does not know where it is published: REPOSITORY "
                           "above still says OWNER. Put the course's GitHub address there (ask your "
                           "teacher), or run `python tools/set_repository.py URL` in the course.")
    if not ROOT.exists():
        clone = subprocess.run(["git", "clone", "--quiet", "--depth", "1", "--branch", BRANCH,
                                REPOSITORY, str(ROOT)], capture_output=True, text=True)
        if clone.returncode != 0:
            raise RuntimeError(f"Could not fetch the course from {{REPOSITORY}} (branch {{BRANCH}}). "
                               f"git said:\\n{{clone.stderr.strip()}}")
else:  # the repository root: the first folder up from here that holds helpers/
    ROOT = next((p for p in [Path.cwd(), *Path.cwd().parents] if (p / "helpers").is_dir()), Path.cwd())
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))
if "google.colab" in sys.modules:  # before cv2 is imported: one line if it changes anything
    from helpers.environment import repair_opencv
    repair_opencv()'''


def has_setup_metadata(cell) -> bool:
    """Whether a set-up cell is shown collapsed (:data:`SETUP_METADATA`)."""
    return all(cell.get("metadata", {}).get(key) == value for key, value in SETUP_METADATA.items())


def apply(source: Path, url: str, branch: str, write: bool = True) -> bool:
    """Rewrite one notebook's badge and set-up cells (its ``.py`` source and its paired
    ``.ipynb``); True if anything changed. Every other cell, and the cell ids, stay as they are."""
    nb = jupytext.read(source)
    notebook = source.with_suffix(".ipynb").name
    changed = _rewrite_cells(nb, source.name, url, branch, notebook)
    if changed and write:
        _write_py(nb, source)
        paired = nbformat.read(source.with_suffix(".ipynb"), as_version=4)
        _rewrite_cells(paired, notebook, url, branch, notebook)
        nbformat.write(paired, source.with_suffix(".ipynb"))
    return changed


def _write_py(nb, path: Path) -> None:
    """Write the jupytext source, keeping its header's jupytext version (no change of its own)."""
    old = re.search(r"^#\s+jupytext_version: .*$", path.read_text(), re.M)
    text = jupytext.writes(nb, fmt="py:percent")
    if old:
        text = re.sub(r"^#\s+jupytext_version: .*$", lambda _: old.group(0), text, count=1, flags=re.M)
    path.write_text(text)


def _rewrite_cells(nb, name: str, url: str, branch: str, notebook: str) -> bool:
    """Put the badge and the set-up cell into ``nb``; True if either changed."""
    changed = False
    found = set()
    for cell in nb.cells:
        tags = cell.get("metadata", {}).get("tags", [])
        if BADGE_TAG in tags:
            found.add(BADGE_TAG)
            if BADGE_RE.search(cell.source) is None:
                raise ValueError(f"{name}: the cell tagged {BADGE_TAG!r} has no Colab badge.")
            new = BADGE_RE.sub(badge(url, branch, notebook), cell.source)
            changed |= new != cell.source
            cell.source = new
        if SETUP_TAG in tags:
            found.add(SETUP_TAG)
            new = setup_source(url, branch)
            changed |= new != cell.source or not has_setup_metadata(cell)
            cell.source = new
            cell.metadata.update(SETUP_METADATA)
    missing = {BADGE_TAG, SETUP_TAG} - found
    if missing:
        raise ValueError(f"{name} has no cell tagged {', '.join(sorted(missing))}.")
    return changed


def notebooks() -> list[Path]:
    """The notebooks' jupytext sources, ``notebooks/NN_name.py``."""
    return sorted(NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("url", nargs="?", help="https://github.com/OWNER/NAME (default: keep the file's)")
    parser.add_argument("--branch", help="the branch Colab opens (default: keep the file's, or main)")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if a notebook disagrees with notebooks/REPOSITORY")
    args = parser.parse_args(argv)
    if args.check and (args.url or args.branch):
        parser.error("--check takes no address: it checks the notebooks against notebooks/REPOSITORY")
    try:
        url, branch = read_repository() if REPOSITORY_FILE.exists() else (None, "main")
        if args.url or args.branch:
            url = args.url or url
            if url is None:
                parser.error("give the repository address")
            write_repository(url, args.branch or branch)
            url, branch = read_repository()
        stale = [p.name for p in notebooks() if apply(p, url, branch, write=not args.check)]
    except ValueError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    if args.check:
        if stale:
            print("Out of date with notebooks/REPOSITORY: " + ", ".join(stale)
                  + "\nRun: python tools/set_repository.py", file=sys.stderr)
            return 1
        print(f"All {len(notebooks())} notebooks point at {url} ({branch}).")
        return 0
    print(f"Repository: {url} (branch {branch}); rewrote {len(stale)} of {len(notebooks())} notebooks"
          + (f": {', '.join(stale)}" if stale else "") + ".")
    return 0


if __name__ == "__main__":
    sys.exit(main())
