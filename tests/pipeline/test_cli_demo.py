"""`narvard demo-data` then `narvard report` on two small areas, as a user runs them."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest
from narvard.pipeline.checks import external_references, is_own_link
from narvard.report.over_time import has_chart

pytestmark = pytest.mark.slow
AREAS = ("simba", "alingsas-lerum")


def narvard(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "narvard", *args], capture_output=True, text=True, timeout=600
    )


@pytest.fixture(scope="module")
def rendered(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("demo")
    made = narvard("demo-data", "--out", str(root / "raw"), "--seed", "11")
    assert made.returncode == 0, made.stderr
    run = narvard(
        "report",
        "--data",
        str(root / "raw"),
        "--out",
        str(root / "reports"),
        "--processed",
        str(root / "processed"),
        "--areas",
        ",".join(AREAS),
        "--jobs",
        "2",
    )
    return {"root": root, "run": run}


def test_reports_for_the_named_areas(rendered):
    run, reports = rendered["run"], rendered["root"] / "reports"
    assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in reports.iterdir()) == sorted([*AREAS, "index.html"])
    for area in AREAS:
        assert re.search(rf"\[\d/2\] {area}: klart", run.stdout)
        for name in ("report.html", "results.json", "report.ipynb"):
            assert (reports / area / name).is_file()


def test_report_pages_are_self_contained_swedish_and_complete(rendered):
    reports = rendered["root"] / "reports"
    for area in AREAS:
        page = (reports / area / "report.html").read_text(encoding="utf-8")
        results = json.loads((reports / area / "results.json").read_text(encoding="utf-8"))
        assert [r for r in external_references(page) if not is_own_link(r, reports / area)] == []
        assert "<script" not in page and "<link" not in page
        assert "Syntetiska data" in page
        assert results["area_name"] in page
        for forbidden in ("nan", "None", "Traceback", "Warning", "import narvard"):
            assert not re.search(rf"\b{forbidden}\b", _visible_text(page)), forbidden
        # Consumption; a Likert chart per survey and scale with a published distribution;
        # per team group an event study, the effect per period (when two periods have one)
        # and, when its net savings are published, a tornado.
        teams = [results["consumption"].get(g, {}) for g in ("HSVT", "NSVT")]
        costs = [results["costs"].get(g, {}) for g in ("HSVT", "NSVT")]
        charts = (
            1
            + sum(len(_scales_shown(s)) for s in results["surveys"].values() if s["items"])
            + sum(1 for block in teams if block.get("event_study"))
            + sum(1 for block in teams if has_chart(block))
            + sum(1 for c in costs if c.get("net_savings_sek") is not None and c.get("tornado"))
        )
        assert len(re.findall(r'<img[^>]*src="data:image/svg\+xml;base64,', page)) == charts
        assert '<html lang="sv">' in page
        assert page.count("alt=") >= charts
        hsvt = results["consumption"]["HSVT"]["n_patients"]
        assert f"{hsvt:,}".replace(",", "\u00a0") in page


def test_index_links_every_area_with_key_figures(rendered):
    index = (rendered["root"] / "reports" / "index.html").read_text(encoding="utf-8")
    assert sorted(external_references(index)) == sorted(f"{a}/report.html" for a in AREAS)
    assert "Syntetiska data" in index and "SIMBA" in index and "Alingsås–Lerum" in index


def test_rerun_gives_identical_results(rendered):
    root = rendered["root"]
    again = narvard(
        "report",
        "--data",
        str(root / "raw"),
        "--out",
        str(root / "again"),
        "--processed",
        str(root / "processed"),
        "--areas",
        "simba",
        "--jobs",
        "1",
    )
    assert again.returncode == 0, again.stderr
    first = (root / "reports" / "simba" / "results.json").read_bytes()
    assert (root / "again" / "simba" / "results.json").read_bytes() == first


def _scales_shown(survey: dict) -> set[str]:
    """The scales of the items whose answer distribution disclosure control published."""
    shown = [q for q, shares in survey["distribution"].items() if shares and q in survey["items"]]
    return {survey["questions"][q]["scale"] for q in shown}


def _visible_text(page: str) -> str:
    body = page.split("<body", 1)[1]
    body = re.sub(r"<style.*?</style>", " ", body, flags=re.S)
    body = re.sub(r'src="data:[^"]*"', " ", body)
    return re.sub(r"<[^>]+>", " ", body)


def test_default_estimates_cover_the_demo_truth(rendered):
    """The demo is a dataset where the answer is known (truth.json): the reports' adjusted
    effect covers the true effect in at least 90 % of area × group × measure cells and has
    the right sign for the region."""
    root = rendered["root"]
    truth = json.loads((root / "raw" / "truth.json").read_text(encoding="utf-8"))
    covered = cells = 0
    for area in AREAS:
        results = json.loads((root / "reports" / area / "results.json").read_text("utf-8"))
        for group in ("HSVT", "NSVT"):
            for measure, estimate in results["consumption"][group]["did"].items():
                low, high = estimate["ci"]
                cells += 1
                covered += low <= truth["areas"][area][group][measure] <= high
    assert covered >= 0.9 * cells
    region = results["region_effects"]
    for group in ("HSVT", "NSVT"):
        for measure, estimate in region[group].items():
            assert (estimate["rate_ratio"] < 1) == (truth["region"][group][measure] < 1)


def test_every_team_gets_a_money_verdict(rendered):
    """The cost-effect counts the money over the included patients whose totals the report
    shows (docs/costs.md §2), so a few patients outside the adjusted estimate hide its size
    but not whether the teams pay; the net and the money per year are published."""
    root = rendered["root"]
    for area in AREAS:
        results = json.loads((root / "reports" / area / "results.json").read_text("utf-8"))
        for group in ("HSVT", "NSVT"):
            cost, block = results["costs"][group], results["consumption"][group]
            assert cost["n_patients"] == block["n_patients"], (area, group)
            assert cost["net_savings_sek"] is not None, (area, group)
            assert cost["net_savings_ci"] is not None, (area, group)
            use = cost["avoided_use"]["inpatient_days"]
            assert use["after_total"] == block["measures"]["inpatient_days"]["after_total"]


def test_the_money_interval_covers_the_demos_true_saving(rendered):
    """truth.json gives each team's true rate ratio over its included patients (their
    after-window use with the team over the same patients' use without it), so the true
    avoided use is after × (1/RR − 1) and its value a year Σ unit cost × that / enrolment
    years: the reported interval of the money a year must hold it for every team."""
    root = rendered["root"]
    truth = json.loads((root / "raw" / "truth.json").read_text(encoding="utf-8"))
    items = {"er_visits": "er_visit", "inpatient_days": "inpatient_day"}
    items |= {"specialist_visits": "specialist_visit"}
    for area in AREAS:
        results = json.loads((root / "reports" / area / "results.json").read_text("utf-8"))
        for group in ("HSVT", "NSVT"):
            cost, block = results["costs"][group], results["consumption"][group]
            ratios = truth["areas"][area][group]
            true = (
                sum(
                    block["measures"][m]["after_total"]
                    * (1 / ratios[m] - 1)
                    * cost["unit_costs"][item]["cost_sek"]
                    for m, item in items.items()
                )
                / cost["enrolment_years"]
            )
            low, high = cost["annual_gross_savings_ci"]
            assert low <= true <= high, (area, group, true, low, high)


def _patient_counts(results: dict) -> list[tuple[str, str, int | None]]:
    """(group, where, n) for every patient count results.json holds outside the flow."""
    found = []
    for group, p in results["profile"]["groups"].items():
        found += [(group, "profile.n_enrolled", p["n_enrolled"])]
        found += [(group, "profile.n_included", p["n_included"])]
    for group, c in results["profile"]["coverage"].items():
        found.append((group, "coverage.patients_reached", c["patients_reached"]))
    for group, block in results["consumption"].items():
        found.append((group, "consumption.n_patients", block["n_patients"]))
        for key in ("did", "did_other"):
            for measure, did in (block.get(key) or {}).items():
                found.append((group, f"{key}.{measure}.n_team", did.get("n_team")))
                found.append(("region", f"{key}.{measure}.n_comparison", did.get("n_comparison")))
        cg = block.get("comparison_group") or {}
        if cg:
            found.append((group, "comparison_group.n_team", cg.get("n_team")))
            found.append(("region", "comparison_group.n_comparison", cg.get("n_comparison")))
    for group in ("HSVT", "NSVT"):
        cost = results["costs"].get(group) or {}
        if "n_patients" in cost:
            found.append((group, "costs.n_patients", cost["n_patients"]))
    return found


def test_every_patient_count_traces_to_the_patient_flow(rendered):
    reports = rendered["root"] / "reports"
    for area in AREAS:
        results = json.loads((reports / area / "results.json").read_text(encoding="utf-8"))
        flow = results["patient_flow"]
        allowed = {g: {s["n"] for s in steps} for g, steps in flow["groups"].items()}
        allowed["region"] = set(flow["region_comparison"].values())
        counts = _patient_counts(results)
        assert len(counts) > 20
        stray = [(g, where, n) for g, where, n in counts if n not in allowed[g]]
        assert stray == [], f"{area}: counts not in the patient flow: {stray}"
        page = (reports / area / "report.html").read_text(encoding="utf-8")
        assert "Vilka patienter som ingår var" in page
