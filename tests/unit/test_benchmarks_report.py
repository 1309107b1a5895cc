"""The comparison with the region and published figures, as a coordinator reads it
(narvard.report.benchmarks), on the contract example worked by hand (docs/contract.md §5).

HSVT in the example: 2 included patients; ER 1 → 2 (0,50 → 1,00, +100 %), bed days
16 → 3 (8,00 → 1,50, −81 %), readmissions 1 → 0, specialist visits 0 → 1 (no change
exists). The region is the one area. The patient survey's q1 is worded as in VGR's Tabell 1
("Känner du dig trygg med vården i ditt hem?", 94 % HSVT, 93 % NSVT): HSVT 1 of 2 positive,
NSVT 1 of 1.
"""

from __future__ import annotations

import copy
import json

import pytest
from narvard.data.processed import prepare_dataset
from narvard.report import benchmarks as bm
from narvard.report.formatting import NBSP
from narvard.report.index_page import index_html
from narvard.results.assemble import area_results
from narvard.results.costs import jsonable


@pytest.fixture(scope="module")
def example(tmp_path_factory) -> dict:
    """{min_cell: results} of the contract example."""
    from conftest import CONTRACT_EXAMPLE

    processed = tmp_path_factory.mktemp("processed")
    dataset = prepare_dataset(CONTRACT_EXAMPLE, processed, 180)
    return {
        n: json.loads(json.dumps(jsonable(area_results(dataset, "exempelby", n)))) for n in (0, 5)
    }


def plain(text: str) -> str:
    return text.replace(NBSP, " ")


def test_the_region_of_one_area_is_the_area(example):
    results = example[0]
    region = results["benchmarks"]["region"]
    assert (region["n_areas"], region["window_days"], region["surveys"]) == (1, 180, {})
    hsvt = region["consumption"]["HSVT"]
    assert hsvt["n_patients"] == 2
    for measure, crude in results["consumption"]["HSVT"]["measures"].items():
        assert hsvt["measures"][measure] == {k: crude[k] for k in bm_keys()}
    assert len(results["benchmarks"]["published"]["figures"]) == 25


def bm_keys():
    return ("before_total", "after_total", "before_mean", "after_mean", "change_pct")


def test_consumption_table_sets_area_region_and_published_side_by_side(example):
    table = bm.consumption_benchmark_table(example[0]).map(plain)
    assert list(table.columns) == ["Grupp", "Mått", "Området", "Regionen", "Publicerat", "Källa"]
    rows = table.set_index("Mått").to_dict("index")
    assert (rows["Antal patienter"]["Området"],
            rows["Antal patienter"]["Publicerat"]) == ("2", "3 247")  # fmt: skip
    er = rows["Akutbesök utan inläggning"]
    assert (er["Området"], er["Regionen"], er["Publicerat"], er["Källa"]) == (
        "0,50 → 1,00 (+100 %)",
        "0,50 → 1,00 (+100 %)",
        "−21 %",
        "VGR:s slutrapport 2019",
    )
    days = rows["Vårddagar i slutenvård"]
    assert (days["Området"], days["Publicerat"]) == ("8,00 → 1,50 (−81 %)", "5,7 → 4,7 (−17 %)")
    assert rows["Besök i öppen specialistvård"]["Området"] == "0,00 → 0,50 (·)"
    assert set(table["Grupp"]) == {"HSVT"}  # no NSVT patients in the example


def test_suppressed_figures_stay_suppressed(example):
    """With --min-cell 5 the example's 2 patients hide every area and region figure."""
    table = bm.consumption_benchmark_table(example[5]).map(plain)
    er = table[table["Mått"] == "Akutbesök utan inläggning"].iloc[0]
    assert (er["Området"], er["Regionen"], er["Publicerat"]) == ("–", "–", "−21 %")
    items = bm.item_benchmark_table(example[5])
    assert list(items["Området"]) == ["–", "–"]
    assert example[5]["benchmarks"]["region"]["consumption"]["HSVT"]["n_patients"] is None


def test_survey_items_are_matched_by_their_exact_wording(example):
    items = bm.item_benchmark_table(example[0]).map(plain)
    assert items.to_dict("records") == [
        {
            "Fråga": "Känner du dig trygg med vården i ditt hem?",
            "Grupp": "Hemsjukvårdsteam (HSVT)",
            "Området": "50 %",
            "Publicerat": "94 %",
            "Källa": "VGR:s slutrapport 2019",
        },
        {
            "Fråga": "Känner du dig trygg med vården i ditt hem?",
            "Grupp": "Närsjukvårdsteam (NSVT)",
            "Området": "100 %",
            "Publicerat": "93 %",
            "Källa": "VGR:s slutrapport 2019",
        },
    ]
    reworded = copy.deepcopy(example[0])
    reworded["surveys"]["patient"]["questions"]["q1"]["text"] = "Känner du dig trygg?"
    assert len(bm.item_benchmark_table(reworded)) == 0
    assert len(bm.response_benchmark_table(example[0])) == 0  # no manager survey here


