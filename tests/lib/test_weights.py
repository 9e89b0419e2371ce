"""Survey weights: Kish's design effect and effective sample size, raking, and the weighted metrics.

Reference sources, named where they are used:
- Kish (1992), "Weighting for unequal P_i", Journal of Official Statistics 8(2), 183-200:
  the design effect of weighting ``deff = n sum(w^2) / (sum w)^2 = 1 + L``, with ``L`` the
  relvariance (squared coefficient of variation, population form) of the weights, and the
  effective sample size ``n / deff``; computed by hand on small weight sets below.
- weightipy's ``weighting_efficiency`` (an independent implementation: ``100 / deff``).
- statsmodels' ``DescrStatsW`` (an independent implementation of weighted means, variances
  and t intervals) and ``proportion_confint`` (Wilson).
- Post-stratification on one variable, where raking is exact: each weight is the
  population share of the answer's level over its sample share (Deming and Stephan 1940).
"""

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from statsmodels.stats.proportion import proportion_confint
from statsmodels.stats.weightstats import DescrStatsW

import cxlab
from cxlab.stats.weights import check_weights, weighted_scale_counts

weights_lists = st.lists(st.floats(min_value=0.05, max_value=20, allow_nan=False), min_size=2, max_size=60)
nps_scores = st.lists(st.integers(0, 10), min_size=2, max_size=60)

# ------------------------------------------------------------------ Kish


@pytest.mark.parametrize(("weights", "deff"), [
    ([1, 1, 1, 1], 1.0),
    ([1, 1, 2, 2], 4 * 10 / 36),           # by hand: n = 4, sum w^2 = 10, (sum w)^2 = 36
    ([1, 3], 2 * 10 / 16),                 # 1.25
    ([1] * 9 + [10], 10 * 109 / 19**2),    # one heavy weight: 3.0194...
])
def test_kish_design_effect_by_hand_kish_1992(weights, deff):
    assert cxlab.kish_design_effect(weights) == pytest.approx(deff, rel=1e-12)
    assert cxlab.effective_sample_size(weights) == pytest.approx(len(weights) / deff, rel=1e-12)


@settings(max_examples=60, deadline=None)
@given(weights_lists)
def test_kish_design_effect_is_one_plus_the_relvariance_of_the_weights(weights):
    values = np.asarray(weights)
    relvariance = values.var() / values.mean() ** 2  # Kish 1992: deff = 1 + L
    assert cxlab.kish_design_effect(weights) == pytest.approx(1 + relvariance, rel=1e-9)
    assert 1 - 1e-12 <= cxlab.kish_design_effect(weights)
    assert cxlab.effective_sample_size(weights) <= len(weights) + 1e-9


@settings(max_examples=40, deadline=None)
@given(weights_lists, st.floats(min_value=0.01, max_value=100))
def test_scaling_every_weight_changes_neither_deff_nor_effective_n(weights, factor):
    scaled = [factor * weight for weight in weights]
    assert cxlab.kish_design_effect(scaled) == pytest.approx(cxlab.kish_design_effect(weights), rel=1e-9)
    assert cxlab.effective_sample_size(scaled) == pytest.approx(cxlab.effective_sample_size(weights), rel=1e-9)


def test_kish_agrees_with_weightipys_weighting_efficiency():
    import weightipy

    weights = pd.Series(np.random.default_rng(3).lognormal(0, 0.6, 500))
    assert 100 / cxlab.kish_design_effect(weights) == pytest.approx(weightipy.weighting_efficiency(weights), rel=1e-9)


