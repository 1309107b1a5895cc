"""Theme coding and redaction of open answers (docs/surveys.md)."""

from __future__ import annotations

import pandas as pd
import pytest
import yaml
from narvard.stats.open_answers import (
    DEFAULT_CODEBOOK,
    choose_quotes,
    code_answer,
    keyword_pattern,
    load_codebook,
    open_answer_counts,
    parse_codebook,
    redact,
    survey_open_answers,
    theme_summary,
)


@pytest.fixture(scope="module")
def codebook():
    return load_codebook()


# --------------------------------------------------------------------------- codebook


def test_default_codebook_has_the_required_themes(codebook):
    codes = [t.code for t in codebook.themes]
    for code in ("tillgänglighet", "kontinuitet", "samarbete", "bemanning", "journal_it"):
        assert code in codes
    assert "ersättning" in codes and len(codes) >= 8
    assert all(t.label and t.keywords for t in codebook.themes)
    assert "kungälv" in codebook.keep_words and "karin" in codebook.first_names


@pytest.mark.parametrize(
    ("keyword", "text", "found"),
    [
        ("tillgäng", "TILLGÄNGLIGHETEN är dålig", True),  # case-insensitive, å ä ö included
        ("tillgäng", "otillgänglig", False),  # stems start at a word start
        ("*tillgäng", "otillgänglig", True),  # unless the keyword starts with *
        ("nå läkar", "svårt att nå läkaren", True),
        ("nå läkar", "svårt att nå  Läkarna", True),
        ("nå läkar", "nåde läkaren", False),  # earlier words of a phrase are whole
        ("it=", "Ett nytt IT-stöd", True),
        ("it=", "italiensk mat", False),
        ("väntetid", "Väntetiderna var långa", True),
        ("öppet", "Öppettiderna", True),
    ],
)
def test_keyword_matching(keyword, text, found):
    assert bool(keyword_pattern(keyword).search(text)) is found


def test_an_answer_can_get_several_themes(codebook):
    text = "Svårt att nå läkaren på telefon, och journalen är inte gemensam."
    assert code_answer(text, codebook) == ["tillgänglighet", "journal_it"]
    assert code_answer("", codebook) == []
    assert code_answer("Inget att tillägga.", codebook) == []


def test_plain_list_codebook(tmp_path):
    path = tmp_path / "codebook.yml"
    path.write_text(yaml.safe_dump({"tillgänglighet": ["tillgäng", "väntetid"]}), encoding="utf-8")
    book = load_codebook(path)
    assert [(t.code, t.label) for t in book.themes] == [("tillgänglighet", "Tillgänglighet")]
    assert code_answer("Lång väntetid", book) == ["tillgänglighet"]


# --------------------------------------------------------------------------- redaction


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Dr Andersson kom hem till mig.", "Dr [namn] kom hem till mig."),
        ("Dr. Andersson kom hem till mig.", "Dr. [namn] kom hem till mig."),
        ("Jag träffade sköterskan Maria igår.", "Jag träffade sköterskan [namn] igår."),
        ("Karin Fröjd ringde mig.", "[namn] ringde mig."),
        ("Hälsa till Karin Fröjd och Anna-Karin Öberg!", "Hälsa till [namn] och [namn]!"),
        ("Maria är fantastisk.", "[namn] är fantastisk."),  # listed first name
        ("Tack Anna för allt.", "Tack [namn] för allt."),  # "Tack" is a common word
        ("Ring 070-123 45 67 eller 031-10 20 30.", "Ring [telefon] eller [telefon]."),
        ("Mitt nummer: +46 70 123 45 67", "Mitt nummer: [telefon]"),
        ("Ring 0701234567!", "Ring [telefon]!"),
        ("Ring 08-123 456 78.", "Ring [telefon]."),
        ("Mejla karin.frojd@vgregion.se.", "Mejla [e-post]."),
        ("Pnr 19450101-1234.", "Pnr [personnummer]."),
        ("Pnr 450101-1234 och 450101+1234.", "Pnr [personnummer] och [personnummer]."),
        ("Pnr 4501011234 och 194501011234", "Pnr [personnummer] och [personnummer]"),
        ("Född 0501012389 i Borås", "Född [personnummer] i Borås"),  # valid check digit
        ("Ring 0501012380", "Ring [telefon]"),  # same shape, wrong check digit: a phone
    ],
)
def test_redaction_removes_personal_data(codebook, text, expected):
    assert redact(text, codebook) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Besöket var 2019-03-01 och hembesöket 2019-04-15.",
        "Det var år 2019 och 2020.",
        "De kom 3 gånger i veckan, 10 besök totalt.",
        "Datumet 01-03-2019 stämmer.",
        "Vårdcentralen Kungälv har varit jättebra.",
        "Kungälvs sjukhus och Närhälsan Lerum samarbetar.",
        "Jag bor i Lidköping nära Skövde.",
        "Ett gemensamt IT-stöd, HSVT och NSVT. Enligt KoK-boken.",
        "Samma läkare till samma patienter. Kontinuitet är avgörande.",
        "Kostnaden var 1 250 kronor.",
    ],
)
def test_redaction_keeps_dates_years_counts_and_places(codebook, text):
    assert redact(text, codebook) == text


