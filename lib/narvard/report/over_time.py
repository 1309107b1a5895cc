"""Enrolments and the adjusted effect per half-year or year: table, figure and Swedish text.

Built only from results.json (``consumption.<group>.over_time`` and, for the whole period,
``consumption.<group>.did``). The estimates per period rest on fewer patients than the
report's main effect, so the text reads differences between periods cautiously: only
intervals that do not overlap are mentioned, and then as a question, not a finding.
"""

from __future__ import annotations

import matplotlib.pyplot as plt
import pandas as pd
from matplotlib.figure import Figure

from narvard.domain import MEASURE_NAMES, MEASURES, TEAM_GROUPS
from narvard.report import formatting as fmt
from narvard.report.chart_style import FIGURE_WIDTH_IN, chart

TEAM_COLOUR, OVERALL_COLOUR = "#0072B2", "#555555"
UNIT_NAMES = {"half_year": "halvår", "year": "år"}
TOO_FEW_PATIENTS = "för få patienter"
TOO_FEW_EVENTS = "för få händelser"


def period_label(period: str) -> str:
    """'2018H1' → 'jan–jun 2018', '2018H2' → 'jul–dec 2018', '2018' → '2018'."""
    half = {"H1": "jan–jun", "H2": "jul–dec"}.get(period[4:])
    return f"{half} {period[:4]}" if half else period


def _estimated(block: dict) -> list[dict]:
    return [p for p in block.get("over_time", {}).get("periods", []) if p["estimated"]]


def _published(period: dict) -> bool:
    """An estimated period whose estimates disclosure control left in the report."""
    return any(e.get("rate_ratio") is not None for e in period["measures"].values())


HIDDEN_ESTIMATE_NOTE = (
    "En period där effekten är skattad men visas som – döljs för att skydda enskilda "
    "patienter: den bygger på för få patienter i teamet eller bland de liknande patienterna."
)


def hidden_estimate_note(block: dict) -> str | None:
    """The note under the table when an estimated period's effect is hidden."""
    hidden = [p for p in _estimated(block) if not _published(p)]
    return HIDDEN_ESTIMATE_NOTE if hidden else None


def _cell(period: dict, measure: str) -> str:
    if not period["estimated"]:
        return TOO_FEW_PATIENTS if period["n_team"] != 0 else fmt.NOT_APPLICABLE
    estimate = period["measures"][measure]
    if not estimate.get("estimated"):
        return TOO_FEW_EVENTS
    return fmt.ratio_change(estimate.get("rate_ratio"), estimate.get("ci"))


def over_time_table(block: dict) -> pd.DataFrame:
    """One row per period: enrolled, in the estimate, the effect per measure (95 % KI),
    and a last row with the report's effect over the whole period."""
    over = block.get("over_time") or {}
    rows = []
    for period in over.get("periods", []):
        row = {
            "Period": period_label(period["period"]),
            "Inskrivna": fmt.number(period["n_enrolled"]),
            "I effektskattningen": fmt.number(period["n_team"]),
        }
        row.update({MEASURE_NAMES[m]: _cell(period, m) for m in MEASURES})
        rows.append(row)
    did = block.get("did") or {}
    if rows and did:
        n_team = next(iter(did.values())).get("n_team")
        row = {
            "Period": "Hela perioden",
            "Inskrivna": "",
            "I effektskattningen": fmt.number(n_team),
        }
        row.update(
            {
                MEASURE_NAMES[m]: fmt.ratio_change(did[m].get("rate_ratio"), did[m].get("ci"))
                for m in MEASURES
            }
        )
        rows.append(row)
    return pd.DataFrame(rows)


def has_chart(block: dict) -> bool:
    """A figure is drawn when at least two periods have an estimate."""
    return len(_estimated(block)) >= 2


@chart
def over_time_chart(block: dict, group: str) -> Figure:
    """The effect per period with its interval, one panel per measure; the whole period's
    effect as a dashed line with a grey band."""
    periods = block["over_time"]["periods"]
    estimated = [k for k, p in enumerate(periods) if p["estimated"]]
    periods = periods[estimated[0] : estimated[-1] + 1]  # no empty years at the edges
    labels = [period_label(p["period"]) for p in periods]
    fig, grid = plt.subplots(2, 2, figsize=(FIGURE_WIDTH_IN, 5.4), layout="constrained")
    axes = list(grid.flat)  # 2 × 2, as wide as the printed A4 column allows
    for ax, measure in zip(axes, MEASURES, strict=True):
        overall = (block.get("did") or {}).get(measure) or {}
        if overall.get("rate_ratio") is not None and overall.get("ci"):
            low, high = (100 * (v - 1) for v in overall["ci"])
            ax.axhspan(low, high, color="#E8E8E8", linewidth=0)
            ax.axhline(100 * (overall["rate_ratio"] - 1), color=OVERALL_COLOUR, linestyle="--")
        ax.axhline(0, color="#999999", linewidth=0.8)
        for x, period in enumerate(periods):
            estimate = period["measures"][measure]
            if estimate.get("rate_ratio") is None or not estimate.get("ci"):
                continue
            y = 100 * (estimate["rate_ratio"] - 1)
            low, high = (100 * (v - 1) for v in estimate["ci"])
            ax.errorbar(x, y, yerr=[[y - low], [high - y]], fmt="o", color=TEAM_COLOUR, capsize=3)
        ax.set_xticks(range(len(periods)), labels, rotation=90)
        ax.set_xlim(-0.5, len(periods) - 0.5)
        bottom, top = ax.get_ylim()
        ax.set_ylim(max(bottom, -100), min(top, 200))  # one tiny period would dwarf the rest
        ax.yaxis.set_major_formatter(lambda value, _pos: fmt.percent(value, signed=True))
        ax.set_title(MEASURE_NAMES[measure])
        ax.spines[["top", "right"]].set_visible(False)
    for ax in axes[::2]:
        ax.set_ylabel(f"{group}: förändring jämfört med\nliknande patienter")
    return fig


