"""Cells and relations of the survey figures (docs/disclosure.md, "Relations").

Per survey: respondents = Σ groups; per item and group: answers = positive + the rest
(an implied count), and each count of the "all" column = Σ groups; the missing-answers
table: respondents = answered + missing, answered = the item's answers + "no opinion";
the answer distribution (a share per label, times the answers) gives a count per label:
answered = Σ labels, the item's answers = Σ substantive labels, positive = Σ positive
labels, no opinion = Σ not-substantive labels; waves add up to the item; a theme's
answers = Σ groups. Comparisons repeat the item counts they quote (n and shares).
"""

from __future__ import annotations

from narvard.domain import ALL_GROUPS, SCALES
from narvard.stats.disclosure.cells import (
    ANCHOR,
    DETAIL,
    HEADLINE,
    SECONDARY,
    WHOLE,
    Path,
    Table,
    lookup,
)

COMPARISON_KEYS = ("n", "shares", "difference", "ci", "p_value", "p_holm")


def _name(path: Path) -> str:
    return "/".join(map(str, path))


def declare_surveys(results: dict, table: Table) -> None:
    for survey_id, survey in (results.get("surveys") or {}).items():
        base = ("surveys", survey_id)
        _respondents(table, base, survey)
        _open_answers(table, base, survey)
        for question, item in (survey.get("items") or {}).items():
            _item(table, base, question, item)
        _quoted(table, base, survey)
        _missing(table, base, survey)
        _distribution(table, base, survey)
        _waves(table, base, survey)
        _themes(table, base, survey)


def _respondents(table: Table, base: Path, survey: dict) -> None:
    total = base + ("respondents",)
    table.cell(
        _name(total),
        survey.get("respondents"),
        (total,),
        hides=[total, base + ("response_rate",)],
        tier=ANCHOR,
    )
    parts = []
    for group, block in (survey.get("groups") or {}).items():
        path = base + ("groups", group)
        cell = table.cell(
            _name(path + ("respondents",)),
            block.get("respondents"),
            (path + ("respondents",),),
            hides=[path + ("respondents",), path + ("response_rate",)],
            tier=HEADLINE,
        )
        if cell:
            parts.append(cell.key)
    table.total(_name(total), parts, f"{base[1]}: respondents = Σ groups")


def _respondents_key(base: Path, group: str) -> str:
    if group == ALL_GROUPS:
        return _name(base + ("respondents",))
    return _name(base + ("groups", group, "respondents"))


def _answers(table: Table, path: Path, cell: dict, tier: int = HEADLINE) -> tuple:
    """n and positive of one item cell, and n = positive + the rest."""
    n = table.cell(_name(path + ("n",)), cell.get("n"), (path + ("n",),), hides=[path], tier=tier)
    positive = table.cell(
        _name(path + ("positive",)),
        cell.get("positive"),
        (path + ("positive",),),
        hides=[path + (k,) for k in ("positive", "share_positive", "ci")],
        tier=min(tier, SECONDARY),
    )
    if n and positive:
        rest = f"{_name(path)}/not_positive"
        table.cell(rest, n.value - positive.value, None)
        table.total(n.key, [positive.key, rest], f"{_name(path)}: n = positive + the rest")
    return n, positive


def _item(table: Table, base: Path, question: str, item: dict) -> None:
    counted = {g: _answers(table, base + ("items", question, g), c) for g, c in item.items()}
    if ALL_GROUPS not in counted:
        return
    for k, label in ((0, "n"), (1, "positive")):
        whole = counted[ALL_GROUPS][k]
        parts = [c[k].key for g, c in counted.items() if g != ALL_GROUPS and c[k]]
        if whole:
            table.total(whole.key, parts, f"{question}: {label} all = Σ groups")


def _quoted(table: Table, base: Path, survey: dict) -> None:
    """Comparisons quote the n and share of the cells they compare: more views of them."""
    for kind, groups_of in (("comparisons", None), ("area_vs_rest", [ALL_GROUPS])):
        for i, comparison in enumerate(survey.get(kind) or []):
            path = base + (kind, i)
            n, shares = comparison.get("n"), comparison.get("shares")
            if not n or not shares:
                continue
            hides = [path + (k,) for k in COMPARISON_KEYS]
            groups = groups_of or comparison.get("groups") or []
            for j, group in enumerate(groups):
                cell = base + ("items", comparison["question_id"], group)
                if n[j] is None:
                    continue
                table.view(_name(cell + ("n",)), n[j], (path + ("n",),), hides)
                if shares[j] is not None:
                    view = (path + ("shares",), path + ("n",))
                    table.view(
                        _name(cell + ("positive",)), round(shares[j] * n[j]), view, hides[1:]
                    )


def _missing(table: Table, base: Path, survey: dict) -> None:
    """The missing-answers table: respondents = answered + missing per group, answered =
    the item's answers + "no opinion", and each column of "all" = Σ groups."""
    for question, cells in (survey.get("missing") or {}).items():
        scale = SCALES.get(((survey.get("questions") or {}).get(question) or {}).get("scale"))
        columns: dict[str, dict] = {"answered": {}, "missing": {}, "no_opinion": {}}
        for group, cell in cells.items():
            path = base + ("missing", question, group)
            for key, found in _missing_row(table, base, path, question, group, cell, scale).items():
                columns[key][group] = found
        for key, found in columns.items():
            if ALL_GROUPS in found:
                parts = [k for g, k in found.items() if g != ALL_GROUPS]
                table.total(found[ALL_GROUPS], parts, f"{question}: {key} all = Σ groups")


