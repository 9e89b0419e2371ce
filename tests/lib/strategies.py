"""Hypothesis strategies that more than one library test file draws from."""

from hypothesis import strategies as st

#: Finite outcome values of either sign, for group comparisons, strata, panels and bootstraps.
values = st.floats(min_value=-50, max_value=50, allow_nan=False, allow_infinity=False)
