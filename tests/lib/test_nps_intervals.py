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

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats as scipy_stats
from statsmodels.stats.weightstats import DescrStatsW

import cxlab


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
    assert forward.difference == -backward.difference
    assert -200 <= forward.difference <= 200
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
