"""Report tables as Swedish-formatted text, built only from an area's results."""

from __future__ import annotations

import html
import re

import pandas as pd

from narvard.domain import (
    AGE_BANDS,
    COST_ITEM_NAMES,
    EXCLUSION_REASONS,
    MEASURE_NAMES,
    MEASURES,
    ROLE_NAMES,
    TEAM_GROUPS,
    group_name,
)
from narvard.report import formatting as fmt
from narvard.report import net_text
from narvard.report.cost_text import UNCERTAIN_MARK
from narvard.report.net_text import bed_days_may_be_nil, savings_may_be_nil
from narvard.stats.contract_costs import team_blocks


def patients_table(results: dict) -> pd.DataFrame:
    """Included, excluded and deceased patients per group."""
    rows = []
    for group, block in results["consumption"].items():
        deaths, n = block["deaths_after"], block["n_patients"]
        rows.append(
            {
                "Grupp": group_name(group),
                "Patienter med hela perioder": fmt.number(n),
                "Exkluderade": fmt.number(block["n_excluded"]),
                "Avlidna under efterperioden": fmt.number(deaths),
                "Andel avlidna": fmt.share(deaths / n if deaths is not None and n else None),
                "Levda dagar efter (persondagar)": fmt.number(block["person_days_after"]),
            }
        )
    return pd.DataFrame(rows)


def exclusion_lines(results: dict) -> list[str]:
    """One Swedish sentence per group and reason for excluded patients."""
    lines = []
    for group, reasons in results.get("exclusions", {}).items():
        for reason, n in reasons.items():
            count = (
                fmt.number(n) if n is not None else "ett dolt antal"
            )  # small, or would reveal one
            noun = "patient" if n == 1 else "patienter"
            text = EXCLUSION_REASONS.get(reason, reason)
            lines.append(f"{group_name(group)}: {count} {noun} där {text}.")
    return lines


def consumption_table(results: dict) -> pd.DataFrame:
    """Crude before/after means per patient and the change, per group and measure."""
    rows = []
    for group, block in results["consumption"].items():
        for measure in MEASURES:
            m = block["measures"][measure]
            rows.append(
                {
                    "Grupp": group_name(group),
                    "Mått": MEASURE_NAMES[measure],
                    "Före, per patient": fmt.number(m["before_mean"], 2),
                    "Efter, per patient": fmt.number(m["after_mean"], 2),
                    "Förändring": _change(m),
                    "Före, totalt": fmt.number(m["before_total"]),
                    "Efter, totalt": fmt.number(m["after_total"]),
                }
            )
    return pd.DataFrame(rows)


def _change(measure: dict) -> str:
    """The relative change; '·' where it cannot exist because nothing happened before."""
    if measure["before_mean"] == 0:
        return fmt.NOT_APPLICABLE
    return fmt.percent(measure["change_pct"], 0, signed=True)


def costs_table(results: dict) -> pd.DataFrame:
    """Avoided use and crude gross savings per team group and cost item."""
    rows = []
    for group, block in team_blocks(results["costs"]).items():
        for item, cell in block["items"].items():
            rows.append(
                {
                    "Grupp": group_name(group),
                    "Post": COST_ITEM_NAMES[item],
                    "Undvikna (före − efter)": fmt.number(cell["avoided"]),
                    "Styckkostnad": fmt.sek(results["unit_costs"][item]["cost_sek"]),
                    "Besparing": fmt.sek(cell["savings_sek"]),
                }
            )
        rows.append(
            {
                "Grupp": group_name(group),
                "Post": "Summa bruttobesparing",
                "Undvikna (före − efter)": "",
                "Styckkostnad": "",
                "Besparing": fmt.sek(block["gross_savings_sek"]),
            }
        )
    return pd.DataFrame(rows)


def unit_costs_table(results: dict) -> pd.DataFrame:
    return pd.DataFrame(
        [
            {
                "Post": COST_ITEM_NAMES.get(item, item),
                "Kostnad": fmt.sek(c["cost_sek"]),
                "Intervall": f"{fmt.sek(c['low_sek'])} – {fmt.sek(c['high_sek'])}",
                "År": c["year"],
                "Källa": c["source"],
            }
            for item, c in results["unit_costs"].items()
        ]
    )


