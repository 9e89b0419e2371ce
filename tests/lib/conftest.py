"""Fixtures the library tests share: the course data sets, figure clean-up, hypothesis profiles."""

from __future__ import annotations

import pytest
from hypothesis import settings

from cxlab.data import load_kidney_stones, load_team_panel, load_teams

# Generated samples can be slow to analyse (bootstraps, models), so no per-example deadline.
settings.register_profile("cxlab", deadline=None, max_examples=150)
settings.register_profile("cxlab-groups", deadline=None, max_examples=80)
settings.load_profile("cxlab")


@pytest.fixture(scope="module")
def stones():
    """Kidney-stone outcomes of Charig et al. (1986), as shipped in cxlab.data."""
    return load_kidney_stones()


@pytest.fixture(scope="module")
def teams():
    """The 80 contact-centre teams of cxlab.data."""
    return load_teams()


@pytest.fixture(scope="module")
def panel():
    """The 80 teams in two half-years, with the arm each team was in."""
    return load_team_panel()


@pytest.fixture
def close_figures():
    """Close every figure a test drew, so that figures do not pile up across tests."""
    yield
    import matplotlib.pyplot as plt

    plt.close("all")
