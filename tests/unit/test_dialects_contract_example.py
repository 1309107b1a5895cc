"""The contract example in every form Excel and survey tools write gives the same results
as the plain dataset (docs/contract.md §1: the figures are the same whatever the form)."""

from __future__ import annotations

import shutil

import dialect_forms as forms
import pytest
from narvard.data.processed import prepare_dataset
from narvard.data.validate import validate_dataset
from narvard.results.assemble import area_results
from narvard.results.costs import jsonable
from narvard.results.reproduce import differences

FORMS = {
    "excel_semicolon": forms.excel_semicolon,
    "excel_utf8": forms.excel_utf8,
    "xlsx": forms.to_xlsx,
    "wide_survey": forms.wide_survey,
    "xlsx_and_wide_survey": lambda folder: forms.to_xlsx(forms.wide_survey(folder)),
}


def figures(folder, processed):
    """results.json of the example area without the facts that name the input files."""
    assert validate_dataset(folder) == []
    results = jsonable(area_results(prepare_dataset(folder, processed, 180), "exempelby", 0))
    dialects = results["data_quality"].pop("dialects")
    results.pop("dataset")
    return results, dialects


@pytest.fixture(scope="module")
def baseline(tmp_path_factory):
    folder = tmp_path_factory.mktemp("plain") / "data"
    shutil.copytree(forms.EXAMPLE, folder, ignore=shutil.ignore_patterns("expected.json"))
    forms.decorate(folder)
    return folder, figures(folder, tmp_path_factory.mktemp("processed"))


@pytest.mark.parametrize("form", FORMS)
def test_every_form_gives_the_same_results(baseline, form, tmp_path):
    plain_folder, (expected, plain_dialects) = baseline
    folder = tmp_path / "data"
    shutil.copytree(plain_folder, folder)
    FORMS[form](folder)
    got, dialects = figures(folder, tmp_path / "processed")
    assert differences(expected, got) == []
    assert got["surveys"]["patient"]["themes"] == expected["surveys"]["patient"]["themes"]
    assert {d["file"] for d in dialects} == {p.name for p in folder.iterdir()} - {"dataset.yml"}
    assert all(d["layout"] == "long" for d in plain_dialects)


def test_the_plain_example_is_read_as_it_is(baseline):
    _, (_, dialects) = baseline
    cohort = next(d for d in dialects if d["table"] == "cohort")
    assert cohort == {
        "table": "cohort",
        "file": "cohort.csv",
        "format": "csv",
        "separator": ",",
        "encoding": "utf-8",
        "decimal": ".",
        "line_endings": "LF",
        "layout": "long",
    }


def test_excel_semicolon_csv_is_reported_as_read(baseline, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(baseline[0], folder)
    forms.excel_semicolon(folder)
    _, dialects = figures(folder, tmp_path / "processed")
    costs = next(d for d in dialects if d["table"] == "unit_costs")
    assert costs == {
        "table": "unit_costs",
        "file": "unit_costs.csv",
        "format": "csv",
        "separator": ";",
        "encoding": "windows-1252",
        "decimal": ",",
        "line_endings": "CRLF",
        "layout": "long",
    }


def test_wide_survey_and_xlsx_are_reported_as_read(baseline, tmp_path):
    folder = tmp_path / "data"
    shutil.copytree(baseline[0], folder)
    forms.to_xlsx(forms.wide_survey(folder))
    _, dialects = figures(folder, tmp_path / "processed")
    survey = next(d for d in dialects if d["table"] == "survey_responses")
    assert survey == {
        "table": "survey_responses",
        "file": "survey_patient.xlsx",
        "format": "xlsx",
        "sheet": "Sheet1",
        "layout": "wide",
    }
    assert next(d for d in dialects if d["table"] == "areas")["sheet"] == "Blad1"
