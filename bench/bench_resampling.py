"""Benchmark: time and peak memory of the row bootstraps, against a dense resample matrix.

``opinions.base_gap`` (a survey's headline against a narrower base, plain and with
weights that differ on every row) and ``voc.cumulative_value`` (cash flows of customers,
resampled by customer) at 10^4, 10^5 and 10^6 rows, 2,000 resamples. Beside each, the
same bootstrap written the plain way, with a resamples x rows matrix of multinomial
counts, run where it fits in memory. Each measurement runs in a fresh process; the peak
is what tracemalloc saw allocated during the call (numpy reports its arrays to it),
beside the input's own size in memory.

Usage: python bench/bench_resampling.py [--sizes 10000 100000 1000000]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

RESAMPLES = 2000
#: The dense matrix is not tried beyond this many numbers (8 bytes each).
DENSE_LIMIT = 400_000_000


def survey(n: int, weighted: bool) -> pd.DataFrame:
    rng = np.random.default_rng(1)
    used = rng.random(n) < 0.6
    unhappy = rng.random(n) < np.where(used, 0.35, 0.55)
    frame = pd.DataFrame({"used": used, "unhappy": unhappy})
    if weighted:
        frame["weight"] = rng.uniform(0.5, 2.0, n)
    return frame


def cash_flows(n: int) -> pd.DataFrame:
    rng = np.random.default_rng(2)
    customers = rng.integers(0, max(1, n // 2), n)
    return pd.DataFrame({"customer": customers, "month": rng.integers(1, 37, n),
                         "amount": np.round(rng.normal(50, 120, n), 2)})


def dense_gap(frame: pd.DataFrame, weighted: bool) -> tuple[float, float]:
    """The bootstrap of the gap with a resamples x rows matrix (the plain way)."""
    rng = np.random.default_rng(1)
    points = frame["unhappy"].to_numpy(float) * 100
    weights = frame["weight"].to_numpy() if weighted else np.ones(len(frame))
    mask = frame["used"].to_numpy()
    draws = rng.multinomial(len(frame), np.full(len(frame), 1 / len(frame)), size=RESAMPLES).astype(float)
    gaps = (draws @ (weights * points)) / (draws @ weights) - (draws @ (weights * points * mask)) / (draws @ (weights * mask))
    return tuple(np.quantile(gaps, [0.025, 0.975]))


def dense_cumulative(frame: pd.DataFrame) -> np.ndarray:
    codes, names = pd.factorize(frame["customer"])
    by_customer = np.bincount(codes, weights=frame["amount"].to_numpy() * (frame["month"].to_numpy() <= 24),
                              minlength=len(names))
    rng = np.random.default_rng(1)
    draws = rng.multinomial(len(names), np.full(len(names), 1 / len(names)), size=RESAMPLES)
    return np.quantile(draws @ by_customer, [0.025, 0.975])


def measure(case: str, how: str, n: int) -> dict:
    """Run one case in this process and report seconds, peak bytes and the input's bytes."""
    if case.startswith("base_gap"):
        weighted = case.endswith("weighted")
        frame = survey(n, weighted)
        if how == "cxlab":
            from cxlab import opinions

            call = lambda: opinions.base_gap(frame, "unhappy", "used", weights="weight" if weighted else None,  # noqa: E731
                                             seed=1, n_resamples=RESAMPLES)
        else:
            call = lambda: dense_gap(frame, weighted)  # noqa: E731
    else:
        frame = cash_flows(n)
        if how == "cxlab":
            from cxlab import voc

            call = lambda: voc.cumulative_value(frame, "customer", "month", "amount", [24], seed=1,  # noqa: E731
                                                n_resamples=RESAMPLES)
        else:
            call = lambda: dense_cumulative(frame)  # noqa: E731
    if how == "cxlab":  # imports and first-call set-up are not the resampling's cost
        from cxlab import opinions, voc

        opinions.base_gap(survey(200, True), "unhappy", "used", weights="weight", seed=1, n_resamples=100)
        voc.cumulative_value(cash_flows(200), "customer", "month", "amount", [24], seed=1, n_resamples=100)
    tracemalloc.start()
    started = time.perf_counter()
    call()
    seconds = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"seconds": seconds, "peak": peak, "input": int(frame.memory_usage(deep=True).sum())}


def dense_numbers(case: str, n: int) -> int:
    return RESAMPLES * (n // 2 if case == "cumulative_value" else n)


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "--one":
        case, how, n = sys.argv[2].split(":")[0], sys.argv[2].split(":")[1], int(sys.argv[3])
        print(json.dumps(measure(case, how, n)))
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000, 1_000_000])
    arguments = parser.parse_args()
    print(f"{'case':<22} {'rows':>9} {'input':>9} {'cxlab s':>8} {'cxlab peak':>11} {'peak/input':>10} "
          f"{'dense s':>8} {'dense peak':>11}")
    for case in ("base_gap", "base_gap weighted", "cumulative_value"):
        for n in arguments.sizes:
            row = {}
            for how in ("cxlab", "dense"):
                if how == "dense" and dense_numbers(case, n) > DENSE_LIMIT:
                    row[how] = None
                    continue
                completed = subprocess.run([sys.executable, __file__, "--one", f"{case}:{how}", str(n)],
                                           capture_output=True, text=True, check=True)
                row[how] = json.loads(completed.stdout)
            ours, dense = row["cxlab"], row["dense"]
            dense_text = (f"{dense['seconds']:8.2f} {dense['peak'] / 2**20:9.0f} MB" if dense
                          else f"{'not run':>8} {dense_numbers(case, n) * 8 / 2**30:8.1f} GB?")
            print(f"{case:<22} {n:>9,} {ours['input'] / 2**20:7.1f} MB {ours['seconds']:8.2f} "
                  f"{ours['peak'] / 2**20:8.1f} MB {ours['peak'] / ours['input']:10.2f} {dense_text}", flush=True)


if __name__ == "__main__":
    main()
