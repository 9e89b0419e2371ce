"""Key-driver analysis against published output and invariants.

Reference: the R package rwa (Martin Chan), README example: relative weights of
mpg on cyl, disp, hp and gear in R's mtcars data (Henderson and Velleman 1981, from
Motor Trend 1974): R² 0.7791896, raw weights 0.2284797, 0.2221469, 0.2321744,
0.0963886. The mtcars columns are reproduced below.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from hypothesis import given, settings
from hypothesis import strategies as st

from cxlab import drivers

MTCARS = pd.DataFrame(
    [
        (21.0, 6, 160.0, 110, 4), (21.0, 6, 160.0, 110, 4), (22.8, 4, 108.0, 93, 4), (21.4, 6, 258.0, 110, 3),
        (18.7, 8, 360.0, 175, 3), (18.1, 6, 225.0, 105, 3), (14.3, 8, 360.0, 245, 3), (24.4, 4, 146.7, 62, 4),
        (22.8, 4, 140.8, 95, 4), (19.2, 6, 167.6, 123, 4), (17.8, 6, 167.6, 123, 4), (16.4, 8, 275.8, 180, 3),
        (17.3, 8, 275.8, 180, 3), (15.2, 8, 275.8, 180, 3), (10.4, 8, 472.0, 205, 3), (10.4, 8, 460.0, 215, 3),
        (14.7, 8, 440.0, 230, 3), (32.4, 4, 78.7, 66, 4), (30.4, 4, 75.7, 52, 4), (33.9, 4, 71.1, 65, 4),
        (21.5, 4, 120.1, 97, 3), (15.5, 8, 318.0, 150, 3), (15.2, 8, 304.0, 150, 3), (13.3, 8, 350.0, 245, 3),
        (19.2, 8, 400.0, 175, 3), (27.3, 4, 79.0, 66, 4), (26.0, 4, 120.3, 91, 5), (30.4, 4, 95.1, 113, 5),
        (15.8, 8, 351.0, 264, 5), (19.7, 6, 145.0, 175, 5), (15.0, 8, 301.0, 335, 5), (21.4, 4, 121.0, 109, 4),
    ],
    columns=["mpg", "cyl", "disp", "hp", "gear"],
)
PREDICTORS = ["cyl", "disp", "hp", "gear"]


def test_mtcars_copy_is_the_standard_data():
    # Known summaries of mtcars: mean mpg 20.090625, total horsepower 4694.
    assert MTCARS["mpg"].mean() == pytest.approx(20.090625)
    assert MTCARS["hp"].sum() == 4694


def test_relative_weights_match_the_rwa_reference():
    weights = drivers.relative_weights(MTCARS, "mpg", PREDICTORS)
    assert weights.attrs["r_squared"] == pytest.approx(0.7791896, abs=1e-7)
    expected = {"cyl": 0.2284797, "disp": 0.2221469, "hp": 0.2321744, "gear": 0.0963886}
    for name, value in expected.items():
        assert weights[name] == pytest.approx(value, abs=1e-7), name
    # rwa's rescaled weights: 29.32274, 28.50999, 29.79691, 12.37037 (% of R²).
    assert (100 * weights / weights.sum()).round(5).tolist() == [29.32274, 28.50999, 29.79691, 12.37037]


def test_r_squared_matches_statsmodels():
    fit = sm.OLS(MTCARS["mpg"], sm.add_constant(MTCARS[PREDICTORS])).fit()
    assert drivers.relative_weights(MTCARS, "mpg", PREDICTORS).attrs["r_squared"] == pytest.approx(fit.rsquared)


def brute_force_lmg(frame, target, names):
    """LMG by its definition: average R² gain over every order, each model fitted by statsmodels."""
    def r2(subset):
        if not subset:
            return 0.0
        return sm.OLS(frame[target], sm.add_constant(frame[list(subset)])).fit().rsquared

    totals = dict.fromkeys(names, 0.0)
    orders = list(itertools.permutations(names))
    for order in orders:
        for position, name in enumerate(order):
            totals[name] += r2(order[: position + 1]) - r2(order[:position])
    return pd.Series({name: total / len(orders) for name, total in totals.items()})


def test_shapley_equals_the_definition_over_all_orders():
    ours = drivers.shapley_importance(MTCARS, "mpg", PREDICTORS)
    reference = brute_force_lmg(MTCARS, "mpg", PREDICTORS)
    pd.testing.assert_series_equal(ours, reference[PREDICTORS], check_names=False, atol=1e-10)
    assert ours.sum() == pytest.approx(ours.attrs["r_squared"])


def test_two_driver_lmg_has_its_closed_form():
    # With two drivers, LMG_1 = (r1² + R² - r2²) / 2.
    frame = MTCARS[["mpg", "hp", "disp"]]
    values = drivers.shapley_importance(frame, "mpg", ["hp", "disp"])
    r1, r2 = frame.corr().loc["mpg", "hp"], frame.corr().loc["mpg", "disp"]
    total = values.attrs["r_squared"]
    assert values["hp"] == pytest.approx((r1**2 + total - r2**2) / 2)


def test_uncorrelated_drivers_get_their_squared_correlations():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(400, 3))
    x -= x.mean(axis=0)
    q, _ = np.linalg.qr(x)  # exactly orthogonal, centred columns
    frame = pd.DataFrame(q, columns=["a", "b", "c"])
    frame["y"] = q @ np.array([3.0, 2.0, 1.0]) + rng.normal(0, 0.05, 400)
    squared = frame.corr().loc[["a", "b", "c"], "y"] ** 2
    for method in (drivers.relative_weights, drivers.shapley_importance):
        result = method(frame, "y", ["a", "b", "c"])
        np.testing.assert_allclose(result.to_numpy(), squared.to_numpy(), atol=1e-4)


@settings(deadline=None, max_examples=40)
@given(st.floats(0.01, 1000), st.floats(-1000, 1000), st.integers(0, 2**31 - 1))
def test_rescaling_a_driver_changes_nothing(scale, shift, seed):
    rng = np.random.default_rng(seed)
    base = rng.normal(size=(60, 3))
    frame = pd.DataFrame({"a": base[:, 0], "b": base[:, 0] + base[:, 1], "c": base[:, 2]})
    frame["y"] = frame["a"] + 0.5 * frame["b"] + rng.normal(size=60)
    moved = frame.assign(b=frame["b"] * scale + shift)
    for method in (drivers.relative_weights, drivers.shapley_importance):
        np.testing.assert_allclose(method(moved, "y", ["a", "b", "c"]), method(frame, "y", ["a", "b", "c"]), atol=1e-9)
    shares = drivers.shapley_importance(frame, "y", ["a", "b", "c"])
    assert (shares >= -1e-12).all() and shares.sum() == pytest.approx(shares.attrs["r_squared"])


def test_driver_table_flags_the_sign_flip_in_the_course_data():
    from cxlab.data import load_loyalty_survey

    table = drivers.driver_table(load_loyalty_survey(), "recommend",
                                 ["advisor", "complaints", "app", "waiting", "fees", "ambience"])
    assert table.loc["ambience", "sign_flip"]
    assert table.loc["ambience", "correlation"] > 0 > table.loc["ambience", "beta"]
    assert table["share"].sum() == pytest.approx(1.0)  # shares of R², 0 to 1
    assert table.index[0] == "advisor"


def test_scenario_effect_uses_the_regression_coefficients():
    fit = sm.OLS(MTCARS["mpg"], sm.add_constant(MTCARS[PREDICTORS])).fit()
    effect = drivers.scenario_effect(MTCARS, "mpg", PREDICTORS, {"hp": -10, "gear": 1})
    assert effect == pytest.approx(-10 * fit.params["hp"] + fit.params["gear"])


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: drivers.relative_weights(MTCARS.assign(k=1.0), "mpg", ["cyl", "k"]), ValueError, r"\['k'\] are constant"),
        (lambda: drivers.relative_weights(MTCARS.assign(d2=2 * MTCARS["disp"]), "mpg", ["disp", "d2"]),
         ValueError, "perfectly collinear"),
        (lambda: drivers.relative_weights(MTCARS.head(4), "mpg", PREDICTORS), ValueError, "too few"),
        (lambda: drivers.relative_weights(MTCARS, "mpg", ["cyl", "torque"]), ValueError, "not found"),
        (lambda: drivers.relative_weights(MTCARS.assign(g=MTCARS["gear"].astype(str)), "mpg", ["cyl", "g"]),
         TypeError, r"column 'g' must hold numbers \(a rating or a measure\); it holds numbers stored as text"),
        (lambda: drivers.relative_weights(MTCARS, "mpg", "cyl"), TypeError, "list of column names"),
        (lambda: drivers.shapley_importance(pd.DataFrame(np.random.default_rng(0).normal(size=(50, 17)),
                                                         columns=[f"d{i}" for i in range(16)] + ["y"]),
                                            "y", [f"d{i}" for i in range(16)]), ValueError, "at most 15"),
        (lambda: drivers.scenario_effect(MTCARS, "mpg", PREDICTORS, {"wt": 1}), ValueError, "not among the drivers"),
    ],
    ids=["constant-driver", "collinear", "too-few-rows", "missing-column", "text-driver", "drivers-as-text",
         "too-many-for-shapley", "unknown-scenario-driver"],
)
def test_bad_input_names_the_problem(call, error, message):
    with pytest.raises(error, match=message):
        call()
