"""The package tree is the architecture: each layer imports only from itself and below.

narvard.domain, narvard.paths          the vocabulary and where things are (any layer)
narvard.data      tables, validation, aggregation, synthetic data
narvard.stats     estimators, surveys, costs, disclosure — plain tables in, plain data out
narvard.results   one area's results.json (and the region's), its schema, verify
narvard.report    Swedish text, tables, figures, HTML, the overview page
narvard.pipeline  settings, the run matrix and runner, the method study
narvard.cli       the command line
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "lib" / "narvard"
LAYERS = ("data", "stats", "results", "report", "pipeline", "cli")
BASE = ("domain", "paths", "__init__", "__main__")
MAX_LINES = 600


def layer_of(module: str) -> int:
    """Rank of a module name such as ``narvard.stats.did`` (base modules rank −1)."""
    parts = module.split(".")
    if len(parts) == 1 or parts[1] not in LAYERS:
        return -1  # narvard itself (its __version__), domain, paths
    return LAYERS.index(parts[1])


def modules() -> list[tuple[str, Path]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        relative = path.relative_to(PACKAGE.parent).with_suffix("")
        name = ".".join(relative.parts).removesuffix(".__init__")
        found.append((name, path))
    return found


def imported(path: Path) -> set[str]:
    """narvard modules imported anywhere in a file (also inside functions)."""
    names = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("narvard"):
            names.add(node.module)
            names.update(f"{node.module}.{a.name}" for a in node.names if node.module == "narvard")
        elif isinstance(node, ast.Import):
            names.update(a.name for a in node.names if a.name.startswith("narvard"))
    return names


@pytest.mark.parametrize(("name", "path"), modules(), ids=lambda v: str(v))
def test_imports_point_down(name, path):
    if name in ("narvard", "narvard.__main__"):
        return
    mine = layer_of(name)
    upward = [other for other in imported(path) if layer_of(other) > mine]
    assert not upward, f"{name} (layer {LAYERS[mine] if mine >= 0 else 'base'}) imports {upward}"


def test_the_layers_exist_and_nothing_is_left_flat():
    flat = {p.stem for p in PACKAGE.glob("*.py")}
    assert flat <= {*BASE, "cli"}, f"modules outside a layer: {sorted(flat - {*BASE, 'cli'})}"
    assert all((PACKAGE / layer / "__init__.py").is_file() for layer in LAYERS[:-1])


@pytest.mark.parametrize(("name", "path"), modules(), ids=lambda v: str(v))
def test_no_module_over_600_lines(name, path):
    lines = len(path.read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{name} has {lines} lines; split it along its sections"


def test_a_lower_layer_importing_a_higher_one_is_caught(tmp_path):
    """The check itself can fail."""
    bad = tmp_path / "bad.py"
    bad.write_text("from narvard.report.figures import consumption_chart\n", encoding="utf-8")
    assert layer_of("narvard.stats.did") < max(layer_of(m) for m in imported(bad))
