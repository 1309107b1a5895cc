"""Helpers the area notebook calls, so that the notebook itself stays thin.

Figures are embedded as SVG inside HTML <figure> elements with alt text and a caption:
the rendered report then needs no external file and screen readers get a description.
"""

from __future__ import annotations

import datetime as dt
import html
import warnings
from pathlib import Path

import matplotlib.pyplot as plt
import pandas as pd
from IPython.display import HTML, Markdown, display
from matplotlib.figure import Figure

from narvard.data.processed import ProcessedDataset, latest_processed, processed_by_key
from narvard.paths import data_folder, processed_root
from narvard.report import cards
from narvard.report import formatting as fmt
from narvard.report.chart_style import rc
from narvard.report.html import figure_html
from narvard.report.survey_text import (
    HIDDEN_DISTRIBUTION_NOTE,
    LOW_RESPONSE_NOTE,
    NO_CHART_NOTE,
    comparison_sentence,
)
from narvard.report.tables import all_hidden, to_html
from narvard.report.takeaway import TABLES_FOLDER, TableShelf
from narvard.report.verdict import verdict
from narvard.results.assemble import area_results, read_results, write_results
from narvard.results.reproduce import differences

_SHELF = TableShelf()  # where show_table puts CSV copies (opened by save_results)


def setup() -> None:
    """Quiet, print-friendly defaults for a report run (the charts' own style is applied
    by each chart function, chart_style)."""
    warnings.filterwarnings("ignore")
    plt.rcParams.update(rc())


def open_dataset(dataset_key: str, window_days: int) -> ProcessedDataset:
    """The prepared dataset a report was made from (by its key, prepared again from the
    data folder when needed), or the latest prepared one for interactive use."""
    if dataset_key:
        dataset = processed_by_key(dataset_key, data_folder(), processed_root(), window_days)
    else:
        dataset = latest_processed(processed_root(), window_days)
    if dataset.manifest["window_days"] != window_days:
        raise ValueError(
            f"the prepared data uses {dataset.manifest['window_days']} days, not {window_days}"
        )
    return dataset


def save_results(results: dict, results_path: str) -> None:
    """Write results.json where the runner asked (nothing when interactive).

    A rerun of a published report never overwrites its results.json: it writes
    results.rerun.json beside it and says whether every figure came out the same.
    """
    if not results_path:
        return
    path = Path(results_path)
    if not path.exists():
        write_results(results, path)
        _SHELF.open(path.parent / TABLES_FOLDER)  # take-away tables beside results.json
        return
    _SHELF.open(None)  # a rerun leaves the published tables alone
    rerun = path.with_name(f"{path.stem}.rerun.json")
    write_results(results, rerun)
    found = differences(read_results(path), read_results(rerun))
    if found:
        print(f"{rerun.name}: {len(found)} värden skiljer sig från {path.name}:")
        print("\n".join(f"  {d}" for d in found[:50]))
    else:
        print(f"{rerun.name}: alla värden stämmer med {path.name}.")


def load_results(
    area_id: str,
    dataset_key: str,
    window_days: int,
    min_cell: int,
    results_path: str = "",
    comparison: str = "balanced",
) -> dict:
    """An area's results in one call (first area when none is named), for exploring; the
    report notebook shows the same steps one by one."""
    dataset = open_dataset(dataset_key, window_days)
    results = area_results(dataset, area_id, min_cell, comparison)
    save_results(results, results_path)
    return results


def show_markdown(text: str) -> None:
    display(Markdown(text))


def show_html(markup: str) -> None:
    display(HTML(markup))


ALL_HIDDEN_NOTE = (
    "Alla siffror i tabellen döljs, eftersom de bygger på för få personer eller skulle kunna "
    "räknas fram ur andra siffror i rapporten."
)


def show_table(table: pd.DataFrame, caption: str = "") -> None:
    """A table with its caption and, in a report run, a link to the same table as CSV; a
    sentence instead when disclosure control left no figure in it."""
    if not table.empty and all_hidden(table):
        title = f"<p class='narvard-caption'>{html.escape(caption)}</p>" if caption else ""
        display(HTML(f"{title}<p><em>{ALL_HIDDEN_NOTE}</em></p>"))
        return
    link = _SHELF.put(table, caption or "tabell")
    download = (
        f' <a class="narvard-csv" href="{html.escape(link)}" download>Tabellen som CSV</a>'
        if link
        else ""
    )
    title = (
        f"<p class='narvard-caption'>{html.escape(caption)}{download}</p>"
        if caption or download
        else ""
    )
    display(HTML(title + to_html(table)))


