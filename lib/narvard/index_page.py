"""reports/index.html: every area's report linked, with a cross-area table of key figures."""

from __future__ import annotations

import html
from pathlib import Path

from narvard import formatting as fmt
from narvard.costs import team_blocks
from narvard.figures import funnel_chart
from narvard.notebook import figure_html
from narvard.paths import TEMPLATES_DIR
from narvard.report_tables import table_cell

COLUMNS = (
    "Område",
    "Invånare",
    "HSVT-patienter",
    "Vårddagar HSVT, enkel förändring",
    "Vårddagar HSVT, justerad",
    "NSVT-patienter",
    "Vårddagar NSVT, enkel förändring",
    "Vårddagar NSVT, justerad",
    "Patientenkät, svarsfrekvens",
    "Nettobesparing per år (HSVT + NSVT)",
)
TEAMS = ("HSVT", "NSVT")


def _group_cells(consumption: dict, group: str) -> list[str]:
    block = consumption.get(group)
    if block is None:
        return ["·", "·", "·"]
    days = block["measures"]["inpatient_days"]
    did = block.get("did", {}).get("inpatient_days", {})
    return [
        fmt.number(block["n_patients"]),
        fmt.percent(days["change_pct"], signed=True),
        fmt.ratio_change(did.get("rate_ratio"), did.get("ci")),
    ]


def key_figures(results: dict) -> list[str]:
    """One row of the cross-area table, formatted in Swedish, from an area's results."""
    consumption = results["consumption"]
    survey = results["surveys"].get("patient")
    nets = [b.get("net_savings_sek") for b in team_blocks(results["costs"]).values()]
    net = None if not nets or None in nets else sum(nets)
    return [
        results["area_name"],
        fmt.number(results["population"]),
        *_group_cells(consumption, "HSVT"),
        *_group_cells(consumption, "NSVT"),
        fmt.share(survey["response_rate"]) if survey else "·",
        fmt.sek(net, millions=True) if nets else "·",
    ]


def region_row(all_results: list[dict]) -> list[str]:
    """The region: summed patients and totals (crude change from summed totals), and the
    region's cost total with its interval."""
    cells = ["Hela regionen", fmt.number(sum(r["population"] for r in all_results))]
    for group in TEAMS:
        blocks = [r["consumption"][group] for r in all_results if group in r["consumption"]]
        days = [b["measures"]["inpatient_days"] for b in blocks]
        patients = [b["n_patients"] for b in blocks]
        if not blocks or None in patients or any(d["before_total"] is None for d in days):
            cells += ["·" if not blocks else fmt.SUPPRESSED, fmt.SUPPRESSED, ""]
            continue
        before = sum(d["before_total"] for d in days)
        after = sum(d["after_total"] or 0 for d in days)
        change = 100 * (after - before) / before if before else None
        effects = all_results[0].get("region_effects", {}).get(group, {})
        did = effects.get("inpatient_days", {})
        adjusted = fmt.ratio_change(did.get("rate_ratio"), did.get("ci"))
        cells += [fmt.number(sum(patients)), fmt.percent(change, signed=True), adjusted]
    cells.append("")
    total = (all_results[0]["costs"].get("region") or {}).get("total", {}) if all_results else {}
    ci = total.get("net_savings_ci") or [None, None]
    cells.append(
        f"{fmt.sek(total.get('net_savings_sek'), millions=True)} "
        f"({fmt.sek(ci[0], millions=True)} till {fmt.sek(ci[1], millions=True)})"
        if total
        else "·"
    )
    return cells


def components_overview(all_results: list[dict], survey_id: str = "managers") -> str:
    """Each area's cooperation-component profile side by side (all respondents)."""
    labels: dict[str, str] = {}
    for results in all_results:
        for code, c in results["surveys"].get(survey_id, {}).get("components", {}).items():
            labels.setdefault(code, c["label"])
    if not labels:
        return ""
    head = "<th scope='col'>Område</th>" + "".join(
        f"<th scope='col'>{html.escape(label)}</th>" for label in labels.values()
    )
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
        rows.append(
            f"<tr><td>{html.escape(results['area_name'])}</td>"
            + "".join(table_cell(c) for c in cells)
            + "</tr>"
        )
    return (
        "<h2>Samverkan: chefsenkätens komponenter per område</h2>"
        "<p>Genomsnittlig andel svar som är positiva för samverkan (påståenden om brister "
        "räknas omvänt). Jämför områdena för att se var samverkan fungerar och var stöd "
        "behövs.</p>"
        f"<table class='narvard-table'><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}"
        "</tbody></table>"
    )


