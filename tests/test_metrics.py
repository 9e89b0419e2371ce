"""cxlab metrics and intervals against published definitions and reference output.

Reference sources, named where they are used:
- Reichheld (2003), HBR: NPS = % promoters (9-10) - % detractors (0-6).
- Rocks (2016), The American Statistician 70(4): the trinomial (Wald) variance
  (p + d) - (p - d)^2 per response, and the adjusted Wald interval (add 3/4
  promoter, 3/2 passive, 3/4 detractor). The same recipe is published by Lewis and
  Sauro (MeasuringU, "Confidence Intervals for Net Promoter Scores", 2021).
- Newcombe (1998), Statistics in Medicine 17(8), Table I: Wilson score intervals
  for 81/263, 15/148, 0/20 and 1/29.
- statsmodels, an independent implementation, for the trinomial mean and t intervals.
"""

import math

import numpy as np
import pandas as pd
import pytest
from scipy import stats as scipy_stats
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

import cxlab
from cxlab.metrics import nps_counts, scale_counts


def scores_from_counts(promoters, passives, detractors):
    return np.array([10] * promoters + [8] * passives + [3] * detractors)


def coded(scores):
    scores = np.asarray(scores)
    return np.where(scores >= 9, 1, np.where(scores <= 6, -1, 0))


# ------------------------------------------------------------------ definitions


def test_categories_follow_reichheld_2003():
    # Every scale point once: 0-6 detractors (7), 7-8 passives (2), 9-10 promoters (2).
    result = cxlab.nps(list(range(11)))
    assert (result.promoters, result.passives, result.detractors) == (2, 2, 7)
    assert result.value == pytest.approx(100 * (2 - 7) / 11)


def test_all_promoters_is_plus_100_and_all_detractors_minus_100():
    assert cxlab.nps([9, 10, 10]).value == 100.0
    assert cxlab.nps([0, 6, 3]).value == -100.0


def test_wald_matches_trinomial_mean_in_statsmodels():
    # Rocks (2016): NPS is the mean of +1/0/-1 codes; Wald uses the ML variance (divide by n).
    scores = scores_from_counts(52, 31, 17)
    result = cxlab.nps(scores)
    descriptive = DescrStatsW(coded(scores))
    n = len(scores)
    assert result.value == pytest.approx(100 * descriptive.mean)
    assert result.se == pytest.approx(100 * descriptive.std_mean * math.sqrt((n - 1) / n))
    z = scipy_stats.norm.ppf(0.975)
    assert result.low == pytest.approx(result.value - z * result.se)
    assert result.high == pytest.approx(result.value + z * result.se)


def test_wald_variance_formula_by_hand():
    # 50 promoters, 30 passives, 20 detractors: p=.5, d=.2, var = .7 - .09 = .61.
    result = cxlab.nps_from_counts(50, 30, 20)
    assert result.se == pytest.approx(100 * math.sqrt(0.61 / 100))
    assert result.low == pytest.approx(30 - 1.959964 * 100 * math.sqrt(0.0061), abs=1e-4)


def test_adjusted_wald_adds_three_pseudo_responses_rocks_2016():
    result = cxlab.nps_from_counts(50, 30, 20, method="adjusted-wald")
    p, d, n = 50.75 / 103, 20.75 / 103, 103
    centre = p - d
    se = math.sqrt(((p + d) - centre**2) / n)
    z = scipy_stats.norm.ppf(0.975)
    assert result.value == 30.0  # the reported score is the plain NPS
    assert result.se == pytest.approx(100 * se)
    assert result.low == pytest.approx(100 * (centre - z * se))
    assert result.high == pytest.approx(100 * (centre + z * se))


def test_adjusted_wald_stays_inside_bounds_where_wald_collapses():
    # With all ten respondents promoters the Wald interval has zero width: a known failure.
    wald = cxlab.nps([10] * 10)
    adjusted = cxlab.nps([10] * 10, method="adjusted-wald")
    assert wald.low == wald.high == 100.0
    assert -100 <= adjusted.low < adjusted.high <= 100
    assert adjusted.high - adjusted.low > 20


def test_bootstrap_is_seeded_and_close_to_wald_for_large_n():
    scores = scores_from_counts(400, 350, 250)
    first = cxlab.nps(scores, method="bootstrap", seed=7)
    second = cxlab.nps(scores, method="bootstrap", seed=7)
    wald = cxlab.nps(scores)
    assert first == second
    assert first.low == pytest.approx(wald.low, abs=0.8)
    assert first.high == pytest.approx(wald.high, abs=0.8)
    assert first.se == pytest.approx(wald.se, rel=0.05)


