"""The national demo at a small size: two of the 21 regions, a few hundred patients."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from narvard.data.consumption import patient_windows
from narvard.data.dataset import Dataset
from narvard.data.readers import read_text_table
from narvard.data.synthetic import national
from narvard.data.synthetic.demo import PROCESS, REGION_TARGETS
from narvard.data.validate import validate_dataset
from narvard.domain import GROUPS

SIZE = 0.05
REGIONS = ("gotland", "blekinge")


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("national") / "demo"
    national.write_national_dataset(out, seed=7, size=SIZE, only=REGIONS, jobs=1)
    return out


@pytest.fixture(scope="module")
def cohort(folder) -> pd.DataFrame:
    return pd.read_parquet(folder / "cohort.parquet")


@pytest.fixture(scope="module")
def contacts(folder) -> pd.DataFrame:
    return pd.read_parquet(folder / "contacts.parquet")


def test_targets_follow_population_and_reach():
    """Each group is spread over the 21 regions by population × reach (largest remainder),
    team groups at the VGR numbers per inhabitant, the comparison pool COMPARISON_FACTOR×."""
    areas = national.national_areas(seed=7)
    targets = national.national_targets(areas, size=1.0)
    share = areas["population"].sum() / 1_772_773  # the six VGR areas' population
    reach = {"HSVT": areas["hsvt_reach"], "NSVT": areas["nsvt_reach"], "comparison": 1.0}
    for group in GROUPS:
        factor = national.COMPARISON_FACTOR if group == "comparison" else 1.0
        total = round(REGION_TARGETS[group] * share * factor)
        assert targets[group].sum() == total
        weights = (areas["population"] * reach[group]).to_numpy()
        assert np.abs(targets[group] - total * weights / weights.sum()).max() < 1.0
    assert sum(t.sum() for t in targets.values()) * 1.04 > 250_000


def test_cohort_rows_per_region_are_the_targets_plus_the_excluded(folder, cohort):
    areas = national.national_areas(seed=7)
    targets = national.national_targets(areas, size=SIZE)
    for area in REGIONS:
        i = int(np.flatnonzero(areas["area_id"] == area)[0])
        rows = cohort[cohort["area_id"] == area]
        for group in GROUPS:
            n = int(targets[group][i])
            assert (rows["group"] == group).sum() == n + round(PROCESS.excluded_share * n)
    assert cohort["patient_id"].is_unique and cohort["patient_id"].is_monotonic_increasing


def test_dates_lie_inside_the_extract(cohort, contacts):
    first, last = pd.Timestamp(PROCESS.contacts_from), pd.Timestamp(PROCESS.contacts_to)
    for column in ("start_date", "end_date"):
        dates = pd.to_datetime(contacts[column]).dropna()
        assert dates.between(first, last).all()
    assert pd.to_datetime(cohort["index_date"]).between(first, last).all()
    stays = contacts["contact_type"] == "inpatient"
    assert contacts.loc[stays, "end_date"].notna().all()
    assert contacts.loc[~stays, "end_date"].isna().all()
    assert set(contacts["patient_id"]) <= set(cohort["patient_id"])


def test_parquet_is_read_by_the_project_readers_as_canonical_text(folder, contacts):
    text = read_text_table(folder / "contacts.parquet").frame
    assert list(text.columns) == list(national.CONTACTS_SCHEMA.names)
    assert len(text) == len(contacts)
    er = text[text["contact_type"] == "er"]
    assert set(er["admitted"]) == {"0", "1"} and set(er["end_date"]) == {""}
    stay = text[text["contact_type"] == "inpatient"].iloc[0]
    assert stay["end_date"] >= stay["start_date"] and stay["unplanned"] in ("0", "1")
    assert text["start_date"].str.fullmatch(r"\d{4}-\d{2}-\d{2}").all()


def test_the_dataset_is_valid_and_marked_synthetic(folder):
    assert validate_dataset(Dataset.open(folder)) == []
    yml = (folder / "dataset.yml").read_text(encoding="utf-8")
    assert "synthetic: true" in yml and "(syntetiska data)" in yml
    assert "regions: [gotland, blekinge]" in yml


def test_truth_counts_the_included_team_patients_of_each_region(folder):
    truth = json.loads((folder / "truth.json").read_text(encoding="utf-8"))
    windows = patient_windows(folder, truth["window_days"])
    included = windows[windows["included"]]
    counts = included.groupby(["area_id", "group"]).size()
    for group in ("HSVT", "NSVT"):
        assert truth["region"][group]["n_patients"] == (included["group"] == group).sum()
        for area, groups in truth["areas"].items():
            assert groups[group]["n_patients"] == counts.get((area, group), 0)
    assert set(truth["areas"]) == set(REGIONS)


def test_a_region_is_the_same_alone_and_with_others(contacts):
    (alone,) = national.regions(seed=7, size=SIZE, only=("gotland",))
    mine = contacts[contacts["patient_id"].isin(alone.cohort["patient_id"].to_pylist())]
    pd.testing.assert_frame_equal(alone.contacts.to_pandas(), mine.reset_index(drop=True))


def test_parallel_regions_write_the_same_bytes(folder, tmp_path):
    national.write_national_dataset(tmp_path, seed=7, size=SIZE, only=REGIONS, jobs=2)
    for name in ("cohort.parquet", "contacts.parquet", "truth.json", "survey_responses.csv"):
        digest = [hashlib.sha256((f / name).read_bytes()).hexdigest() for f in (folder, tmp_path)]
        assert digest[0] == digest[1], name


def test_an_unknown_region_is_named_with_the_known_ones():
    with pytest.raises(ValueError, match="Okänd region: narnia; välj bland stockholm, uppsala"):
        national.national_areas(seed=7, regions=("gotland", "narnia"))
