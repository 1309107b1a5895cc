"""The command line starts at once: `narvard --help`, and the first message of `report`
and `prepare`, come before pandas, DuckDB, statsmodels, matplotlib or papermill are
imported (narvard.cli imports each command's modules inside the command)."""

from __future__ import annotations

import subprocess
import sys

HEAVY = ("pandas", "duckdb", "statsmodels", "matplotlib", "papermill", "nbconvert", "scipy")

SCRIPT = """
import contextlib, io, sys
import narvard.cli
import narvard.pipeline.runner, narvard.pipeline.settings
for argv in (["--help"], ["report", "--help"], ["prepare", "--help"]):
    with contextlib.redirect_stdout(io.StringIO()) as shown:
        try:
            narvard.cli.main(argv)
        except SystemExit as exit:
            assert exit.code == 0, argv
    assert "usage: narvard" in shown.getvalue(), argv
heavy = {heavy!r}
print(" ".join(sorted(m for m in sys.modules if m.split(".")[0] in heavy)))
"""


def test_help_imports_no_heavy_module():
    run = subprocess.run(
        [sys.executable, "-c", SCRIPT.format(heavy=HEAVY)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip() == ""


def test_the_first_message_comes_before_the_heavy_imports(tmp_path):
    """`narvard prepare` on a missing folder: the first message, then the refusal,
    printed with none of the heavy modules imported yet when the first is written."""
    script = (
        "import sys, narvard.cli\n"
        "real = sys.stdout.write\n"
        "def write(text):\n"
        f"    heavy = [m for m in {HEAVY!r} if m in sys.modules]\n"
        "    if text.startswith('Kontrollerar'):\n"
        "        real('heavy at first message: ' + ','.join(heavy) + '\\n')\n"
        "    return real(text)\n"
        "sys.stdout.write = write\n"
        f"sys.exit(narvard.cli.main(['prepare', '--data', {str(tmp_path / 'none')!r}, "
        f"'--processed', {str(tmp_path / 'p')!r}]))\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 2, run.stderr
    assert "heavy at first message: \n" in run.stdout
    assert "Kontrollerar indata i" in run.stdout and "mappen finns inte" in run.stderr