def to_html(table: pd.DataFrame) -> str:
    """A plain, accessible HTML table (header cells scoped, text escaped)."""
    head = "".join(f'<th scope="col">{html.escape(str(c))}</th>' for c in table.columns)
    body = "".join(
        "<tr>" + "".join(table_cell(v) for v in row) + "</tr>"
        for row in table.itertuples(index=False)
    )
    return (
        f'<table class="narvard-table"><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>'
    )


NUMERIC = re.compile(r"^[−+\-–·]?[\d\u00a0 ,]*(\u00a0?(%|kr|mnkr))?( \(n=.*\))?$")


HIDDEN_CELL = re.compile(r"^[–·]( \(n=.*\))?$")


def all_hidden(table: pd.DataFrame) -> bool:
    """True when disclosure control left no figure in a table (every cell after the first
    column a dash, or not applicable): one sentence says so instead of a table of dashes."""
    cells = [str(v).strip() for v in table.iloc[:, 1:].to_numpy().ravel()]
    return (
        bool(cells)
        and all(HIDDEN_CELL.match(c) for c in cells)
        and any(c.startswith(fmt.SUPPRESSED) for c in cells)
    )


def table_cell(value: object) -> str:
    """A table cell; figures are right-aligned so digits line up."""
    text = str(value)
    css = ' class="num"' if text and NUMERIC.match(text) else ""
    return f"<td{css}>{html.escape(text)}</td>"


def profile_table(results: dict) -> pd.DataFrame:
    """Age and sex per group of the patients followed before and after (section A): the
    patients of every other table of the report."""
    rows = []
    for group, p in results["profile"]["groups"].items():
        row = {
            "Grupp": group_name(group),
            "Följda före och efter": fmt.number(p["n_included"]),
            "Medelålder": fmt.number(p["mean_age"], 0),
            "Andel kvinnor": fmt.share(p["share_women"]),
        }
        row |= {LEVEL_NAMES[band]: fmt.number(p["age_bands"].get(band)) for band in AGE_BANDS}
        rows.append(row)
    return pd.DataFrame(rows)


def reach_table(results: dict) -> pd.DataFrame:
    """Patients enrolled per team group and index year (section A)."""
    groups = results["profile"]["groups"]
    years = sorted({y for p in groups.values() for y in p["per_year"]})
    rows = []
    for group, p in groups.items():
        row = {"Grupp": group_name(group)}
        row.update({y: fmt.number(p["per_year"].get(y, 0)) for y in years})
        rows.append(row)
    return pd.DataFrame(rows)


def coverage_table(results: dict) -> pd.DataFrame:
    profile = results["profile"]
    rows = []
    for group, c in profile["coverage"].items():
        staff = profile["staffing_expected_fte"][group]
        rows.append(
            {
                "Team": group_name(group),
                "Nådda patienter": fmt.number(c["patients_reached"]),
                "Förväntad målgrupp (antagande)": fmt.number(c["expected_target_group"]),
                "Täckning": fmt.share(c["coverage"]),
                "Bemanning enligt nyckeltal": ", ".join(
                    f"{fmt.number(v, 1)} {STAFF_ROLES[role]}" for role, v in staff.items()
                ),
            }
        )
    return pd.DataFrame(rows)


STAFF_ROLES = {"doctors": "läkare", "nurses": "sjuksköterskor"}


def adjusted_table(results: dict) -> pd.DataFrame:
    """The adjusted effect beside the crude change and the other comparison group, all per
    day alive (the crude change per patient, the contract's, is in the consumption table)."""
    rows = []
    for group in TEAM_GROUPS:
        block = results["consumption"].get(group)
        if block is None or "did" not in block:
            continue
        for measure in MEASURES:
            m, did = block["measures"][measure], block["did"][measure]
            other = block.get("did_other", {}).get(measure, {})
            rows.append(
                {
                    "Grupp": group,
                    "Mått": MEASURE_NAMES[measure],
                    "Enkel förändring per levd dag (före–efter)": fmt.ratio_change(
                        m.get("rate_ratio")
                    ),
                    "Effekt jämfört med liknande patienter utan team (95 % KI)": fmt.ratio_change(
                        did.get("rate_ratio"), did.get("ci")
                    ),
                    OTHER_COMPARISON[did.get("comparison") or "balanced"]: fmt.ratio_change(
                        other.get("rate_ratio"), other.get("ci")
                    ),
                    "Patienter (team / liknande utan team)": (
                        f"{fmt.number(did.get('n_team'))} / {fmt.number(did.get('n_comparison'))}"
                    ),
                }
            )
    return pd.DataFrame(rows)


