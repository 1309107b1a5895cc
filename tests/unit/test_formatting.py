import html

import pytest
from narvard.report import formatting as fmt

NBSP = "\u00a0"


def test_swedish_numbers():
    assert fmt.number(5.7, 1) == "5,7"
    assert fmt.number(3247) == f"3{NBSP}247"
    assert fmt.number(-1234567.891, 2) == f"\u22121{NBSP}234{NBSP}567,89"
    assert fmt.number(-0.04, 1) == "0,0"
    assert fmt.number(None) == "–"


def test_percent_and_share():
    assert fmt.percent(-21.3) == f"\u221221{NBSP}%"
    assert fmt.percent(12.0, signed=True) == f"+12{NBSP}%"
    assert fmt.share(0.938) == f"94{NBSP}%"
    assert fmt.share(None) == "–"


def test_kronor():
    assert fmt.sek(110500) == f"110{NBSP}500{NBSP}kr"
    assert fmt.sek(16_400_000, millions=True) == f"16,4{NBSP}mnkr"


HOSTILE_TEXTS = [
    "Norra <b onmouseover=alert(2)>kusten</b>",
    "[klicka här](javascript:alert(1))",
    "<script>alert(1)</script> & &amp; &lt;",
    "# inte en rubrik\n- inte en lista\n1. inte heller",
    "*kursiv* __fet__ `kod` ~~struken~~ | a | b |",
    "<https://example.org> ![bild](https://example.org/x.png)",
    "Alingsås-Lerum (inkl. Vårgårda) 3.5 \\ slut\\",
    "Åre \u00e9 \u2212 \u201dcitat\u201d {x} @namn 50 % $x$",
]


@pytest.mark.parametrize("text", HOSTILE_TEXTS)
def test_markdown_literal_shows_input_text_as_typed(text):
    """Rendered by nbconvert's own Markdown renderer, the text comes out as plain text
    (spaces and line breaks collapsed), never as an element, link or emphasis."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    rendered = markdown2html_mistune(f"Text: {fmt.markdown_literal(text)}")
    assert rendered.startswith("<p>") and rendered.rstrip().endswith("</p>")
    inner = rendered.strip()[len("<p>") : -len("</p>")]
    assert "<" not in inner, f"markup in {inner!r}"
    assert html.unescape(inner) == "Text: " + " ".join(text.split())


def test_an_interval_end_that_rounds_to_zero_keeps_a_decimal():
    nbsp = "\u00a0"
    # Alingsås HSVT 2018 in the demo: RR 0,43 (0,18–1,002) is no sure change, and must
    # not read as one ending at 0 %.
    assert fmt.ratio_change(0.43, [0.18, 1.002]) == f"−57{nbsp}% (−82 till +0,2{nbsp}%)"
    assert fmt.ratio_change(0.43, [0.18, 0.998]) == f"−57{nbsp}% (−82 till −0,2{nbsp}%)"
    assert fmt.ratio_change(0.79, [0.65, 0.95]) == f"−21{nbsp}% (−35 till −5{nbsp}%)"
    assert fmt.ratio_change(1.0, [0.8, 1.25]) == f"0{nbsp}% (−20 till +25{nbsp}%)"