@pytest.mark.parametrize(("weights", "error", "message"), [
    ([1, -2], ValueError, r"0 or more; found -2.0 at position 1"),
    ([1, float("nan")], ValueError, "finite numbers; found nan at position 1"),
    ([1, float("inf")], ValueError, "finite"),
    ([0, 0], ValueError, "all 0"),
    ([], ValueError, "empty"),
    ("heavy", TypeError, "sequence|list"),
    (3.0, TypeError, "one weight per answer"),
    ([1, "two"], TypeError, r"weights must hold numbers of 0 or more; found 'two' \(type str\) at position 1"),
    ([True, False], TypeError, "booleans"),
    (np.ones((2, 2)), ValueError, "one-dimensional"),
])
def test_bad_weights_are_refused_with_a_clear_message(weights, error, message):
    with pytest.raises(error, match=message):
        cxlab.kish_design_effect(weights)


def test_weights_must_match_the_answers_one_to_one():
    with pytest.raises(ValueError, match="3 answers but 2 weights"):
        cxlab.nps([10, 9, 3], weights=[1, 2])
    with pytest.raises(ValueError, match="3 answers but 4 weights"):
        check_weights([1, 1, 1, 1], 3)


# ------------------------------------------------------------------ raking


def test_raking_on_one_variable_is_post_stratification():
    sample = pd.DataFrame({"age": ["young"] * 6 + ["old"] * 4})
    raked = cxlab.rake(sample, {"age": {"young": 0.3, "old": 0.7}})
    # Weight = population share / sample share, scaled to average 1: 0.3/0.6 = 0.5 and 0.7/0.4 = 1.75.
    np.testing.assert_allclose(raked.weights.to_numpy(), [0.5] * 6 + [1.75] * 4, rtol=1e-9)
    assert raked.design_effect == pytest.approx(10 * (6 * 0.25 + 4 * 1.75**2) / 10**2, rel=1e-9)
    assert raked.converged


def test_raking_on_two_variables_reaches_both_margins_and_keeps_the_index():
    rng = np.random.default_rng(5)
    sample = pd.DataFrame({"age": rng.choice(["a", "b", "c"], 400, p=[0.5, 0.3, 0.2]),
                           "use": rng.choice(["yes", "no"], 400, p=[0.3, 0.7])}, index=np.arange(1000, 1400))
    margins = {"age": {"a": 0.3, "b": 0.3, "c": 0.4}, "use": {"yes": 0.6, "no": 0.4}}
    raked = cxlab.rake(sample, margins)
    assert raked.weights.index.equals(sample.index)
    assert raked.weights.mean() == pytest.approx(1.0)
    for variable, targets in margins.items():
        shares = raked.weights.groupby(sample[variable]).sum() / raked.weights.sum()
        for level, share in targets.items():
            assert shares[level] == pytest.approx(share, abs=1e-6)
    np.testing.assert_allclose(raked.margins["weighted"], raked.margins["population"], atol=1e-6)
    assert raked.converged
    assert raked.design_effect == pytest.approx(cxlab.kish_design_effect(raked.weights))
    assert raked.to_frame()["effective_n"].iloc[0] == pytest.approx(400 / raked.design_effect)


def test_a_sample_that_already_matches_the_margins_gets_equal_weights():
    sample = pd.DataFrame({"age": ["a", "a", "b", "b"], "use": ["y", "n", "y", "n"]})
    raked = cxlab.rake(sample, {"age": {"a": 0.5, "b": 0.5}, "use": {"y": 0.5, "n": 0.5}})
    np.testing.assert_allclose(raked.weights, 1.0)
    assert raked.design_effect == pytest.approx(1.0)


@pytest.mark.parametrize(("margins", "error", "message"), [
    ({"age": {"a": 0.5, "b": 0.6}}, ValueError, "add up to 1, they add up to 1.1"),
    ({"age": {"a": 1.0}}, ValueError, r"levels with no population share: \['b'\]"),
    ({"age": {"a": 0.5, "b": 0.3, "c": 0.2}}, ValueError, r"no answer in the sample has age in \['c'\]"),
    ({"region": {"x": 1.0}}, ValueError, "column 'region', which the frame does not have"),
    ({"age": {"a": -0.5, "b": 1.5}}, ValueError, "share of age='a' must be a number above 0"),
    ({"age": [0.5, 0.5]}, TypeError, "must be a dict of level -> population share"),
    ({}, TypeError, "non-empty dict"),
])
def test_bad_margins_are_refused_with_a_clear_message(margins, error, message):
    sample = pd.DataFrame({"age": ["a", "b", "a"]})
    with pytest.raises(error, match=message):
        cxlab.rake(sample, margins)


