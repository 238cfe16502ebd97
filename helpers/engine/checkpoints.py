"""The checkpoint a training run resumes from: one ``.npz`` with every variable and a record.

A checkpoint holds, for each network, its three groups of variables (trainable,
non-trainable, optimizer) as arrays named ``<net>/<group>/<index>``, the averaged weights
where the run averages them (``average/<net>/<group>/<index>``), and a JSON record under
:data:`META_KEY`: iteration, seeds, settings, loss history and wall time.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np

from .files import atomic_write

META_KEY = "__meta__"
COMMANDS_LOG = "commands.jsonl"   # in a run folder: every command that trained it, one a line

class CheckpointError(ValueError):
    """A checkpoint is missing, damaged, or belongs to another model or setting."""


def read_checkpoint(path: str | os.PathLike, arrays: bool = True) -> tuple[dict, dict]:
    """A checkpoint's (record, arrays by name); ``arrays=False`` reads the record only.
    Raises :class:`CheckpointError` if it is missing or damaged."""
    path = Path(path)
    if not path.exists():
        raise CheckpointError(f"No checkpoint at {str(path)!r}. Start without --resume, "
                              f"or point to the folder of an earlier run.")
    try:
        with np.load(path, allow_pickle=False) as f:
            meta = json.loads(str(f[META_KEY]))
            values = {k: f[k] for k in f.files if k != META_KEY} if arrays else {}
    except Exception as err:
        raise CheckpointError(
            f"The checkpoint {str(path)!r} is damaged ({type(err).__name__}: {err}). Delete "
            f"it to start over, or restore it from a copy.") from err
    return meta, values


def write_checkpoint(path: str | os.PathLike, meta: dict, arrays: dict) -> Path:
    """Write a checkpoint atomically (a crash never leaves half of one)."""
    return atomic_write(path, lambda f: np.savez(f, **{META_KEY: np.str_(json.dumps(meta))}, **arrays))


def check_settings(saved: dict, expected: dict, where: str, fixed) -> None:
    """A clear error if a saved run's settings differ from this run's in one of ``fixed``, the
    settings a run cannot change when it resumes or continues: another value would make the
    checkpoint's weights, or its data, something else than what its record says."""
    for key in fixed:
        if (key in expected or key in saved) and saved.get(key) != expected.get(key):
            raise CheckpointError(
                f"The checkpoint {where!r} was made with {key}={saved.get(key)!r}, this run "
                f"has {key}={expected.get(key)!r}. Resume with the same settings, or start a "
                f"new run in another folder.")


def state_arrays(states: dict, groups: int = 3, prefix: str = "") -> dict[str, np.ndarray]:
    """``{net: state}`` as named arrays; ``groups=2`` leaves the optimizer state out."""
    return {f"{prefix}{name}/{g}/{i}": np.asarray(value)
            for name, state in states.items() for g, group in enumerate(state[:groups])
            for i, value in enumerate(group)}


def restore_states(states: dict, arrays: dict, where: str, kind: str, weights_only: bool = False) -> dict:
    """The arrays of a checkpoint as ``{net: groups}`` shaped like ``states`` (this run's),
    converted to their dtypes; ``weights_only``: the arrays hold no optimizer state (published
    weights), so the optimizer's current values are kept."""
    restored = {}
    for name, state in states.items():
        groups = []
        for g, group in enumerate(state):
            values = []
            for i, current in enumerate(group):
                current = np.asarray(current)
                key = f"{name}/{g}/{i}"
                if weights_only and g == 2:
                    values.append(current)
                    continue
                if key not in arrays or tuple(arrays[key].shape) != tuple(current.shape):
                    raise CheckpointError(
                        f"The checkpoint {where!r} does not fit this {kind}: variable {key} is "
                        f"missing or has another shape. It was saved by another architecture.")
                values.append(np.asarray(arrays[key]).astype(current.dtype))
            groups.append(values)
        restored[name] = tuple(groups)
    return restored


def validation_seed_of(meta: dict) -> int:
    """The seed of the validation split a checkpoint or published record was trained beside:
    its ``validation_seed`` where it has one, else its ``seed``."""
    return int(meta.get("validation_seed", meta.get("seed", 0)))


def log_command(run_dir: str | os.PathLike, command: str, started: str) -> None:
    """Append ``command`` to the run folder's :data:`COMMANDS_LOG` as it starts, so a run
    resumed over several sessions records all of them, even those killed without a run.json."""
    with open(Path(run_dir) / COMMANDS_LOG, "a", encoding="utf-8") as f:
        f.write(json.dumps({"command": command, "started": started}) + "\n")


def read_commands(run_dir: str | os.PathLike) -> list[dict]:
    """Every command that trained the run in ``run_dir``, oldest first (empty if none was logged)."""
    path = Path(run_dir) / COMMANDS_LOG
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
