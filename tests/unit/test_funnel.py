"""The overview page's funnel plot: labels that never overlap, every area identified, and
a legend naming the control limits."""

from __future__ import annotations

import copy
import itertools
import math

import matplotlib.pyplot as plt
import pytest
from chart_checks import chart_problems
from narvard.report.funnel import funnel_chart, funnel_points, label_box, pooled_and_spread
from narvard.report.index_page import HIDDEN_N, funnels

NBSP = "\u00a0"
NAMES = (
    "Fyrbodal",
    "Skaraborg",
    "Södra Älvsborg",
    "Göteborgsområdet",
    "SIMBA",
    "Alingsås–Lerum",
    "Kungsbacka",
    "Mölndal",
    "Partille",
    "Härryda",
    "Lerum",
    "Ale",
    "Stenungsund",
    "Orust",
)


def area(name: str, n: int, ratio: float, half_width: float = 0.25) -> dict:
    """An area's results with only what the funnel reads: a rate ratio, its CI and the
    patients followed before and after (n; the estimate's own, a few fewer, is n − 2)."""
    ci = [ratio * math.exp(-half_width), ratio * math.exp(half_width)]
    did = {"inpatient_days": {"rate_ratio": ratio, "ci": ci, "n_team": n - 2}}
    return {"area_name": name, "consumption": {"HSVT": {"did": did, "n_patients": n}}}


def crowd() -> list[dict]:
    """Fourteen areas of similar size and change, as a large region might have."""
    return [
        area(name, 120 + (37 * k) % 150, 0.84 * math.exp(0.03 * ((5 * k) % 9 - 4)))
        for k, name in enumerate(NAMES)
    ]


