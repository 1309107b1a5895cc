"""The cross-area overview: key figures per area and region, effects per measure, net in words."""

from narvard.report.index_page import effects_overview, index_html, region_row


def area(name, population, before, after, n, net):
    days = {
        "before_total": before,
        "after_total": after,
        "change_pct": 100 * (after - before) / before,
    }
    return {
        "area_id": name.lower(),
        "area_name": name,
        "population": population,
        "window_days": 180,
        "dataset": {"dataset_name": "t", "synthetic": True},
        "consumption": {"HSVT": {"n_patients": n, "measures": {"inpatient_days": days}}},
        "surveys": {},
        "costs": {
            "HSVT": {"gross_savings_sek": 1.0, "net_savings_sek": net},
            "region": {"HSVT": {"net_savings_sek": -3e6, "net_savings_ci": [-4e6, -2e6]}},
        },
    }


def test_region_row_sums_people_and_shows_the_regions_own_estimate():
    rows = [area("A", 100_000, 600, 450, 100, -1e6), area("B", 50_000, 400, 350, 20, -2e6)]
    rows[0]["region_effects"] = {"HSVT": {"inpatient_days": {"rate_ratio": 0.8, "ci": [0.7, 0.9]}}}
    cells = region_row(rows)
    # 100 + 20 patients; the region's estimate (not a mean of the areas'): 0,8 → −20 %
    assert cells[:4] == [
        "Hela regionen",
        "150\u00a0000",
        "120",
        "\u221220\u00a0% (\u221230 till \u221210\u00a0%)",
    ]
    assert cells[4] == "kostar 3,0\u00a0mnkr (95 % KI 2,0–4,0\u00a0mnkr)"  # the region's own
    page = index_html(rows)
    assert 'href="a/report.html"' in page and "Hela regionen" in page


def with_effects(row, ratios, ci=(0.5, 1.5)):
    row["consumption"]["HSVT"]["did"] = {
        m: {"rate_ratio": r, "ci": list(ci)} for m, r in ratios.items()
    }
    return row


def test_effects_overview_has_every_measure_and_the_regions_own_estimate():
    ratios = {"er_visits": 0.8, "inpatient_days": 0.9, "unplanned_readmissions": None,
              "specialist_visits": 1.1}  # fmt: skip
    a = with_effects(area("A", 100_000, 600, 450, 100, -1e6), ratios)
    b = with_effects(area("B", 50_000, 400, 350, 20, -2e6), ratios)
    a["region_effects"] = {"HSVT": {m: {"rate_ratio": 0.75, "ci": [0.6, 0.9]} for m in ratios}}
    table = effects_overview([a, b], "HSVT")
    assert table["columns"] == [
        "Akutbesök utan inläggning",
        "Vårddagar i slutenvård",
        "Oplanerade återinskrivningar",
        "Besök i öppen specialistvård",
    ]
    assert [r["name"] for r in table["rows"]] == ["A", "B", "Hela regionen"]
    first = [c["text"] for c in table["rows"][0]["cells"]]
    # 0,8 → −20 %, interval 0,5–1,5 → −50 till +50 %; a hidden effect is a dash
    assert first == [
        "\u221220\u00a0% (\u221250 till +50\u00a0%)",
        "\u221210\u00a0% (\u221250 till +50\u00a0%)",
        "–",
        "+10\u00a0% (\u221250 till +50\u00a0%)",
    ]
    region = [c["text"] for c in table["rows"][-1]["cells"]]
    assert region == ["\u221225\u00a0% (\u221240 till \u221210\u00a0%)"] * 4
    assert effects_overview([a, b], "NSVT") is None
    assert "Teamens justerade effekt per mått" in index_html([a, b])


def test_each_teams_net_is_its_own_column_as_the_area_report_shows_it():
    from narvard.report.index_page import COLUMNS, key_figures

    row = area("A", 100_000, 600, 450, 100, -15.6e6)
    row["consumption"]["NSVT"] = {"n_patients": 23, "did": {}}
    row["costs"]["NSVT"] = {"net_savings_sek": None, "basis": "adjusted", "team_cost_sek": 2e6}
    cells = dict(zip(COLUMNS, key_figures(row), strict=True))
    assert cells["Netto per år, HSVT"] == "kostar 15,6\u00a0mnkr"
    assert cells["Netto per år, NSVT"] == "–"  # hidden by disclosure control
    row["costs"]["NSVT"]["team_cost_sek"] = None
    assert dict(zip(COLUMNS, key_figures(row), strict=True))["Netto per år, NSVT"] == "·"
