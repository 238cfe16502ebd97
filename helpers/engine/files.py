"""Where the repository is, and the one way the project writes a file it must not lose."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent.parent


@contextlib.contextmanager
def replacing(path: str | os.PathLike, mode: int = 0o644):
    """The one way the project writes a file it must not lose: yields a temporary path beside
    ``path`` (same suffix, so a library that checks it is content); when the block ends
    without an error the temporary file replaces ``path`` in one rename. A crash or a full
    disk never leaves a half-written file, and a reader sees the old file or the new one."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.stem + ".", suffix=".tmp" + path.suffix)
    os.close(fd)
    try:
        yield Path(tmp)
        os.chmod(tmp, mode)  # mkstemp makes it private; these files are for everyone
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)


def atomic_write(path: str | os.PathLike, write, mode: int = 0o644) -> Path:
    """Write ``path`` through ``write(binary_file)``, atomically (see :func:`replacing`)."""
    with replacing(path, mode) as tmp, open(tmp, "wb") as f:
        write(f)
    return Path(path)


def write_text(path: str | os.PathLike, text: str) -> Path:
    """:func:`atomic_write` of a text (UTF-8)."""
    return atomic_write(path, lambda f: f.write(text.encode("utf-8")))


def write_json(path: str | os.PathLike, value) -> Path:
    """:func:`atomic_write` of ``value`` as indented JSON (floats of NumPy included)."""
    return write_text(path, json.dumps(value, indent=2, default=float) + "\n")


def read_json(path: str | os.PathLike) -> dict:
    """A JSON file as a dict, or ``{}`` when it is missing or unreadable."""
    try:
        return json.loads(Path(path).read_text())
    except (OSError, ValueError):
        return {}
