"""NPS and eNPS intervals and the two-sample NPS test against published definitions and reference output.

Reference sources, named where they are used:
- Reichheld (2003), HBR: NPS = % promoters (9-10) - % detractors (0-6).
- Rocks (2016), The American Statistician 70(4): the trinomial (Wald) variance
  (p + d) - (p - d)^2 per response, and the adjusted Wald interval (add 3/4
  promoter, 3/2 passive, 3/4 detractor). The same recipe is published by Lewis and
  Sauro (MeasuringU, "Confidence Intervals for Net Promoter Scores", 2021).
- statsmodels, an independent implementation, for the trinomial mean.

Invariants of the NPS and its intervals are checked on generated samples (hypothesis).
"""

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from statsmodels.stats.weightstats import DescrStatsW

import cxlab
from cxlab.stats.nps_intervals import coverage_table, interval_coverage


def scores_from_counts(promoters, passives, detractors):
    return np.array([10] * promoters + [8] * passives + [3] * detractors)


def coded(scores):
    scores = np.asarray(scores)
    return np.where(scores >= 9, 1, np.where(scores <= 6, -1, 0))


scores = st.lists(st.integers(min_value=0, max_value=10), min_size=1, max_size=300)
methods = st.sampled_from(["wald", "adjusted-wald", "bootstrap"])
levels = st.floats(min_value=0.5, max_value=0.999)


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
    result = cxlab.nps(scores, method="wald")
    descriptive = DescrStatsW(coded(scores))
    n = len(scores)
    assert result.value == pytest.approx(100 * descriptive.mean)
    assert result.se == pytest.approx(100 * descriptive.std_mean * math.sqrt((n - 1) / n))
    z = scipy_stats.norm.ppf(0.975)
    assert result.low == pytest.approx(result.value - z * result.se)
    assert result.high == pytest.approx(result.value + z * result.se)


def test_wald_variance_formula_by_hand():
    # 50 promoters, 30 passives, 20 detractors: p=.5, d=.2, var = .7 - .09 = .61.
    result = cxlab.nps_from_counts(50, 30, 20, method="wald")
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
    with pytest.warns(RuntimeWarning, match="zero width.*use method='adjusted-wald'"):
        wald = cxlab.nps([10] * 10, method="wald")
    adjusted = cxlab.nps([10] * 10, method="adjusted-wald")
    assert wald.low == wald.high == 100.0
    assert -100 <= adjusted.low < adjusted.high <= 100
    assert adjusted.high - adjusted.low > 20


def test_bootstrap_is_seeded_and_close_to_wald_for_large_n():
    scores = scores_from_counts(400, 350, 250)
    first = cxlab.nps(scores, method="bootstrap", seed=7)
    second = cxlab.nps(scores, method="bootstrap", seed=7)
    wald = cxlab.nps(scores, method="wald")
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
    result = cxlab.nps_test(a, b, method="wald")
    se = math.hypot(cxlab.nps(a, method="wald").se, cxlab.nps(b, method="wald").se)
    assert result.value == pytest.approx(10.0)
    assert result.se == pytest.approx(se)
    assert result.statistic == pytest.approx(10.0 / se)
    assert result.pvalue == pytest.approx(2 * scipy_stats.norm.sf(10.0 / se))
    assert result.pvalue == pytest.approx(0.3889, abs=1e-3)


def test_two_sample_bootstrap_and_adjusted_methods_agree_roughly_with_wald():
    a, b = scores_from_counts(450, 300, 250), scores_from_counts(400, 300, 300)
    wald = cxlab.nps_test(a, b, method="wald")
    for method in ("adjusted-wald", "bootstrap"):
        other = cxlab.nps_test(a, b, method=method, seed=3)
        assert other.value == wald.value
        assert other.se == pytest.approx(wald.se, rel=0.05)
        assert other.low == pytest.approx(wald.low, abs=1.5)


# ------------------------------------------------------------------ invariants


@given(scores, methods, levels)
def test_nps_and_interval_stay_on_the_scale(sample, method, ci):
    result = cxlab.nps(sample, ci=ci, method=method, seed=0, n_resamples=200)
    assert -100 <= result.low <= result.high <= 100
    assert -100 <= result.value <= 100
    assert result.se >= 0
    assert result.promoters + result.passives + result.detractors == result.n == len(sample)


