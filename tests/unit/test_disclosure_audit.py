"""No hidden count can be recovered by adding or subtracting published numbers.

A brute-force check (tests/unit/disclosure_audit.py) over real results: the contract's
worked example at --min-cell 5, and two small areas of the generated demo (alingsås-lerum
and simba, where the review of the rendered demo found recoverable counts), each report on
its own and the two reports together (the region's sums).
"""

from __future__ import annotations

import copy
import json

import pandas as pd
import pytest
from disclosure_audit import (
    area_leaks,
    region_leaks,
    region_table,
    small_hidden_sums,
    unsuppressed,
)
from narvard.data.processed import prepare_dataset
from narvard.data.synthetic.demo import write_demo_dataset
from narvard.results import assemble
from narvard.results.costs import jsonable
from narvard.stats.disclosure import PRIVATE, declare, suppress_results
from narvard.stats.disclosure.cells import POOL
from narvard.stats.disclosure.complementary import determined
from narvard.stats.disclosure.primary import apply_primary
from narvard.stats.disclosure.region import hidden_in_area

N = 5
AREAS = ("alingsas-lerum", "simba")
PERIODS = ("before", "after")


def _results(dataset, area_id: str, monkeypatch) -> tuple[dict, dict]:
    """(the results before disclosure control, as published) for one area."""
    seen = {}

    def keep(results, min_cell):
        seen["raw"] = jsonable(copy.deepcopy(results))
        return suppress_results(results, min_cell)

    monkeypatch.setattr(assemble, "suppress_results", keep)
    published = assemble.area_results(dataset, area_id, N)
    return seen["raw"], json.loads(json.dumps(jsonable(published)))


@pytest.fixture
def contract(contract_example, tmp_path, monkeypatch):
    dataset = prepare_dataset(contract_example, tmp_path / "processed", 180)
    return _results(dataset, "exempelby", monkeypatch)


def test_the_contract_example_leaks_nothing(contract):
    raw, published = contract
    assert area_leaks(raw, published, N) == []
    assert small_hidden_sums(declare(unsuppressed(raw)), published, N) == []
    assert determined(published, declare(unsuppressed(raw)), N) == []
    assert declare(unsuppressed(raw)).mismatches == []


def test_the_check_can_fail(contract):
    """Primary suppression alone (every small count hidden, nothing else) leaks."""
    raw, _ = contract
    primary = unsuppressed(raw)
    apply_primary(primary, N)
    assert area_leaks(raw, primary, N) != []


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> dict[str, tuple[dict, dict]]:
    """Two areas of the demo as their own region: {area: (raw, published)}."""
    folder = tmp_path_factory.mktemp("demo")
    write_demo_dataset(folder, seed=2019)
    for path in folder.glob("*.csv"):
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "area_id" in table.columns:
            table[table["area_id"].isin(AREAS)].to_csv(path, index=False, lineterminator="\n")
    dataset = prepare_dataset(folder, folder / "processed", 180)
    with pytest.MonkeyPatch.context() as monkeypatch:
        return {area: _results(dataset, area, monkeypatch) for area in AREAS}


@pytest.mark.parametrize("area", AREAS)
def test_a_demo_area_leaks_nothing(demo, area):
    raw, published = demo[area]
    table = declare(unsuppressed(raw))
    assert table.mismatches == []
    assert area_leaks(raw, published, N) == []
    assert determined(published, table, N) == []
    assert small_hidden_sums(table, published, N) == []


def test_the_periods_of_index_date_add_up_in_the_audit(demo):
    """Enrolments per period are declared parts of the group's enrolled patients."""
    raw, _ = demo["alingsas-lerum"]
    labels = {r.label for r in declare(unsuppressed(raw)).relations}
    assert "HSVT: enrolled = Σ periods" in labels
    assert "HSVT: adjusted = Σ periods" in labels


def test_the_demo_areas_leak_nothing_together(demo):
    raw = {area: unsuppressed(r) for area, (r, _) in demo.items()}
    published = {area: p for area, (_, p) in demo.items()}
    table = region_table(raw)
    assert table.mismatches == []  # every declared sum holds, so none is silently dropped
    assert any(r.label == "region NSVT: n = Σ areas" for r in table.relations)
    assert region_leaks(raw, published, N) == []
    assert determined(published, table, N) == []


def test_the_demo_areas_needed_complementary_suppression(demo):
    """The areas are a real test: primary suppression alone would leak in both."""
    for raw, _ in demo.values():
        primary = unsuppressed(raw)
        apply_primary(primary, N)
        assert area_leaks(raw, primary, N) != []


def test_the_region_reads_each_areas_report_right(demo):
    """What the region's sums assume an area hides is what that area's report hides."""
    for area, (raw, published) in demo.items():
        for group, areas in raw[PRIVATE]["region"].items():
            if group == POOL:
                continue
            block, cost = published["consumption"][group], published["costs"][group]
            hidden = set()
            if block["n_patients"] is None:
                hidden.add("included")
            if next(iter(block["did"].values()))["n_team"] is None:
                hidden.add("adjusted")
            for measure, entry in cost["avoided_use"].items():
                own = block["measures"][measure]
                for p in PERIODS:  # the cost block repeats the group's totals
                    assert entry[f"{p}_total"] == own[f"{p}_total"], (area, group, measure)
                    if own[f"{p}_total"] is None:
                        hidden.add((measure, p))
            assert hidden_in_area(group, areas[area], 180, N) == hidden, (area, group)