def test_sources_name_only_what_is_shown(example):
    lines = [line.replace("\\", "") for line in bm.source_lines(example[0])]
    assert lines == [
        "VGR:s slutrapport 2019: Västra Götalandsregionen, koncernstab hälso- och sjukvård "
        "(2019). Slutrapport Breddinförande av Mobil närvård. Diarienummer HS 2019-00305. "
        "Resultat – Måluppfyllelse och avvikelser, s. 5–6; Tabell 1. Resultat av enkät till "
        "patienter i mobil närvård, s. 5–6."
    ]


def test_texts_say_crude_and_warn_about_another_window(example):
    intro = plain(bm.benchmark_intro(example[0]))
    assert "3 247 HSVT-patienter och 532 NSVT-patienter" in intro
    assert "utan jämförelsegrupp" in intro and "inte med teamens effekt" in intro
    assert "dagar, de publicerade 6 månader" not in intro
    other = copy.deepcopy(example[0])
    other["benchmarks"]["region"]["window_days"] = 90
    assert "perioder är 90 dagar, de publicerade 6 månader" in plain(bm.benchmark_intro(other))
    synthetic = bool(example[0]["dataset"]["synthetic"])
    assert (bm.SYNTHETIC_NOTE in intro) == synthetic
    other["dataset"]["synthetic"] = not synthetic
    assert (bm.SYNTHETIC_NOTE in bm.benchmark_intro(other)) != synthetic
    assert plain(bm.benchmark_sentence(example[0])) == (
        "Enkel förändring i vårddagar i slutenvård per patient: för HSVT −81 % i området, "
        "−81 % i regionen och −17 % i VGR:s slutrapport 2019."
    )


def test_overview_table_areas_region_and_published(example):
    first = example[0]
    second = copy.deepcopy(first) | {"area_id": "andraby", "area_name": "Andraby"}
    second["consumption"]["HSVT"]["measures"]["inpatient_days"]["change_pct"] = -40.0
    table = bm.overview_table([first, second])
    columns = [c.replace("\u00ad", "") for c in table["columns"]]  # soft hyphens
    assert columns[:3] == ["HSVT: akutbesök", "HSVT: vårddagar", "HSVT: återinskrivningar"]
    assert columns[-1] == "Chefsenkät: svarsfrekvens"
    assert len(table["columns"]) == 8  # 7 published measures + the manager response rate
    rows = {r["name"]: [plain(c) for c in r["cells"]] for r in table["rows"]}
    assert list(rows) == [
        "Andraby",
        "Exempelby",
        "Hela regionen (Exempelregionen)",
        "VGR:s slutrapport 2019 (publicerat)",
        "Region Skånes utvärdering 2019 (publicerat)",
    ]
    assert rows["Andraby"][:2] == ["+100 %", "−40 %"]
    assert rows["Exempelby"][:2] == ["+100 %", "−81 %"]
    assert rows["Hela regionen (Exempelregionen)"][1] == "−81 %"  # from benchmarks.region
    assert rows["VGR:s slutrapport 2019 (publicerat)"] == [
        "−21 %", "−17 %", "−34 %", "−18 %", "−51 %", "−57 %", "−55 %", "·",
    ]  # fmt: skip
    assert rows["Region Skånes utvärdering 2019 (publicerat)"][-1] == "62 %"
    assert [r["kind"] for r in table["rows"]] == ["area"] * 2 + ["region"] + ["published"] * 2
    page = index_html([first, second])
    assert "Jämfört med regionen och publicerade resultat" in page
    assert page.count('href="andraby/report.html"') == 1  # linked once, in the key figures
    assert "Diarienummer HS 2019-00305" in page
    assert bm.overview_table([{k: v for k, v in first.items() if k != "benchmarks"}]) is None


def test_hidden_published_items_name_the_group_and_where_the_shares_are():
    import pandas as pd
    from narvard.report.benchmarks import hidden_items_sentence

    items = pd.DataFrame(
        [{"Fråga": "q1", "Grupp": "NSVT", "Området": "–"}, {"Fråga": "q2", "Grupp": "NSVT"}]
    )
    hidden = (
        "Patientenkätens frågor finns också i VGR:s slutrapport, men områdets andelar för NSVT "
        "visas inte här, för att skydda enskilda patienter (för få svar, eller antal som annars "
        "skulle kunna räknas fram ur andra tal)."
    )
    assert hidden_items_sentence(items, all_shown=False) == hidden
    assert hidden_items_sentence(items, all_shown=True) == (
        hidden + " Andelarna för alla som svarade står i avsnittet om enkäterna."
    )
