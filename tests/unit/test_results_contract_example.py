"""The contract's worked example, reproduced exactly by the library (docs/contract.md §5)."""

from __future__ import annotations

import pytest
from conftest import assert_matches
from narvard.data.processed import prepare_dataset
from narvard.results.assemble import area_results


@pytest.fixture
def results(contract_example, tmp_path):
    dataset = prepare_dataset(contract_example, tmp_path / "processed", 180)
    return area_results(dataset, "exempelby", min_cell=0)


def test_every_expected_figure(results, contract_expected):
    assert_matches(contract_expected["exempelby"], results)


def test_extra_facts(results):
    assert results["schema_version"] == 1
    assert results["window_days"] == 180
    assert results["exclusions"] == {"HSVT": {"before_window_outside_extract": 1}}
    assert results["surveys"]["patient"]["questions"]["q1"]["scale"] == "frequency5"
    assert results["surveys"]["patient"]["open_questions"] == {"q2": {"n": 1}}
    assert results["costs"]["HSVT"]["items"]["inpatient_day"] == {
        "avoided": 13,
        "cost_sek": 9000.0,
        "savings_sek": 117000.0,
    }
    assert results["costs"]["HSVT"]["team_cost_sek"] == 1_800_000.0
    assert results["costs"]["HSVT"]["team_cost"]["basis"] == "team_costs"


def test_default_min_cell_hides_the_small_example(contract_example, tmp_path):
    dataset = prepare_dataset(contract_example, tmp_path / "processed", 180)
    results = area_results(dataset, "exempelby")
    assert results["min_cell"] == 5
    assert results["consumption"]["HSVT"]["n_patients"] is None
    assert results["consumption"]["HSVT"]["measures"]["inpatient_days"]["before_mean"] is None
    assert results["costs"]["HSVT"]["gross_savings_sek"] is None
    assert results["surveys"]["patient"]["respondents"] is None
    assert results["surveys"]["patient"]["items"]["q1"]["all"]["share_positive"] is None
    assert results["exclusions"] == {"HSVT": {"before_window_outside_extract": None}}


def test_prepared_data_are_reused_and_keyed_by_content(contract_example, tmp_path):
    first = prepare_dataset(contract_example, tmp_path / "p", 180)
    again = prepare_dataset(contract_example, tmp_path / "p", 180)
    other_window = prepare_dataset(contract_example, tmp_path / "p", 90)
    assert first.folder == again.folder
    assert other_window.folder != first.folder
    assert set(first.manifest["input_sha256"]) >= {"dataset.yml", "cohort.csv", "contacts.csv"}


def test_an_incomplete_cached_folder_is_rebuilt(contract_example, tmp_path):
    first = prepare_dataset(contract_example, tmp_path / "p", 180)
    (first.folder / "patient_windows_90.parquet").unlink()
    again = prepare_dataset(contract_example, tmp_path / "p", 180)
    assert again.folder == first.folder
    assert (again.folder / "patient_windows_90.parquet").is_file()
    assert len(again.windows(90)) == 4


def test_the_regions_cache_is_recomputed_when_the_code_that_made_it_changed(
    contract_example, tmp_path
):
    """The region's figures are cached beside the processed data, whose key covers only the
    inputs: a cache left by other code (here: a forged one) is not reused."""
    import json

    from narvard.results import costs

    dataset = prepare_dataset(contract_example, tmp_path / "processed", 180)
    region = dataset.areas()["region"].iloc[0]
    fresh = costs.region_totals(dataset, region, "balanced")
    cache = dataset.folder / "region_balanced.json"
    stored = json.loads(cache.read_text(encoding="utf-8"))
    assert stored[costs.CODE_KEY] == costs._code_key() and stored[region] == fresh
    forged = json.loads(json.dumps(stored))
    forged[region]["effects"] = {"forged": True}
    cache.write_text(json.dumps(forged), encoding="utf-8")
    assert costs.region_totals(dataset, region, "balanced")["effects"] == {"forged": True}
    forged[costs.CODE_KEY] = "other code"
    cache.write_text(json.dumps(forged), encoding="utf-8")
    assert costs.region_totals(dataset, region, "balanced") == fresh
