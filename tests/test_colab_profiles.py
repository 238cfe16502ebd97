"""Colab's versions in one place: the profiles in tools/colab/ parse, tools/check_colab_versions.sh
reads them (--print-pins builds nothing), and requirements.txt's range starts at the older one."""

import re
import subprocess
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ROOT / "tools" / "colab"
SCRIPT = ROOT / "tools" / "check_colab_versions.sh"
CURRENT, OLDER = "2026-08", "2025-mid"
COLAB_OPENCV = ["opencv-contrib-python==4.14.0.94", "opencv-python==5.0.0.93", "opencv-python-headless==5.0.0.93"]


def read_profile(name: str) -> tuple[str, list[Requirement], str]:
    """(the Python version, the pins, the whole text) of tools/colab/NAME.txt."""
    text = (PROFILES / f"{name}.txt").read_text()
    python = re.search(r"^# python: (\d+\.\d+)$", text, re.M)
    assert python, f"{name}.txt has no '# python: X.Y' line"
    lines = [line.split("#")[0].strip() for line in text.splitlines()]
    return python.group(1), [Requirement(line) for line in lines if line], text


def print_pins(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(SCRIPT), *args, "--print-pins"], cwd=ROOT, capture_output=True, text=True,
                          timeout=60)


@pytest.mark.parametrize("name", [CURRENT, OLDER])
def test_each_profile_pins_every_library_once_and_names_its_source(name):
    python, pins, text = read_profile(name)
    names = [pin.name for pin in pins]
    assert len(names) == len(set(names))
    assert all(len(pin.specifier) == 1 and next(iter(pin.specifier)).operator == "==" for pin in pins)
    for library in ("tensorflow", "keras", "jax", "jaxlib", "numpy", "ipython", "ipykernel", "ipywidgets",
                    "matplotlib", "scikit-image", "pillow"):
        assert library in names, f"{name}.txt does not pin {library}"
    assert any(n.startswith("opencv-") for n in names)
    assert "googlecolab/backend-info" in text or "mid-2025" in text
    assert python in ("3.11", "3.13")


def test_the_current_profile_is_colab_of_august_2026():
    python, pins, text = read_profile(CURRENT)
    assert python == "3.13" and "2026-08-19" in text and "pip-freeze.gpu.txt" in text
    pinned = {pin.name: str(pin.specifier)[2:] for pin in pins}
    assert pinned == {"tensorflow": "2.20.0", "keras": "3.13.2", "jax": "0.7.2", "jaxlib": "0.7.2",
                      "numpy": "2.1.3", "ipython": "7.34.0", "ipykernel": "6.17.1", "ipywidgets": "7.7.1",
                      "matplotlib": "3.10.0", "scikit-image": "0.25.2", "pillow": "11.3.0",
                      "opencv-contrib-python": "4.14.0.94", "opencv-python": "5.0.0.93",
                      "opencv-python-headless": "5.0.0.93"}
    assert [str(p) for p in pins if p.name.startswith("opencv-")] == COLAB_OPENCV  # as Colab lists them


def test_the_script_reads_the_profiles():
    for args, name in (((), CURRENT), (("--profile", OLDER), OLDER), (("--profile", str(PROFILES / f"{OLDER}.txt")), OLDER)):
        done = print_pins(*args)
        assert done.returncode == 0, done.stderr
        python, pins, _ = read_profile(name)
        lines = done.stdout.splitlines()
        assert lines[0].startswith("profile: ") and lines[0].endswith(f"{name}.txt")
        assert lines[1].startswith(f"python: {python} (interpreter: ")
        assert [line[len("pin: "):] for line in lines if line.startswith("pin: ")] == [str(p) for p in pins]
    current = print_pins().stdout
    assert "cv2 from: opencv-python==5.0.0.93" in current  # the case where shift-map breaks
    assert "cv2 from: pip (its install order)" in print_pins("--cv2-from", "pip").stdout


def test_the_script_says_what_it_cannot_use():
    done = print_pins("--profile", "1999-01")
    assert done.returncode == 2 and f"give one of: {OLDER} {CURRENT}" in done.stderr
    done = print_pins("--cv2-from", "opencv-nonsense")
    assert done.returncode == 2 and "pins no such wheel" in done.stderr


def test_requirements_start_at_the_older_profile_and_admit_the_current_one():
    lines = [line.split("#")[0].strip() for line in (ROOT / "requirements.txt").read_text().splitlines()]
    required = {r.name: r for r in (Requirement(line) for line in lines if line)}
    _, older, _ = read_profile(OLDER)
    _, current, _ = read_profile(CURRENT)
    shared = [pin for pin in older if pin.name in required]
    assert {pin.name for pin in shared} >= {"tensorflow", "keras", "jax", "numpy", "matplotlib", "ipython",
                                            "ipykernel", "ipywidgets", "pillow", "scikit-image",
                                            "opencv-contrib-python-headless"}
    for pin in shared:
        lower = [s for s in required[pin.name].specifier if s.operator == ">="]
        assert len(lower) == 1, f"requirements.txt: {pin.name} needs one lower bound"
        assert lower[0].version == str(pin.specifier)[2:].removesuffix(".*"), (pin, required[pin.name])
    for pin in current:
        if pin.name in required:
            assert Version(str(pin.specifier)[2:]) in required[pin.name].specifier, (pin, required[pin.name])