@given(scores, st.sampled_from(["wald", "bootstrap"]), levels)
def test_interval_contains_the_estimate(sample, method, ci):
    # The adjusted Wald interval is centred on the adjusted estimate, so for tiny
    # samples it can exclude the raw NPS by design (Rocks 2016); it is left out here.
    result = cxlab.nps(sample, ci=ci, method=method, seed=1, n_resamples=200)
    assert result.low <= result.value <= result.high


@given(scores)
def test_adjusted_wald_contains_the_estimate_once_n_is_moderate(sample):
    sample = sample * 10  # at least 10 responses per distinct answer pattern
    result = cxlab.nps(sample, method="adjusted-wald")
    assert result.low <= result.value + 1e-9
    assert result.value - 1e-9 <= result.high or result.value == 100


@given(scores, st.randoms(use_true_random=False))
def test_order_of_responses_does_not_matter(sample, random):
    shuffled = list(sample)
    random.shuffle(shuffled)
    assert cxlab.nps(shuffled) == cxlab.nps(sample)
    assert cxlab.nps(shuffled, method="bootstrap", seed=5) == cxlab.nps(sample, method="bootstrap", seed=5)


@given(scores, scores, methods)
def test_two_sample_difference_is_antisymmetric(a, b, method):
    forward = cxlab.nps_test(a, b, method=method, seed=2, n_resamples=200)
    backward = cxlab.nps_test(b, a, method=method, seed=2, n_resamples=200)
    assert forward.value == -backward.value
    assert -200 <= forward.value <= 200
    assert 0 <= forward.pvalue <= 1
    if method != "bootstrap":  # resampling noise breaks exact symmetry of the bounds
        assert forward.se == backward.se
        assert np.isclose(forward.low, -backward.high) and np.isclose(forward.high, -backward.low)
        assert np.isclose(forward.statistic, -backward.statistic) or forward.statistic == -backward.statistic


@given(scores)
def test_raising_one_detractor_to_promoter_never_lowers_nps(sample):
    if min(sample) > 6:
        return
    improved = list(sample)
    improved[improved.index(min(sample))] = 10
    assert cxlab.nps(improved).value > cxlab.nps(sample).value


# ------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("call", "pattern"),
    [
        (lambda: cxlab.nps([9], ci=1.5), r"ci must be strictly between 0 and 1"),
        (lambda: cxlab.nps([9], method="exact"), r"method must be one of"),
        (lambda: cxlab.nps([9], nan_policy="ignore"), r"nan_policy must be one of"),
        (lambda: cxlab.nps_from_counts(0, 0, 0), r"at least one respondent"),
        (lambda: cxlab.nps_from_counts(-1, 0, 3), r"promoters must be 0 or more"),
        (lambda: cxlab.nps([9], method="bootstrap", n_resamples=10), r"at least 100"),
    ],
)
def test_bad_arguments_raise_clear_errors(call, pattern):
    with pytest.raises((ValueError, TypeError), match=pattern):
        call()


# ------------------------------------------------------- consistency, coverage, dialect

counts = st.tuples(st.integers(0, 40), st.integers(0, 40), st.integers(0, 40)).filter(lambda c: sum(c) > 0)


def _scores(triple):
    return [10] * triple[0] + [8] * triple[1] + [3] * triple[2]


@settings(max_examples=300, deadline=None)
@given(a=counts, b=counts, method=st.sampled_from(cxlab.stats.NPS_METHODS), ci=st.sampled_from([0.8, 0.9, 0.95, 0.99]))
def test_nps_test_p_value_agrees_with_its_interval(a, b, method, ci):
    # The review found the adjusted Wald interval centred on the adjusted difference
    # while z used the plain one: for a = 3 promoters and b = 9/1/7 the 95% interval
    # held 0 and p was 0.013. Now p < 1 - ci exactly when the interval excludes 0.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        result = cxlab.nps_test(_scores(a), _scores(b), method=method, ci=ci, seed=5, n_resamples=400)
    excludes_zero = result.low > 0 or result.high < 0
    assert (result.pvalue < 1 - ci) == excludes_zero


def test_the_reviews_counter_example_is_consistent_now():
    result = cxlab.nps_test([10] * 3, [10] * 9 + [8] + [3] * 7, method="adjusted-wald")
    assert (result.pvalue < 0.05) == (result.low > 0 or result.high < 0)


