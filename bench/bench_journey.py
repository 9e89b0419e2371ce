"""Benchmark: the vectorised journey simulation against a per-customer Python loop.

Both simulate the same model (``cxlab.journey``; the loop below follows the module's
description line by line, customer by customer, with Python's ``random``). They draw
their random numbers differently: ``simulate`` gives each step its own stream and
draws a step's gamma time by the inverse CDF (``scipy.special.gammaincinv``, so that
changes compare like with like), the loop uses one stream and ``random.gammavariate``
(rejection sampling); the distributions are the same. They run
side by side in one process on the same journey and the same number of customers;
each figure is the best of several repeats. The loop is too slow for a million
customers, so the ratio is measured at ``--n`` customers and the vectorised time at
one million is reported beside it.

Usage: python bench/bench_journey.py [--n 20000] [--repeats 3]
"""

from __future__ import annotations

import argparse
import math
import platform
import random

import numpy as np

from cxlab.journey import leasing_journey, simulate
from _timing import best_time  # bench/ is on the path when a benchmark runs as a script


def simulate_loop(journey, n_customers: int, seed: int) -> list[tuple[float, int, bool]]:
    """The same model, one customer at a time: (total days, rating, churned) per customer."""
    rng = random.Random(seed)
    order = journey.order()
    owner = {step.name: step.department for step in journey.steps}
    handoff_mean = journey.handoff_days * (1 + 3 * journey.silo)
    model = journey.rating
    results = []
    for _ in range(n_customers):
        finish = {}
        errors = recovered = unclear = 0
        for step in order:
            start = 0.0
            for name in journey.predecessors(step):
                arrival = finish[name]
                if owner[name] != step.department:
                    arrival += rng.expovariate(1.0 / handoff_mean) if handoff_mean > 0 else 0.0
                start = max(start, arrival)
            shape = 1.0 / step.cv**2
            duration = rng.gammavariate(shape, step.mean_days / shape) if step.mean_days > 0 else 0.0
            if rng.random() < step.error_rate:
                errors += 1
                if rng.random() < journey.autonomy:
                    recovered += 1
                elif step.rework_days > 0:
                    duration += rng.expovariate(1.0 / step.rework_days)
            if rng.random() >= step.clarity:
                unclear += 1
                duration += journey.unclear_delay_days
            finish[step.name] = start + duration
        total = max(finish.values())
        lateness = max(total - journey.expected_days, 0.0) / journey.expected_days
        satisfaction = (model.base - model.lateness_weight * lateness
                        - model.unrecovered_weight * (errors - recovered)
                        - model.recovered_weight * recovered - model.unclear_weight * unclear
                        + model.noise * rng.gauss(0.0, 1.0))
        rating = min(max(round(satisfaction), 0), 10)
        churned = rng.random() < 1.0 / (1.0 + math.exp(-(model.churn_intercept + model.churn_slope * (8.0 - satisfaction))))
        results.append((total, rating, churned))
    return results


def nps_of(ratings) -> float:
    ratings = np.asarray(ratings)
    return 100.0 * (np.mean(ratings >= 9) - np.mean(ratings <= 6))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    journey = leasing_journey()

    loop_time = best_time(lambda: simulate_loop(journey, args.n, 1), args.repeats)
    vector_time = best_time(lambda: simulate(journey, args.n, 1), args.repeats)
    million_time = best_time(lambda: simulate(journey, 1_000_000, 1), args.repeats)

    # The two implementations draw different random numbers, so they agree in
    # distribution, not customer by customer: compare their summaries.
    loop = simulate_loop(journey, args.n, 2)
    vector = simulate(journey, args.n, 2)
    print(f"python {platform.python_version()}, numpy {np.__version__}, {args.n:,} customers, best of {args.repeats}")
    print(f"  per-customer Python loop   {loop_time * 1e3:9.1f} ms")
    print(f"  cxlab.journey.simulate     {vector_time * 1e3:9.1f} ms   loop / vectorised = {loop_time / vector_time:.0f} x")
    print(f"  simulate, 1,000,000 customers {million_time:6.2f} s")
    print(f"  same model? mean days {np.mean([r[0] for r in loop]):.2f} (loop) vs {vector['total_days'].mean():.2f}; "
          f"NPS {nps_of([r[1] for r in loop]):.1f} vs {nps_of(vector['rating']):.1f}; "
          f"churn {np.mean([r[2] for r in loop]):.3f} vs {vector['churned'].mean():.3f}")


if __name__ == "__main__":
    main()
