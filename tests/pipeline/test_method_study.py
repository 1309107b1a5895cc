"""The fast subset of the simulation study: the reports' default estimator finds planted
effects and reports none where none was planted; the naive variants visibly fail on the same
data. The full study is `make method-check` (docs/method-validation.md)."""

from __future__ import annotations

import pandas as pd
import pytest
from narvard.pipeline.method_study import DEFAULT, markdown, passes, replicate, score

pytestmark = pytest.mark.slow
SIZE = 1.0  # 1 500 HSVT, 500 NSVT, 2 500 comparison patients per dataset, as the study
SCENARIO_SEEDS = (("crisis", 1), ("trends", 1), ("combined", 1), ("null", 1), ("null", 2))


@pytest.fixture(scope="module")
def scored() -> pd.DataFrame:
    parts = [replicate(name, seed, SIZE) for name, seed in SCENARIO_SEEDS]
    return score(pd.concat(parts, ignore_index=True))


def test_default_covers_the_truth(scored):
    default = scored[scored["variant"] == DEFAULT]
    assert len(default) == len(SCENARIO_SEEDS) * 24  # 2 areas + region × 2 groups × 4
    assert default["covered"].mean() >= 0.85


def test_default_reports_no_effect_where_none_was_planted(scored):
    """Two datasets only: their cells share each dataset's comparison patients, so the
    share of significant cells is noisy here (the full study measures it: about 7 %)."""
    null = scored[(scored["variant"] == DEFAULT) & (scored["scenario"] == "null")]
    assert null["significant"].mean() <= 0.20
    assert abs(null["error"].mean()) < 0.08
    naive = scored[(scored["variant"] == "did_before_window") & (scored["scenario"] == "null")]
    assert naive["significant"].mean() >= 0.35  # regression to the mean read as an effect


def test_naive_variants_fail_on_the_same_data(scored):
    """The test can fail: the before/after ratio and the before-window baseline (which
    keeps regression to the mean) miss the truth far more often than the default."""
    coverage = scored.groupby("variant")["covered"].mean()
    assert coverage["before_after"] < 0.75
    assert coverage["did_all"] < 0.75  # comparison patients not balanced on age and time
    with_crisis = scored[scored["scenario"].isin(["crisis", "null", "combined"])]
    by_variant = with_crisis.groupby("variant")["covered"].mean()
    assert by_variant["did_before_window"] < 0.75
    assert by_variant[DEFAULT] - by_variant["did_before_window"] > 0.15
    crude = scored[(scored["variant"] == "crude") & (scored["scenario"] == "crisis")]
    assert crude["error"].mean() < -0.15  # the crude change overstates the effect


def test_markdown_states_the_verdict(scored):
    text = markdown(scored, {"replicates": 1, "seeds": "1", "size": SIZE, "window_days": 180})
    assert "| crisis | **did_balanced** |" in text
    assert ("**Passes.**" in text) == passes(scored)