def test_a_hidden_team_balance_hides_the_weighted_comparison_means(demo):
    """Balancing makes the weighted comparison means equal the team's means: published
    beside a hidden team column they would give it back (e.g. the share of women)."""
    cases = 0
    for _, published in demo.values():
        for block in published["consumption"].values():
            group = block.get("comparison_group") or {}
            if group and group.get("n_team") is None:
                cases += 1
                assert all(r["mean_comparison_weighted"] is None for r in group["balance"])
    assert cases > 0


def test_an_areas_two_groups_together_hide_what_a_group_hides(demo):
    """costs.total is HSVT + NSVT (computed before disclosure control): published where
    both groups' nets are, hidden where either is (else the total minus the other's would
    give it); the team costs, which are not about patients, are summed in every area."""
    shown = 0
    for raw, published in demo.values():
        nets = [raw["costs"][g]["net_savings_sek"] for g in ("HSVT", "NSVT")]
        assert raw["costs"]["total"]["net_savings_sek"] == pytest.approx(sum(nets))
        groups = [published["costs"][g] for g in ("HSVT", "NSVT")]
        total = published["costs"]["total"]
        if None in [g["net_savings_sek"] for g in groups]:
            assert total["net_savings_sek"] is None and total["net_savings_ci"] is None
            assert total["per_100k"]["net_savings_sek"] is None
        else:
            shown += 1
            assert total["net_savings_sek"] == pytest.approx(sum(nets))
        team_cost = sum(g["team_cost_sek"] for g in groups)
        assert total["team_cost_sek"] == pytest.approx(team_cost)
    assert shown > 0


def test_a_total_keeps_the_sums_of_published_figures_only():
    from narvard.stats.disclosure.costs import protect_area_total

    def block(net, patients):
        return {"net_savings_sek": net, "n_patients": patients, "team_cost_sek": 2e6}

    total = {
        "net_savings_sek": -3e6,
        "net_savings_ci": [-5e6, -1e6],
        "prob_net_positive": 0.01,
        "n_patients": 160,
        "team_cost_sek": 4e6,
        "per_100k": {"net_savings_sek": -6e6, "team_cost_sek": 8e6},
    }
    shown = {"costs": {"HSVT": block(-2e6, 150), "NSVT": block(-1e6, 10), "total": dict(total)}}
    protect_area_total(shown)
    assert shown["costs"]["total"] == total
    few = {"costs": {"HSVT": block(-2e6, 150), "NSVT": block(-1e6, None), "total": dict(total)}}
    protect_area_total(few)
    assert few["costs"]["total"] == total | {"n_patients": None}
    hidden = {"costs": {"HSVT": block(-2e6, 150), "NSVT": block(None, None)}}
    hidden["costs"]["total"] = total | {"per_100k": dict(total["per_100k"])}
    protect_area_total(hidden)
    gone = {"net_savings_sek": None, "net_savings_ci": None, "prob_net_positive": None}
    assert hidden["costs"]["total"] == total | gone | {
        "n_patients": None,
        "per_100k": {"net_savings_sek": None, "team_cost_sek": 8e6},
    }


def _published_differences(published: dict) -> dict[str, int]:
    """Counts a reader gets by subtracting two published counts of nested sets of
    patients: enrolled minus included per age band and sex, enrolled minus the adjusted
    estimate's patients per period of index date."""
    found = {}
    for group, profile in (published.get("profile") or {}).get("groups", {}).items():
        block = published["consumption"].get(group) or {}
        levels = block.get("subgroups") or {}
        enrolled = dict(profile.get("age_bands") or {})
        if profile.get("n_women") is not None and profile.get("n_included") is not None:
            enrolled |= {"F": profile["n_women"], "M": profile["n_included"] - profile["n_women"]}
        included = {k: v.get("n_patients") for k, v in (levels.get("age_band") or {}).items()}
        included |= {k: v.get("n_patients") for k, v in (levels.get("sex") or {}).items()}
        for level, n in enrolled.items():
            if n is not None and included.get(level) is not None:
                found[f"{group} {level} excluded"] = n - included[level]
        for period in (block.get("over_time") or {}).get("periods", []):
            if period["n_enrolled"] is not None and period["n_team"] is not None:
                found[f"{group} {period['period']} outside"] = (
                    period["n_enrolled"] - period["n_team"]
                )
    return found


def test_no_small_count_between_enrolled_and_included_patients(demo, contract):
    """Section A and the subgroup table count the same patients per age band and sex (so
    their difference is 0), and a period's enrolled and estimated patients are published
    apart: no difference may be a small count."""
    periods = 0
    for _, published in [*demo.values(), contract]:
        differences = _published_differences(published)
        periods += sum(" outside" in key for key in differences)
        assert {k: v for k, v in differences.items() if " excluded" in k and v} == {}
        assert {k: v for k, v in differences.items() if 0 < v < N} == {}
    assert periods >= 5  # periods published with both counts in these three results
