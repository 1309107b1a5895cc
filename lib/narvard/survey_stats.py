"""Surveys in depth: response, uncertainty, group comparisons, components and waves.

Every public function returns plain data (dicts, lists, floats, None) ready for
results.json. Swedish text appears only in the sentences a reader sees. Methods and
thresholds are documented in docs/surveys.md.

Input tables follow CONTRACT.md: `questions` is survey_questions (optional extra columns
`component` and `reversed`), `responses` is survey_responses in long format (optional extra
column `wave`), `invitations` is survey_invitations.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

import pandas as pd
from scipy import stats

from narvard import formatting as fmt
from narvard import open_answers
from narvard.surveys import ALL_GROUPS, OPEN_SCALE, SCALES, Scale, item_summary

CONFIDENCE = 0.95
SIGNIFICANCE = 0.05
LOW_RESPONSE_RATE = 0.5  # response rates below this get LOW_RESPONSE_NOTE
LOW_RESPONSE_NOTE = "Svarsfrekvensen är låg, så resultaten är osäkra."
MIN_EXPECTED = 5.0  # Cochran's rule: any expected cell below this -> Fisher's exact test
QUESTION_LIMIT = 60  # characters of a question's text that lead a comparison sentence
# The two lists of comparison entries in a survey block; one area report is one Holm family.
COMPARISON_KINDS = ("comparisons", "area_vs_rest")
CERTAIN = "skillnaden är statistiskt säkerställd"
UNCERTAIN = "skillnaden kan bero på slumpen"

# Which two groups are compared within each survey (difference = first minus second).
COMPARISON_PAIRS: dict[str, tuple[str, str]] = {
    "patient": ("HSVT", "NSVT"),
    "staff": ("vårdcentral", "kommun"),
    "managers": ("vårdcentral", "kommun"),
}
AREA, REST = "area", "rest_of_region"

# How a group is named inside a Swedish sentence ("En större andel i kommunerna än ...").
GROUP_PHRASES: dict[str, str] = {
    "vårdcentral": "på vårdcentralerna",
    "kommun": "i kommunerna",
    "HSVT": "bland HSVT-patienterna",
    "NSVT": "bland NSVT-patienterna",
    "comparison": "i jämförelsegruppen",
    ALL_GROUPS: "bland samtliga",
    AREA: "i området",
    REST: "i övriga regionen",
}
# What a positive answer means, per scale, as a Swedish verb phrase.
POSITIVE_PHRASES: dict[str, str] = {
    "agree5": "instämmer",
    "frequency5": "svarar ofta eller alltid",
    "yes_no": "svarar ja",
}

# The five critical cooperation components (seed 000 names the model but not the
# components; these codes are the project's choice, see docs/surveys.md).
COMPONENTS: dict[str, str] = {
    "gemensam_malbild": "Gemensam målbild",
    "ledning_styrning": "Ledning och styrning",
    "tillit_relationer": "Tillit och relationer",
    "arbetssatt_rutiner": "Arbetssätt och rutiner",
    "resurser_stod": "Resurser och stöd",
}
# SKR's framework for learning follow-up of Nära vård (seed 002): three follow-up areas.
SKR_AREAS: dict[str, str] = {
    "A": "Behov och förutsättningar",
    "B": "Samverkan och utveckling",
    "C": "Resultat",
}


# --------------------------------------------------------------------------- intervals


def _z(confidence: float) -> float:
    return float(stats.norm.ppf(0.5 + confidence / 2))


def wilson_interval(positive: int, n: int, confidence: float = CONFIDENCE) -> list[float] | None:
    """Wilson score interval [low, high] for positive/n; None when n is 0."""
    if n <= 0:
        return None
    z = _z(confidence)
    p = positive / n
    denominator = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denominator
    half = z / denominator * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    low = 0.0 if positive == 0 else max(0.0, centre - half)
    high = 1.0 if positive == n else min(1.0, centre + half)
    return [low, high]


def newcombe_interval(
    positive_a: int, n_a: int, positive_b: int, n_b: int, confidence: float = CONFIDENCE
) -> list[float] | None:
    """Newcombe's hybrid score interval (method 10) for p_a - p_b from the Wilson limits."""
    ci_a = wilson_interval(positive_a, n_a, confidence)
    ci_b = wilson_interval(positive_b, n_b, confidence)
    if ci_a is None or ci_b is None:
        return None
    p_a, p_b = positive_a / n_a, positive_b / n_b
    difference = p_a - p_b
    low = difference - math.hypot(p_a - ci_a[0], ci_b[1] - p_b)
    high = difference + math.hypot(ci_a[1] - p_a, p_b - ci_b[0])
    return [low, high]


