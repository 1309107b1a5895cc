"""The cross-area overview: region totals are sums of the areas' published totals."""

from narvard.report.index_page import index_html, region_row


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
            "region": {"total": {"net_savings_sek": -3e6, "net_savings_ci": [-4e6, -2e6]}},
        },
    }


def test_region_row_sums_totals_not_means():
    rows = [area("A", 100_000, 600, 450, 100, -1e6), area("B", 50_000, 400, 350, 20, -2e6)]
    cells = region_row(rows)
    # (800 − 1000) / 1000 = −20 %, not the mean of −25 % and −12,5 %.
    assert cells[:4] == ["Hela regionen", "150\u00a0000", "120", "\u221220\u00a0%"]
    assert cells[-1] == "\u22123,0\u00a0mnkr (\u22124,0\u00a0mnkr till \u22122,0\u00a0mnkr)"
    page = index_html(rows)
    assert 'href="a/report.html"' in page and "Hela regionen" in page