def test_raking_refuses_missing_levels_in_the_sample():
    with pytest.raises(ValueError, match="missing value"):
        cxlab.rake(pd.DataFrame({"age": ["a", None]}), {"age": {"a": 1.0}})


# ------------------------------------------------------------------ weighted metrics


@pytest.mark.filterwarnings("ignore:the wald interval:RuntimeWarning")
@settings(max_examples=60, deadline=None)
@given(nps_scores, st.floats(min_value=0.01, max_value=50), st.sampled_from(["wald", "adjusted-wald"]))
def test_equal_weights_give_the_unweighted_nps(scores, weight, method):
    plain = cxlab.nps(scores, method=method)
    weighted = cxlab.nps(scores, method=method, weights=[weight] * len(scores))
    for name in ("value", "low", "high", "se"):
        assert getattr(weighted, name) == pytest.approx(getattr(plain, name), abs=1e-9)
    assert weighted.effective_n == pytest.approx(len(scores))
    assert (weighted.promoters, weighted.n) == (plain.promoters, plain.n)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(1, 5), min_size=2, max_size=60), st.floats(min_value=0.01, max_value=50))
def test_equal_weights_give_the_unweighted_csat_ces_and_proportion(ratings, weight):
    weights = [weight] * len(ratings)
    for function in (cxlab.csat, lambda r, **k: cxlab.ces(r, scale=5, **k)):
        plain, weighted = function(ratings), function(ratings, weights=weights)
        assert (weighted.value, weighted.low, weighted.high) == pytest.approx((plain.value, plain.low, plain.high))
    flags = [rating >= 4 for rating in ratings]
    plain, weighted = cxlab.proportion(flags), cxlab.proportion(flags, weights=weights)
    assert (weighted.value, weighted.low, weighted.high) == pytest.approx((plain.value, plain.low, plain.high))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 10), st.integers(1, 4)), min_size=1, max_size=30))
def test_a_whole_weight_counts_like_repeating_the_answer(pairs):
    scores = [score for score, _ in pairs]
    weights = [weight for _, weight in pairs]
    repeated = [score for score, weight in pairs for _ in range(weight)]
    assert cxlab.nps(scores, weights=weights).value == pytest.approx(cxlab.nps_score(repeated))
    assert cxlab.nps(scores, weights=weights).shares["promoters"] == pytest.approx(
        100 * sum(score >= 9 for score in repeated) / len(repeated))


def test_weighted_estimates_agree_with_statsmodels_descrstatsw():
    rng = np.random.default_rng(11)
    scores = rng.integers(0, 11, 300)
    ratings = rng.integers(1, 8, 300)
    weights = rng.lognormal(0, 0.5, 300)
    points = np.select([scores >= 9, scores <= 6], [100.0, -100.0], 0.0)
    assert cxlab.nps(scores, weights=weights).value == pytest.approx(DescrStatsW(points, weights).mean)
    # CES: the t interval of a sample of Kish's effective size is statsmodels' interval with
    # the weights rescaled to add up to that size (frequency weights, ddof 1).
    effective_n = cxlab.effective_sample_size(weights)
    stats = DescrStatsW(ratings, weights * effective_n / weights.sum(), ddof=1)
    result = cxlab.ces(ratings, weights=weights)
    assert result.value == pytest.approx(stats.mean)
    assert (result.low, result.high) == pytest.approx(stats.tconfint_mean(alpha=0.05), rel=1e-9)
    assert result.effective_n == pytest.approx(effective_n)
    # A weighted share: Wilson's interval at the effective sample size.
    flags = ratings >= 5
    share = DescrStatsW(flags.astype(float), weights).mean
    low, high = proportion_confint(share * effective_n, effective_n, method="wilson")
    weighted = cxlab.proportion(flags, weights=weights)
    assert weighted.value == pytest.approx(100 * share)
    assert (weighted.low, weighted.high) == pytest.approx((100 * low, 100 * high))
    csat = cxlab.csat(ratings, scale=7, top=3, weights=weights)
    assert (csat.value, csat.low, csat.high) == pytest.approx((weighted.value, weighted.low, weighted.high))