# --------------------------------------------------------------------------- tests


def two_by_two_test(positive_a: int, n_a: int, positive_b: int, n_b: int) -> dict:
    """Two-sided test of equal shares: Pearson χ² (no continuity correction) when every
    expected count is at least 5, otherwise Fisher's exact test.

    Returns {"p_value": float | None, "test": "chi2" | "fisher" | None}.
    """
    if n_a <= 0 or n_b <= 0:
        return {"p_value": None, "test": None}
    table = [[positive_a, n_a - positive_a], [positive_b, n_b - positive_b]]
    total = n_a + n_b
    positives = positive_a + positive_b
    expected = [n * column / total for n in (n_a, n_b) for column in (positives, total - positives)]
    if min(expected) < MIN_EXPECTED:
        return {"p_value": float(stats.fisher_exact(table).pvalue), "test": "fisher"}
    result = stats.chi2_contingency(table, correction=False)
    return {"p_value": float(result.pvalue), "test": "chi2"}


def holm_adjust(p_values: Sequence[float | None]) -> list[float | None]:
    """Holm's step-down adjustment; None entries are skipped and do not count in m."""
    present = sorted((p, i) for i, p in enumerate(p_values) if p is not None)
    adjusted: list[float | None] = [None] * len(p_values)
    running = 0.0
    for rank, (p, i) in enumerate(present):
        running = max(running, min(1.0, (len(present) - rank) * p))
        adjusted[i] = running
    return adjusted


# --------------------------------------------------------------------------- helpers


def _questions_of(questions: pd.DataFrame, survey_id: str, closed_only: bool) -> pd.DataFrame:
    rows = questions[questions["survey_id"] == survey_id].sort_values("order", kind="stable")
    if closed_only:
        rows = rows[rows["scale"] != OPEN_SCALE]
    return rows


def _answers_of(responses: pd.DataFrame, survey_id: str) -> pd.DataFrame:
    rows = responses[responses["survey_id"] == survey_id].copy()
    rows["answer"] = rows["answer"].fillna("").astype(str).str.strip()
    return rows


def _sorted_groups(values: Iterable[str]) -> list[str]:
    return sorted({str(v) for v in values})


def _summary_with_ci(answers: pd.Series, scale: Scale) -> dict:
    summary = item_summary(answers, scale)
    summary["ci"] = wilson_interval(summary["positive"], summary["n"])
    return summary


# --------------------------------------------------------------------------- response


def _rate_block(respondents: int, invited: int | None, threshold: float) -> dict:
    rate = respondents / invited if invited else None
    low = rate is not None and rate < threshold
    return {
        "invited": invited,
        "respondents": respondents,
        "response_rate": rate,
        "low": low,
        "note": LOW_RESPONSE_NOTE if low else None,
    }