def pile() -> list[dict]:
    """Fourteen areas in seven pairs whose points lie on top of each other."""
    return [
        area(name, 140 + k % 7 * 7 + k // 7, 0.84 * math.exp(0.015 * ((5 * k) % 9 - 4)))
        for k, name in enumerate(NAMES)
    ]


def labels_of(fig) -> list:
    return [t for t in fig.axes[0].texts if t.get_text()]


def key_of(fig) -> str:
    texts = [t.get_text() for t in fig.texts if t.get_text().startswith("Numrerade")]
    return texts[0] if texts else ""


@pytest.fixture
def crowded():
    fig = funnel_chart(crowd(), "HSVT")
    yield fig
    plt.close(fig)


@pytest.fixture
def piled():
    fig = funnel_chart(pile(), "HSVT")
    yield fig
    plt.close(fig)


def test_every_area_of_a_crowd_gets_a_label(crowded):
    assert len(labels_of(crowded)) == len(NAMES)


@pytest.mark.parametrize("chart", ["crowded", "piled"])
def test_labels_never_overlap_each_other_or_points(chart, request):
    fig = request.getfixturevalue(chart)
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    boxes = [label_box(t, renderer) for t in labels_of(fig)]
    assert len(boxes) >= len(NAMES) - 2
    for a, b in itertools.combinations(boxes, 2):
        assert not a.overlaps(b), (a, b)
    frame = ax.get_window_extent(renderer)
    radius = 3 * fig.dpi / 72
    points = ax.transData.transform([(p.get_xdata()[0], p.get_ydata()[0]) for p in _markers(ax)])
    for box in boxes:
        assert frame.x0 <= box.x0 and box.x1 <= frame.x1
        assert frame.y0 <= box.y0 and box.y1 <= frame.y1
        for x, y in points:
            assert not box.overlaps(
                type(box).from_extents(x - radius, y - radius, x + radius, y + radius)
            )


def _markers(ax) -> list:
    """One Line2D per area point (the points are drawn as one marker-only line)."""
    from matplotlib.lines import Line2D

    found = []
    for line in ax.lines:
        if line.get_marker() == "o" and line.get_linestyle() in ("None", ""):
            for x, y in zip(line.get_xdata(), line.get_ydata(), strict=True):
                found.append(Line2D([x], [y]))
    return found


@pytest.mark.parametrize("chart", ["crowded", "piled"])
def test_every_area_is_named_in_the_chart_or_its_key(chart, request):
    fig = request.getfixturevalue(chart)
    texts = [t.get_text() for t in labels_of(fig)]
    named = [t for t in texts if not t.isdigit()]
    numbers = [t for t in texts if t.isdigit()]
    key = key_of(fig)
    for name in NAMES:
        assert (name in named) != (f"= {name}" in key or f"{name} (ej" in key), name
    for number in numbers:
        assert f"{number} = " in key
    assert len(named) >= len(NAMES) // 2  # most areas are named where they are


def test_placement_is_deterministic():
    first, second = funnel_chart(crowd(), "HSVT"), funnel_chart(crowd(), "HSVT")
    where = [[(t.get_text(), t.xyann) for t in labels_of(fig)] for fig in (first, second)]
    assert where[0] == where[1]
    plt.close(first)
    plt.close(second)


def test_legend_names_the_control_limits(crowded):
    (legend,) = crowded.legends
    texts = [t.get_text() for t in legend.get_texts()]
    assert f"95{NBSP}% kontrollgräns" in texts
    assert f"99,8{NBSP}% kontrollgräns" in texts
    assert "Områdenas genomsnitt" in texts and "Område" in texts  # no region estimate here
    styles = {h.get_label(): h.get_linestyle() for h in legend.legend_handles}
    curves = [line for line in crowded.axes[0].lines if line.get_linestyle() != "None"]
    limits = {line.get_linestyle() for line in curves if len(line.get_xdata()) > 2}
    assert {styles[f"95{NBSP}% kontrollgräns"], styles[f"99,8{NBSP}% kontrollgräns"]} == limits


def test_a_few_areas_are_all_named_directly():
    fig = funnel_chart([area("Fyrbodal", 230, 0.9), area("SIMBA", 120, 0.7)], "HSVT")
    assert sorted(t.get_text() for t in labels_of(fig)) == ["Fyrbodal", "SIMBA"]
    assert key_of(fig) == ""
    plt.close(fig)


def test_chart_checks(crowded):
    assert chart_problems(crowded) == []


def test_pooled_change_and_limits():
    points = funnel_points([area("A", 100, 0.8), area("B", 400, 0.8)], "HSVT", "inpatient_days")
    pooled, spread = pooled_and_spread(points)
    assert math.exp(pooled) == pytest.approx(0.8)
    se = 0.25 / 1.96
    assert spread == pytest.approx(se * math.sqrt(400))  # the upper median of se·√n


def test_the_overview_draws_a_funnel_only_with_four_areas_or_more():
    four = [area(name, 100 + 10 * k, 0.8) for k, name in enumerate(NAMES[:4])]
    (figure,) = funnels(four)
    assert figure.startswith("<figure") and "områdenas genomsnitt (den heldragna" in figure
    (note,) = funnels(four[:2])
    assert note.startswith("<p>HSVT: bara 2 av områdena kan visas")
    hidden = copy.deepcopy(four[2])
    hidden["consumption"]["HSVT"]["n_patients"] = None
    (note,) = funnels([*four[:2], hidden])
    name = hidden["area_name"]
    assert note.endswith(f"se tabellen ovan. Saknas: {name} ({HIDDEN_N}).</p>")
    no_interval = area("A", 100, 0.8)
    no_interval["consumption"]["HSVT"]["did"]["inpatient_days"]["ci"] = None
    assert funnels([no_interval]) == []


def test_the_limits_centre_on_the_regions_own_estimate_and_left_out_areas_say_why():
    """The overview table's region row (−34 %) is the line, not the mean of the plotted
    areas; an area whose patients are hidden is named with that reason."""
    areas = [area("Fyrbodal", 230, 0.9), area("SIMBA", 120, 0.7), area("Skaraborg", 90, 0.6)]
    areas += [area("Ale", 150, 0.75), area("Orust", 80, 0.7)]
    areas[0]["region_effects"] = {"HSVT": {"inpatient_days": {"rate_ratio": 0.66}}}
    areas[2]["consumption"]["HSVT"]["n_patients"] = None
    fig = funnel_chart(areas, "HSVT")
    centre = [line for line in fig.axes[0].lines if len(set(line.get_ydata())) == 1]
    assert [line.get_ydata()[0] for line in centre] == [pytest.approx(-34.0)]
    assert "Hela regionen" in [t.get_text() for t in fig.legends[0].get_texts()]
    plt.close(fig)
    (html,) = funnels(areas)
    assert "Saknas i figuren: Skaraborg (antalet följda patienter döljs" in html
    assert "hela regionens förändring (den heldragna linjen)" in html


def test_an_area_whose_estimate_hides_its_patients_stands_at_its_followed_patients():
    """The estimate's own count is hidden where it differs from the followed patients by a
    few (complementary suppression, most NSVT areas of the demo); the point stays, at the
    count the overview table shows."""
    areas = [area(name, 100 + 20 * k, 0.8) for k, name in enumerate(NAMES[:4])]
    areas[1]["consumption"]["HSVT"]["did"]["inpatient_days"]["n_team"] = None
    points = funnel_points(areas, "HSVT", "inpatient_days")
    assert [(p.name, p.n) for p in points] == [
        ("Fyrbodal", 100),
        ("Skaraborg", 120),
        ("Södra Älvsborg", 140),
        ("Göteborgsområdet", 160),
    ]
    (figure,) = funnels(areas)
    assert "Saknas" not in figure
