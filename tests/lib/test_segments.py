"""Segment tables: one metric with its interval per group, and errors that name the column."""

import pandas as pd
import pytest

import cxlab


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


def test_segment_table_errors_name_the_column():
    df = pd.DataFrame({"region": ["a", "b"], "recommend": [10, 12]})
    with pytest.raises(ValueError, match=r"'score_x'.*columns \['region', 'recommend'\]"):
        cxlab.segment_table(df, "score_x", by="region")
    with pytest.raises(ValueError, match=r"region='b', column 'recommend'.*found 12"):
        cxlab.segment_table(df, "recommend", by="region")
    with pytest.raises(ValueError, match="missing group label"):
        cxlab.segment_table(pd.DataFrame({"region": ["a", None], "recommend": [1, 2]}), "recommend", by="region")