def show_figure(fig: Figure, alt: str, caption: str = "") -> None:
    display(HTML(figure_html(fig, alt, caption)))


def show_title(results: dict) -> None:
    """A link back to the overview, the report's heading (the area's name as typed in
    areas.csv) and, for synthetic data, the banner that says so."""
    show_html('<p class="narvard-nav"><a href="../index.html">← Alla samverkansområden</a></p>')
    show_markdown(f"# Uppföljning av mobil närvård: {fmt.markdown_literal(results['area_name'])}")
    if results["dataset"]["synthetic"]:
        show_html(
            '<div class="narvard-banner" role="note"><strong>Syntetiska data.</strong> '
            "Rapporten bygger på påhittade uppgifter för demonstration och test. "
            "Siffrorna beskriver inga verkliga patienter eller verksamheter.</div>"
        )


def show_summary(results: dict) -> None:
    """Sammanfattning: the area's answer in one or two sentences per team, then the cards."""
    show_markdown("## Sammanfattning")
    lines = verdict(results) or [
        "Det finns för få patienter med uppgifter före och efter inskrivningen för att skatta "
        "teamens effekt i området."
    ]
    show_html("".join(f'<p class="narvard-verdict">{html.escape(line)}</p>' for line in lines))
    show_html(cards.cards_html(cards.key_cards(results)))
    show_html(meta_html(results))


def meta_html(results: dict) -> str:
    """One line on what the report rests on: dataset, region, population, periods."""
    d = results["dataset"]
    return (
        f"<p class='narvard-meta'>Datamaterial: {html.escape(d['dataset_name'])} · "
        f"Region: {html.escape(results['region'])} · Invånare: "
        f"{fmt.number(results['population'])} · Uttag av vårdkontakter: "
        f"{fmt.date(d['contacts_from'])} – {fmt.date(d['contacts_to'])} · "
        f"Perioder: {results['window_days']} dagar före och efter första teambesöket</p>"
    )


def show_origin(results: dict) -> None:
    """Where the figures come from: dataset, software, parameters and input checksums."""
    from narvard.report import quality_tables

    d, provenance = results["dataset"], results["provenance"]
    packages = ", ".join(f"{k} {v}" for k, v in provenance["packages"].items())
    created = dt.datetime.now().astimezone()
    show_markdown(
        "## Ursprung\n"
        f"Datamaterial: {fmt.markdown_literal(d['dataset_name'])}. Beräknat med narvard "
        f"{d['narvard_version']} (Python {provenance['python']}; {packages}). Parametrar: "
        f"område {fmt.markdown_literal(results['area_id'])}, period {results['window_days']} "
        f"dagar, minsta cell {results['min_cell']}. Rapporten skapades "
        f"{created:%Y-%m-%d %H:%M}. Alla siffror finns i results.json bredvid rapporten; "
        "kontrollsummorna nedan visar exakt vilka indatafiler som användes."
    )
    checksums = quality_tables.checksums_table(results)
    show_table(checksums, "Kontrollsummor (SHA-256) för indatafilerna")


def show_survey(survey_id: str, survey: dict, heading: bool = True) -> None:
    """One survey: response, Likert charts, shares with intervals, comparisons, themes."""
    from narvard.domain import survey_name
    from narvard.report import survey_tables

    name = survey_name(survey_id)
    if heading:
        show_markdown(f"### {fmt.markdown_literal(name)}")
    show_table(survey_tables.response_table(survey), f"{name} – svarsfrekvens")
    if survey.get("low_response"):
        show_markdown(f"*{LOW_RESPONSE_NOTE}*")
    if survey["items"]:
        figures = likert_figures(survey, name)
        for fig, alt, caption in figures:
            show_figure(fig, alt, caption)
        if any(shares is None for shares in (survey.get("distribution") or {}).values()):
            show_markdown(f"*{HIDDEN_DISTRIBUTION_NOTE if figures else NO_CHART_NOTE}*")
        show_table(
            survey_tables.survey_table(survey),
            f"{name} – andel positiva svar ({survey_tables.positive_answers(survey)}) med 95 % "
            "konfidensintervall och antal svar",
        )
        if survey_tables.has_hidden_share_with_n(survey):
            show_markdown(f"*{survey_tables.HIDDEN_SHARE_NOTE}*")
    if survey.get("components"):
        show_table(
            survey_tables.components_table(survey),
            f"{name} – samverkanskomponenter: genomsnittlig andel svar som är positiva för "
            "samverkan "
            "(påståenden om brister räknas omvänt, och mittenalternativet räknas inte som "
            "positivt, så en komponent är inte 100 % minus andelen som instämmer; vilka frågor "
            "som ingår står i frågetabellen ovan)",
        )
    if survey.get("waves", {}).get("items"):
        show_table(survey_tables.waves_table(survey), f"{name} – andel positiva svar per omgång")
    _show_sentences("Skillnader mellan grupper", survey.get("comparisons", []))
    _show_sentences("Området jämfört med övriga regionen", survey.get("area_vs_rest", []))
    _show_open_answers(survey)


