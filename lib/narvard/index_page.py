"""reports/index.html: every area's report linked, with a cross-area table of key figures."""

from __future__ import annotations

import html
from pathlib import Path

from narvard import formatting as fmt
from narvard.costs import team_blocks
from narvard.paths import TEMPLATES_DIR
from narvard.report_tables import table_cell

COLUMNS = (
    "Område",
    "Invånare",
    "HSVT-patienter",
    "Vårddagar HSVT, förändring",
    "NSVT-patienter",
    "Vårddagar NSVT, förändring",
    "Patientenkät, svarsfrekvens",
    "Bruttobesparing HSVT + NSVT",
)


def key_figures(results: dict) -> list[str]:
    """One row of the cross-area table, formatted in Swedish, from an area's results."""
    consumption = results["consumption"]

    def patients(group: str) -> str:
        return fmt.number(consumption[group]["n_patients"]) if group in consumption else "·"

    def days_change(group: str) -> str:
        if group not in consumption:
            return "·"
        return fmt.percent(
            consumption[group]["measures"]["inpatient_days"]["change_pct"], signed=True
        )

    survey = results["surveys"].get("patient")
    savings = [c["gross_savings_sek"] for c in team_blocks(results["costs"]).values()]
    total = None if not savings or None in savings else sum(savings)
    return [
        results["area_name"],
        fmt.number(results["population"]),
        patients("HSVT"),
        days_change("HSVT"),
        patients("NSVT"),
        days_change("NSVT"),
        fmt.share(survey["response_rate"]) if survey else "·",
        fmt.sek(total, millions=True) if savings else "·",
    ]


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
body {{ max-width: 70rem; margin: 0 auto; padding: 1rem 1.5rem; }}</style></head>
<body><main>
<h1>Uppföljning av mobil närvård – alla samverkansområden</h1>
{banner}
<p class="narvard-meta">Datamaterial: {html.escape(dataset["dataset_name"])} ·
jämförelseperiod {window} före och efter första teambesöket.</p>
<p>Tabellen visar nyckeltal per samverkansområde. Förändringen i vårddagar är en enkel
jämförelse före och efter för samma patienter; den visar inte hela effekten av teamen,
eftersom patienter ofta skrivs in när de är som sjukast. Klicka på ett område för hela
rapporten. Streck (–) betyder att siffran döljs för att den bygger på för få personer.</p>
<table class="narvard-table"><thead><tr>{head}</tr></thead><tbody>
{"".join(rows)}
</tbody></table>
</main></body></html>
"""


def write_index(all_results: list[dict], path: Path) -> Path:
    Path(path).write_text(index_html(all_results), encoding="utf-8")
    return Path(path)
