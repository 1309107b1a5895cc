"""The area beside its region and beside published figures: tables and Swedish text.

Built only from results.json: the area's own crude figures (``consumption``, ``surveys``),
the region's (``benchmarks.region``) and the published ones with their sources
(``benchmarks.published``). Published figures are crude before/after changes without a
comparison group, so they are set beside the crude change, never the adjusted effect.
"""

from __future__ import annotations

import pandas as pd

from narvard.domain import (
    ALL_GROUPS,
    MEASURE_NAMES,
    MEASURES,
    TEAM_GROUPS,
    group_name,
    survey_name,
)
from narvard.report import formatting as fmt

ARROW = "\u2192"
MANAGERS = "managers"
PATIENT = "patient"


def _figures(results: dict, kind: str) -> list[dict]:
    published = (results.get("benchmarks") or {}).get("published") or {}
    return [f for f in published.get("figures", []) if f["kind"] == kind]


def _sources(results: dict) -> dict:
    return ((results.get("benchmarks") or {}).get("published") or {}).get("sources", {})


def _means(block: dict | None, decimals: int = 2) -> str:
    """'5,70 → 4,67 (−18 %)' from crude keys; '−21 %' when only the change is known."""
    if not block:
        return fmt.NOT_APPLICABLE
    change = (
        fmt.NOT_APPLICABLE
        if block.get("before_mean") == 0
        else fmt.percent(block.get("change_pct"), signed=True)
    )
    if block.get("before_mean") is None and block.get("after_mean") is None:
        return change
    before = fmt.number(block.get("before_mean"), decimals)
    after = fmt.number(block.get("after_mean"), decimals)
    return f"{before} {ARROW} {after} ({change})"


def _region(results: dict) -> dict:
    return (results.get("benchmarks") or {}).get("region") or {}


def consumption_rows(results: dict, groups: tuple[str, ...]) -> list[dict]:
    """Rows of the consumption comparison for the given team groups (with the area's own
    figures when ``results`` is an area's; the overview passes ``area=False``)."""
    region = _region(results).get("consumption", {})
    sources = _sources(results)
    rows = []
    for group in groups:
        for measure in MEASURES:
            for figure in _figures(results, "consumption"):
                if figure["group"] != group or figure["measure"] != measure:
                    continue
                rows.append(
                    {
                        "group": group,
                        "measure": measure,
                        "region": (region.get(group) or {}).get("measures", {}).get(measure),
                        "figure": figure,
                        "source": sources.get(figure["source"], {}).get("short", ""),
                    }
                )
    return rows


def consumption_benchmark_table(results: dict) -> pd.DataFrame:
    """Crude before → after per patient and change: the area, its region, published."""
    groups = tuple(g for g in TEAM_GROUPS if g in results["consumption"])
    region = _region(results).get("consumption", {})
    rows = []
    for group in groups:
        area_n = results["consumption"][group]["n_patients"]
        published_n = {f["n"] for f in _figures(results, "consumption") if f["group"] == group}
        rows.append(
            {
                "Grupp": group,
                "Mått": "Antal patienter",
                "Området": fmt.number(area_n),
                "Regionen": fmt.number((region.get(group) or {}).get("n_patients")),
                "Publicerat": " / ".join(fmt.number(n) for n in sorted(published_n)) or "·",
                "Källa": "",
            }
        )
        for row in consumption_rows(results, (group,)):
            figure = row["figure"]
            rows.append(
                {
                    "Grupp": group,
                    "Mått": MEASURE_NAMES[row["measure"]],
                    "Området": _means(results["consumption"][group]["measures"][row["measure"]]),
                    "Regionen": _means(row["region"]),
                    "Publicerat": _means(figure, decimals=1),
                    "Källa": row["source"],
                }
            )
    return pd.DataFrame(rows)


def _matching_items(survey: dict, figure: dict) -> list[str]:
    """Question ids of the area's survey worded exactly as the published question."""
    wanted = " ".join((figure.get("question") or "").split()).casefold()
    if not wanted:
        return []
    return [
        qid
        for qid, q in survey.get("questions", {}).items()
        if " ".join(q["text"].split()).casefold() == wanted
    ]


