"""The package's shape: its layers hold (import-linter's contracts in .importlinter), Keras is
not imported where a backend must still be chosen, and every function of the package reads
on one screen."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCREEN = 60  # lines
# Modules with functions still longer than a screen, being shortened now: take each out when it is
# (none now; a module named here must exist).
NOT_YET_ON_ONE_SCREEN: tuple[str, ...] = ()
MODULES = sorted(p for p in (ROOT / "helpers").rglob("*.py")
                 if p.relative_to(ROOT).as_posix() not in NOT_YET_ON_ONE_SCREEN)


def test_import_contracts_hold():
    """`lint-imports` (import-linter) with the contracts of .importlinter: no cycles, layers."""
    code = ("import sys; from importlinter.cli import lint_imports; "
            "sys.exit(lint_imports(config_filename='.importlinter', no_cache=True, no_logo=True))")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


@pytest.mark.parametrize("module", ["helpers", "helpers.paper", "helpers.holes", "helpers.data",
                                    "helpers.inpainters", "helpers.classical", "helpers.metrics",
                                    "helpers.evaluation", "helpers.verdicts", "helpers.environment",
                                    "helpers.engine.checkpoints", "helpers.engine.weightfiles",
                                    "helpers.cli.train", "helpers.cli.evaluate", "helpers.cli.publish",
                                    "helpers.cli.report", "helpers.cli.bench"])
def test_module_does_not_import_keras(module):
    """Commands choose the backend after parsing their options, and notebooks silence its start-up
    first: so these modules must not import Keras on their own."""
    code = f"import sys, {module}; print('keras' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "False"


def test_every_module_but_those_named_is_checked_on_one_screen():
    assert {p.relative_to(ROOT).as_posix() for p in MODULES} >= {"helpers/plots.py", "helpers/cli/evaluate.py",
                                                                 "helpers/engine/backend.py"}
    assert all((ROOT / name).exists() for name in NOT_YET_ON_ONE_SCREEN), "a module named there is gone"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.relative_to(ROOT / "helpers").as_posix())
def test_functions_read_on_one_screen(path):
    long = [f"{node.name} ({node.end_lineno - node.lineno + 1} lines)"
            for node in ast.walk(ast.parse(path.read_text()))
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
            and node.end_lineno - node.lineno + 1 > SCREEN]
    assert not long, f"{path.relative_to(ROOT)}: {', '.join(long)} longer than {SCREEN} lines"