def test_extra_keep_words_and_redaction_is_idempotent(codebook):
    assert redact("Vi i Stenbacka tycker det.", codebook) == "Vi i [namn] tycker det."
    assert redact("Vi i Stenbacka tycker det.", codebook, keep=["Stenbacka"]).endswith(
        "Stenbacka tycker det."
    )
    once = redact("Ring Lars Wikström MAS, 031-390 06 31.", codebook)
    assert once == "Ring [namn] MAS, [telefon]."
    assert redact(once, codebook) == once


def test_demo_open_answers_leave_no_personal_data(codebook):
    spec = yaml.safe_load((DEFAULT_CODEBOOK.parent / "surveys.yml").read_text(encoding="utf-8"))
    texts = [t for s in spec.values() for ts in s.get("open_answers", {}).values() for t in ts]
    changed = {t: redact(t, codebook) for t in texts if redact(t, codebook) != t}
    assert len(changed) == 2  # exactly the two answers that give a name and a phone number
    for redacted in changed.values():
        assert "[namn]" in redacted and "[telefon]" in redacted
        assert not any(word in redacted for word in ("Karin", "Ekvall", "Lars", "Wikström"))


# --------------------------------------------------------------------------- themes


def _open(group: str, texts: list[str]) -> pd.DataFrame:
    return pd.DataFrame({"respondent_group": group, "answer": texts})


def test_theme_frequencies_by_group_and_redacted_quotes(codebook):
    answers = pd.concat(
        [
            _open("kommun", ["Svårt att nå läkaren.", "Väntetiden är lång.", "Allt är bra."]),
            _open("vårdcentral", ["Telefontiden räcker inte, ring Karin på 0701234567."]),
        ],
        ignore_index=True,
    )
    themes = theme_summary(answers, codebook)
    access = themes["tillgänglighet"]
    assert access["label"] == "Tillgänglighet"
    assert (access["n"], access["by_group"]) == (3, {"kommun": 2, "vårdcentral": 1})
    assert len(access["quotes"]) == 3
    assert "Telefontiden räcker inte, ring [namn] på [telefon]." in access["quotes"]
    assert themes["kontinuitet"] == {
        "label": "Kontinuitet", "n": 0, "by_group": {"kommun": 0, "vårdcentral": 0}, "quotes": [],
    }  # fmt: skip
    assert theme_summary(answers, codebook) == themes  # deterministic
    counts = open_answer_counts(answers, codebook)
    assert counts["n_answers"] == {"kommun": 3, "vårdcentral": 1, "all": 4}
    assert counts["n_uncoded"] == {"kommun": 1, "vårdcentral": 0, "all": 1}
    quiet = theme_summary(answers, codebook, min_cell=2)["tillgänglighet"]["quotes"]
    assert len(quiet) == 2 and not any("[telefon]" in q for q in quiet)


def test_quotes_alternate_between_groups_and_are_short(codebook):
    long_text = "Väntetiden " + "är mycket lång " * 20
    quotes = choose_quotes(
        {"b": ["Väntetid 1.", "Väntetid 2.", "Väntetid 3."], "a": [long_text, long_text]},
        codebook,
        n_quotes=3,
        max_chars=60,
    )
    assert len(quotes) == 3
    assert sum(q.endswith("…") for q in quotes) == 1  # the long text once, shortened
    assert all(len(q) <= 60 for q in quotes)
    assert quotes[0].endswith("…")  # group "a" first (sorted), then "b", then "b" again


def test_survey_open_answers_pools_the_open_questions(codebook):
    questions = pd.DataFrame(
        {"survey_id": "staff", "question_id": ["s1", "s8", "s9"],
         "scale": ["agree5", "open", "open"], "order": [1, 2, 3]}
    )  # fmt: skip
    responses = pd.DataFrame(
        {"survey_id": "staff", "question_id": ["s1", "s8", "s9", "s9"],
         "respondent_group": "kommun", "answer": ["Neutral", "Bra journal", "", " telefon "]}
    )  # fmt: skip
    block = survey_open_answers(questions, responses, "staff", codebook)
    assert block["open_answers"]["questions"] == ["s8", "s9"]
    assert block["open_answers"]["n_answers"] == {"kommun": 2, "all": 2}
    assert block["themes"]["journal_it"]["n"] == 1 and block["themes"]["tillgänglighet"]["n"] == 1
    assert survey_open_answers(questions[:1], responses, "staff", codebook) == {}


def test_parse_codebook_with_redaction_lists():
    book = parse_codebook(
        {
            "themes": {"x": {"label": "X", "keywords": ["abc"]}},
            "redaction": {"keep": ["Lilla Edet"], "titles": ["dr"], "first_names": ["Åsa"]},
        }
    )
    assert book.keep_words == frozenset({"lilla", "edet"})
    assert redact("Åsa bor i Lilla Edet.", book) == "[namn] bor i Lilla Edet."