def test_ci_level_changes_width_as_the_normal_quantiles_say():
    scores = scores_from_counts(40, 40, 20)
    narrow, wide = cxlab.nps(scores, ci=0.90), cxlab.nps(scores, ci=0.99)
    ratio = (wide.high - wide.low) / (narrow.high - narrow.low)
    assert ratio == pytest.approx(scipy_stats.norm.ppf(0.995) / scipy_stats.norm.ppf(0.95))


def test_two_sample_test_matches_independent_z_test():
    a, b = scores_from_counts(45, 30, 25), scores_from_counts(40, 30, 30)
    result = cxlab.nps_test(a, b)
    se = math.hypot(cxlab.nps(a).se, cxlab.nps(b).se)
    assert result.difference == pytest.approx(10.0)
    assert result.se == pytest.approx(se)
    assert result.statistic == pytest.approx(10.0 / se)
    assert result.pvalue == pytest.approx(2 * scipy_stats.norm.sf(10.0 / se))
    assert result.pvalue == pytest.approx(0.3889, abs=1e-3)


def test_two_sample_bootstrap_and_adjusted_methods_agree_roughly_with_wald():
    a, b = scores_from_counts(450, 300, 250), scores_from_counts(400, 300, 300)
    wald = cxlab.nps_test(a, b)
    for method in ("adjusted-wald", "bootstrap"):
        other = cxlab.nps_test(a, b, method=method, seed=3)
        assert other.difference == wald.difference
        assert other.se == pytest.approx(wald.se, rel=0.05)
        assert other.low == pytest.approx(wald.low, abs=1.5)


# ------------------------------------------------------------- Wilson and CSAT


@pytest.mark.parametrize(
    ("successes", "n", "low", "high"),
    [(81, 263, 0.2553, 0.3662), (15, 148, 0.0624, 0.1605), (0, 20, 0.0, 0.1611), (1, 29, 0.0061, 0.1718)],
)
def test_wilson_interval_newcombe_1998(successes, n, low, high):
    interval = cxlab.wilson_interval(successes, n)
    assert interval.low == pytest.approx(low, abs=1e-4)
    assert interval.high == pytest.approx(high, abs=1e-4)
    assert interval == pytest.approx(proportion_confint(successes, n, method="wilson"))


def test_csat_is_top_two_box_with_wilson_interval():
    ratings = [5] * 30 + [4] * 51 + [3] * 100 + [2] * 50 + [1] * 32  # 81 of 263 satisfied
    result = cxlab.csat(ratings)
    assert result.value == pytest.approx(100 * 81 / 263)
    assert (result.low, result.high) == pytest.approx((25.53, 36.62), abs=0.01)
    assert cxlab.csat(ratings, top=1).satisfied == 30


def test_csat_on_other_scales():
    assert cxlab.csat([7, 6, 5, 1], scale=7, top=2).value == 50.0
    with pytest.raises(ValueError, match="1-7"):
        cxlab.csat([8], scale=7)


def test_ces_mean_interval_matches_statsmodels_t_interval():
    ratings = [7, 6, 6, 5, 5, 5, 4, 3, 2, 7, 6, 1]
    result = cxlab.ces(ratings)
    low, high = DescrStatsW(np.array(ratings, dtype=float)).tconfint_mean()
    assert result.mean == pytest.approx(np.mean(ratings))
    assert (result.low, result.high) == pytest.approx((low, high))
    assert result.share_agree == pytest.approx(100 * 8 / 12)  # 5, 6, 7 agree on a 7-point scale


def test_nss_definition():
    assert cxlab.nss(positive=30, negative=10, neutral=10).value == 40.0
    assert cxlab.nss(positive=0, negative=5).value == -100.0
    assert cxlab.nss_from_labels(["positive", "neutral", "negative", "negative", None]).value == -25.0


def test_top_and_bottom_box():
    ratings = [1, 2, 3, 4, 5, 5]
    assert cxlab.top_box(ratings, scale=5, top=2) == pytest.approx(50.0)
    assert cxlab.bottom_box(ratings, scale=5, bottom=1) == pytest.approx(100 / 6)


def test_segment_table_per_group():
    df = pd.DataFrame({"region": ["north"] * 3 + ["south"] * 2, "recommend": [10, 9, 2, 8, 0]})
    table = cxlab.segment_table(df, "recommend", by="region")
    assert list(table.index) == ["north", "south"]
    assert table.loc["north", "value"] == pytest.approx(100 / 3)
    assert table.loc["south", "n"] == 2
    assert {"low", "high", "promoters", "passives", "detractors"} <= set(table.columns)
    csat_table = cxlab.segment_table(
        pd.DataFrame({"g": ["a", "a", "b"], "sat": [5, 1, 4]}), "sat", by="g", metric="csat"
    )
    assert csat_table["value"].tolist() == [50.0, 100.0]


