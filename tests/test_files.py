"""Writing files the project must not lose (helpers.engine.files): atomically, or not at all."""

import json
import os

import numpy as np
import pytest

from helpers.engine import files


def test_replacing_swaps_the_file_in_one_rename(tmp_path):
    path = tmp_path / "sub" / "data.json"               # a missing folder is made
    with files.replacing(path) as tmp:
        assert tmp.parent == path.parent and tmp.name.endswith(".tmp.json"), "same folder, same suffix"
        assert not path.exists(), "nothing is visible before the block ends"
        tmp.write_text("new")
    assert path.read_text() == "new" and os.stat(path).st_mode & 0o777 == 0o644
    assert [p.name for p in path.parent.iterdir()] == ["data.json"], "no temporary file is left"


def test_an_error_keeps_the_old_file_and_leaves_no_temporary_file(tmp_path):
    path = tmp_path / "weights.npz"
    path.write_bytes(b"old")

    def half_then_crash(f):
        f.write(b"half of the new ")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        files.atomic_write(path, half_then_crash)
    assert path.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["weights.npz"]
    with pytest.raises(RuntimeError):
        with files.replacing(tmp_path / "new.txt") as tmp:
            tmp.write_text("never seen")
            raise RuntimeError
    assert [p.name for p in tmp_path.iterdir()] == ["weights.npz"]


def test_write_json_and_read_json(tmp_path):
    path = files.write_json(tmp_path / "run.json", {"loss": np.float32(0.25), "iterations": 3,
                                                   "history": [np.float64(0.5), 0.4]})
    assert path == tmp_path / "run.json" and path.read_text().endswith("\n")
    assert json.loads(path.read_text()) == {"loss": 0.25, "iterations": 3, "history": [0.5, 0.4]}
    assert files.read_json(path) == {"loss": 0.25, "iterations": 3, "history": [0.5, 0.4]}
    assert files.read_json(tmp_path / "missing.json") == {}
    (tmp_path / "broken.json").write_text("{not json")
    assert files.read_json(tmp_path / "broken.json") == {}
    files.write_text(tmp_path / "note.md", "crème brûlée\n")
    assert (tmp_path / "note.md").read_bytes() == "crème brûlée\n".encode("utf-8")
    assert not list(tmp_path.glob("*.tmp*"))


def test_repo_root_is_the_repository():
    assert (files.REPO_ROOT / "helpers" / "engine" / "files.py").exists()
    assert (files.REPO_ROOT / "pytest.ini").exists()