def test_the_weighted_interval_is_wider_than_the_nominal_one_by_the_square_root_of_deff():
    rng = np.random.default_rng(2)
    scores = rng.integers(0, 11, 2000)
    weights = rng.choice([0.5, 2.0], 2000)
    weighted = cxlab.nps(scores, weights=weights, method="wald")
    deff = cxlab.kish_design_effect(weights)
    points = np.select([scores >= 9, scores <= 6], [1.0, -1.0], 0.0)
    share_p = np.average(points == 1, weights=weights)
    share_d = np.average(points == -1, weights=weights)
    nominal_se = 100 * np.sqrt((share_p + share_d - (share_p - share_d) ** 2) / 2000)
    assert weighted.se == pytest.approx(nominal_se * np.sqrt(deff), rel=1e-9)


def test_weights_with_missing_scores_drop_together_and_the_interval_recomputes():
    result = cxlab.nps([10, None, 3, 9], weights=[1, 100, 1, 2], nan_policy="omit")
    assert result.value == pytest.approx(100 * (3 - 1) / 4)
    assert result.n == 3
    with pytest.raises(ValueError, match="missing"):
        cxlab.nps([10, None, 3], weights=[1, 1, 1])
    again = result.confidence_interval(0.9)
    assert again.high - again.low < result.high - result.low


def test_weighted_nps_refuses_the_bootstrap_and_bad_scores():
    with pytest.raises(ValueError, match="bootstrap' does not take weights"):
        cxlab.nps([10, 9, 3], weights=[1, 1, 1], method="bootstrap")
    with pytest.raises(ValueError, match="0-10"):
        cxlab.nps([10, 11, 3], weights=[1, 1, 1])
    with pytest.raises(ValueError, match="1-4"):
        cxlab.csat([1, 5], scale=4, weights=[1, 1])


def test_weighted_scale_counts_add_up_to_the_effective_size():
    counts, n, effective_n = weighted_scale_counts(pd.Series([1, 2, 2], index=[7, 8, 9]), [1, 1, 2], low=1, high=2)
    assert n == 3
    assert counts.sum() == pytest.approx(effective_n) == pytest.approx(16 / 6)
    assert counts[1] / counts.sum() == pytest.approx(3 / 4)


def test_raking_that_misses_its_margins_warns_naming_the_worst_and_prints_nothing(capsys):
    sample = pd.DataFrame({"age": ["young"] * 6 + ["old"] * 4,
                           "user": ["yes", "no", "no", "no", "no", "no", "yes", "yes", "yes", "no"]})
    margins = {"age": {"young": 0.4, "old": 0.6}, "user": {"yes": 0.5, "no": 0.5}}
    with pytest.warns(RuntimeWarning, match=r"did not reach the population's margins in 1 iteration\(s\): the "
                                            r"furthest is \w+='\w+', weighted 0\.\d{4} against a target of 0\.\d{4}"):
        raked = cxlab.rake(sample, margins, max_iterations=1)
    assert not raked.converged
    assert capsys.readouterr().out == ""
    with pytest.warns(DeprecationWarning, match="read RakingResult.converged"):
        assert raked.iterations_converged is False
    assert cxlab.rake(sample, margins).converged