def _response_rows(results: dict) -> list[tuple[dict, dict]]:
    """(row, figure): response rates with a published counterpart, area beside region."""
    surveys, sources = results.get("surveys", {}), _sources(results)
    region = _region(results).get("surveys", {})
    rows = []
    for figure in _figures(results, "response_rate"):
        survey_id = figure["survey"]
        if survey_id not in surveys and survey_id not in region:
            continue
        row = {
            "Enkät": survey_name(survey_id),
            "Grupp": group_name(figure["group"]),
            "Området": fmt.share(surveys.get(survey_id, {}).get("response_rate")),
            "Regionen": fmt.share((region.get(survey_id) or {}).get("response_rate")),
            "Publicerat": fmt.share(figure["share"]),
            "Källa": sources.get(figure["source"], {}).get("short", ""),
        }
        rows.append((row, figure))
    return rows


def _item_rows(results: dict) -> list[tuple[dict, dict]]:
    """(row, figure): the area's survey items worded exactly as a published question."""
    surveys, sources = results.get("surveys", {}), _sources(results)
    rows = []
    for figure in _figures(results, "share"):
        survey = surveys.get(figure["survey"]) or {}
        for qid in _matching_items(survey, figure):
            cell = survey.get("items", {}).get(qid, {}).get(figure["group"])
            if cell is None:
                continue
            row = {
                "Fråga": survey["questions"][qid]["text"],
                "Grupp": group_name(figure["group"]),
                "Området": fmt.share(cell.get("share_positive")),
                "Publicerat": fmt.share(figure["share"]),
                "Källa": sources.get(figure["source"], {}).get("short", ""),
            }
            rows.append((row, figure))
    return rows


def response_benchmark_table(results: dict) -> pd.DataFrame:
    """Response rates of the area and the region beside a published response rate."""
    return pd.DataFrame([row for row, _ in _response_rows(results)])


def item_benchmark_table(results: dict) -> pd.DataFrame:
    """Share positive of the area's items worded exactly as a published question."""
    return pd.DataFrame([row for row, _ in _item_rows(results)])


def hidden_items_sentence(items: pd.DataFrame, all_shown: bool) -> str:
    """Why the comparison with the published survey table is left out: the published
    figures are for one group, whose shares in the area disclosure control hid; where the
    survey section shows the shares of all who answered, it says so."""
    groups = " och ".join(dict.fromkeys(items["Grupp"]))
    text = (
        "Patientenkätens frågor finns också i VGR:s slutrapport, men områdets andelar för "
        f"{groups} visas inte här, för att skydda enskilda patienter (för få svar, eller antal "
        "som annars skulle kunna räknas fram ur andra tal)."
    )
    return text + (
        " Andelarna för alla som svarade står i avsnittet om enkäterna." if all_shown else ""
    )


def _all_shares_shown(results: dict) -> bool:
    """Whether the patient survey's items show a share for all who answered."""
    items = ((results.get("surveys") or {}).get("patient") or {}).get("items") or {}
    return any(
        (cell.get(ALL_GROUPS) or {}).get("share_positive") is not None for cell in items.values()
    )


def source_lines(results: dict) -> list[str]:
    """One Markdown line per source of the figures shown: citation and the places cited."""
    groups = tuple(g for g in TEAM_GROUPS if g in results.get("consumption", {}))
    shown = [row["figure"] for row in consumption_rows(results, groups)]
    shown += [figure for _, figure in (*_response_rows(results), *_item_rows(results))]
    places: dict[str, list[str]] = {}
    for figure in shown:
        cited = places.setdefault(figure["source"], [])
        if figure["location"] not in cited:
            cited.append(figure["location"])
    lines = []
    for key, cited in places.items():
        source = _sources(results)[key]
        lines.append(
            f"{fmt.markdown_literal(source['short'])}: "
            f"{fmt.markdown_literal(source['citation'])} "
            f"{fmt.markdown_literal('; '.join(cited))}."
        )
    return lines