def likert_figures(survey: dict, name: str) -> list[tuple[Figure, str, str]]:
    """(figure, alt text, caption) of each Likert chart of a survey, one per scale; items
    marked reversed in results.json are drawn with their favourable answers on the right."""
    from narvard.report import likert

    found = []
    for scale, items in _items_by_scale(survey).items():
        labels = {q: _item_label(survey, q) for q in items}
        flipped = [q for q in items if survey["questions"][q].get("reversed")]
        fig = likert.likert_chart(
            items, scale, labels=labels, title=name, show_n=False, reversed_items=flipped
        )
        alt = (
            f"Liggande staplar för {fmt.lower_first(name)}: fördelningen av svar per fråga, "
            "ogynnsamma svar till vänster och gynnsamma till höger om mitten."
        )
        found.append((fig, alt, likert_caption(bool(flipped), len(flipped) == len(items))))
    return found


def likert_caption(with_reversed: bool, only_reversed: bool = False) -> str:
    """The caption under a Likert chart (Swedish), explaining reversed items when drawn;
    the legend has a second row for them only beside ordinary items (likert._legend)."""
    caption = (
        "Andel av dem som tagit ställning; ”Ingen uppfattning”/”Vet ej” visas för sig. "
        "Gynnsamma svar står alltid till höger om mitten."
    )
    if with_reversed:
        caption += (
            " Negativt formulerade påståenden (om brister) visas med vänd skala, eftersom det "
            "där är gynnsamt att inte instämma"
        )
        caption += (
            "."
            if only_reversed
            else "; teckenförklaringens nedre rad visar vilka svar färgerna då står för."
        )
    return caption


def _item_label(survey: dict, qid: str) -> str:
    n = survey["items"][qid]["all"]["n"]
    return f"{survey['questions'][qid]['text']} (n\u00a0=\u00a0{fmt.number(n)})"


def _items_by_scale(survey: dict) -> dict:
    """Published answer distributions grouped by scale (one chart per scale)."""
    grouped: dict = {}
    for qid, shares in survey.get("distribution", {}).items():
        if shares and qid in survey["items"]:
            grouped.setdefault(survey["questions"][qid]["scale"], {})[qid] = shares
    return grouped


def comparison_sentences_html(title: str, comparisons: list[dict]) -> str:
    """The sentences of the comparisons with a result as an HTML list, "" when none.

    Rendered as HTML with every sentence escaped, not as Markdown: the sentences quote
    question texts from the input files, which must show as text, never as markup.
    """
    shown = [c for c in comparisons if c.get("difference") is not None]
    if not shown:
        return ""
    items = "".join(f"<li>{html.escape(comparison_sentence(c))}</li>" for c in shown)
    return f"<p><strong>{html.escape(title)}</strong></p><ul>{items}</ul>"


def _show_sentences(title: str, comparisons: list[dict]) -> None:
    markup = comparison_sentences_html(title, comparisons)
    if markup:
        show_html(markup)


def _show_open_answers(survey: dict) -> None:
    from narvard.report import survey_tables

    for qid, answers in survey.get("open_questions", {}).items():
        count = fmt.number(answers["n"]) if answers["n"] is not None else "ett fåtal"
        show_markdown(
            f"Fritextfrågan ”{fmt.markdown_literal(survey['questions'][qid]['text'])}” "
            f"besvarades av {count} personer."
        )
    themes = survey.get("themes", {})
    if any(t["n"] for t in themes.values()):
        show_table(
            survey_tables.themes_table(survey),
            "Teman i fritextsvaren (teman med få svar visas inte)",
        )
        quotes = [
            f"- *{fmt.markdown_literal(t['label'])}:* ”{fmt.markdown_literal(q)}”"
            for t in themes.values()
            for q in t.get("quotes", [])[:2]
        ]
        if quotes:
            show_markdown(
                "**Citat** (namn, telefonnummer, e-post och personnummer är borttagna)\n\n"
                + "\n".join(quotes)
            )
