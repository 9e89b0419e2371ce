"""Row bootstraps whose memory follows the data: ``opinions.base_gap`` and ``voc.cumulative_value``.

The references are the plain bootstrap, written here with a resamples x rows matrix of
multinomial counts (numpy's multinomial, one draw per resample over every row), and the
exact moments of a resampled sum: for a sample of N units with values x, the sum over a
resample has mean sum(x) and variance N times the population variance of x. The draws
of ``cxlab.stats.bootstrap.resample_counts`` come a chunk of rows at a time; they must
agree with those in distribution (within Monte-Carlo noise), keep every resample's size,
never take a row outside the sample, and the whole call must stay under twice the
input's own size in memory (tracemalloc's peak: numpy reports its arrays to it).
"""

from __future__ import annotations

import tracemalloc

import numpy as np
import pandas as pd
import pytest

from cxlab import opinions, voc
from cxlab.stats.bootstrap import resample_counts, resampled_sums


def survey(n: int, weighted: bool, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    used = rng.random(n) < 0.6
    frame = pd.DataFrame({"used": used, "unhappy": rng.random(n) < np.where(used, 0.35, 0.55)})
    if weighted:
        frame["weight"] = rng.uniform(0.5, 2.0, n)  # a different weight on every row
    return frame


def cash_flows(n: int, seed: int = 2) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"customer": rng.integers(0, max(1, n // 2), n), "month": rng.integers(1, 37, n),
                         "amount": np.round(rng.normal(50, 120, n), 2)})


def peak_bytes(call) -> int:
    """The most memory tracemalloc saw allocated during ``call()``, above what was allocated before it."""
    tracing = tracemalloc.is_tracing()
    if not tracing:
        tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    try:
        call()
        return tracemalloc.get_traced_memory()[1] - before
    finally:
        if not tracing:
            tracemalloc.stop()


def test_every_resample_takes_the_sample_size_and_never_a_row_outside_it():
    counts = np.array([0, 1, 1, 2, 0, 40, 1, 0, 3, 1, 1, 1, 25, 0, 1])  # rows of 0, heavy rows, ones
    taken = np.zeros((50, counts.size), dtype=np.int64)
    chunks = 0
    for start, draws in resample_counts(counts, 50, np.random.default_rng(5), batch_cells=50 * 4):
        assert draws.shape[0] == 50 and draws.shape[1] <= 4
        taken[:, start:start + draws.shape[1]] += draws
        chunks += 1
    assert chunks > 1
    assert (taken.sum(axis=1) == counts.sum()).all()
    assert (taken[:, counts == 0] == 0).all()
    rows = sum(draws.sum() for _, draws in resample_counts(1000, 30, np.random.default_rng(6), batch_cells=300))
    assert rows == 30 * 1000


def test_rows_that_fit_one_chunk_are_one_multinomial_draw():
    counts = np.array([3, 0, 7, 12, 1])
    (start, draws), = resample_counts(counts, 400, np.random.default_rng(9))
    expected = np.random.default_rng(9).multinomial(counts.sum(), counts / counts.sum(), size=400)
    assert start == 0
    np.testing.assert_array_equal(draws, expected)


@pytest.mark.parametrize("counts", [None, "ones and zeros", "uneven"])
def test_chunked_resampled_sums_have_the_exact_mean_and_covariance(counts):
    rng = np.random.default_rng(11)
    rows = np.column_stack([rng.normal(size=300), rng.exponential(size=300)])
    if counts == "ones and zeros":
        counts = (rng.random(300) < 0.7).astype(np.int64)
    elif counts == "uneven":
        counts = rng.choice([0, 1, 1, 2, 5], 300)
        counts[[4, 200]] = [90, 60]  # rows heavier than a chunk
    weights = np.ones(300) if counts is None else counts
    units = weights.sum()
    mean = weights @ rows
    covariance = units * np.cov(rows.T, aweights=weights, bias=True)
    n_resamples = 20_000
    sums = resampled_sums(rows, n_resamples, np.random.default_rng(12), counts=counts,
                          batch_cells=n_resamples * 16)  # chunks of at most 16 rows
    se = np.sqrt(np.diag(covariance) / n_resamples)
    assert np.all(np.abs(sums.mean(axis=0) - mean) < 4 * se)
    scale = np.sqrt(np.prod(np.diag(covariance)))
    np.testing.assert_allclose(np.cov(sums.T), covariance, rtol=0.05, atol=0.05 * scale)


def dense_gap(frame: pd.DataFrame, weights: str | None, n_resamples: int) -> np.ndarray:
    """The gap on every resample, with a resamples x rows matrix of counts (the plain way)."""
    points = frame["unhappy"].to_numpy(float) * 100
    weight = frame[weights].to_numpy() if weights else np.ones(len(frame))
    inside = frame["used"].to_numpy()
    draws = np.random.default_rng(21).multinomial(len(frame), np.full(len(frame), 1 / len(frame)), size=n_resamples)
    return ((draws @ (weight * points)) / (draws @ weight)
            - (draws @ (weight * points * inside)) / (draws @ (weight * inside)))


@pytest.mark.parametrize("weights", [None, "weight"])
def test_base_gap_interval_agrees_with_a_dense_bootstrap(weights):
    frame = survey(1000, weighted=weights is not None, seed=3)
    gap = opinions.base_gap(frame, "unhappy", "used", weights=weights, seed=4, n_resamples=4000)
    reference = dense_gap(frame, weights, 4000)
    # The Monte-Carlo error of a 2.5% quantile of 4,000 resamples is about 0.04 sd; of two, 0.06.
    tolerance = 0.25 * reference.std()
    low, high = np.quantile(reference, [0.025, 0.975])
    assert gap.low == pytest.approx(low, abs=tolerance)
    assert gap.high == pytest.approx(high, abs=tolerance)


def test_cumulative_value_interval_agrees_with_a_dense_bootstrap():
    flows = cash_flows(1200, seed=7)
    table = voc.cumulative_value(flows, "customer", "month", "amount", [12, 24], seed=8, n_resamples=4000)
    codes, names = pd.factorize(flows["customer"])
    by_customer = np.column_stack([np.bincount(codes, weights=flows["amount"] * (flows["month"] <= horizon),
                                               minlength=len(names)) for horizon in (12, 24)])
    draws = np.random.default_rng(22).multinomial(len(names), np.full(len(names), 1 / len(names)), size=4000)
    reference = draws @ by_customer
    low, high = np.quantile(reference, [0.025, 0.975], axis=0)
    tolerance = 0.25 * reference.std(axis=0)
    np.testing.assert_array_less(np.abs(table["low"].to_numpy() - low), tolerance)
    np.testing.assert_array_less(np.abs(table["high"].to_numpy() - high), tolerance)


@pytest.mark.parametrize(("case", "rows", "n_resamples"), [
    ("base_gap", 200_000, 2000),
    ("base_gap, a different weight on every row", 500_000, 100),
    ("cumulative_value", 200_000, 200),
])
def test_memory_stays_under_twice_the_input(case, rows, n_resamples):
    if case == "cumulative_value":
        frame = cash_flows(rows)

        def call(data, resamples):
            return voc.cumulative_value(data, "customer", "month", "amount", [24], seed=1, n_resamples=resamples)

        small = cash_flows(300)
    else:
        weights = "weight" if "weight" in case else None
        frame = survey(rows, weighted=weights is not None)

        def call(data, resamples):
            return opinions.base_gap(data, "unhappy", "used", weights=weights, seed=1, n_resamples=resamples)

        small = survey(300, weighted=weights is not None)
    call(small, 100)  # imports and first-call set-up are not the resampling's memory
    peak = peak_bytes(lambda: call(frame, n_resamples))
    size = int(frame.memory_usage(deep=True).sum())
    assert peak < 2 * size, f"{case}: peak {peak / 2**20:.1f} MiB for an input of {size / 2**20:.1f} MiB"
