"""Open (free-text) survey answers: theme coding by an editable codebook, and redaction.

The codebook is YAML (default: synthetic/demo_data/codebook.yml). Each theme has a Swedish label and
keywords. A keyword matches case-insensitively at the start of a word and may continue
(a stem: "tillgäng" finds "Tillgängligheten"). Words of a multi-word keyword must follow
each other ("nå läkar" finds "nå läkaren"); only the last word is a stem. A leading `*`
lets the match begin inside a word ("*läkar" finds "hemsjukvårdsläkaren"); a trailing `=`
makes the last word whole ("it=" finds "IT" and "IT-stöd" but not "italienska").

Only redacted text leaves this module: names, phone numbers, e-mail addresses and personal
identity numbers become "[namn]", "[telefon]", "[e-post]" and "[personnummer]". See
docs/surveys.md for the rules and their limits.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import yaml

from narvard.domain import ALL_GROUPS, OPEN_SCALE

DEFAULT_CODEBOOK = (
    Path(__file__).resolve().parents[1] / "data" / "synthetic" / "demo_data" / "codebook.yml"
)
NAME, PHONE, EMAIL, PNR = "[namn]", "[telefon]", "[e-post]", "[personnummer]"
N_QUOTES = 3
QUOTE_CHARS = 160


# --------------------------------------------------------------------------- codebook


@dataclass(frozen=True)
class Theme:
    code: str
    label: str
    keywords: tuple[str, ...]
    patterns: tuple[re.Pattern, ...]


@dataclass(frozen=True)
class Codebook:
    """Themes in codebook order and the word lists used by redaction (all casefolded)."""

    themes: tuple[Theme, ...]
    keep_words: frozenset[str] = frozenset()
    first_names: frozenset[str] = frozenset()
    common_words: frozenset[str] = frozenset()
    titles: frozenset[str] = frozenset()
    place_markers: tuple[str, ...] = ()
    extra: Mapping = field(default_factory=dict)


def keyword_pattern(keyword: str) -> re.Pattern:
    """Regex for one codebook keyword (see the module docstring for `*` and `=`)."""
    text = keyword.strip()
    inside_word = text.startswith("*")
    whole_last = text.endswith("=")
    text = text.strip("*=").strip()
    if not text:
        raise ValueError(f"empty keyword in codebook: {keyword!r}")
    body = r"\s+".join(re.escape(word) for word in text.split())
    start = "" if inside_word else r"(?<!\w)"
    end = r"(?!\w)" if whole_last else ""
    return re.compile(start + body + end, re.IGNORECASE)


def _theme(code: str, spec) -> Theme:
    if isinstance(spec, Mapping):
        label = str(spec.get("label") or code)
        keywords = tuple(str(k) for k in spec.get("keywords") or ())
    else:
        label = code.replace("_", " ").capitalize()
        keywords = tuple(str(k) for k in spec or ())
    return Theme(code, label, keywords, tuple(keyword_pattern(k) for k in keywords))


def _folded(values: Iterable) -> frozenset[str]:
    words = set()
    for value in values or ():
        words.update(str(value).casefold().split())
    return frozenset(words)


def parse_codebook(data: Mapping, extra_keep: Iterable[str] = ()) -> Codebook:
    """A Codebook from parsed YAML: {themes: {code: {label, keywords} | [keywords]},
    redaction: {keep, first_names, common_words, titles, place_markers}}.

    A mapping without `themes` is read as themes only (code -> keywords).
    """
    themes = data.get("themes", data) if "themes" in data else data
    redaction = data.get("redaction", {}) if "themes" in data else {}
    return Codebook(
        themes=tuple(_theme(str(code), spec) for code, spec in themes.items()),
        keep_words=_folded([*(redaction.get("keep") or ()), *extra_keep]),
        first_names=_folded(redaction.get("first_names")),
        common_words=_folded(redaction.get("common_words")),
        titles=_folded(redaction.get("titles")),
        place_markers=tuple(str(m).casefold() for m in redaction.get("place_markers") or ()),
    )


def load_codebook(path: str | Path | None = None, extra_keep: Iterable[str] = ()) -> Codebook:
    """Read a codebook YAML (default: the shipped synthetic/demo_data/codebook.yml).

    `extra_keep` adds words never redacted as names (e.g. area and municipality names).
    """
    source = Path(path) if path is not None else DEFAULT_CODEBOOK
    data = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    return parse_codebook(data, extra_keep)


def code_answer(text: str, codebook: Codebook) -> list[str]:
    """Theme codes whose keywords occur in the text, in codebook order (may be several)."""
    if not isinstance(text, str) or not text.strip():
        return []
    return [t.code for t in codebook.themes if any(p.search(text) for p in t.patterns)]


# --------------------------------------------------------------------------- redaction

EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
# 12 or 10 digits, or 8/6 digits, a separator (-, +) and 4 digits, not inside a longer number.
PNR_RE = re.compile(r"(?<![\d+])(?:(\d{8}|\d{6})([-+])(\d{4})|(\d{12})|(\d{10}))(?!\d)")
# A Swedish number: +46 or 0, then 7-9 digits in groups separated by a space or hyphen.
_SEP = "[ \u00a0-]"
PHONE_RE = re.compile(rf"(?<![\w+])(?:\+46{_SEP}?(?:\(0\){_SEP}?)?|0)\d(?:{_SEP}?\d){{6,8}}(?!\d)")
DATE_LIKE_RE = re.compile(r"\d{2}[-./ ]\d{2}[-./ ]\d{4}")
WORD_RE = re.compile(r"[^\W\d_]+(?:[-'’][^\W\d_]+)*")
SENTENCE_END = ".!?:;…\n"
OPENERS = " \t\"'«»”“(–-•*"


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        value = int(char) * (2 if i % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


def _valid_date(mmdd: str) -> bool:
    month, day = int(mmdd[:2]), int(mmdd[2:])
    return 1 <= month <= 12 and (1 <= day <= 31 or 61 <= day <= 91)


def _pnr_replacement(match: re.Match) -> str:
    """[personnummer] for identity-number shapes; a 10-digit number beginning with 0 is
    left to the phone rule unless it is a valid date with a correct check digit."""
    ten = match.group(5)
    phone_like = ten is not None and ten.startswith("0")
    if phone_like and not (_valid_date(ten[2:6]) and _luhn_ok(ten)):
        return match.group(0)
    return PNR


def _phone_replacement(match: re.Match) -> str:
    return match.group(0) if DATE_LIKE_RE.fullmatch(match.group(0)) else PHONE


def _capitalised(word: str) -> bool:
    """ "Karin", "Anna-Karin", "Dals-Ed": yes; "IT-stöd", "HSVT", "KoK-boken", "I": no."""
    first, *rest = re.split(r"[-'’]", word)
    if len(first) < 2 or not first[0].isupper() or not first[1:].islower():
        return False
    return all(part.islower() or (part[:1].isupper() and part[1:].islower()) for part in rest)


def _sentence_initial(text: str, start: int) -> bool:
    before = text[:start].rstrip(OPENERS)
    return not before or before[-1] in SENTENCE_END


def _adjacent(text: str, left: re.Match, right: re.Match) -> bool:
    gap = text[left.end() : right.start()]
    return 0 < len(gap) <= 2 and not gap.strip(" \u00a0")


class _NameScan:
    """Decides which words of one text are (parts of) personal names."""

    def __init__(self, text: str, codebook: Codebook, keep: frozenset[str]) -> None:
        self.text, self.cb, self.keep = text, codebook, keep
        self.words = list(WORD_RE.finditer(text))
        self.folded = [w.group(0).casefold() for w in self.words]

    def _is_marker(self, i: int) -> bool:
        return 0 <= i < len(self.words) and self.folded[i].startswith(self.cb.place_markers)

    def _is_title(self, i: int) -> bool:
        return 0 <= i < len(self.words) and self.folded[i] in self.cb.titles

    def _near(self, i: int, j: int) -> bool:
        if not 0 <= j < len(self.words):
            return False
        a, b = sorted((i, j))
        return _adjacent(self.text, self.words[a], self.words[b])

    def _after_title(self, i: int) -> bool:
        gap = self.text[self.words[i - 1].end() : self.words[i].start()]
        return 0 < len(gap) <= 3 and not gap.strip(" .\u00a0")

    def _kept(self, i: int) -> bool:
        word = self.folded[i]
        if word in self.keep or (word.endswith("s") and word[:-1] in self.keep):
            return True
        if word in self.cb.common_words or self._is_marker(i):
            return True
        return any(self._near(i, j) and self._is_marker(j) for j in (i - 1, i + 1))

    def flags(self) -> list[bool]:
        n = len(self.words)
        cap = [_capitalised(w.group(0)) for w in self.words]
        initial = [_sentence_initial(self.text, w.start()) for w in self.words]
        flags = [False] * n
        for i in range(n):
            after_title = i > 0 and self._is_title(i - 1) and self._after_title(i)
            if not cap[i] or self._is_title(i):
                continue
            if after_title:
                flags[i] = True
            elif not self._kept(i):
                flags[i] = not initial[i] or self.folded[i] in self.cb.first_names
        for i in range(n - 2, -1, -1):  # a sentence-initial word joined to a name after it
            if cap[i] and not flags[i] and flags[i + 1] and self._near(i, i + 1):
                flags[i] = not (self._kept(i) or self._is_title(i))
        return flags

    def redacted(self) -> str:
        flags = self.flags()
        spans: list[list[int]] = []
        for i, flagged in enumerate(flags):
            if not flagged:
                continue
            if spans and spans[-1][1] == i - 1 and self._near(i - 1, i):
                spans[-1][1] = i
            else:
                spans.append([i, i])
        text = self.text
        for first, last in reversed(spans):
            text = text[: self.words[first].start()] + NAME + text[self.words[last].end() :]
        return text


def redact(text: str, codebook: Codebook | None = None, keep: Iterable[str] = ()) -> str:
    """Replace e-mail addresses, identity numbers, phone numbers and names (in that order).

    Name rule (details in docs/surveys.md): a capitalised word (not an acronym) is a name
    when it follows a title ("Dr", "sköterskan"), or is not at the start of a sentence,
    or is a listed first name; unless it is a kept word (codebook `keep`, `keep` here, a
    genitive of one), a common word, a place marker ("Vårdcentralen") or next to one
    ("Vårdcentralen Kungälv", "Kungälvs kommun"). A sentence-initial capitalised word
    directly before a name joins it ("Karin Fröjd"). Adjacent name words become one [namn].
    """
    if not isinstance(text, str) or not text:
        return text
    codebook = codebook or load_codebook()
    text = EMAIL_RE.sub(EMAIL, text)
    text = PNR_RE.sub(_pnr_replacement, text)
    text = PHONE_RE.sub(_phone_replacement, text)
    return _NameScan(text, codebook, codebook.keep_words | _folded(keep)).redacted()


# --------------------------------------------------------------------------- themes


def _open_answers(
    questions: pd.DataFrame, responses: pd.DataFrame, survey_id: str
) -> tuple[list[str], pd.DataFrame]:
    open_ids = questions.loc[
        (questions["survey_id"] == survey_id) & (questions["scale"] == OPEN_SCALE), "question_id"
    ].tolist()
    rows = responses[
        (responses["survey_id"] == survey_id) & responses["question_id"].isin(open_ids)
    ]
    rows = rows.assign(answer=rows["answer"].fillna("").astype(str).str.strip())
    return open_ids, rows[rows["answer"] != ""]


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:–- ")
    return cut + "…"


def _stable_key(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def choose_quotes(
    texts_by_group: Mapping[str, list[str]],
    codebook: Codebook,
    n_quotes: int = N_QUOTES,
    max_chars: int = QUOTE_CHARS,
) -> list[str]:
    """Up to n_quotes redacted, shortened quotes, taken in turn from each group (sorted).

    Deterministic: within a group, distinct texts are ordered by length class (those that
    fit max_chars first) and then by a SHA-256 hash of the text, so the choice is the same
    on every run and does not favour the first rows of the file.
    """
    queues = {}
    for group in sorted(texts_by_group):
        distinct = {_shorten(redact(t, codebook), max_chars) for t in texts_by_group[group]}
        queues[group] = sorted(distinct, key=lambda t: (t.endswith("…"), _stable_key(t)))
    quotes: list[str] = []
    while len(quotes) < n_quotes and any(queues.values()):
        for group in sorted(queues):
            while queues[group] and len(quotes) < n_quotes:
                quote = queues[group].pop(0)
                if quote not in quotes:
                    quotes.append(quote)
                    break
    return quotes


def theme_summary(
    answers: pd.DataFrame,
    codebook: Codebook,
    group_column: str = "respondent_group",
    n_quotes: int = N_QUOTES,
    min_cell: int = 0,
) -> dict:
    """Theme frequencies by group and redacted quotes for non-empty open answers.

    `answers` has columns `answer` and group_column. A frequency is the number of answers
    coded with the theme. Quotes come only from groups with at least min_cell open
    answers. Shape: {theme: {label, n, by_group: {group: n}, quotes: [str]}}, themes in
    codebook order, themes without any answer included with zeros and no quotes.
    """
    groups = sorted(answers[group_column].astype(str).unique()) if len(answers) else []
    sizes = answers[group_column].astype(str).value_counts().to_dict() if len(answers) else {}
    coded = [code_answer(t, codebook) for t in answers["answer"]] if len(answers) else []
    result = {}
    for theme in codebook.themes:
        hits = [theme.code in c for c in coded]
        matched = answers[hits] if len(answers) else answers
        by_group = {g: int((matched[group_column].astype(str) == g).sum()) for g in groups}
        texts = {
            g: matched.loc[matched[group_column].astype(str) == g, "answer"].tolist()
            for g in groups
            if sizes.get(g, 0) >= min_cell
        }
        result[theme.code] = {
            "label": theme.label,
            "n": int(sum(hits)),
            "by_group": by_group,
            "quotes": choose_quotes(texts, codebook, n_quotes),
        }
    return result


def open_answer_counts(
    answers: pd.DataFrame, codebook: Codebook, group_column: str = "respondent_group"
) -> dict:
    """Non-empty open answers and those matching no theme, per group and in all."""
    groups = sorted(answers[group_column].astype(str).unique()) if len(answers) else []
    uncoded = [not code_answer(t, codebook) for t in answers["answer"]]
    is_uncoded = pd.Series(uncoded, index=answers.index, dtype=bool)
    labels = answers[group_column].astype(str)
    n_answers = {g: int((labels == g).sum()) for g in groups}
    n_uncoded = {g: int(((labels == g) & is_uncoded).sum()) for g in groups}
    n_answers[ALL_GROUPS], n_uncoded[ALL_GROUPS] = len(answers), int(is_uncoded.sum())
    return {"n_answers": n_answers, "n_uncoded": n_uncoded}


def survey_open_answers(
    questions: pd.DataFrame,
    responses: pd.DataFrame,
    survey_id: str,
    codebook: Codebook,
    min_cell: int = 0,
) -> dict:
    """{"themes": theme_summary(...), "open_answers": {questions, n_answers, n_uncoded}}
    for all open questions of the survey pooled; {} when the survey has no open question.
    """
    open_ids, answers = _open_answers(questions, responses, survey_id)
    if not open_ids:
        return {}
    counts = open_answer_counts(answers, codebook)
    return {
        "themes": theme_summary(answers, codebook, min_cell=min_cell),
        "open_answers": {"questions": open_ids, **counts},
    }