def response_summary(
    responses: pd.DataFrame,
    invitations: pd.DataFrame | None,
    survey_id: str,
    threshold: float = LOW_RESPONSE_RATE,
) -> dict:
    """Invited, respondents and response rate per respondent group and in all.

    Pass one area's rows (or any subset). A group that was invited but has no respondent
    appears with 0. Shape: {"threshold", "all": block, "groups": {group: block}} where a
    block is {invited, respondents, response_rate, low, note}.
    """
    answers = _answers_of(responses, survey_id)
    invited: dict[str, int] = {}
    if invitations is not None and len(invitations):
        frame = invitations[invitations["survey_id"] == survey_id]
        sums = frame.groupby("respondent_group")["invited"].apply(lambda s: s.astype(int).sum())
        invited = {str(g): int(v) for g, v in sums.items()}
    groups = _sorted_groups([*answers["respondent_group"], *invited])
    per_group = {
        g: _rate_block(
            int(answers.loc[answers["respondent_group"] == g, "respondent_id"].nunique()),
            invited.get(g),
            threshold,
        )
        for g in groups
    }
    total_invited = sum(invited.values()) if invited else None
    overall = _rate_block(int(answers["respondent_id"].nunique()), total_invited, threshold)
    return {"threshold": threshold, "all": overall, "groups": per_group}


def _missing_block(members: pd.Series, given: pd.DataFrame, not_substantive: tuple) -> dict:
    respondents = int(members.nunique())
    answered_rows = given[(given["answer"] != "") & given["respondent_id"].isin(members)]
    answered = int(answered_rows["respondent_id"].nunique())
    no_opinion = answered_rows[answered_rows["answer"].isin(not_substantive)]
    return {
        "respondents": respondents,
        "answered": answered,
        "missing": respondents - answered,
        "no_opinion": int(no_opinion["respondent_id"].nunique()),
    }


def item_missing(questions: pd.DataFrame, responses: pd.DataFrame, survey_id: str) -> dict:
    """Per question and group: respondents, answered, missing, no_opinion.

    A respondent of the group (anyone with a row in this survey) is missing for a
    question when the answer is empty or there is no row for it. `no_opinion` counts the
    answers "Ingen uppfattning"/"Vet ej" (answered, but not substantive).
    Shape: {question_id: {group | "all": {respondents, answered, missing, no_opinion}}}.
    """
    answers = _answers_of(responses, survey_id)
    groups = _sorted_groups(answers["respondent_group"])
    members = {g: answers.loc[answers["respondent_group"] == g, "respondent_id"] for g in groups}
    members[ALL_GROUPS] = answers["respondent_id"]
    result = {}
    for row in _questions_of(questions, survey_id, closed_only=False).itertuples():
        given = answers[answers["question_id"] == row.question_id]
        scale = SCALES.get(row.scale)
        not_substantive = scale.not_substantive if scale else ()
        result[row.question_id] = {
            g: _missing_block(m, given, not_substantive) for g, m in members.items()
        }
    return result


# --------------------------------------------------------------------------- items


def item_intervals(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    survey_id: str,
    group_column: str = "respondent_group",
) -> dict:
    """Share positive with its Wilson 95 % interval per closed question and group.

    Shape: {question_id: {group | "all": {n, positive, share_positive, ci}}}; `ci` is
    [low, high] or None when n is 0. Deep-merges into survey_results' `items`.
    """
    answers = _answers_of(responses, survey_id)
    groups = _sorted_groups(answers[group_column])
    result = {}
    for row in _questions_of(questions, survey_id, closed_only=True).itertuples():
        given = answers[answers["question_id"] == row.question_id]
        scale = SCALES[row.scale]
        item = {
            g: _summary_with_ci(given.loc[given[group_column] == g, "answer"], scale)
            for g in groups
        }
        item[ALL_GROUPS] = _summary_with_ci(given["answer"], scale)
        result[row.question_id] = item
    return result


# --------------------------------------------------------------------------- comparisons


def short_question(text: object, limit: int = QUESTION_LIMIT) -> str:
    """A question's text on one line; longer than `limit` characters it is cut at the last
    word boundary within the limit (a single overlong word is cut at the limit) and ends
    with "…"."""
    line = " ".join(str(text).split())
    if len(line) <= limit:
        return line
    head = line[: limit + 1]
    cut = head.rsplit(" ", 1)[0] if " " in head else line[:limit]
    return cut.rstrip(" ,;:.-–") + "…"