def test_zero_width_and_infinite_results_warn_and_say_what_to_do():
    with pytest.warns(RuntimeWarning, match="use method='adjusted-wald'"):
        test = cxlab.nps_test([10] * 3, [0] * 3, method="wald")
    assert math.isinf(test.statistic) and test.pvalue == 0.0
    with pytest.warns(RuntimeWarning, match="zero width"):
        cxlab.nps([10, 10, 10], method="bootstrap", seed=1)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        default = cxlab.nps([10, 10, 10])
    assert default.low < default.high == 100.0
    # The default's test has a spread; its interval, centred on the adjusted difference
    # (+100), leaves out the sample's +200, and a warning says so instead of staying silent.
    with pytest.warns(RuntimeWarning, match=r"adjusted Wald interval \(.*\) does not hold the estimate 200"):
        small_test = cxlab.nps_test([10] * 3, [0] * 3)
    assert math.isfinite(small_test.statistic) and 0 < small_test.pvalue < 1
    assert small_test.high < small_test.value == 200


def test_coverage_is_exact_for_the_normal_methods():
    # n = 1: the sample is a single promoter, passive or detractor; each gives one interval.
    truth = 100 * (0.5 - 0.2)
    expected = sum(
        share for share, triple in ((0.5, (1, 0, 0)), (0.3, (0, 1, 0)), (0.2, (0, 0, 1)))
        if cxlab.nps_from_counts(*triple, method="adjusted-wald").low <= truth
        <= cxlab.nps_from_counts(*triple, method="adjusted-wald").high
    )
    assert interval_coverage(1, 0.5, 0.2, method="adjusted-wald") == pytest.approx(expected)


def test_coverage_study_findings_at_a_fixed_seed():
    # The study behind the default (bench/nps_coverage.py; the kind Rocks 2016 reports):
    # adjusted Wald keeps at least 94% everywhere on the grid, from n = 10 to 1,000 and
    # from balanced mixes to 98% in one category; Wald and the bootstrap fall far below
    # 95% for small samples with extreme mixes, and all three meet near 95% at n = 1,000
    # for a balanced mix.
    table = coverage_table(sizes=(10, 30, 100, 1000), n_samples=600, n_resamples=400, seed=20261123)
    lowest = table.groupby("method")["coverage"].min()
    assert lowest["adjusted-wald"] >= 0.94
    assert lowest["wald"] < 0.5 and lowest["bootstrap"] < 0.5
    small_extreme = table[(table["n"] == 10) & (table["promoters"] == 0.9)].set_index("method")["coverage"]
    assert small_extreme["wald"] < 0.7 and small_extreme["bootstrap"] < 0.75 and small_extreme["adjusted-wald"] > 0.94
    balanced_large = table[(table["n"] == 1000) & (table["promoters"] == 0.4)].set_index("method")["coverage"]
    assert balanced_large.between(0.93, 0.97).all()


def test_results_speak_one_dialect():
    result = cxlab.nps_from_counts(50, 30, 20)
    assert result.confidence_interval() == (result.low, result.high)
    wider = result.confidence_interval(confidence_level=0.99)
    assert wider.low < result.low and wider.high > result.high
    assert wider == cxlab.nps_from_counts(50, 30, 20, ci=0.99).confidence_interval()
    frame = result.to_frame()
    assert frame.shape[0] == 1 and {"value", "low", "high", "n", "method"} <= set(frame.columns)
    test = cxlab.nps_test([10] * 40 + [3] * 10, [10] * 30 + [3] * 20, method="bootstrap", seed=4)
    again = test.confidence_interval(0.8)
    assert again == cxlab.nps_test([10] * 40 + [3] * 10, [10] * 30 + [3] * 20, method="bootstrap", seed=4,
                                   ci=0.8).confidence_interval()
    assert "_interval" not in repr(test) and "samples" not in repr(test)


def test_old_spellings_work_for_one_release_with_a_warning():
    with pytest.warns(DeprecationWarning, match="ci=..."):
        old = cxlab.nps([10, 9, 3], 0.9)
    assert old.ci == 0.9
    with pytest.warns(DeprecationWarning, match="use .value"):
        difference = cxlab.nps_test([10, 9, 3], [3, 3, 9]).difference
    assert difference == cxlab.nps_test([10, 9, 3], [3, 3, 9]).value
    with pytest.raises(TypeError, match="two values for 'ci'"):
        cxlab.nps([10], 0.9, ci=0.8)
    with pytest.raises(TypeError, match="method must be one of"):
        cxlab.nps([10], method=3)