OTHER_COMPARISON = {
    "balanced": "Känslighet: alla patienter utan team i regionen, oviktade",
    "all": "Känslighet: patienter utan team, viktade som teamets",
}
BALANCE_NAMES = {
    "age": "Ålder (medel, år)",
    "share_women": "Andel kvinnor",
    "index_time": "Tidpunkt för första besöket (år, medel)",
}


def balance_table(block: dict) -> pd.DataFrame:
    """How alike the team and the comparison patients are, before and after weighting."""
    rows = []
    for row in block["comparison_group"]["balance"]:
        name = row["variable"]
        measure = name.rsplit("_", 1)[0]
        label = BALANCE_NAMES.get(name) or (
            f"{MEASURE_NAMES.get(measure, name)}, referensperioden (vägs inte)"
        )
        rows.append(
            {
                "Egenskap": label,
                "Team": _balance_value(name, row.get("mean_team")),
                "Utan team i regionen": _balance_value(name, row.get("mean_comparison")),
                "Utan team, viktade": _balance_value(name, row.get("mean_comparison_weighted")),
                "Skillnad före viktning (SMD)": fmt.number(row.get("smd_before"), 2),
                "Skillnad efter viktning (SMD)": fmt.number(row.get("smd_after"), 2),
                "Lika nog?": _alike(name in BALANCE_NAMES, row.get("smd_after")),
            }
        )
    return pd.DataFrame(rows)


BALANCE_GOAL = 0.1  # |SMD| below 0.1 counts as alike (Austin 2009; docs/effects.md)


def balance_hidden_note(block: dict, group: str) -> str | None:
    """Why the team's side of the balance table shows –, when disclosure control hid it:
    its means times the estimate's patients would give counts (docs/disclosure.md)."""
    summary = block.get("comparison_group") or {}
    rows = summary.get("balance") or []
    if not rows or summary.get("n_team") is not None:
        return None
    note = (
        f"{group}: teamets sida av jämförelsen döljs för att skydda enskilda patienter (för få "
        "patienter, eller antal som annars skulle kunna räknas fram ur andra tal)."
    )
    if summary.get("balanced"):
        note += (
            " Viktningen gör ändå de liknande patienterna lika teamets i ålder, kön och "
            "tidpunkt för första besöket."
        )
    return note


def _alike(weighted: bool, smd_after: float | None) -> str:
    """Whether a characteristic is alike after weighting; the earlier care use is not
    weighted on, because the effect is measured as each patient's change from their own
    earlier level (a difference there is expected and accounted for)."""
    if smd_after is None:
        return fmt.SUPPRESSED
    if abs(smd_after) < BALANCE_GOAL:
        return "ja"
    return "nej" if weighted else "nej, men effekten mäts från egen tidigare nivå"


SUBGROUP_NAMES = {"sex": "Kön", "age_band": "Ålder", "kommun": "Kommun"}
LEVEL_NAMES = {
    "F": "Kvinnor",
    "M": "Män",
    "<75": "Under 75 år",
    "75–84": "75–84 år",
    "85+": "85 år och äldre",
}


def _balance_value(variable: str, value: float | None) -> str:
    if value is not None and variable == "index_time":
        return f"{value:.1f}".replace(".", ",")  # a year: 2018,4, never "2 018,4"
    if value is not None and variable == "share_women":
        return fmt.share(value)
    if value is not None and variable == "age":
        return fmt.number(value, 1)
    return fmt.number(value, 2)


