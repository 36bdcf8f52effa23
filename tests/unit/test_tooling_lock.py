"""constraints.txt locks the development tools: every one pinned, and the pins are what runs."""

from __future__ import annotations

import re
import tomllib
from importlib import metadata
from pathlib import Path

from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

REPO = Path(__file__).resolve().parents[2]


def pins() -> dict[str, str]:
    found: dict[str, str] = {}
    for line in (REPO / "constraints.txt").read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        if line:
            name, version = re.fullmatch(r"([A-Za-z0-9._-]+)==(\S+)", line).groups()  # type: ignore[union-attr]
            found[canonicalize_name(name)] = version
    return found


def test_every_dev_and_runtime_requirement_is_pinned() -> None:
    """Each package named in pyproject.toml (dependencies and extras) has an exact pin."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    named = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        named += extra
    locked = pins()
    missing = [r for r in named if canonicalize_name(Requirement(r).name) not in locked]
    assert missing == []


def test_installed_versions_are_the_locked_ones() -> None:
    """The environment running the tests (bootstrap.sh installs it) matches constraints.txt."""
    drift = {}
    for name, version in pins().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            continue  # e.g. the ops extra (flower) outside the image
        if installed != version:
            drift[name] = (installed, version)
    assert drift == {}


def test_pins_satisfy_the_supported_ranges() -> None:
    """Every pin lies inside the range pyproject.toml declares for that package."""
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    requirements = [Requirement(r) for r in project["dependencies"]]
    for extra in project["optional-dependencies"].values():
        requirements += [Requirement(r) for r in extra]
    locked = pins()
    outside = [str(r) for r in requirements if locked[canonicalize_name(r.name)] not in r.specifier]
    assert outside == []
