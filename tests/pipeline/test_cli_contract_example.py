"""`narvard report` end to end on the contract example: figures, suppression, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import dialect_forms
import pytest
from conftest import assert_matches
from narvard.pipeline.checks import external_references, is_own_link

pytestmark = pytest.mark.slow


def narvard(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "narvard", *args], capture_output=True, text=True, timeout=300
    )


def report(data: Path, out: Path, processed: Path, *extra: str) -> subprocess.CompletedProcess:
    return narvard(
        "report", "--data", str(data), "--out", str(out), "--processed", str(processed), *extra
    )


def test_contract_example_through_the_command_line(contract_example, contract_expected, tmp_path):
    run = report(contract_example, tmp_path / "out", tmp_path / "p", "--min-cell", "0")
    assert run.returncode == 0, run.stderr
    area = tmp_path / "out" / "exempelby"
    results = json.loads((area / "results.json").read_text(encoding="utf-8"))
    assert_matches(contract_expected["exempelby"], results)
    page = (area / "report.html").read_text(encoding="utf-8")
    links = external_references(page)
    assert links[0] == "../index.html" and all(is_own_link(r, area) for r in links)
    assert sorted(links[1:]) == sorted(f"tables/{p.name}" for p in (area / "tables").iterdir())
    assert "Syntetiska data" in page
    assert "nb.show_markdown" not in page and "import " not in page, "no code in the report"
    assert "8,00" in page and "\u221281\u00a0%" in page  # inpatient days before; change
    assert page.count("<img") == 3  # consumption, patient survey, HSVT cost tornado
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert 'href="exempelby/report.html"' in index and external_references(index) == [
        "exempelby/report.html"
    ]
    assert "[1/1] exempelby" in run.stdout


def test_excel_forms_through_the_command_line(contract_example, contract_expected, tmp_path):
    """Excel's semicolon CSV (Windows-1252, CRLF) and a wide survey_patient.xlsx: the same
    figures, and the report says how each file was read."""
    dialect_forms.excel_semicolon(dialect_forms.wide_survey(contract_example))
    run = report(contract_example, tmp_path / "out", tmp_path / "p", "--min-cell", "0")
    assert run.returncode == 0, run.stderr
    area = tmp_path / "out" / "exempelby"
    results = json.loads((area / "results.json").read_text(encoding="utf-8"))
    assert_matches(contract_expected["exempelby"], results)
    read = {d["file"]: d for d in results["data_quality"]["dialects"]}
    assert read["survey_questions.csv"]["encoding"] == "windows-1252"
    assert read["survey_patient.xlsx"]["layout"] == "wide"
    page = (area / "report.html").read_text(encoding="utf-8")
    assert "läst som semikolonseparerad, Windows-1252" in page
    assert "en rad per svarande (bred enkätfil)" in page


def test_default_min_cell_suppresses_in_json_and_html(contract_example, tmp_path):
    run = report(contract_example, tmp_path / "out", tmp_path / "p")
    assert run.returncode == 0, run.stderr
    area = tmp_path / "out" / "exempelby"
    results = json.loads((area / "results.json").read_text(encoding="utf-8"))
    hsvt = results["consumption"]["HSVT"]
    assert hsvt["n_patients"] is None and hsvt["measures"]["inpatient_days"]["before_mean"] is None
    assert results["costs"]["HSVT"]["gross_savings_sek"] is None
    page = (area / "report.html").read_text(encoding="utf-8")
    assert "8,00" not in page and "110\u00a0500" not in page
    assert "Antal under 5 visas inte" in page


def test_invalid_input_names_file_line_column_and_replaces_nothing(contract_example, tmp_path):
    cohort = contract_example / "cohort.csv"
    lines = cohort.read_text(encoding="utf-8").splitlines()
    lines[2] = lines[2].replace("A2,", "19400101-1234,", 1)  # line 3: a personal identity number
    lines[3] = lines[3].replace("2018-03-01", "2018-02-30")  # line 4: no such date
    cohort.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "out"
    (out / "exempelby").mkdir(parents=True)
    (out / "exempelby" / "report.html").write_text("old report", encoding="utf-8")
    run = report(contract_example, out, tmp_path / "p")
    assert run.returncode != 0
    assert "Traceback" not in run.stderr
    assert "cohort.csv:3" in run.stderr and "patient_id" in run.stderr
    assert "19400101-1234" not in run.stderr, "the identity number is not echoed"
    assert "cohort.csv:4" in run.stderr and "index_date" in run.stderr
    assert (out / "exempelby" / "report.html").read_text(encoding="utf-8") == "old report"
    assert sorted(p.name for p in out.iterdir()) == ["exempelby"]


def test_unknown_area_is_refused_before_anything_runs(contract_example, tmp_path):
    run = report(contract_example, tmp_path / "out", tmp_path / "p", "--areas", "nowhere")
    assert run.returncode == 2
    assert "nowhere" in run.stderr and not (tmp_path / "out").exists()


def test_verify_reproduces_and_names_what_differs(contract_example, tmp_path):
    out = tmp_path / "out"
    assert report(contract_example, out, tmp_path / "p", "--min-cell", "0").returncode == 0
    same = narvard("verify", str(out), "--data", str(contract_example))
    assert same.returncode == 0, same.stderr
    assert "1 områden" in same.stdout

    results = out / "exempelby" / "results.json"
    tampered = json.loads(results.read_text(encoding="utf-8"))
    tampered["consumption"]["HSVT"]["measures"]["er_visits"]["after_total"] = 7
    results.write_text(json.dumps(tampered), encoding="utf-8")
    with open(contract_example / "contacts.csv", "a", encoding="utf-8") as handle:
        handle.write("A1,er,2019-06-01,,0,\n")
    differs = narvard("verify", str(out), "--data", str(contract_example))
    assert differs.returncode == 1
    assert "consumption.HSVT.measures.er_visits.after_total: rapporten 7, omräkningen 3" in (
        differs.stderr
    )
    assert "indatafilen contacts.csv skiljer sig" in differs.stderr