def subgroup_table(block: dict) -> pd.DataFrame:
    """Crude change per subgroup level and measure, with the number of patients."""
    rows = []
    for kind, levels in block.get("subgroups", {}).items():
        order = AGE_BANDS if kind == "age_band" else sorted(levels)
        for level in [lv for lv in order if lv in levels]:
            sub = levels[level]
            row = {
                "Indelning": SUBGROUP_NAMES.get(kind, kind),
                "Grupp": LEVEL_NAMES.get(level, level),
                "Patienter": fmt.number(sub["n_patients"]),
            }
            for measure in MEASURES:
                row[MEASURE_NAMES[measure]] = _change(sub["measures"][measure])
            rows.append(row)
    return pd.DataFrame(rows)


def hidden_lengths_note(block: dict) -> str | None:
    """Why a whole window length's row is dashes: its patients differ from the next
    length's by a few, who could otherwise be counted (docs/disclosure.md)."""
    hidden = [
        n for n, level in (block.get("sensitivity") or {}).items() if level["n_patients"] is None
    ]
    if not hidden or block.get("n_patients") is None:
        return None
    days = " och ".join(f"{n} dagar" for n in hidden)
    rows, they = ("Raden", "den") if len(hidden) == 1 else ("Raderna", "de")
    return (
        f"{rows} för {days} visas inte: {they} bygger på för få patienter, eller på nästan "
        "samma patienter som en annan periodlängd, så att skillnaden (några få patienter) "
        "annars skulle kunna räknas fram."
    )


def sensitivity_table(block: dict) -> pd.DataFrame:
    """Crude change and adjusted effect per window length (90, 180, 365 days)."""
    rows = []
    for length, level in block.get("sensitivity", {}).items():
        for measure in MEASURES:
            m = level["measures"][measure]
            did = m.get("did") or {}
            rows.append(
                {
                    "Period": f"{length} dagar",
                    "Mått": MEASURE_NAMES[measure],
                    "Patienter": fmt.number(level["n_patients"]),
                    "Enkel förändring per levd dag": fmt.ratio_change(m.get("rate_ratio")),
                    "Effekt (95 % KI)": fmt.ratio_change(did.get("rate_ratio"), did.get("ci")),
                    "Patienter i effektskattningen": fmt.number(did.get("n_team")),
                }
            )
    return pd.DataFrame(rows)


def cost_effect_table(costs: dict) -> pd.DataFrame:
    """What the teams cost and save per year, with uncertainty (rows) per group (columns)."""
    blocks = {g: b for g, b in team_blocks(costs).items() if "net_savings_sek" in b}
    if not blocks:
        return pd.DataFrame()
    rows = {
        "Teamens kostnad per år": lambda b: fmt.sek(b.get("team_cost_sek"), millions=True),
        "Nya patienter per år": lambda b: fmt.number(b.get("patients_per_year")),
        "Bruttobesparing per år, enkel före–efter": lambda b: fmt.sek(
            b.get("annual_gross_savings_crude_sek"), millions=True
        ),
        "Bruttobesparing per år, justerad": lambda b: fmt.sek(
            b.get("annual_gross_savings_adjusted_sek"), millions=True
        ),
        "Netto per år (justerat)": lambda b: net_text.short(b.get("net_savings_sek")),
        "95 % KI för nettot": lambda b: net_text.table_interval(
            b.get("net_savings_sek"), b.get("net_savings_ci")
        ),
        net_text.PROBABILITY_LABEL: lambda b: fmt.probability(b.get("prob_net_positive")),
        "Tillbaka per satsad krona": lambda b: (
            fmt.number(b.get("return_per_krona"), 2) + " kr"
            if b.get("return_per_krona") is not None
            else fmt.SUPPRESSED
        ),
        # Team cost / avoided bed days, and team cost / savings per patient: a divisor whose
        # interval reaches zero makes the figure unbounded, and the table says so.
        "Kostnad per undviken vårddag": lambda b: _uncertain_ratio(
            _about_thousands(b.get("cost_per_avoided_bed_day_sek")), bed_days_may_be_nil(b)
        ),
        # A break-even volume belongs to one team (a both-teams block has no single effect).
        "Patienter per år för att gå jämnt ut": lambda b: (
            _uncertain_ratio(
                fmt.number(b.get("break_even_patients_per_year")), savings_may_be_nil(b)
            )
            if "avoided_use" in b
            else fmt.NOT_APPLICABLE
        ),
    }
    columns = {group_name(g): b for g, b in blocks.items()}
    if len(blocks) > 1 and costs.get("total"):
        columns[BOTH_TEAMS] = costs["total"]  # summed in results.json (costs.total)
    return pd.DataFrame(
        [
            {"": label} | {name: show(b) for name, b in columns.items()}
            for label, show in rows.items()
        ]
    )


