"""Every chart of a report, built from the contract example's results as the notebook
builds them: Swedish numbers in every label, type of at least 9 pt as shown on screen and
on A4, tick labels that do not collide, and the SVG that goes into the page."""

from __future__ import annotations

import json
import math
import re
import shutil

import matplotlib.pyplot as plt
import pytest
from chart_checks import chart_problems, collision_problems, tick_labels, visible_texts
from conftest import CONTRACT_EXAMPLE
from narvard.data.processed import prepare_dataset
from narvard.domain import MEASURES
from narvard.report import figures
from narvard.report.chart_style import MIN_PT, PRINT_COLUMN_IN
from narvard.report.funnel import funnel_chart, funnel_points
from narvard.report.html import figure_html, svg_document, svg_size_pt
from narvard.report.notebook import likert_figures
from narvard.report.tornado import tornado_chart
from narvard.results.assemble import area_results
from narvard.results.costs import jsonable
from narvard.results.schema import schema_problems
from narvard.stats.contract_costs import team_blocks

MINUS, NBSP = "\u2212", "\u00a0"


@pytest.fixture(scope="module")
def results(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("contract")
    data = root / "data"
    shutil.copytree(CONTRACT_EXAMPLE, data, ignore=shutil.ignore_patterns("expected.json"))
    return area_results(prepare_dataset(data, root / "processed", 180), "exempelby", min_cell=0)


def report_charts(results: dict) -> dict[str, plt.Figure]:
    """Every chart the area notebook and the overview page draw for these results."""
    charts = {"consumption": figures.consumption_chart(results)}
    for group, block in results["consumption"].items():
        if block.get("event_study"):
            charts[f"event_study {group}"] = figures.event_study_chart(block, group)
    for survey_id, survey in results["surveys"].items():
        for k, (fig, _alt, _caption) in enumerate(likert_figures(survey, survey_id)):
            charts[f"likert {survey_id} {k}"] = fig
    for group, block in team_blocks(results["costs"]).items():
        if block.get("tornado", {}).get("rows"):
            charts[f"tornado {group}"] = tornado_chart(block["tornado"], title=group)
    for group in ("HSVT", "NSVT"):
        if funnel_points([results], group, "inpatient_days"):
            charts[f"funnel {group}"] = funnel_chart([results], group)
    return charts


@pytest.fixture(scope="module")
def charts(results):
    built = report_charts(results)
    yield built
    for fig in built.values():
        plt.close(fig)


def test_the_contract_example_gives_the_report_charts(charts):
    assert {"consumption", "event_study HSVT", "likert patient 0"} <= set(charts)


def test_every_chart_passes_the_chart_checks(charts):
    problems = {name: chart_problems(fig) for name, fig in charts.items()}
    assert not {name: found for name, found in problems.items() if found}


def test_no_tick_label_has_an_english_decimal(charts):
    for name, fig in charts.items():
        fig.draw_without_rendering()
        ticks = [t.get_text() for ax in fig.axes for w in "xy" for t in tick_labels(ax, w)]
        assert ticks, name
        assert not [t for t in ticks if "." in t or "-" in t], (name, ticks)


def test_negative_ticks_use_the_true_minus_sign(charts):
    fig = charts["event_study HSVT"]
    labels = [t.get_text() for t in tick_labels(fig.axes[0], "x")]
    assert labels[0].startswith(MINUS) and labels[-1][0].isdigit(), labels
    assert "0" in labels and not any("," in label for label in labels), labels  # months


def test_type_is_at_least_9_pt_on_screen_and_on_a4(charts):
    for name, fig in charts.items():
        svg = svg_document(fig)
        width_pt, _height = svg_size_pt(svg)
        # Shown at natural size: never wider than the printed column, so never scaled down
        # (the screen column is wider still, 930 CSS px against 7,09 in = 680 px).
        assert width_pt / 72 <= PRINT_COLUMN_IN, (name, width_pt / 72)
        sizes = [float(v) for v in re.findall(rb"font-size: ?([\d.]+)px", svg)]
        assert sizes, f"{name}: no text in the SVG (text must stay text)"
        assert min(sizes) >= MIN_PT, (name, min(sizes))
        assert min(t.get_fontsize() for t in visible_texts(fig)) >= MIN_PT, name


def test_figure_html_embeds_svg_with_its_natural_size(results):
    fig = figures.consumption_chart(results)
    markup = figure_html(fig, alt="Stapeldiagram", caption="Före och efter")
    assert markup.startswith('<figure class="narvard-figure"><img src="data:image/svg+xml;base64,')
    width = int(re.search(r'width="(\d+)"', markup)[1])
    assert width <= math.ceil(PRINT_COLUMN_IN * 96)  # CSS px
    assert 'alt="Stapeldiagram"' in markup and "<figcaption>Före och efter</figcaption>" in markup


def test_svg_is_the_same_on_every_run(results):
    first = svg_document(figures.consumption_chart(results))
    second = svg_document(figures.consumption_chart(results))
    assert first == second
    assert b"<dc:date>" not in first


def test_consumption_bars_are_the_published_means(results, charts):
    fig = charts["consumption"]
    measure = MEASURES.index("inpatient_days")
    heights = sorted(round(p.get_height(), 6) for p in fig.axes[measure].patches)
    published = [
        results["consumption"][g]["measures"]["inpatient_days"][f"{period}_mean"]
        for g in results["consumption"]
        for period in ("before", "after")
    ]
    assert heights == sorted(round(v, 6) for v in published)
    after = [p for p in fig.axes[measure].patches if p.get_hatch()]
    assert len(after) == len(results["consumption"])  # the "after" bars are hatched


def test_a_hidden_mean_is_a_dash_not_a_zero_bar(results):
    hidden = {
        **results,
        "consumption": {
            group: {
                **block,
                "measures": {
                    m: {**v, "after_mean": None} if m == "er_visits" else v
                    for m, v in block["measures"].items()
                },
            }
            for group, block in results["consumption"].items()
        },
    }
    fig = figures.consumption_chart(hidden)
    ax = fig.axes[MEASURES.index("er_visits")]
    assert len(ax.patches) == len(results["consumption"])  # only the "before" bars
    assert [t.get_text() for t in ax.texts] == ["–"] * len(results["consumption"])
    plt.close(fig)


def test_event_study_breaks_the_line_at_a_hidden_month(results):
    block = results["consumption"]["HSVT"]
    study = block["event_study"]
    team = study["measures"]["er_visits"]["team"]
    rates = list(team["rate"])
    rates[len(rates) // 2] = None
    changed = {
        **block,
        "event_study": {
            **study,
            "measures": {
                **study["measures"],
                "er_visits": {**study["measures"]["er_visits"], "team": {**team, "rate": rates}},
            },
        },
    }
    frame = figures.event_frame(changed)
    team_rows = frame[(frame["measure"] == "er_visits") & (frame["series"] == "team")]
    assert team_rows.dropna(subset=["rate"])["segment"].nunique() == 2
    fig = figures.event_study_chart(changed, "HSVT")
    ax = fig.axes[MEASURES.index("er_visits")]
    team_lines = [line for line in ax.lines if line.get_marker() == "o"]
    assert len(team_lines) == 2  # two runs of months, not one line bridging the gap
    plt.close(fig)


def test_a_reversed_item_travels_from_the_csv_to_the_chart(tmp_path):
    """survey_questions.reversed = 1 → results.json's questions.<id>.reversed → the Likert
    chart draws the item's favourable (never/seldom) answers right of zero."""
    data = tmp_path / "data"
    shutil.copytree(CONTRACT_EXAMPLE, data, ignore=shutil.ignore_patterns("expected.json"))
    path = data / "survey_questions.csv"
    lines = path.read_text(encoding="utf-8").splitlines()
    reversed_column = {"q1": "1"}
    lines = [lines[0] + ",reversed"] + [
        f"{line},{reversed_column.get(line.split(',')[1], '')}" for line in lines[1:]
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    results = area_results(prepare_dataset(data, tmp_path / "p", 180), "exempelby", min_cell=0)
    questions = results["surveys"]["patient"]["questions"]
    assert questions["q1"]["reversed"] is True
    assert "reversed" not in questions["q2"]
    assert schema_problems(jsonable(results)) == []
    ((fig, _alt, caption),) = likert_figures(results["surveys"]["patient"], "Patientenkät")
    bars = {p.get_gid(): (p.get_x(), p.get_width()) for p in fig.axes[0].patches}
    # q1's answers are Alltid, Ibland, Ofta: for a negatively worded item all unfavourable
    for label in ("Alltid", "Ofta"):
        left, width = bars[f"q1|{label}"]
        assert width > 0 and left + width <= 0, label
    assert bars["q1|Sällan"][0] >= 0 and bars["q1|Aldrig"][0] >= 0
    assert "vänd skala" in caption
    plt.close(fig)


def test_three_groups_leave_room_for_every_group_name(results):
    """HSVT, NSVT and the comparison group side by side in each half-width panel: the
    comparison group's long name must not run into its neighbours."""
    import copy

    three = copy.deepcopy(results)
    three["consumption"]["NSVT"] = copy.deepcopy(results["consumption"]["HSVT"])
    three["consumption"] = {g: three["consumption"][g] for g in ("HSVT", "NSVT", "comparison")}
    fig = figures.consumption_chart(three)
    try:
        assert collision_problems(fig) == []
        ticks = [t.get_text() for t in tick_labels(fig.axes[0], "x")]
        assert ticks == ["HSVT", "NSVT", "Utan team\ni området"]
    finally:
        plt.close(fig)


def test_a_survey_without_any_chart_says_so_instead_of_pointing_at_one(results, monkeypatch):
    from narvard.report import notebook
    from narvard.report.survey_text import HIDDEN_DISTRIBUTION_NOTE, NO_CHART_NOTE

    shown: list[str] = []
    monkeypatch.setattr(notebook, "show_markdown", lambda text: shown.append(text))
    monkeypatch.setattr(notebook, "show_figure", lambda *a, **k: shown.append("<figure>"))
    monkeypatch.setattr(notebook, "show_table", lambda *a, **k: None)
    survey = json.loads(json.dumps(results["surveys"]["patient"]))
    assert list(survey["distribution"]) == ["q1"]  # the example asks one question
    some = json.loads(json.dumps(survey))
    some["items"]["q2"] = some["items"]["q1"]  # a second question, hidden, beside q1
    some["questions"]["q2"] = some["questions"]["q1"]
    some["distribution"]["q2"] = None
    notebook.show_survey("patient", some)
    assert "<figure>" in shown and f"*{HIDDEN_DISTRIBUTION_NOTE}*" in shown
    shown.clear()
    survey["distribution"] = {q: None for q in survey["distribution"]}  # every one hidden
    notebook.show_survey("patient", survey)
    assert "<figure>" not in shown
    assert f"*{NO_CHART_NOTE}*" in shown and f"*{HIDDEN_DISTRIBUTION_NOTE}*" not in shown