def _question_label(row) -> str:
    """Short text of a survey_questions row; its question_id when the text is missing."""
    text = getattr(row, "question_text", None)
    if text is None or pd.isna(text) or not str(text).strip():
        return str(row.question_id)
    return short_question(text)


def comparison_sentence(comparison: dict, scale: str) -> str:
    """One plain Swedish sentence for a comparison entry, led by its question's short text
    (the entry's `question`, when present) in Swedish quotation marks.

    The verdict "statistiskt säkerställd" follows the entry's `p_holm` < SIGNIFICANCE; in a
    report, p_holm is adjusted across every comparison of the area (adjust_report_family).
    """
    text = _difference_text(comparison, scale)
    question = comparison.get("question")
    return f"”{question}” – {text}" if question else text


def _difference_text(comparison: dict, scale: str) -> str:
    a, b = comparison["groups"]
    share_a, share_b = comparison["shares"]
    if share_a is None or share_b is None:
        return "För få svar för att jämföra grupperna."
    verb = POSITIVE_PHRASES.get(scale, "svarar positivt")
    phrase_a, phrase_b = _phrase(a), _phrase(b)
    text_a, text_b = fmt.share(share_a), fmt.share(share_b)
    if text_a == text_b:
        return f"Andelen som {verb} är ungefär lika stor {phrase_a} och {phrase_b} (båda {text_a})."
    if share_a < share_b:
        phrase_a, phrase_b, text_a, text_b = phrase_b, phrase_a, text_b, text_a
    certain = comparison["p_holm"] is not None and comparison["p_holm"] < SIGNIFICANCE
    verdict = CERTAIN if certain else UNCERTAIN
    return f"En större andel {phrase_a} än {phrase_b} {verb} ({text_a} mot {text_b}); {verdict}."


def _phrase(group: str) -> str:
    return GROUP_PHRASES.get(group, f"i gruppen {group}")


def adjust_family(entries: Sequence[dict]) -> dict:
    """Holm-adjust the p-values of these comparison entries as ONE family, in place.

    Sets `p_holm` and `n_tests` (the family size m: entries whose p_value is None are
    skipped and not counted) on every entry and rewrites its `sentence` from the new
    p_holm. Returns {"method": "holm", "n_tests": m, "alpha": SIGNIFICANCE}.
    """
    adjusted = holm_adjust([entry["p_value"] for entry in entries])
    n_tests = sum(p is not None for p in adjusted)
    for entry, p_holm in zip(entries, adjusted, strict=True):
        entry["p_holm"] = p_holm
        entry["n_tests"] = n_tests
        shown = entry if entry["difference"] is not None else {**entry, "shares": [None, None]}
        entry["sentence"] = comparison_sentence(shown, entry["scale"])
    return {"method": "holm", "n_tests": n_tests, "alpha": SIGNIFICANCE}


def adjust_report_family(surveys: dict[str, dict]) -> dict:
    """One Holm family for every survey comparison shown in one area report.

    `surveys` maps survey_id to a block with `comparisons` and/or `area_vs_rest` (as from
    survey_details). Every entry of every survey and both kinds is adjusted together
    (adjust_family): p_holm, n_tests and sentence are rewritten in place, so "statistiskt
    säkerställd" in the report always means significant after the report-wide correction.
    """
    entries = [
        entry
        for block in surveys.values()
        for kind in COMPARISON_KINDS
        for entry in block.get(kind, [])
    ]
    return adjust_family(entries)