# ---------------------------------------------------------------- input types


@pytest.mark.parametrize(
    "scores",
    [
        [10, 9, 8, 0],
        np.array([10, 9, 8, 0]),
        np.array([10.0, 9.0, 8.0, 0.0]),
        pd.Series([10, 9, 8, 0]),
        pd.Series([10, 9, 8, 0], dtype="Int64"),
        pd.Series([10, 9, 8, 0], dtype="float64"),
        np.array([10, 9, 8, 0], dtype=np.uint8),
    ],
)
def test_accepts_common_containers(scores):
    assert cxlab.nps(scores).value == 25.0


def test_nullable_missing_values_follow_nan_policy():
    scores = pd.Series([10, pd.NA, 0, 9], dtype="Int64")
    with pytest.raises(ValueError, match="missing"):
        cxlab.nps(scores)
    assert cxlab.nps(scores, nan_policy="omit").n == 3
    assert cxlab.nps([10, None, np.nan, 9], nan_policy="omit").n == 2


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("scores", "error", "pattern"),
    [
        ([11, 9], ValueError, r"integers 0-10; found 11"),
        ([-1], ValueError, r"integers 0-10; found -1"),
        ([7.5, 9], ValueError, r"non-integer 7\.5"),
        (["9", 10], TypeError, r"'9'"),
        (["ten"], TypeError, r"'ten'"),
        ([True, False], TypeError, r"bool"),
        ([], ValueError, r"empty"),
        ([np.nan, np.nan], ValueError, r"missing"),
        ("9 10 8", TypeError, r"text"),
        (None, TypeError, r"None"),
        (7, TypeError, r"single value"),
        ([[1, 2], [3, 4]], ValueError, r"one-dimensional"),
        ([np.inf], ValueError, r"inf"),
    ],
)
def test_bad_scores_raise_clear_errors(scores, error, pattern):
    with pytest.raises(error, match=pattern):
        cxlab.nps(scores)


def test_all_missing_with_omit_is_empty_error():
    with pytest.raises(ValueError, match="empty"):
        cxlab.nps([np.nan, None], nan_policy="omit")


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: cxlab.nps([9], ci=1.5), r"ci must be strictly between 0 and 1"),
        (lambda: cxlab.nps([9], method="exact"), r"method must be one of"),
        (lambda: cxlab.nps([9], nan_policy="ignore"), r"nan_policy must be one of"),
        (lambda: cxlab.csat([5], top=5), r"top must be between 1 and 4"),
        (lambda: cxlab.csat([6]), r"integers 1-5; found 6"),
        (lambda: cxlab.ces([0]), r"integers 1-7; found 0"),
        (lambda: cxlab.nss(positive=-1, negative=0), r"positive must be 0 or more"),
        (lambda: cxlab.nss(positive=0, negative=0), r"at least one mention"),
        (lambda: cxlab.nss(positive=1.5, negative=0), r"whole number"),
        (lambda: cxlab.nss_from_labels(["great"]), r"found 'great'"),
        (lambda: cxlab.wilson_interval(5, 3), r"successes must be between 0 and 3"),
        (lambda: cxlab.nps_from_counts(0, 0, 0), r"at least one respondent"),
        (lambda: cxlab.nps_from_counts(-1, 0, 3), r"promoters must be 0 or more"),
        (lambda: cxlab.nps([9], method="bootstrap", n_resamples=10), r"at least 100"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        call()


def test_segment_table_errors_name_the_column():
    df = pd.DataFrame({"region": ["a", "b"], "recommend": [10, 12]})
    with pytest.raises(ValueError, match=r"'score_x'.*columns \['region', 'recommend'\]"):
        cxlab.segment_table(df, "score_x", by="region")
    with pytest.raises(ValueError, match=r"region='b', column 'recommend'.*found 12"):
        cxlab.segment_table(df, "recommend", by="region")
    with pytest.raises(ValueError, match="missing group label"):
        cxlab.segment_table(pd.DataFrame({"region": ["a", None], "recommend": [1, 2]}), "recommend", by="region")


def test_counts_helpers():
    assert nps_counts([10, 8, 2]).n == 3
    assert scale_counts([1, 1, 3], low=1, high=3).tolist() == [2, 0, 1]