def _missing_row(
    table: Table, base: Path, path: Path, question: str, group: str, cell: dict, scale
) -> dict[str, str]:
    """One group's row: respondents repeat the group's; answered and missing say whether
    the question was filled in (not hidden for being small, only with a group of fewer
    than N respondents); "no opinion" is an answer, and a zero is sensitive only where
    the scale has such an answer."""
    respondents = _respondents_key(base, group)
    here = path + ("respondents",)
    table.view(respondents, cell.get("respondents"), (here,), [here])
    people = cell.get("respondents")
    declared = {}
    open_n = _name(base + ("open_questions", question, "n"))
    if group == ALL_GROUPS and open_n in table.cells:
        here = path + ("answered",)
        table.view(open_n, cell.get("answered"), (here,), [here])
        declared["answered"] = open_n
    for key in ("answered", "missing", "no_opinion"):
        if key in declared:
            continue
        here = path + (key,)
        options = (
            {"count": False, "people": people}
            if key != "no_opinion"
            else {"zero_sensitive": bool(scale and scale.not_substantive)}
        )
        cell_ = table.cell(
            _name(here), cell.get(key), (here,), hides=[here], tier=DETAIL, **options
        )
        if cell_:
            declared[key] = cell_.key
    if "answered" in declared and "missing" in declared:
        table.total(
            respondents,
            [declared["answered"], declared["missing"]],
            f"{_name(path)}: respondents = answered + missing",
        )
    answers = _name(base + ("items", question, group, "n"))
    if answers in table.cells and "answered" in declared and "no_opinion" in declared:
        table.total(
            declared["answered"],
            [answers, declared["no_opinion"]],
            f"{_name(path)}: answered = answers + no opinion",
        )
    return declared


def _distribution(table: Table, base: Path, survey: dict) -> None:
    """A share per label times the item's answered count gives a count per label."""
    for question, shares in (survey.get("distribution") or {}).items():
        answered = lookup(table.source, base + ("missing", question, ALL_GROUPS, "answered"))
        scale = SCALES.get(((survey.get("questions") or {}).get(question) or {}).get("scale"))
        if not shares or answered is None or scale is None:
            continue
        path = base + ("distribution", question)
        labels = {}
        for label, share in shares.items():
            cell = table.cell(
                _name(path + (label,)),
                None if share is None else round(share * answered),
                (path + (label,),),
                hides=[path + (WHOLE,)],
                tier=DETAIL,
            )
            if cell:
                labels[label] = cell.key
        item = base + ("items", question, ALL_GROUPS)
        missing = base + ("missing", question, ALL_GROUPS)
        sums = (
            (missing + ("answered",), list(labels)),
            (item + ("n",), list(scale.labels)),
            (item + ("positive",), list(scale.positive)),
            (missing + ("no_opinion",), list(scale.not_substantive)),
        )
        for whole, chosen in sums:
            parts = [labels[label] for label in chosen if label in labels]
            table.total(_name(whole), parts, f"{_name(whole)} = Σ labels")


def _waves(table: Table, base: Path, survey: dict) -> None:
    for question, waves in ((survey.get("waves") or {}).get("items") or {}).items():
        over_waves: dict[tuple, list] = {}
        for wave, cells in waves.items():
            counted = {}
            for group, cell in cells.items():
                path = base + ("waves", "items", question, wave, group)
                counted[group] = _answers(table, path, cell, tier=DETAIL)
                for k in (0, 1):
                    if counted[group][k]:
                        over_waves.setdefault((group, k), []).append(counted[group][k].key)
            for k in (0, 1):
                whole = (counted.get(ALL_GROUPS) or (None, None))[k]
                parts = [c[k].key for g, c in counted.items() if g != ALL_GROUPS and c[k]]
                if whole:
                    table.total(whole.key, parts, f"{question} {wave}: all = Σ groups")
        for (group, k), parts in over_waves.items():
            whole = _name(base + ("items", question, group, ("n", "positive")[k]))
            table.total(whole, parts, f"{question} {group}: Σ waves")


def _themes(table: Table, base: Path, survey: dict) -> None:
    for theme, block in (survey.get("themes") or {}).items():
        path = base + ("themes", theme)
        cell = table.cell(
            _name(path + ("n",)),
            block.get("n"),
            (path + ("n",),),
            hides=[path + ("n",)],
            tier=SECONDARY,
        )
        parts = []
        for group, count in (block.get("by_group") or {}).items():
            here = path + ("by_group", group)
            part = table.cell(_name(here), count, (here,), hides=[here], tier=DETAIL)
            if part:
                parts.append(part.key)
        if cell:
            table.total(cell.key, parts, f"theme {theme}: n = Σ groups")


def _open_answers(table: Table, base: Path, survey: dict) -> None:
    for question, block in (survey.get("open_questions") or {}).items():
        path = base + ("open_questions", question, "n")
        table.cell(_name(path), block.get("n"), (path,), hides=[path], tier=SECONDARY)