def _compare_counts(summary_a: dict, summary_b: dict, min_n: int) -> dict:
    n_a, n_b = summary_a["n"], summary_b["n"]
    if min(n_a, n_b) == 0 or min(n_a, n_b) < min_n:
        return {"difference": None, "ci": None, "p_value": None, "test": None}
    x_a, x_b = summary_a["positive"], summary_b["positive"]
    tested = two_by_two_test(x_a, n_a, x_b, n_b)
    return {
        "difference": x_a / n_a - x_b / n_b,
        "ci": newcombe_interval(x_a, n_a, x_b, n_b),
        **tested,
    }


def _comparisons(
    questions: pd.DataFrame,
    answers: pd.DataFrame,
    survey_id: str,
    groups: tuple[str, str],
    group_column: str,
    min_n: int,
) -> list[dict]:
    """Unadjusted entries (no p_holm, n_tests or sentence yet), one per closed question."""
    result = []
    for row in _questions_of(questions, survey_id, closed_only=True).itertuples():
        given = answers[answers["question_id"] == row.question_id]
        scale = SCALES[row.scale]
        summaries = [
            item_summary(given.loc[given[group_column] == g, "answer"], scale) for g in groups
        ]
        entry = {
            "question_id": row.question_id,
            "question": _question_label(row),
            "scale": row.scale,
            "groups": list(groups),
            "n": [s["n"] for s in summaries],
            "shares": [s["share_positive"] for s in summaries],
            **_compare_counts(summaries[0], summaries[1], min_n),
        }
        result.append(entry)
    return result


def compare_groups(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    survey_id: str,
    groups: tuple[str, str] | None = None,
    group_column: str = "respondent_group",
    min_n: int = 0,
) -> list[dict]:
    """Group a versus group b per closed question, Holm-corrected across this call's items.

    Default groups come from COMPARISON_PAIRS, else the two groups present (sorted).
    Each entry: {question_id, question (short text), scale, groups: [a, b], n: [n_a, n_b],
    shares: [p_a, p_b], difference: p_a - p_b, ci: [low, high] (Newcombe), p_value, test,
    p_holm, n_tests, sentence}. Items where a group has fewer than max(1, min_n)
    substantive answers keep None values and do not count in the Holm correction. Returns
    [] when there are not two groups. The Holm family here is this call only (standalone
    use); survey_details re-adjusts every comparison of an area as one family.
    """
    answers = _answers_of(responses, survey_id)
    if groups is None:
        present = _sorted_groups(answers[group_column])
        groups = COMPARISON_PAIRS.get(survey_id)
        if groups is None or not set(groups) <= set(present):
            if len(present) != 2:
                return []
            groups = (present[0], present[1])
    entries = _comparisons(questions, answers, survey_id, tuple(groups), group_column, min_n)
    adjust_family(entries)
    return entries


def compare_area_to_rest(
    questions: pd.DataFrame,
    area_responses: pd.DataFrame,
    rest_responses: pd.DataFrame,
    survey_id: str,
    min_n: int = 0,
) -> list[dict]:
    """This area's answers (all groups together) against the rest of the region.

    Same entries as compare_groups with groups ["area", "rest_of_region"].
    """
    both = pd.concat(
        [area_responses.assign(_side=AREA), rest_responses.assign(_side=REST)], ignore_index=True
    )
    return compare_groups(questions, both, survey_id, (AREA, REST), "_side", min_n)


# --------------------------------------------------------------------------- components


def _codes(value: object) -> list[str]:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return []
    return [token.strip() for token in str(value).replace(",", ";").split(";") if token.strip()]


def _is_reversed(row) -> bool:
    value = getattr(row, "reversed", 0)
    return str(value).strip().lower() in {"1", "true", "ja", "yes"}


def _favourable_share(answers: pd.Series, scale: Scale, reverse: bool) -> float | None:
    """Share positive, or for a reversed item the share on the negative side."""
    if not reverse:
        return item_summary(answers, scale)["share_positive"]
    substantive = answers[answers.isin(scale.labels)]
    if not len(substantive):
        return None
    k = len(scale.positive)
    favourable = scale.labels[:k] if scale.labels[-k:] == scale.positive else scale.labels[k:]
    return float(substantive.isin(favourable).sum() / len(substantive))


