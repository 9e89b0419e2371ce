"""Path models against published reference values, closed forms and invariants."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlab import paths

# Bollen (1989), lavaan's tutorial model (https://lavaan.ugent.be/tutorial/sem.html).
DEMOCRACY_MODEL = """
# measurement model
ind60 =~ x1 + x2 + x3
dem60 =~ y1 + y2 + y3 + y4
dem65 =~ y5 + y6 + y7 + y8
# regressions
dem60 ~ ind60
dem65 ~ ind60 + dem60
# residual correlations
y1 ~~ y5
y2 ~~ y4 + y6
y3 ~~ y7
y4 ~~ y8
y6 ~~ y8
"""


@pytest.fixture(scope="module")
def democracy():
    pytest.importorskip("semopy")
    from semopy.examples import political_democracy

    return political_democracy.get_data()


@pytest.fixture(scope="module")
def democracy_fit(democracy):
    return paths.fit_sem(democracy, DEMOCRACY_MODEL)


def exact_covariance_data(covariance: np.ndarray, n: int, seed: int = 0) -> pd.DataFrame:
    """n rows whose sample covariance (ddof=1) is exactly ``covariance``: random rows, whitened, then coloured."""
    rng = np.random.default_rng(seed)
    raw = rng.normal(size=(n, covariance.shape[0]))
    raw -= raw.mean(axis=0)
    whitened = raw @ np.linalg.inv(np.linalg.cholesky(np.cov(raw, rowvar=False)).T)
    rows = whitened @ np.linalg.cholesky(covariance).T
    return pd.DataFrame(rows, columns=[f"q{i}" for i in range(1, covariance.shape[0] + 1)])


# ---- SEM: lavaan's political-democracy example ----------------------------------------

def test_political_democracy_regressions_match_lavaans_tutorial(democracy_fit):
    """lavaan tutorial (sem.html), Regressions block: estimate, Std.Err and std.all, printed to 3 decimals."""
    table = democracy_fit.paths().set_index(["lhs", "rhs"])
    published = {("dem60", "ind60"): (1.483, 0.399, 0.447),
                 ("dem65", "ind60"): (0.572, 0.221, 0.182),
                 ("dem65", "dem60"): (0.837, 0.098, 0.885)}
    for key, (estimate, se, std_all) in published.items():
        # semopy's optimiser stops within 1e-3 of lavaan's (1.4824 vs 1.483, 0.8376 vs 0.837)
        assert table.loc[key, "estimate"] == pytest.approx(estimate, abs=1.5e-3), key
        assert table.loc[key, "se"] == pytest.approx(se, abs=1.5e-3), key
        assert table.loc[key, "std_all"] == pytest.approx(std_all, abs=1.5e-3), key
    assert list(table.index) == list(published)


def test_political_democracy_table_follows_lavaans_conventions(democracy_fit):
    table = democracy_fit.estimates
    assert list(table.columns) == ["lhs", "op", "rhs", "estimate", "se", "z", "pvalue", "std_all"]
    loadings = table[table["op"] == "=~"]
    assert loadings[["lhs", "rhs"]].values.tolist()[:3] == [["ind60", "x1"], ["ind60", "x2"], ["ind60", "x3"]]
    # lavaan: x2 loads 2.180 (se 0.139), y2 1.257 (0.182); first loadings fixed at 1 without a standard error
    by_pair = table.set_index(["lhs", "op", "rhs"])
    assert by_pair.loc[("ind60", "=~", "x2"), "estimate"] == pytest.approx(2.180, abs=1.5e-3)
    assert by_pair.loc[("dem60", "=~", "y2"), "estimate"] == pytest.approx(1.257, abs=1.5e-3)
    assert by_pair.loc[("ind60", "=~", "x1"), "estimate"] == 1 and math.isnan(by_pair.loc[("ind60", "=~", "x1"), "se"])
    # a residual covariance, lavaan 0.624 (y1 ~~ y5)
    assert by_pair.loc[("y1", "~~", "y5"), "estimate"] == pytest.approx(0.624, abs=1.5e-3)
    assert set(table["op"]) == {"=~", "~", "~~"} and democracy_fit.n == 75


def test_political_democracy_fit_matches_lavaan(democracy_fit):
    """Test statistic 38.125 on 35 df, p 0.329 (lavaan tutorial, sem.html); CFI 0.995, TLI 0.993, RMSEA 0.035
    with its 90% interval 0.000 to 0.092 and SRMR 0.044 (lavaan's fitMeasures for the same model).

    semopy's RMSEA divides by n - 1 where lavaan divides by n: 0.0347 against lavaan's 0.0345, both
    0.035; the interval here uses n - 1 too, so its upper end is 0.0929 against lavaan's 0.0922.
    """
    fit = democracy_fit.fit
    assert list(fit.index) == list(paths.FIT_INDICES)
    assert fit["chi2"] == pytest.approx(38.125, abs=1e-3)
    assert fit["df"] == 35
    assert fit["pvalue"] == pytest.approx(0.329, abs=1e-3)
    assert fit["cfi"] == pytest.approx(0.995, abs=5e-4)
    assert fit["tli"] == pytest.approx(0.993, abs=5e-4)
    assert fit["rmsea"] == pytest.approx(0.035, abs=5e-4)
    assert fit["rmsea_low"] == 0
    assert fit["rmsea_high"] == pytest.approx(0.092, abs=1e-3)
    assert fit["srmr"] == pytest.approx(0.044, abs=5e-4)
    assert "chi2=38.125" in repr(democracy_fit)


def test_rmsea_interval_brackets_the_noncentrality_that_puts_chi2_at_each_tail():
    from scipy.stats import ncx2

    low, high = paths._rmsea_interval(120.0, 40, 301)
    for end, tail in ((low, 0.95), (high, 0.05)):
        assert ncx2.cdf(120.0, 40, end**2 * 40 * 300) == pytest.approx(tail, abs=1e-6)
    assert low < math.sqrt((120 - 40) / (40 * 300)) < high


def test_scaling_an_indicator_leaves_standardised_estimates_unchanged(democracy, democracy_fit):
    # semopy's optimiser stops within about 1e-3 of the optimum; a rescaling by 10 or more moves where
    # it stops by up to 0.015, so the factors here are moderate
    scaled = democracy.assign(y3=democracy["y3"] * 2.5, x2=democracy["x2"] * 3.0)
    again = paths.fit_sem(scaled, DEMOCRACY_MODEL)
    assert again.estimates["std_all"].to_numpy() == pytest.approx(democracy_fit.estimates["std_all"].to_numpy(),
                                                                  abs=2e-3)
    assert again.fit["chi2"] == pytest.approx(democracy_fit.fit["chi2"], abs=1e-2)


def test_fit_sem_checks_its_input_first():
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 4, 3, 6, 5], "c": [1.0, 3, 2, 5, 4, 6]})
    with pytest.raises(ValueError, match=r"the model names \['d'\], which are neither columns.*has columns \['a', 'b', 'c'\]"):
        paths.fit_sem(frame, "f =~ a + b + d")
    with pytest.raises(ValueError, match=r"3 complete rows are too few for a model of 3 observed variables: need at least 4"):
        paths.fit_sem(frame.head(3), "f =~ a + b + c")
    with pytest.raises(ValueError, match=r"column\(s\) \['b'\] are constant"):
        paths.fit_sem(frame.assign(b=2.0), "f =~ a + b + c")
    with pytest.raises(TypeError, match=r"column 'c' must hold numbers \(scores or measures\); found 'high'"):
        paths.fit_sem(frame.assign(c=["high", 1, 2, 3, 4, 5]), "f =~ a + b + c")
    with pytest.raises(ValueError, match=r"1 row\(s\) have a missing value in \['a', 'b', 'c'\].*nan_policy='omit'"):
        paths.fit_sem(frame.assign(a=[np.nan, 2, 3, 4, 5, 6]), "f =~ a + b + c")
    with pytest.raises(ValueError, match=r"model line 1 \('a b c'\) has none of the operators"):
        paths.fit_sem(frame, "a b c")
    with pytest.raises(ValueError, match="model is empty"):
        paths.fit_sem(frame, "# nothing\n")
    with pytest.raises(TypeError, match="model must be text in lavaan's syntax"):
        paths.fit_sem(frame, ["f =~ a + b + c"])
    with pytest.raises(ValueError, match="nan_policy must be one of"):
        paths.fit_sem(frame, "f =~ a + b + c", nan_policy="drop")


def test_fit_sem_names_the_extra_when_semopy_is_missing(monkeypatch):
    import importlib.util

    from cxlab.io import MissingExtra

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *args: None if name == "semopy" else real(name, *args))
    frame = pd.DataFrame({"a": [1.0, 2, 3, 4, 5, 6], "b": [2.0, 1, 4, 3, 6, 5], "c": [1.0, 3, 2, 5, 4, 6]})
    with pytest.raises(MissingExtra, match=r'fit_sem needs semopy.*pip install "cxlab\[sem\]"'):
        paths.fit_sem(frame, "f =~ a + b + c")


# ---- reliability --------------------------------------------------------------------------

def test_alpha_of_parallel_items_is_spearman_browns_formula():
    """k items with equal variances and inter-item correlation r: alpha = k r / (1 + (k - 1) r) (Spearman-Brown;
    e.g. Nunnally and Bernstein 1994, ch. 6). k = 4, r = 0.5: alpha = 0.8 exactly."""
    covariance = np.full((4, 4), 0.5) + 0.5 * np.eye(4)
    result = paths.cronbach_alpha(exact_covariance_data(covariance * 2.25, 200))
    assert result.value == pytest.approx(0.8, abs=1e-12)
    assert (result.method, result.n, result.n_items, result.items) == ("alpha", 200, 4, ("q1", "q2", "q3", "q4"))


def test_alpha_matches_its_definition_and_feldts_interval():
    covariance = np.array([[4.0, 2.0, 1.5], [2.0, 3.0, 1.2], [1.5, 1.2, 2.0]])
    result = paths.cronbach_alpha(exact_covariance_data(covariance, 50), confidence_level=0.9)
    expected = 3 / 2 * (1 - np.trace(covariance) / covariance.sum())
    assert result.value == pytest.approx(expected, abs=1e-12)
    from scipy.stats import f

    # Feldt, Woodruff and Salih (1987): 1 - (1 - alpha) F(upper and lower tail; n - 1, (n - 1)(k - 1))
    assert result.low == pytest.approx(1 - (1 - expected) * f.ppf(0.95, 49, 98))
    assert result.high == pytest.approx(1 - (1 - expected) * f.ppf(0.05, 49, 98))
    wider = result.confidence_interval(0.99)
    assert wider.low < result.low < result.value < result.high < wider.high
    assert result.to_frame()["items"].iloc[0] == "q1, q2, q3"


def test_omega_recovers_the_closed_form_of_a_one_factor_population():
    """Sample covariance exactly L L' + diag(psi): omega = (sum L)^2 / ((sum L)^2 + sum psi) (McDonald 1999)."""
    loadings, residual = np.array([0.9, 0.7, 0.5, 0.8]), np.array([0.4, 0.6, 0.8, 0.5])
    covariance = np.outer(loadings, loadings) + np.diag(residual)
    result = paths.mcdonald_omega(exact_covariance_data(covariance, 400), n_resamples=200, seed=1)
    expected = loadings.sum() ** 2 / (loadings.sum() ** 2 + residual.sum())
    assert result.value == pytest.approx(expected, abs=1e-6)
    assert result.low < result.value < result.high and result.method == "omega"


def test_omega_agrees_with_statsmodels_maximum_likelihood_factor_analysis():
    from statsmodels.multivariate.factor import Factor

    rng = np.random.default_rng(4)
    common = rng.normal(size=250)
    items = pd.DataFrame({f"q{i}": weight * common + rng.normal(scale=noise, size=250)
                          for i, (weight, noise) in enumerate([(1.0, 1.0), (0.5, 0.7), (0.8, 1.3), (0.3, 0.5)])})
    covariance = np.cov(items.to_numpy(), rowvar=False)
    spread = np.sqrt(np.diag(covariance))
    fitted = Factor(corr=covariance / np.outer(spread, spread), n_factor=1, method="ml", nobs=250).fit()
    loadings, residual = np.abs(fitted.loadings.ravel()) * spread, fitted.uniqueness * spread**2
    expected = loadings.sum() ** 2 / (loadings.sum() ** 2 + residual.sum())
    assert paths.mcdonald_omega(items, n_resamples=100, seed=1).value == pytest.approx(expected, abs=1e-5)


def test_equal_loadings_make_omega_equal_alpha():
    covariance = np.full((5, 5), 0.36) + 0.64 * np.eye(5)
    data = exact_covariance_data(covariance, 300)
    assert paths.mcdonald_omega(data, n_resamples=100, seed=1).value == pytest.approx(
        paths.cronbach_alpha(data).value, abs=1e-6)


@settings(max_examples=20)
@given(factor=st.floats(min_value=0.01, max_value=100))
def test_scaling_an_item_leaves_alpha_of_standardised_items_unchanged(factor):
    rng = np.random.default_rng(2)
    common = rng.normal(size=120)
    items = pd.DataFrame({f"q{i}": common + rng.normal(size=120) for i in range(4)})
    standardised = lambda frame: (frame - frame.mean()) / frame.std()
    scaled = items.assign(q2=items["q2"] * factor)
    assert paths.cronbach_alpha(standardised(scaled)).value == pytest.approx(
        paths.cronbach_alpha(standardised(items)).value, abs=1e-10)


def test_reliability_checks_its_input():
    items = pd.DataFrame({"a": [1, 2, 3, 4], "b": [2, 2, 4, 3], "c": [1, 3, 3, 4]})
    with pytest.raises(ValueError, match=r"a scale needs at least 2 items \(columns\), got 1: \['a'\]"):
        paths.cronbach_alpha(items, ["a"])
    with pytest.raises(ValueError, match=r"a scale needs at least 3 items \(columns\), got 2"):
        paths.mcdonald_omega(items, ["a", "b"])
    with pytest.raises(ValueError, match=r"column\(s\) \['z'\] not found"):
        paths.cronbach_alpha(items, ["a", "z"])
    with pytest.raises(TypeError, match="items must be a list of column names, got the single text 'a'"):
        paths.cronbach_alpha(items, "a")
    with pytest.raises(ValueError, match=r"item column\(s\) \['b'\] are constant"):
        paths.cronbach_alpha(items.assign(b=3))
    with pytest.raises(TypeError, match=r"column 'c' must hold item scores \(numbers\); found 'x'"):
        paths.cronbach_alpha(items.assign(c=["x", 1, 2, 3]))
    with pytest.raises(ValueError, match=r"1 row\(s\) have a missing value"):
        paths.cronbach_alpha(items.assign(a=[np.nan, 2, 3, 4]))
    assert paths.cronbach_alpha(items.assign(a=[np.nan, 2, 3, 4, ][:4]).iloc[:4], nan_policy="omit").n == 3
    with pytest.raises(ValueError, match=r"2 complete rows are too few for a reliability: need at least 3"):
        paths.cronbach_alpha(items.head(2))
    with pytest.raises(ValueError, match=r"ci must be strictly between 0 and 1 \(for example 0.95\), got 95"):
        paths.cronbach_alpha(items, confidence_level=95)
    with pytest.raises(ValueError, match="n_resamples must be at least 100, got 10"):
        paths.mcdonald_omega(items, n_resamples=10)
    with pytest.raises(TypeError, match="data must be a pandas DataFrame"):
        paths.cronbach_alpha(np.ones((4, 3)))


# ---- mediation -----------------------------------------------------------------------------

def simulated_chain(n: int, a: float, b: float, direct: float, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    x = rng.normal(size=n)
    m = a * x + rng.normal(size=n)
    y = b * m + direct * x + rng.normal(size=n)
    return pd.DataFrame({"x": x, "m": m, "y": y, "age": rng.normal(40, 10, size=n)})


def test_mediation_paths_match_statsmodels_ols_and_total_is_direct_plus_indirect():
    import statsmodels.formula.api as smf

    frame = simulated_chain(300, 0.5, 0.4, 0.2, seed=1)
    result = paths.mediation(frame, x="x", m="m", y="y", covariates=["age"], n_resamples=500, seed=2)
    a = smf.ols("m ~ x + age", frame).fit().params["x"]
    fit_b = smf.ols("y ~ x + m + age", frame).fit()
    total = smf.ols("y ~ x + age", frame).fit()
    assert result.a == pytest.approx(a) and result.b == pytest.approx(fit_b.params["m"])
    assert result.direct == pytest.approx(fit_b.params["x"]) and result.total == pytest.approx(total.params["x"])
    assert result.value == pytest.approx(a * fit_b.params["m"])
    assert result.total == pytest.approx(result.direct + result.value)
    table = result.to_frame()
    assert list(table.index) == ["indirect", "direct", "total"] and list(table.columns) == ["estimate", "low", "high"]
    assert table.loc["total", ["low", "high"]].tolist() == pytest.approx(total.conf_int().loc["x"].tolist())
    assert table.attrs["proportion_mediated"] == pytest.approx(result.value / result.total)
    assert result.covariates == ("age",) and result.n == 300 and result.n_resamples == 500


def test_mediation_bootstrap_interval_is_near_sobels_in_a_large_sample():
    """Sobel (1982): a * b +/- z * sqrt(a^2 se_b^2 + b^2 se_a^2). With 2000 rows a * b is near normal, so the
    percentile bootstrap's ends agree with it to within 0.01 (both implementations, one formula)."""
    import statsmodels.formula.api as smf

    frame = simulated_chain(2000, 0.5, 0.4, 0.2, seed=3)
    fit_a, fit_b = smf.ols("m ~ x", frame).fit(), smf.ols("y ~ x + m", frame).fit()
    a, b = fit_a.params["x"], fit_b.params["m"]
    se = math.sqrt(a**2 * fit_b.bse["m"] ** 2 + b**2 * fit_a.bse["x"] ** 2)
    ours = paths.mediation(frame, x="x", m="m", y="y", n_resamples=4000, seed=4)
    assert ours.value == pytest.approx(a * b, abs=1e-12)
    assert ours.low == pytest.approx(a * b - 1.959964 * se, abs=0.01)
    assert ours.high == pytest.approx(a * b + 1.959964 * se, abs=0.01)


def test_the_bootstrap_reproduces_with_a_seed_and_gives_other_levels_from_its_draws():
    frame = simulated_chain(150, 0.4, 0.4, 0.0, seed=5)
    first = paths.mediation(frame, x="x", m="m", y="y", n_resamples=300, seed=9)
    again = paths.mediation(frame, x="x", m="m", y="y", n_resamples=300, seed=9)
    assert (first.low, first.high) == (again.low, again.high)
    narrow = first.confidence_interval(0.8)
    assert first.low < narrow.low < narrow.high < first.high


@settings(max_examples=15)
@given(factor=st.floats(min_value=0.01, max_value=100), which=st.sampled_from(["x", "m", "y"]))
def test_rescaling_a_variable_leaves_the_standardised_indirect_effect_unchanged(factor, which):
    frame = simulated_chain(200, 0.5, 0.4, 0.2, seed=6)
    base = paths.mediation(frame, x="x", m="m", y="y", n_resamples=100, seed=1)
    scaled = paths.mediation(frame.assign(**{which: frame[which] * factor}), x="x", m="m", y="y",
                             n_resamples=100, seed=1)
    assert scaled.standardized_indirect == pytest.approx(base.standardized_indirect, rel=1e-9)


def test_with_no_mediator_path_the_interval_covers_zero_at_least_at_its_nominal_rate():
    """a = 0, b = 0.4: the true indirect effect is 0. The percentile interval of a * b is conservative
    there (Fritz, Taylor and MacKinnon 2012), so its 95% interval covers 0 in at least 90% of 200 samples."""
    covered = 0
    for seed in range(200):
        frame = simulated_chain(100, 0.0, 0.4, 0.2, seed=1000 + seed)
        result = paths.mediation(frame, x="x", m="m", y="y", n_resamples=500, seed=seed)
        covered += result.low <= 0 <= result.high
    assert covered / 200 >= 0.9


def test_mediation_checks_its_input():
    frame = simulated_chain(30, 0.5, 0.4, 0.2, seed=7)
    with pytest.raises(ValueError, match=r"x, m, y and the covariates must be different columns"):
        paths.mediation(frame, x="x", m="x", y="y")
    with pytest.raises(ValueError, match=r"column\(s\) \['mood'\] not found"):
        paths.mediation(frame, x="x", m="mood", y="y")
    with pytest.raises(TypeError, match="m must be a column name"):
        paths.mediation(frame, x="x", m=["m"], y="y")
    with pytest.raises(ValueError, match=r"column\(s\) \['m'\] are constant"):
        paths.mediation(frame.assign(m=1.0), x="x", m="m", y="y")
    with pytest.raises(ValueError, match=r"are perfectly collinear"):
        paths.mediation(frame.assign(m=2 * frame["x"] + 1), x="x", m="m", y="y")
    with pytest.raises(TypeError, match=r"column 'y' must hold numbers.*found 'n/a'"):
        paths.mediation(frame.assign(y=["n/a"] + frame["y"].tolist()[1:]), x="x", m="m", y="y")
    with pytest.raises(ValueError, match=r"4 complete rows are too few for a mediation with 0 covariate\(s\): need at least 5"):
        paths.mediation(frame.head(4), x="x", m="m", y="y")
    with pytest.raises(ValueError, match="n_resamples must be at least 100"):
        paths.mediation(frame, x="x", m="m", y="y", n_resamples=5)
    missing = frame.assign(m=[np.nan] + frame["m"].tolist()[1:])
    with pytest.raises(ValueError, match=r"1 row\(s\) have a missing value in \['x', 'm', 'y'\]"):
        paths.mediation(missing, x="x", m="m", y="y")
    assert paths.mediation(missing, x="x", m="m", y="y", nan_policy="omit", n_resamples=100, seed=1).n == 29


def test_mediation_memory_does_not_grow_with_the_resamples():
    import tracemalloc

    frame = simulated_chain(5000, 0.5, 0.4, 0.2, seed=8)
    peaks = []
    for n_resamples in (1000, 4000):
        tracemalloc.start()
        paths.mediation(frame, x="x", m="m", y="y", n_resamples=n_resamples, seed=1)
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
    # 5000 rows x 4000 resamples of float64 would be 160 MB; the draws of a chunk stay near 1 MiB
    assert peaks[1] < 40 * 2**20
