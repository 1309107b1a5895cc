"""reports/index.html: every area's report linked, with a cross-area table of key figures."""

from __future__ import annotations

from html import escape
from pathlib import Path

from narvard.domain import MEASURE_NAMES, MEASURES
from narvard.paths import TEMPLATES_DIR
from narvard.report import formatting as fmt
from narvard.report import net_text
from narvard.report.benchmarks import OVERVIEW_INTRO, overview_table
from narvard.report.funnel import funnel_chart, funnel_points, region_log_ratio
from narvard.report.html import figure_html, render
from narvard.report.tables import NUMERIC
from narvard.report.verdict import is_hidden_net
from narvard.stats.contract_costs import team_blocks

COLUMNS = (
    "Område",
    "Invånare",
    "HSVT-patienter, följda före och efter",
    "Vårddagar HSVT, förändring mot liknande patienter",
    "Netto per år, HSVT",
    "NSVT-patienter, följda före och efter",
    "Vårddagar NSVT, förändring mot liknande patienter",
    "Netto per år, NSVT",
    "Patientenkät, svarsfrekvens",
)
TEAMS = ("HSVT", "NSVT")


def _group_cells(results: dict, group: str) -> list[str]:
    """Patients, the adjusted change in bed days and the net per year, each as the area's
    report shows it: the crude before/after change is left to the comparison with the
    published figures (it mixes the teams' effect with regression to the mean,
    docs/effects.md)."""
    block = results["consumption"].get(group)
    if block is None:
        return ["·", "·", "·"]
    did = block.get("did", {}).get("inpatient_days", {})
    cost = team_blocks(results["costs"]).get(group) or {}
    return [
        fmt.number(block["n_patients"]),
        fmt.ratio_change(did.get("rate_ratio"), did.get("ci")),
        _net_cell(cost),
    ]


def key_figures(results: dict) -> list[str]:
    """One row of the cross-area table, formatted in Swedish, from an area's results."""
    survey = results["surveys"].get("patient")
    return [
        results["area_name"],
        fmt.number(results["population"]),
        *_group_cells(results, "HSVT"),
        *_group_cells(results, "NSVT"),
        fmt.share(survey["response_rate"]) if survey else "·",
    ]


def _net_cell(block: dict) -> str:
    """A group's net per year as a cost or a saving, with its interval as the region row
    has it; '·' where it cannot be computed (no adjusted estimate or team cost), '–' where
    disclosure control hid it."""
    if block.get("net_savings_sek") is not None:
        return net_text.with_interval(block["net_savings_sek"], block.get("net_savings_ci"))
    return fmt.SUPPRESSED if is_hidden_net(block) else fmt.NOT_APPLICABLE


def region_row(all_results: list[dict]) -> list[str]:
    """The region: summed population and patients, the region's own adjusted estimate, and
    the region's own net per year with its interval, per team group."""
    cells = ["Hela regionen", fmt.number(sum(r["population"] for r in all_results))]
    region = (all_results[0]["costs"].get("region") or {}) if all_results else {}
    for group in TEAMS:
        blocks = [r["consumption"][group] for r in all_results if group in r["consumption"]]
        patients = [b["n_patients"] for b in blocks]
        if not blocks or None in patients:
            cells += ["·" if not blocks else fmt.SUPPRESSED, fmt.SUPPRESSED, fmt.SUPPRESSED]
            continue
        effects = all_results[0].get("region_effects", {}).get(group, {})
        did = effects.get("inpatient_days", {})
        adjusted = fmt.ratio_change(did.get("rate_ratio"), did.get("ci"))
        cost = region.get(group)
        net = (
            net_text.with_interval(cost.get("net_savings_sek"), cost.get("net_savings_ci"))
            if cost
            else "·"
        )
        cells += [fmt.number(sum(patients)), adjusted, net]
    cells.append("·")
    return cells


def effects_overview(all_results: list[dict], group: str) -> dict | None:
    """The adjusted effect of one team group on every measure, per area and for the whole
    region (its own estimate on all the region's patients, not a sum of the areas)."""
    blocks = [(r["area_name"], r["consumption"].get(group)) for r in all_results]
    blocks = [(name, block) for name, block in blocks if block is not None]
    if not blocks:
        return None
    rows = [
        {"name": name, "cells": _cells([_effect(block.get("did", {}).get(m)) for m in MEASURES])}
        for name, block in blocks
    ]
    region = all_results[0].get("region_effects", {}).get(group)
    if region and len(all_results) > 1:
        rows.append(
            {
                "name": "Hela regionen",
                "total": True,
                "cells": _cells([_effect(region.get(m)) for m in MEASURES]),
            }
        )
    columns = [MEASURE_NAMES[m] for m in MEASURES]
    return {"group": group, "columns": columns, "rows": rows}


def _effect(did: dict | None) -> str:
    return fmt.ratio_change((did or {}).get("rate_ratio"), (did or {}).get("ci"))


def _cells(values: list[str]) -> list[dict]:
    """Table cells: text, and whether it is a figure (right-aligned so digits line up)."""
    return [{"text": str(v), "numeric": bool(NUMERIC.match(str(v)))} for v in values]


