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