def _component_items(questions: pd.DataFrame, survey_id: str) -> dict[str, list]:
    """code -> list of question rows; codes are COMPONENTS keys or SKR_AREAS keys."""
    rows = _questions_of(questions, survey_id, closed_only=True)
    mapping: dict[str, list] = {}
    if "component" not in rows.columns and "skr_area" not in rows.columns:
        return mapping
    for row in rows.itertuples():
        codes = _codes(getattr(row, "component", None)) + _codes(getattr(row, "skr_area", None))
        for code in codes:
            mapping.setdefault(code, []).append(row)
    return mapping


def _mean(values: list[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return sum(present) / len(present) if present else None


def _profile_entry(code: str, rows: list, answers: pd.DataFrame, groups: list[str]) -> dict:
    by_group = {}
    for group in [*groups, ALL_GROUPS]:
        subset = answers if group == ALL_GROUPS else answers[answers["respondent_group"] == group]
        shares = [
            _favourable_share(
                subset.loc[subset["question_id"] == row.question_id, "answer"],
                SCALES[row.scale],
                _is_reversed(row),
            )
            for row in rows
        ]
        by_group[group] = {
            "mean_share_favourable": _mean(shares),
            "n_items_with_data": sum(s is not None for s in shares),
        }
    return {
        "label": COMPONENTS.get(code) or SKR_AREAS.get(code) or code,
        "kind": "component" if code in COMPONENTS else "skr_area" if code in SKR_AREAS else "other",
        "items": [row.question_id for row in rows],
        "n_items": len(rows),
        "n_reversed": sum(_is_reversed(row) for row in rows),
        "by_group": by_group,
    }


def _ordered_codes(mapping: dict) -> list[str]:
    known = [c for c in [*COMPONENTS, *SKR_AREAS] if c in mapping]
    return known + sorted(c for c in mapping if c not in known)


def component_profile(questions: pd.DataFrame, responses: pd.DataFrame, survey_id: str) -> dict:
    """Mean favourable share over each component's (and SKR area's) items, per group.

    Pass one area's responses. Items come from the optional `component` column of
    survey_questions (codes of COMPONENTS and/or SKR_AREAS, several separated by ';') or
    an optional `skr_area` column. An item with `reversed` = 1 is worded negatively: its
    favourable share is the share on the disagree/never/no side. Without reversed items
    the mean equals the mean share positive. Shape: {code: {label, kind, items, n_items,
    n_reversed, by_group: {group | "all": {mean_share_favourable, n_items_with_data}}}};
    {} when no question carries a component.
    """
    mapping = _component_items(questions, survey_id)
    answers = _answers_of(responses, survey_id)
    groups = _sorted_groups(answers["respondent_group"])
    return {
        code: _profile_entry(code, mapping[code], answers, groups)
        for code in _ordered_codes(mapping)
    }


def component_comparison(questions: pd.DataFrame, responses: pd.DataFrame, survey_id: str) -> dict:
    """Component profiles side by side for every area and the whole region (all groups).

    Shape: {code: {label, kind, n_items, areas: {area_id: mean_share_favourable},
    region: mean_share_favourable}}.
    """
    mapping = _component_items(questions, survey_id)
    answers = _answers_of(responses, survey_id)
    result = {}
    for code in _ordered_codes(mapping):
        rows = mapping[code]
        region = _profile_entry(code, rows, answers, [])
        areas = {
            str(area): _profile_entry(code, rows, part, [])["by_group"][ALL_GROUPS][
                "mean_share_favourable"
            ]
            for area, part in answers.groupby("area_id", sort=True)
        }
        result[code] = {
            "label": region["label"],
            "kind": region["kind"],
            "n_items": region["n_items"],
            "areas": areas,
            "region": region["by_group"][ALL_GROUPS]["mean_share_favourable"],
        }
    return result


# --------------------------------------------------------------------------- waves


def _wave_order(values: Iterable[str]) -> list[str]:
    waves = {str(v).strip() for v in values if str(v).strip() not in {"", "nan", "None"}}
    try:
        return sorted(waves, key=float)
    except ValueError:
        return sorted(waves)


def wave_trends(questions: pd.DataFrame, responses: pd.DataFrame, survey_id: str) -> dict:
    """Share positive per closed item, wave and group when survey_responses has `wave`.

    Waves are ordered numerically when they are all numbers, else as text (use ISO-like
    labels such as 2018, 2019 or 2019-1). Shape: {"waves": [wave, ...], "items":
    {question_id: {wave: {group | "all": {n, positive, share_positive, ci}}}}};
    {} without a wave column.
    """
    if "wave" not in responses.columns:
        return {}
    answers = _answers_of(responses, survey_id)
    answers["wave"] = answers["wave"].astype(str).str.strip()
    waves = _wave_order(answers["wave"])
    if not waves:
        return {}
    items = {}
    for wave in waves:
        block = item_intervals(questions, answers[answers["wave"] == wave], survey_id)
        for question_id, item in block.items():
            items.setdefault(question_id, {})[wave] = item
    return {"waves": waves, "items": items}


# --------------------------------------------------------------------------- all in one


def deep_merge(base: dict, extra: dict) -> dict:
    """Merge `extra` into `base` in place (dicts recursively, other values replaced)."""
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            deep_merge(base[key], value)
        else:
            base[key] = value
    return base


def survey_details(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    invitations: pd.DataFrame | None,
    area_id: str,
    codebook: open_answers.Codebook | None = None,
    rest_area_ids: Sequence[str] | None = None,
    min_cell: int = 0,
) -> dict:
    """Everything of this module for one area, per survey with answers there.

    `responses` is the whole table (all areas): the rest of the region is every other
    area, or only `rest_area_ids` when given. `codebook` (open_answers.load_codebook) adds
    `themes` and `open_answers`; quotes are redacted. Shape per survey_id: {response,
    missing, items (ci per question/group, deep-merges into survey_results' items),
    comparisons, area_vs_rest, components, component_comparison, waves, themes?,
    open_answers?}. The comparisons and area_vs_rest entries of all surveys form one Holm
    family (adjust_report_family): their p_holm, n_tests and sentences are report-wide.
    `min_cell` (the report's --min-cell) leaves a comparison empty where a group has fewer
    substantive answers, and takes no quotes from a group with fewer open answers.
    """
    in_area = responses["area_id"] == area_id
    rest_mask = ~in_area if rest_area_ids is None else responses["area_id"].isin(rest_area_ids)
    area_invites = None
    if invitations is not None:
        area_invites = invitations[invitations["area_id"] == area_id]
    result = {}
    for survey_id in sorted(responses.loc[in_area, "survey_id"].unique()):
        area = responses[in_area & (responses["survey_id"] == survey_id)]
        rest = responses[rest_mask & (responses["survey_id"] == survey_id)]
        block = {
            "response": response_summary(area, area_invites, survey_id),
            "missing": item_missing(questions, area, survey_id),
            "items": item_intervals(questions, area, survey_id),
            "comparisons": compare_groups(questions, area, survey_id, min_n=min_cell),
            "area_vs_rest": (
                compare_area_to_rest(questions, area, rest, survey_id, min_cell)
                if len(rest)
                else []
            ),
            "components": component_profile(questions, area, survey_id),
            "component_comparison": component_comparison(
                questions, responses[responses["survey_id"] == survey_id], survey_id
            ),
            "waves": wave_trends(questions, area, survey_id),
        }
        if codebook is not None:
            block.update(
                open_answers.survey_open_answers(questions, area, survey_id, codebook, min_cell)
            )
        result[str(survey_id)] = block
    adjust_report_family(result)
    return result
