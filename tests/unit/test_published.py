"""The published reference figures (narvard.data.published): each one is where its citation
says, with the numbers the source prints; the file is checked strictly and immutable.

The source texts in tests/data/published_sources/ are the text versions of the two
publications (VGR's final report on Mobil närvård, 2019; Region Skåne's evaluation of the
doctor support, 2019), copied unchanged.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
import yaml
from narvard.data.published import PUBLISHED_FILE, load_published, parse_published

SOURCES = Path(__file__).resolve().parents[1] / "data" / "published_sources"
TEXTS = {
    "vgr_2019": SOURCES / "vgr_2019_slutrapport_mobil_narvard.txt",
    "skane_2019": SOURCES / "skane_2019_utvardering_lakarstodet.txt",
}
# Each cited location as the part of the source text it names: from a heading to the next.
# (occurrence, start heading, end heading); occurrence counts headings standing on their own line.
LOCATIONS = {
    "Resultat – Måluppfyllelse och avvikelser, s. 5–6": (
        1,
        "Måluppfyllelse och avvikelser",
        "Aktiviteter och leveranser",
    ),
    "Tabell 1. Resultat av enkät till patienter i mobil närvård, s. 5–6": (
        1,
        "Tabell 1. Resultat av enkät till patienter i mobil närvård",
        "Aktiviteter och leveranser",
    ),
    "Bild 'Uppdraget –angreppssätt', steg 4": (
        1,
        "Uppdraget –angreppssätt",
        "Sammanfattning av resultat – inriktning och arbetssätt",
    ),
    "Bild 'Sammanfattning av resultat – inriktning och arbetssätt' (den andra med den rubriken)": (
        2,
        "Sammanfattning av resultat – inriktning och arbetssätt",
        "Sammanfattning av resultat – ledning och stöd",
    ),
    "Bild 'Sammanfattning av resultat – ledning och stöd'": (
        1,
        "Sammanfattning av resultat – ledning och stöd",
        "Rekommendationer",
    ),
}


def flat(text: str) -> str:
    return " ".join(text.split())


def section(source: str, location: str) -> str:
    """The flattened text of the source part a location names."""
    occurrence, start, end = LOCATIONS[location]
    text = TEXTS[source].read_text(encoding="utf-8")
    starts = [m.start() for m in re.finditer(rf"(?m)^\s*{re.escape(start)}\s*$", text)]
    assert len(starts) >= occurrence, f"heading {start!r} not found {occurrence} times"
    begin = starts[occurrence - 1]
    stop = text.index(end, begin + len(start))
    return flat(text[begin:stop])


def swedish(value: float) -> str:
    """A published number as printed: 5.7 → '5,7', 21.0 → '21'."""
    return f"{value:g}".replace(".", ",")


PUBLISHED = load_published()
FIGURES = {f.id: f for f in PUBLISHED.figures}


def test_the_file_loads_with_both_sources_and_every_figure():
    assert set(PUBLISHED.sources) == {"vgr_2019", "skane_2019"}
    assert len(PUBLISHED.figures) == 25
    kinds = [f.kind for f in PUBLISHED.figures]
    assert (kinds.count("consumption"), kinds.count("share"), kinds.count("response_rate")) == (
        7,
        17,
        1,
    )
    vgr = PUBLISHED.sources["vgr_2019"]
    assert (vgr.year, vgr.date, vgr.identifier) == (
        2019,
        "2019-03-28",
        "Diarienummer HS 2019-00305",
    )
    assert vgr.citation() == (
        "Västra Götalandsregionen, koncernstab hälso- och sjukvård (2019). Slutrapport "
        "Breddinförande av Mobil närvård. Diarienummer HS 2019-00305."
    )


@pytest.mark.parametrize("figure", PUBLISHED.figures, ids=lambda f: f.id)
def test_each_quote_stands_where_the_citation_says(figure):
    text = section(figure.source, figure.location)
    assert flat(figure.quote) in text
    for words in (figure.question, figure.statement, figure.window):
        if words:
            assert flat(words) in text


@pytest.mark.parametrize("figure", PUBLISHED.figures, ids=lambda f: f.id)
def test_each_number_of_a_figure_is_printed_in_its_quote(figure):
    quote = flat(figure.quote)
    if figure.change_pct is not None:
        assert f"minskade {swedish(-figure.change_pct)} procent" in quote
    for mean in (figure.before_mean, figure.after_mean):
        if mean is not None:
            assert re.search(rf"\b{re.escape(swedish(mean))} (vård )?dagar", quote)
    if figure.percent is not None:
        assert re.search(rf"\b{swedish(figure.percent)}%", quote)
    if figure.n is not None:
        assert str(figure.n) in figure.population + " " + section(figure.source, figure.location)


def test_the_figures_coordinators_quote():
    """The figures as the issue lists them, checked against the source by hand."""

    def change(figure_id):
        f = FIGURES[figure_id]
        return f.before_mean, f.after_mean, f.change_pct, f.n

    assert change("vgr_2019_hsvt_er_visits") == (None, None, -21, 3247)
    assert change("vgr_2019_hsvt_inpatient_days") == (5.7, 4.7, -17, 3247)
    assert change("vgr_2019_hsvt_unplanned_readmissions") == (None, None, -34, 3247)
    assert change("vgr_2019_nsvt_er_visits") == (None, None, -51, 532)
    assert change("vgr_2019_nsvt_inpatient_days") == (17.7, 7.7, -57, 532)
    assert change("vgr_2019_nsvt_unplanned_readmissions") == (None, None, -55, 532)
    assert all(f.window_days == 180 for f in PUBLISHED.figures if f.kind == "consumption")
    skane = {
        f.id.removeprefix("skane_2019_managers_"): (f.group, f.share)
        for f in PUBLISHED.figures
        if f.source == "skane_2019"
    }
    assert skane == {
        "response_rate": ("all", 0.62),
        "lack_of_interest_kommun": ("kommun", 0.60),
        "lack_of_interest_vardcentral": ("vårdcentral", 0.40),
        "no_improvement_all": ("all", 0.25),
        "unclear_start_vardcentral": ("vårdcentral", 0.65),
        "unclear_start_kommun": ("kommun", 0.38),
    }
    assert [f.id for f in PUBLISHED.consumption("NSVT", "specialist_visits")] == []


def _raw() -> dict:
    return yaml.safe_load(PUBLISHED_FILE.read_text(encoding="utf-8"))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda r: r["figures"][0].update(page=5), "unknown keys \\['page'\\]"),
        (lambda r: r["figures"][0].pop("quote"), "missing keys \\['quote'\\]"),
        (lambda r: r["figures"][0].update(measure="bed_days"), "not a contract measure"),
        (lambda r: r["figures"][1].update(change_pct=-30), "does not follow from 5.7 -> 4.7"),
        (lambda r: r["figures"][1].update(after_mean=None), "both before_mean and after_mean"),
        (lambda r: r["figures"][0].update(source="sll_2020"), "unknown source 'sll_2020'"),
        (lambda r: r["figures"][0].update(group="comparison"), "group must be one of"),
        (lambda r: r["figures"][1].update(id=r["figures"][0]["id"]), "the same id"),
        (lambda r: r["sources"]["vgr_2019"].update(url="x"), "unknown keys \\['url'\\]"),
        (lambda r: r["figures"][-1].update(percent=138), "percent must lie in 0–100"),
        (lambda r: r.update(extra=[]), "exactly the keys"),
    ],
)
def test_a_wrong_file_is_refused_with_the_figure_named(change, message):
    raw = _raw()
    change(raw)
    with pytest.raises(ValueError, match=message):
        parse_published(raw)


def test_the_loaded_figures_cannot_be_changed():
    figure = PUBLISHED.figures[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        figure.change_pct = -50
    with pytest.raises(TypeError):
        PUBLISHED.sources["vgr_2019"] = None
    assert isinstance(PUBLISHED.figures, tuple)