def _overlap(a: list[float], b: list[float]) -> bool:
    return a[0] <= b[1] and b[0] <= a[1]


def over_time_text(block: dict, group: str) -> str:
    """Enrolments from the first to the last period with an estimate, and whether the
    effect differs between periods more than chance readily explains (non-overlapping
    95 % intervals), in cautious Swedish."""
    over = block.get("over_time") or {}
    unit = UNIT_NAMES.get(over.get("unit", ""), "period")
    estimated = _estimated(block)
    if len(estimated) == 1 and _published(estimated[0]):
        only = estimated[0]
        n = only.get("n_team")
        patients = f" ({fmt.number(n)} patienter i skattningen)" if n is not None else ""
        return (
            f"För {group} kan effekten bara skattas för {period_label(only['period'])}"
            f"{patients}; en enda period räcker inte för att se om effekten förändras över tid."
        )
    if len(estimated) < 2:
        return (
            f"För {group} finns för få patienter för att skatta effekten per {unit}: "
            "effekten redovisas bara för hela perioden."
        )
    shown = [p for p in estimated if _published(p)]
    text = ""
    if len(shown) >= 2:  # a hidden count is never quoted: the period is named without it
        each = [
            f"{fmt.number(p['n_team'])} ({period_label(p['period'])})"
            if p.get("n_team") is not None
            else f"{period_label(p['period'])} (antalet döljs)"
            for p in shown
        ]
        text = f"Antal {group}-patienter i effektskattningen per {unit}: {fmt.listing(each)}. "
    differing = []
    for measure in MEASURES:
        shown = [
            (p, p["measures"][measure])
            for p in estimated
            if p["measures"][measure].get("rate_ratio") is not None
            and p["measures"][measure].get("ci")
        ]
        for i, (p, a) in enumerate(shown):
            for q, b in shown[i + 1 :]:
                if not _overlap(a["ci"], b["ci"]):
                    differing.append((measure, p, a, q, b))
                    break
            else:
                continue
            break
    text += (
        "Skattningarna per period bygger på färre patienter än effekten för hela perioden, "
        "så intervallen är breda. "
    )
    if not differing:
        return text + (
            "För inget mått skiljer sig perioderna mer än slumpen kan förklara (intervallen "
            "överlappar): vi kan inte säga att effekten har förändrats över tid."
        )
    parts = [
        f"{MEASURE_NAMES[m].lower()} ({period_label(p['period'])}: "
        f"{fmt.ratio_change(a['rate_ratio'])}, {period_label(q['period'])}: "
        f"{fmt.ratio_change(b['rate_ratio'])})"
        for m, p, a, q, b in differing
    ]
    return text + (
        f"För {', '.join(parts)} överlappar intervallen inte: effekten kan ha förändrats. "
        "Det kan bero på att teamen arbetat på ett annat sätt, men också på att olika "
        "patienter skrevs in under olika perioder; läs det som en fråga att undersöka, "
        "inte som ett säkert resultat."
    )


def over_time_intro(results: dict) -> str:
    """How the effect per period is estimated, with the minimums used (Swedish)."""
    consumption = results["consumption"]
    blocks = [(consumption.get(g) or {}).get("over_time") for g in TEAM_GROUPS]
    blocks = [b for b in blocks if b and b.get("min_patients") is not None]
    if not blocks:
        return ""
    over = blocks[0]
    return (
        "Inskrivna patienter och teamens effekt per halvår (eller år, när halvåren har för få "
        "patienter) för första besöket. Effekten skattas som ovan, men bara för patienterna "
        "som skrevs in under perioden och jämförelsepatienter som fick hemsjukvård under samma "
        f"period. En period med färre än {fmt.number(over['min_patients'])} patienter i "
        f"skattningen, och ett mått med färre än {fmt.number(over['min_events'])} händelser "
        "före eller efter, skattas inte. Patienter vars perioder inte ryms i uttaget räknas "
        "som inskrivna men ingår inte i skattningen."
    )


def show_over_time(results: dict) -> None:
    """The notebook's over-time part for every team group (one call)."""
    from narvard.report import notebook as nb  # IPython display helpers

    intro = over_time_intro(results)
    if intro:
        nb.show_markdown(intro)
    shown = False
    for group in TEAM_GROUPS:
        block = results["consumption"].get(group) or {}
        if not block.get("over_time"):
            continue
        shown = True
        unit = UNIT_NAMES.get(block["over_time"]["unit"], "period")
        nb.show_table(
            over_time_table(block),
            f"{group}: inskrivna och effekt per {unit} för första besöket (95 % KI)",
        )
        if note := hidden_estimate_note(block):
            nb.show_markdown(note)
        if has_chart(block):
            nb.show_figure(
                over_time_chart(block, group),
                alt=f"Punktdiagram för {group}: justerad förändring per {unit} för fyra mått, "
                "med 95 % konfidensintervall, och den streckade effekten för hela perioden.",
                caption=f"{group}: effekten för patienter inskrivna under respektive {unit}. "
                "Den streckade linjen och det grå bandet är effekten och intervallet för "
                "hela perioden.",
            )
        nb.show_markdown(over_time_text(block, group))
    if not shown:
        nb.show_markdown("Det finns inga teampatienter att följa över tid.")