def benchmark_intro(results: dict) -> str:
    """What the comparison shows and what it does not (Swedish, with the published n)."""
    figures = _figures(results, "consumption")
    counts = []
    for group in TEAM_GROUPS:
        n = next((f["n"] for f in figures if f["group"] == group and f["n"]), None)
        if n:
            counts.append(f"{fmt.number(n)} {group}-patienter")
    text = (
        "Tabellen ställer områdets enkla före–efter-siffror bredvid hela regionens och bredvid "
        "de siffror som publicerats i VGR:s slutrapport om Mobil närvård"
        + (f" ({' och '.join(counts)})" if counts else "")
        + ". De publicerade siffrorna är också enkla jämförelser av samma patienters vård "
        "6 månader före och 6 månader efter första teambesöket, utan jämförelsegrupp. "
        "Jämför dem därför med rapportens enkla förändring, inte med teamens effekt i nästa "
        "avsnitt, där den minskning som hade kommit ändå är borträknad. Hur VGR räknade "
        "återinskrivningar framgår inte av rapporten."
    )
    window = _region(results).get("window_days") or results.get("window_days")
    published = {f["window_days"] for f in figures}
    if window and published and window not in published:
        text += (
            f" Den här rapportens perioder är {fmt.number(window)} dagar, de publicerade "
            "6 månader: medelvärdena per patient kan därför inte jämföras direkt, och även "
            "förändringen i procent bara med försiktighet."
        )
    if (results.get("dataset") or {}).get("synthetic"):
        text += f" {SYNTHETIC_NOTE}"
    return text


SYNTHETIC_NOTE = (
    "Demodata är påhittade och skapade för att likna VGR:s publicerade siffror; att regionens "
    "siffror ligger nära de publicerade säger därför ingenting om verkligheten."
)


def benchmark_sentence(results: dict, measure: str = "inpatient_days") -> str:
    """One sentence per team group: the crude change in the area, the region and published."""
    parts = []
    for row in consumption_rows(results, tuple(TEAM_GROUPS)):
        if row["measure"] != measure or row["group"] not in results["consumption"]:
            continue
        area = results["consumption"][row["group"]]["measures"][measure].get("change_pct")
        region = (row["region"] or {}).get("change_pct")
        if area is None:
            continue
        parts.append(
            f"för {row['group']} {fmt.percent(area, signed=True)} i området, "
            f"{fmt.percent(region, signed=True)} i regionen och "
            f"{fmt.percent(row['figure']['change_pct'], signed=True)} i {row['source']}"
        )
    if not parts:
        return ""
    return (
        f"Enkel förändring i {MEASURE_NAMES[measure].lower()} per patient: "
        + "; ".join(parts)
        + "."
    )


SHORT_MEASURE_NAMES = {  # soft hyphens (U+00AD) let the long words break on A4
    "er_visits": "akutbesök",
    "inpatient_days": "vårddagar",
    "unplanned_readmissions": "återinskriv\u00adningar",
    "specialist_visits": "specialist\u00adbesök",
}
OVERVIEW_SURVEY = MANAGERS


def _overview_columns(first: dict) -> list[tuple[str, str]]:
    """(group, measure) pairs with a published figure, in the domain's order."""
    published = {(f["group"], f["measure"]) for f in _figures(first, "consumption")}
    return [(g, m) for g in TEAM_GROUPS for m in MEASURES if (g, m) in published]