def components_overview(all_results: list[dict], survey_id: str = "managers") -> dict | None:
    """Each area's cooperation-component profile side by side (all respondents)."""
    labels: dict[str, str] = {}
    for results in all_results:
        for code, c in results["surveys"].get(survey_id, {}).get("components", {}).items():
            labels.setdefault(code, c["label"])
    if not labels:
        return None
    rows = []
    for results in all_results:
        components = results["surveys"].get(survey_id, {}).get("components", {})
        cells = [
            fmt.share(
                components.get(code, {})
                .get("by_group", {})
                .get("all", {})
                .get("mean_share_favourable")
            )
            for code in labels
        ]
        rows.append({"name": results["area_name"], "cells": _cells(cells)})
    return {"labels": list(labels.values()), "rows": rows}


FUNNEL_CAPTION = (
    "Punkter innanför de streckade linjerna (95 % kontrollgräns) skiljer sig inte från "
    "{centre} (den heldragna linjen) mer än slumpen kan förklara; små områden varierar mer. "
    "För punkter utanför de prickade linjerna (99,8 %) är slumpen en osannolik förklaring."
)


FUNNEL_MIN_AREAS = 4
HIDDEN_N = (
    "antalet följda patienter döljs för att skydda enskilda patienter; "
    "förändringen finns i tabellen ovan"
)
NO_ESTIMATE = "för få patienter för en skattning med osäkerhetsintervall"


def _left_out(all_results: list[dict], group: str, shown: set[str]) -> dict[str, list[str]]:
    """The areas with patients of the group that the funnel cannot place, by reason."""
    found: dict[str, list[str]] = {}
    for results in all_results:
        if group not in results["consumption"] or results["area_name"] in shown:
            continue
        did = (results["consumption"][group].get("did") or {}).get("inpatient_days") or {}
        hidden_n = did.get("rate_ratio") is not None and did.get("ci") is not None
        found.setdefault(HIDDEN_N if hidden_n else NO_ESTIMATE, []).append(results["area_name"])
    return found


def _missing_areas(left_out: dict[str, list[str]], lead: str) -> str:
    """' Saknas: Skaraborg (reason).' per reason, or '' when no area is left out."""
    return "".join(f" {lead}: {', '.join(names)} ({reason})." for reason, names in left_out.items())


def funnels(all_results: list[dict]) -> list[str]:
    """One funnel plot per team group where some area has an adjusted effect with an
    interval (inline SVG figures); the caption names the areas left out, and why."""
    figures = []
    for group in TEAMS:
        points = funnel_points(all_results, group, "inpatient_days")
        if not points:
            continue
        left_out = _left_out(all_results, group, {p.name for p in points})
        if len(points) < FUNNEL_MIN_AREAS:  # limits drawn from two or three points say little
            missing = escape(_missing_areas(left_out, "Saknas"))
            figures.append(
                f"<p>{group}: bara {len(points)} av områdena kan visas i ett trattdiagram, för "
                f"få för att jämföra dem med varandra; se tabellen ovan.{missing}</p>"
            )
            continue
        has_region = region_log_ratio(all_results, group, "inpatient_days") is not None
        centre = "hela regionens förändring" if has_region else "områdenas genomsnitt"
        caption = f"{group}. {FUNNEL_CAPTION.format(centre=centre)}"
        caption += _missing_areas(left_out, "Saknas i figuren")
        figures.append(
            figure_html(
                funnel_chart(all_results, group),
                alt=f"Trattdiagram för {group}: justerad förändring i vårddagar per område "
                "mot antal patienter, med gränser för slumpvariation.",
                caption=caption,
            )
        )
    return figures


def index_html(all_results: list[dict]) -> str:
    """The overview page (templates/narvard/overview.html.j2); links are relative so the
    folder can be copied anywhere."""
    all_results = sorted(all_results, key=lambda r: r["area_name"])
    rows = []
    for results in all_results:
        cells = key_figures(results)
        href = f"{results['area_id']}/report.html"
        rows.append({"name": cells[0], "href": href, "cells": _cells(cells[1:])})
    if len(all_results) > 1:
        cells = region_row(all_results)
        rows.append({"name": cells[0], "total": True, "cells": _cells(cells[1:])})
    first = all_results[0] if all_results else None
    dataset = first["dataset"] if first else {"dataset_name": "", "synthetic": False}
    return render(
        "overview.html.j2",
        css=(TEMPLATES_DIR / "narvard" / "narvard.css").read_text(encoding="utf-8"),
        synthetic=dataset["synthetic"],
        dataset_name=dataset["dataset_name"],
        window=f"{first['window_days']} dagar" if first else "",
        columns=COLUMNS,
        rows=rows,
        funnels=funnels(all_results),
        components=components_overview(all_results),
        effects=[e for g in TEAMS if (e := effects_overview(all_results, g))],
        benchmarks=_benchmarks(all_results),
        benchmark_intro=OVERVIEW_INTRO,
    )


def _benchmarks(all_results: list[dict]) -> dict | None:
    """The comparison with the region and published figures, cells marked numeric."""
    table = overview_table(all_results)
    if table is not None:
        for row in table["rows"]:
            row["cells"] = _cells(row["cells"])
    return table


def write_index(all_results: list[dict], path: Path) -> Path:
    Path(path).write_text(index_html(all_results), encoding="utf-8")
    return Path(path)