BOTH_TEAMS = "Båda teamen"


def _uncertain_ratio(text: str, divisor_may_be_nil: bool) -> str:
    """A figure divided by something that may be nil, marked as uncertain."""
    if text in (fmt.SUPPRESSED, fmt.NOT_APPLICABLE) or not divisor_may_be_nil:
        return text
    return text + UNCERTAIN_MARK


def _about_thousands(value: float | None) -> str:
    """A ratio of two uncertain amounts, to the nearest thousand kronor: 'cirka 205 000 kr'."""
    if value is None:
        return fmt.SUPPRESSED
    return "cirka " + fmt.sek(round(value, -3))


def region_cost_caption(region: str) -> str:
    """The region's cost table is not a sum of the areas' tables: the team costs are summed,
    the savings come from one estimate over the whole region's patients (docs/costs.md)."""
    return (
        f"Hela regionen ({region}): teamens kostnader summerade över områdena, besparingen "
        "skattad på hela regionens patienter"
    )


def contract_savings_caption(window_days: int) -> str:
    """The contract's crude gross savings are over every followed patient, not per year."""
    return (
        "Enkel bruttobesparing per grupp och post: alla uppföljda patienter under hela "
        f"perioden, {window_days} dagar var (inte per år)"
    )


def region_cost_table(costs: dict) -> pd.DataFrame:
    """The region's summed annual figures for HSVT, NSVT and both."""
    region = costs.get("region") or {}
    rows = []
    for key, label in (("HSVT", "HSVT"), ("NSVT", "NSVT"), ("total", "Båda")):
        block = region.get(key)
        if not block:
            continue
        rows.append(
            {
                "Team": label,
                "Kostnad per år": fmt.sek(block.get("team_cost_sek"), millions=True),
                "Bruttobesparing per år, justerad": fmt.sek(
                    block.get("annual_gross_savings_adjusted_sek"), millions=True
                ),
                "Netto per år": net_text.short(block.get("net_savings_sek")),
                "95 % KI": net_text.table_interval(
                    block.get("net_savings_sek"), block.get("net_savings_ci")
                ),
                net_text.PROBABILITY_LABEL: fmt.probability(block.get("prob_net_positive")),
            }
        )
    return pd.DataFrame(rows)


def team_cost_lines(costs: dict) -> list[str]:
    """Where each group's annual team cost comes from, in one Swedish Markdown line each
    (with the staffing-key derivation when the cost was derived rather than given)."""
    lines = []
    for group, block in team_blocks(costs).items():
        team = block.get("team_cost")
        if not team:
            continue
        text = f"{group}: {fmt.sek(team.get('annual_cost_sek'), millions=True)} per år. "
        if team.get("basis") == "staffing" and team.get("derivation"):
            parts = [
                f"{fmt.number(row['fte'], 1)} "
                f"{fmt.markdown_literal(ROLE_NAMES.get(row['role'], row['role']))} × "
                f"{fmt.sek(row['cost_per_fte_sek'], millions=True)}"
                for row in team["derivation"]
            ]
            text += "Härlett ur bemanningsnyckeltal och befolkning: " + " + ".join(parts) + ". "
        source = (team.get("source") or "team_costs.csv").rstrip(".")
        text += f"Källa: {fmt.markdown_literal(source)}."
        per_100k = block.get("per_100k", {})
        if per_100k.get("net_savings_sek") is not None:
            cost = fmt.sek(per_100k["team_cost_sek"], millions=True)
            net = net_text.short(per_100k["net_savings_sek"])
            text += f" Per 100 000 invånare: kostnad {cost} per år; netto {net} per år."
        lines.append(text)
    return lines