def overview_table(all_results: list[dict]) -> dict | None:
    """The overview's comparison: the crude change per area, per region (where it has more
    than one area) and as published, with the manager survey's response rate.

    {"columns": [...], "rows": [{"name", "kind", "cells"}], "sources": [...]}; areas are not
    linked here (the key-figure table above links each report once);
    None without benchmarks.
    """
    if not all_results or "benchmarks" not in all_results[0]:
        return None
    first = all_results[0]
    pairs = _overview_columns(first)
    response = [f for f in _figures(first, "response_rate") if f["survey"] == OVERVIEW_SURVEY]
    columns = [f"{g}: {SHORT_MEASURE_NAMES[m]}" for g, m in pairs]
    if response:
        columns.append("Chefsenkät: svarsfrekvens")

    def cells(consumption: dict, survey: dict | None) -> list[str]:
        out = []
        for group, measure in pairs:
            block = (consumption.get(group) or {}).get("measures", {}).get(measure)
            out.append(_change_cell(block) if block else fmt.NOT_APPLICABLE)
        if response:
            out.append(fmt.share(survey["response_rate"]) if survey else fmt.NOT_APPLICABLE)
        return out

    rows = [
        {
            "name": results["area_name"],
            "kind": "area",
            "cells": cells(results["consumption"], results["surveys"].get(OVERVIEW_SURVEY)),
        }
        for results in sorted(all_results, key=lambda r: r["area_name"])
    ]
    regions: dict[str, list[dict]] = {}
    for results in all_results:
        regions.setdefault(results["region"], []).append(results)
    for name, members in sorted(regions.items()):
        if len(members) > 1:
            region = _region(members[0])
            survey = region.get("surveys", {}).get(OVERVIEW_SURVEY)
            cells_ = cells(region.get("consumption", {}), survey)
            rows.append({"name": f"Hela regionen ({name})", "kind": "region", "cells": cells_})
    sources = _sources(first)
    for key, source in sources.items():
        mine = {
            (f["group"], f["measure"]): f
            for f in _figures(first, "consumption")
            if f["source"] == key
        }
        rate = [f for f in response if f["source"] == key]
        if not mine and not rate:
            continue
        row = [_change_cell(mine[p]) if p in mine else fmt.NOT_APPLICABLE for p in pairs]
        if response:
            row.append(fmt.share(rate[0]["share"]) if rate else fmt.NOT_APPLICABLE)
        rows.append({"name": f"{source['short']} (publicerat)", "kind": "published", "cells": row})
    lines = [f"{s['short']}: {s['citation']}" for s in sources.values()]
    return {"columns": columns, "rows": rows, "sources": lines}


def _change_cell(block: dict) -> str:
    if block.get("before_mean") == 0:
        return fmt.NOT_APPLICABLE
    return fmt.percent(block.get("change_pct"), signed=True)


OVERVIEW_INTRO = (
    "Enkel förändring per patient före och efter första teambesöket, i varje område, i hela "
    "regionen och i de publicerade utvärderingarna (VGR:s slutrapport om Mobil närvård: "
    "6 månader före och efter; Region Skånes chefsenkät: svarsfrekvens). Ingen av dessa "
    "siffror har en jämförelsegrupp: jämför dem med varandra, inte med den justerade "
    "förändringen i tabellen ovan. Punkt (·) betyder att uppgiften saknas."
)


def show_benchmarks(results: dict) -> None:
    """The notebook's comparison with the region and published figures (one call)."""
    from narvard.report import notebook as nb  # IPython display helpers

    table = consumption_benchmark_table(results) if results.get("benchmarks") else None
    if table is None or not len(table):
        nb.show_markdown("Det finns inga teampatienter att jämföra med publicerade siffror.")
        return
    nb.show_markdown(benchmark_intro(results))
    nb.show_table(table, "Enkel förändring per patient: området, regionen och publicerat")
    sentence = benchmark_sentence(results)
    if sentence:
        nb.show_markdown(sentence)
    responses = response_benchmark_table(results)
    if len(responses):
        nb.show_table(responses, "Svarsfrekvens: området, regionen och publicerat")
    items = item_benchmark_table(results)
    if len(items) and (items["Området"] == fmt.SUPPRESSED).all():
        nb.show_markdown(hidden_items_sentence(items, _all_shares_shown(results)))
    elif len(items):
        nb.show_table(items, "Patientenkäten: andel svar ofta eller alltid, området och publicerat")
    nb.show_markdown("Källor:\n" + "\n".join(f"- {line}" for line in source_lines(results)))
