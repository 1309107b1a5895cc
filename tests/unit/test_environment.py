"""requirements.txt, pyproject.toml and environment.yml name the same pinned packages."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
CONDA_TO_PYPI = {"python-duckdb": "duckdb"}


def normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pins(lines, sep: str) -> dict[str, str]:
    found = {}
    for line in lines:
        line = line.split("#")[0].strip()
        if line and sep in line:
            name, version = line.split(sep, 1)
            found[normalise(name)] = version.strip()
    return found


def test_three_files_agree():
    requirements = pins((ROOT / "requirements.txt").read_text().splitlines(), "==")
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    declared = pins(project["dependencies"] + project["optional-dependencies"]["test"], "==")
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = {}
    for dep in env["dependencies"]:
        if isinstance(dep, str) and "=" in dep and not dep.startswith("python="):
            name, version = dep.split("=", 1)
            conda[normalise(CONDA_TO_PYPI.get(name, name))] = version
    pip_section = next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
    conda |= pins(pip_section, "==")
    assert requirements == declared
    assert conda == requirements
    assert "conda-forge" in env["channels"]
    assert "python=3.11" in env["dependencies"]
    assert "-e ." in next(d for d in env["dependencies"] if isinstance(d, dict))["pip"]