def funnels(all_results: list[dict]) -> str:
    parts = []
    for group in TEAMS:
        if any(r["consumption"].get(group, {}).get("did") for r in all_results):
            parts.append(
                figure_html(
                    funnel_chart(all_results, group),
                    alt=f"Trattdiagram för {group}: justerad förändring i vårddagar per område mot "
                    "antal patienter, med gränser för slumpvariation.",
                    caption="Punkter innanför de streckade linjerna skiljer sig inte från "
                    "regionens "
                    "genomsnitt mer än slumpen kan förklara; små områden varierar mer.",
                )
            )
    if not parts:
        return ""
    return "<h2>Skillnader mellan områden</h2>" + "".join(parts)


def index_html(all_results: list[dict]) -> str:
    """The overview page; links are relative so the folder can be copied anywhere."""
    all_results = sorted(all_results, key=lambda r: r["area_name"])
    rows = []
    for results in all_results:
        cells = key_figures(results)
        link = (
            f'<a href="{html.escape(results["area_id"])}/report.html">{html.escape(cells[0])}</a>'
        )
        rows.append(
            "<tr><td>" + link + "</td>" + "".join(table_cell(c) for c in cells[1:]) + "</tr>"
        )
    if len(all_results) > 1:
        cells = region_row(all_results)
        rows.append(
            "<tr class='narvard-total'><td><strong>"
            + cells[0]
            + "</strong></td>"
            + "".join(table_cell(c) for c in cells[1:])
            + "</tr>"
        )
    head = "".join(f'<th scope="col">{html.escape(c)}</th>' for c in COLUMNS)
    first = all_results[0] if all_results else None
    dataset = first["dataset"] if first else {"dataset_name": "", "synthetic": False}
    banner = (
        '<div class="narvard-banner" role="note"><strong>Syntetiska data.</strong> '
        "Rapporterna bygger på påhittade uppgifter för demonstration och test.</div>"
        if dataset["synthetic"]
        else ""
    )
    css = (TEMPLATES_DIR / "narvard" / "narvard.css").read_text(encoding="utf-8")
    window = f"{first['window_days']} dagar" if first else ""
    return f"""<!DOCTYPE html>
<html lang="sv"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Uppföljning av mobil närvård – alla områden</title>
<style>{css}
body {{ max-width: 75rem; margin: 0 auto; padding: 1rem 1.5rem; font-family: "Segoe UI",
  Arial, Helvetica, sans-serif; }}</style></head>
<body><main>
<h1>Uppföljning av mobil närvård – alla samverkansområden</h1>
{banner}
<p class="narvard-meta">Datamaterial: {html.escape(dataset["dataset_name"])} ·
jämförelseperiod {window} före och efter första teambesöket.</p>
<p>Tabellen visar nyckeltal per samverkansområde. Den enkla förändringen i vårddagar jämför
samma patienter före och efter första teambesöket. Den justerade förändringen jämför i
stället med liknande patienter utan team, eftersom patienter ofta skrivs in när de är som
sjukast och vården då ofta minskar ändå; inom parentes visas osäkerheten (95 %
konfidensintervall). Klicka på ett område för hela rapporten. Streck (–) betyder att
siffran döljs för att den bygger på för få personer.</p>
<table class="narvard-table"><thead><tr>{head}</tr></thead><tbody>
{"".join(rows)}
</tbody></table>
{funnels(all_results)}
{components_overview(all_results)}
</main></body></html>
"""


def write_index(all_results: list[dict], path: Path) -> Path:
    Path(path).write_text(index_html(all_results), encoding="utf-8")
    return Path(path)
