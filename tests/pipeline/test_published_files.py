"""What a report folder publishes: text from the inputs stays text, nothing in a page can
run or load, and no file names a path of the machine that produced it."""

from __future__ import annotations

import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from conftest import HOSTILE
from narvard.paths import PROJECT_ROOT

pytestmark = pytest.mark.slow

POLICY = (
    "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:; "
    "base-uri 'none'; form-action 'none'"
)


class PageParts(HTMLParser):
    """The visible text of a page, its security policy and anything that could run."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.live: list[str] = []
        self.policies: list[str] = []
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self._in_style = tag == "style"
        if tag in ("script", "iframe", "object", "embed", "form", "base"):
            self.live.append(f"<{tag}>")
        if tag == "meta" and values.get("http-equiv") == "Content-Security-Policy":
            self.policies.append(values.get("content", ""))
        for name, value in attrs:
            scheme = (value or "").strip().lower()
            if name.startswith("on") or (
                name in ("href", "src") and scheme.startswith(("javascript:", "data:text"))
            ):
                self.live.append(f"<{tag} {name}={value!r}>")

    def handle_endtag(self, tag):
        self._in_style = False

    def handle_data(self, data):
        if not self._in_style:
            self.text.append(data)


def parts(path: Path) -> PageParts:
    parser = PageParts()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def test_input_shows_as_text_nothing_runs_and_no_path_is_named(hostile_example, tmp_path):
    # Relative paths, as a user types them: the kernel runs elsewhere and must still find them.
    run = subprocess.run(
        [sys.executable, "-m", "narvard", "report", "--data", hostile_example.name,
         "--out", "out", "--processed", "processed", "--min-cell", "0"],
        capture_output=True, text=True, timeout=300, cwd=hostile_example.parent,
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    out = hostile_example.parent / "out"
    shown = {}
    for page in (out / "index.html", out / "exempelby" / "report.html"):
        found = parts(page)
        assert found.live == [], f"{page.name}: {found.live}"
        assert found.policies == [POLICY], page.name
        shown[page.name] = " ".join("".join(found.text).split()).count(HOSTILE)
    # Dataset and region name on the overview; on the report also the area name (title and
    # heading), question texts, kommun, cost sources and the open answer's question.
    assert shown["index.html"] >= 2
    assert shown["report.html"] >= 8, shown
    # No published file names a path of this machine (the kernel got them from outside).
    published = sorted(p for p in out.rglob("*") if p.is_file())
    assert {p.name for p in published} >= {"index.html", "report.html", "report.ipynb"}
    for path in published:
        text = path.read_text(encoding="utf-8", errors="replace")
        for machine_path in (str(tmp_path), str(PROJECT_ROOT)):
            assert machine_path not in text, f"{path.name} names {machine_path}"
