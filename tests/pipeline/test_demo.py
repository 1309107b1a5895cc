"""Tests of the synthetic demo dataset (narvard.data.synthetic.demo).

The calibration tests compute the crude before/after figures with narvard.data.consumption
(the docs/contract.md definitions, section 2) and compare the region totals with the
published VGR figures (final report 2019).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import narvard.data.synthetic.demo as demo
import pandas as pd
import pytest
import yaml
from narvard.data.consumption import patient_windows

WINDOW = 180
MEASURES = ("er_visits", "inpatient_days", "unplanned_readmissions", "specialist_visits")
CONTRACT_COLUMNS = {
    "areas": ["area_id", "area_name", "region", "population"],
    "cohort": [
        "patient_id",
        "area_id",
        "group",
        "index_date",
        "birth_year",
        "sex",
        "death_date",
        "kommun",
    ],
    "contacts": ["patient_id", "contact_type", "start_date", "end_date", "admitted", "unplanned"],
    "survey_questions": ["survey_id", "question_id", "question_text", "scale", "order"],
    "survey_responses": [
        "survey_id",
        "question_id",
        "respondent_id",
        "area_id",
        "respondent_group",
        "answer",
    ],
    "survey_invitations": ["survey_id", "area_id", "respondent_group", "invited"],
    "unit_costs": ["item", "cost_sek", "low_sek", "high_sek", "year", "source"],
    "team_costs": ["area_id", "group", "annual_cost_sek", "source"],
}
PERSONNUMMER = re.compile(r"^(\d{6}|\d{8})[-+]?\d{4}$")


# --------------------------------------------------------------------------- helpers


def group_summary(windows: pd.DataFrame) -> pd.DataFrame:
    """Crude figures per group over included patients: n, before/after means, change_pct."""
    inc = windows[windows["included"]]
    rows = {}
    for group, g in inc.groupby("group"):
        row = {"n": len(g), "deaths_share": g["died_after"].mean()}
        for m in MEASURES:
            before, after = g[f"{m}_before"].mean(), g[f"{m}_after"].mean()
            row[f"{m}_before"], row[f"{m}_after"] = before, after
            row[f"{m}_change"] = 100 * (after - before) / before
        rows[group] = row
    return pd.DataFrame(rows).T


# --------------------------------------------------------------------------- fixtures

PUBLISHED = {  # VGR's final report on Mobil närvård, 2019; NSVT specialist visits: own choice
    "HSVT": {
        "n": 3247,
        "er_visits": -21,
        "inpatient_days": -17,
        "unplanned_readmissions": -34,
        "specialist_visits": -18,
    },
    "NSVT": {
        "n": 532,
        "er_visits": -51,
        "inpatient_days": -57,
        "unplanned_readmissions": -55,
        "specialist_visits": -25,
    },
}
INPATIENT_DAYS = {"HSVT": (5.7, 4.7, 0.4), "NSVT": (17.7, 7.7, 1.0)}  # before, after, tolerance
TABELL_1 = {
    "q1": (94, 95),
    "q2": (83, 94),
    "q3": (76, 92),
    "q4": (84, 97),
    "q5": (94, 93),
    "q6": (47, 75),
}


@pytest.fixture(scope="module")
def dataset(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("demo") / "seed2019"
    demo.write_demo_dataset(out, seed=2019, scale="region")
    return out


@pytest.fixture(scope="module")
def tables(dataset) -> dict[str, pd.DataFrame]:
    return {
        name: pd.read_csv(dataset / f"{name}.csv", dtype=str, keep_default_na=False)
        for name in CONTRACT_COLUMNS
    }


@pytest.fixture(scope="module")
def windows(dataset) -> pd.DataFrame:
    return patient_windows(dataset, window_days=WINDOW)


@pytest.fixture(scope="module")
def summary(windows) -> pd.DataFrame:
    return group_summary(windows)


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


# --------------------------------------------------------------------------- files


def test_same_seed_gives_identical_bytes_and_other_seed_differs(dataset, tmp_path):
    counts = demo.write_demo_dataset(tmp_path / "again", seed=2019)
    assert _digest(tmp_path / "again") == _digest(dataset)
    assert counts["cohort"] == len(pd.read_csv(dataset / "cohort.csv"))
    demo.write_demo_dataset(tmp_path / "other", seed=2020)
    other, mine = _digest(tmp_path / "other"), _digest(dataset)
    for name in ("cohort.csv", "contacts.csv", "survey_responses.csv"):
        assert other[name] != mine[name], name
    assert other["areas.csv"] == mine["areas.csv"]


def test_every_table_present_with_contract_columns_in_order(dataset, tables):
    assert (dataset / "dataset.yml").is_file()
    assert (dataset / "codebook.yml").is_file(), "the evaluator's editable codebook ships"
    extensions = {"survey_questions": ["component", "reversed"]}
    for name, columns in CONTRACT_COLUMNS.items():
        assert list(tables[name].columns) == columns + extensions.get(name, []), name
        assert len(tables[name]) > 0, name


def test_dataset_yml(dataset):
    spec = yaml.safe_load((dataset / "dataset.yml").read_text(encoding="utf-8"))
    assert spec["name"] == "Demo – Västra Götaland (syntetiska data)"
    assert str(spec["contacts_from"]) == "2016-01-01"
    assert str(spec["contacts_to"]) == "2019-12-31"
    assert spec["synthetic"] is True


def test_areas_are_the_six_vgr_areas(tables):
    areas = tables["areas"]
    assert areas["area_id"].str.fullmatch(r"[a-z0-9-]+").all()
    populations = dict(zip(areas["area_id"], areas["population"].astype(int), strict=True))
    assert populations == {
        "fyrbodal": 286419,
        "skaraborg": 269771,
        "sodra-alvsborg": 229232,
        "goteborgsomradet": 774254,
        "simba": 126805,
        "alingsas-lerum": 86292,
    }
    assert set(areas["region"]) == {"Västra Götalandsregionen"}
    simba = tables["cohort"].query("area_id == 'simba'")["kommun"]
    assert set(simba) == {"Ale", "Kungälv", "Stenungsund", "Tjörn"}
    assert tables["cohort"]["kommun"].nunique() == 49


def test_patient_ids_are_pseudonymous_never_personnummer(tables):
    ids = tables["cohort"]["patient_id"]
    assert ids.is_unique
    assert ids.str.fullmatch(r"P\d{7}").all()
    assert not ids.str.replace("P", "").str.match(PERSONNUMMER.pattern).any()
    respondents = tables["survey_responses"]["respondent_id"]
    assert not respondents.str.match(PERSONNUMMER.pattern).any()


def test_cohort_rows_follow_the_contract(tables):
    cohort = tables["cohort"]
    assert set(cohort["group"]) == {"HSVT", "NSVT", "comparison"}
    assert set(cohort["sex"]) == {"F", "M"}
    assert cohort["area_id"].isin(tables["areas"]["area_id"]).all()
    index = pd.to_datetime(cohort["index_date"])
    birth = cohort["birth_year"].astype(int)
    assert ((birth >= 1900) & (birth <= index.dt.year)).all()
    death = pd.to_datetime(cohort["death_date"].replace("", None))
    assert (death.dropna() >= index[death.notna()]).all()
    assert (death.dropna() <= pd.Timestamp("2019-12-31")).all()


def test_contact_rows_follow_the_contract(tables):
    c = tables["contacts"]
    assert c["patient_id"].isin(tables["cohort"]["patient_id"]).all()
    assert set(c["contact_type"]) == {"er", "inpatient", "specialist", "primary_care"}
    is_er, is_stay = c["contact_type"] == "er", c["contact_type"] == "inpatient"
    assert set(c.loc[is_er, "admitted"]) == {"0", "1"}
    assert (c.loc[~is_er, "admitted"] == "").all()
    assert set(c.loc[is_stay, "unplanned"]) == {"0", "1"}
    assert (c.loc[~is_stay, ["unplanned", "end_date"]] == "").all().all()
    start = pd.to_datetime(c["start_date"])
    assert start.between(pd.Timestamp("2016-01-01"), pd.Timestamp("2019-12-31")).all()
    end = pd.to_datetime(c.loc[is_stay, "end_date"])
    assert (end >= start[is_stay]).all() and (end <= pd.Timestamp("2019-12-31")).all()
    # every acute admission comes through the ER the same day
    admitted = c[is_er & (c["admitted"] == "1")][["patient_id", "start_date"]]
    unplanned = c[is_stay & (c["unplanned"] == "1")][["patient_id", "start_date"]]
    assert len(admitted.merge(unplanned)) == len(admitted) == len(unplanned)


# --------------------------------------------------------------------------- calibration


@pytest.mark.parametrize("group,tolerance", [("HSVT", 0.03), ("NSVT", 0.05)])
def test_included_patients_match_the_published_numbers(summary, group, tolerance):
    assert summary.loc[group, "n"] == pytest.approx(PUBLISHED[group]["n"], rel=tolerance)


def test_some_patients_are_excluded_and_comparison_group_exists(windows, summary):
    excluded = (~windows["included"]).groupby(windows["group"]).mean()
    assert (excluded > 0.01).all() and (excluded < 0.08).all()
    assert 2500 <= summary.loc["comparison", "n"] <= 3500


@pytest.mark.parametrize("group", ["HSVT", "NSVT"])
@pytest.mark.parametrize("measure", MEASURES)
def test_crude_change_matches_the_published_figure(summary, group, measure):
    got = summary.loc[group, f"{measure}_change"]
    assert got == pytest.approx(PUBLISHED[group][measure], abs=5.0)


@pytest.mark.parametrize("group", ["HSVT", "NSVT"])
def test_inpatient_days_per_patient_match_the_published_means(summary, group):
    before, after, tolerance = INPATIENT_DAYS[group]
    assert summary.loc[group, "inpatient_days_before"] == pytest.approx(before, abs=tolerance)
    assert summary.loc[group, "inpatient_days_after"] == pytest.approx(after, abs=tolerance)


def test_comparison_group_shows_regression_to_the_mean(summary):
    comparison = summary.loc["comparison"]
    for measure in MEASURES:
        assert comparison[f"{measure}_change"] < 0, measure
        assert comparison[f"{measure}_change"] > summary.loc["HSVT", f"{measure}_change"], measure
    days = comparison["inpatient_days_change"]
    assert abs(days) < 0.7 * abs(summary.loc["HSVT", "inpatient_days_change"])


def test_deaths_in_the_after_window(summary):
    deaths = summary["deaths_share"]
    assert deaths["NSVT"] > deaths["HSVT"] > deaths["comparison"]
    assert 0.05 <= deaths["comparison"] <= 0.10


def test_age_and_sex_of_home_care_patients(tables):
    cohort = tables["cohort"]
    age = pd.to_datetime(cohort["index_date"]).dt.year - cohort["birth_year"].astype(int)
    for group in ("HSVT", "comparison"):
        mine = cohort["group"] == group
        assert age[mine].mean() == pytest.approx(85, abs=1.5)
        assert (cohort.loc[mine, "sex"] == "F").mean() == pytest.approx(0.66, abs=0.03)
    assert age[cohort["group"] == "NSVT"].mean() < age[cohort["group"] == "HSVT"].mean()


# --------------------------------------------------------------------------- surveys


def _shares(tables, survey: str, by_group: bool = True) -> pd.DataFrame:
    """share_positive per question (and respondent group) as in docs/contract.md §2."""
    r = tables["survey_responses"]
    r = r[r["survey_id"] == survey].merge(
        tables["survey_questions"], on=["survey_id", "question_id"]
    )
    r = r[r["scale"] != "open"]
    r = r[~r["answer"].isin(["", "Ingen uppfattning", "Vet ej"])]
    r["positive"] = r["answer"].isin(["Ofta", "Alltid", "Stämmer ganska bra", "Stämmer helt"])
    keys = ["question_id", "respondent_group"] if by_group else ["question_id"]
    return r.groupby(keys)["positive"].mean()


def test_patient_survey_reproduces_tabell_1(tables):
    r = tables["survey_responses"].query("survey_id == 'patient'")
    respondents = r.drop_duplicates("respondent_id")["respondent_group"].value_counts()
    assert respondents.to_dict() == {"HSVT": 137, "NSVT": 68}
    shares = _shares(tables, "patient")
    for question, (hsvt, nsvt) in TABELL_1.items():
        assert round(100 * shares[(question, "HSVT")]) == hsvt, question
        assert round(100 * shares[(question, "NSVT")]) == nsvt, question
    labels = {"", "Aldrig", "Sällan", "Ibland", "Ofta", "Alltid"}
    assert set(r.loc[r["question_id"] != "q7", "answer"]) <= labels
    assert r.loc[r["question_id"] == "q7", "answer"].str.len().gt(5).all()


def test_response_rates_are_plausible(tables):
    inv = tables["survey_invitations"].assign(invited=lambda d: d["invited"].astype(int))
    resp = tables["survey_responses"].drop_duplicates(["survey_id", "respondent_id"])
    answered = resp.groupby(["survey_id", "area_id", "respondent_group"]).size()
    invited = inv.set_index(["survey_id", "area_id", "respondent_group"])["invited"]
    assert (answered <= invited.reindex(answered.index)).all()
    rate = answered.groupby("survey_id").sum() / invited.groupby("survey_id").sum()
    assert rate["patient"] == pytest.approx(0.62, abs=0.01)
    assert rate["managers"] == pytest.approx(0.62, abs=0.01)
    managers = inv.query("survey_id == 'managers'").groupby("respondent_group")["invited"].sum()
    assert managers.to_dict() == {"kommun": 49, "vårdcentral": 202}


def test_manager_survey_reproduces_the_skane_shares(tables):
    by_group = _shares(tables, "managers")
    overall = _shares(tables, "managers", by_group=False)
    assert by_group[("m1", "vårdcentral")] == pytest.approx(0.40, abs=0.03)
    assert by_group[("m1", "kommun")] == pytest.approx(0.60, abs=0.03)
    assert overall["m2"] == pytest.approx(0.25, abs=0.03)
    assert by_group[("m3", "vårdcentral")] == pytest.approx(0.65, abs=0.03)
    assert by_group[("m3", "kommun")] == pytest.approx(0.38, abs=0.03)
    assert overall["m4"] == pytest.approx(0.55, abs=0.03)
    answers = tables["survey_responses"].query("survey_id == 'managers' and question_id == 'm6'")
    assert answers["answer"].nunique() >= 30
    assert answers["answer"].str.contains(r"\d{3}-\d{3} \d{2} \d{2}").sum() >= 2


def test_staff_survey_has_high_agreement(tables):
    shares = _shares(tables, "staff")
    assert (shares > 0.6).all()
    assert set(tables["survey_responses"].query("survey_id == 'staff'")["respondent_group"]) == {
        "vårdcentral",
        "kommun",
    }


# --------------------------------------------------------------------------- costs and scale


def test_costs(tables):
    unit = tables["unit_costs"].set_index("item")
    assert unit["cost_sek"].astype(int).to_dict() == {
        "er_visit": 4000,
        "inpatient_day": 9300,
        "specialist_visit": 4500,
    }
    assert (unit["source"].str.len() > 20).all()
    team = tables["team_costs"]
    assert len(team) == 12 and set(team["group"]) == {"HSVT", "NSVT"}
    skaraborg = (
        team.query("area_id == 'skaraborg'").set_index("group")["annual_cost_sek"].astype(int)
    )
    assert skaraborg["HSVT"] == pytest.approx(3.5 * 2.69771 * 1.6e6, rel=0.001)
    assert skaraborg["NSVT"] == pytest.approx(2.69771 * (1.6e6 + 2 * 0.8e6), rel=0.001)


def test_national_scale_has_one_area_per_region():
    tables = demo.demo_tables(seed=1, scale="national", size=0.01)
    assert len(tables["areas"]) == 21
    assert tables["areas"]["area_id"].str.fullmatch(r"[a-z0-9-]+").all()
    assert tables["areas"]["population"].sum() == pytest.approx(10.55e6, rel=0.01)
    cohort = tables["cohort"]
    assert cohort["area_id"].nunique() == 21 and cohort["patient_id"].is_unique
    assert set(tables["survey_invitations"]["area_id"]) == set(tables["areas"]["area_id"])


# --------------------------------------------------------------------------- truth


def test_truth_is_the_same_patients_without_the_teams(dataset, windows):
    """truth.json: per area, group and measure, after-window events with the team over the
    same patients' events without it (narvard.data.synthetic.truth). The demo plants benefits
    (every multiplier ≤ 1), so every true ratio is below 1; the comparison group has none."""
    truth = json.loads((dataset / "truth.json").read_text(encoding="utf-8"))
    assert truth["window_days"] == WINDOW
    included = windows[windows["included"]]
    for group in ("HSVT", "NSVT"):
        region = truth["region"][group]
        assert region["n_patients"] == int((included["group"] == group).sum())
        for measure in MEASURES:
            assert 0.5 < region[measure] < 1.0, (group, measure)
    assert set(truth["areas"]) == set(included["area_id"])
    assert all("comparison" not in groups for groups in truth["areas"].values())
    # The crude change overstates the true effect (regression to the mean is built in).
    crude = included[included["group"] == "NSVT"]
    crude_ratio = crude["inpatient_days_after"].sum() / crude["inpatient_days_before"].sum()
    assert crude_ratio < truth["region"]["NSVT"]["inpatient_days"] - 0.1
