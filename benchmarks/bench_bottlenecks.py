"""Step analytics over N process events: the demo's size against 5,000,000 synthetic events.

python -m benchmarks.bench_bottlenecks [--events 5000000] [--repeat 3]

Each size runs in a fresh process (so peak memory is per size) on a synthetic event log shaped like
`mart_process_steps` / `mart_process_cases`: the demo's order-fulfilment steps, targets and deadline
chain, three business units, three product classes, 4 % rework, 0.5 % of cases still open. The
frames are built in memory (the analytics' input); times are medians of `--repeat` runs.

Measured: preparing the events (step times, overrun, lateness attributed to steps), the step tables
(whole process, by business unit, by product class: one `aggregate_steps_many`), `find_bottleneck`
(the verdict) — together "step analytics", the part the 5 s target covers — and, beside them, the
directly-follows graph and the deadline chain. Baseline, in the same run: DuckDB
computing the plain step table (count, median and p90 of wait and processing per step) over the same
frame — the floor for "one group-by with medians".
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from datetime import datetime

import numpy as np
import polars as pl

from benchmarks.common import machine, peak_mb, print_table, run_step

TARGET_SECONDS = 5.0
BIG = 5_000_000
DEMO_EVENTS = 124_165  # the demo company's order-fulfilment log
STEPS = (  # activity, target hours, deadline offset hours (the demo service model's order fulfilment)
    ("order_entry", 8, -336),
    ("production_planning", 48, -288),
    ("production", 168, -120),
    ("quality_check", 24, -96),
    ("warehouse_dispatch", 24, -72),
    ("transport", 72, 0),
)
UNITS, CLASSES = ("machinery", "energy", "construction"), ("standard", "custom", "spare_parts")
HOUR_US = 3_600_000_000
STEP_ANALYTICS = ("prepare", "step_tables", "verdict")  # what the 5 s target covers


def _simulate(n_events: int, seed: int) -> dict:
    """Arrays of one run per case and step, back to back after a wait; hours since the window opened."""
    rng = np.random.default_rng(seed)
    n_steps = len(STEPS)
    n_cases = max(1, n_events // n_steps)
    case = np.repeat(np.arange(n_cases), n_steps)
    step = np.tile(np.arange(n_steps), n_cases)
    targets = np.array([s[1] for s in STEPS], dtype=float)[step]
    wait = targets * 0.3 * rng.exponential(1.0, len(case))
    duration = targets * 0.7 * rng.lognormal(0, 0.35, len(case))
    unit = rng.integers(0, 3, n_cases)
    wait[(step == 2) & (unit[case] == 1)] *= 3  # a slow production wait in one unit
    elapsed = (wait + duration).reshape(n_cases, n_steps).cumsum(axis=1)
    start0 = rng.uniform(0, 2 * 365 * 24, n_cases)
    open_cases = rng.random(n_cases) < 0.005
    return dict(
        rng=rng,
        n_cases=n_cases,
        case=case,
        step=step,
        targets=targets,
        wait=wait,
        duration=duration,
        unit=unit,
        elapsed=elapsed,
        start0=start0,
        end_h=start0[case] + elapsed.ravel(),
        due_h=start0 + np.quantile(elapsed[:, -1], 0.8) * rng.uniform(0.9, 1.1, n_cases),
        open_cases=open_cases,
        is_open=(step == n_steps - 1) & open_cases[case],
    )


def _timestamps(hours: np.ndarray) -> pl.Series:
    base = np.datetime64("2025-01-01T00:00:00", "us").astype(np.int64)
    return pl.Series((base + hours * HOUR_US).astype(np.int64)).cast(pl.Datetime("us"))


def _steps_frame(a: dict, case_ids: pl.Series) -> pl.DataFrame:
    case, step, is_open, rng = a["case"], a["step"], pl.Series(a["is_open"]), a["rng"]
    offsets = np.array([s[2] for s in STEPS], dtype=float)
    return pl.DataFrame(
        {
            "case_id": case_ids.gather(case),
            "process": "order_fulfilment",
            "activity": pl.Series([s[0] for s in STEPS]).gather(step),
            "step_order": step,
            "previous_activity": pl.Series([None, *(s[0] for s in STEPS[:-1])], dtype=pl.String).gather(step),
            "is_last_event": step == len(STEPS) - 1,
            "started_at": _timestamps(a["end_h"] - a["duration"]),
            "ended_at": _timestamps(a["end_h"]).set(is_open, None),
            "is_open": is_open,
            "duration_hours": pl.Series(a["duration"]).set(is_open, None),
            "wait_hours": a["wait"],
            "is_rework": rng.random(len(case)) < 0.04,
            "target_hours": a["targets"],
            "due_at": _timestamps(a["due_h"][case]),
            "deadline_at": _timestamps(a["due_h"][case] + offsets[step]),
            "client_id": pl.Series(rng.integers(0, 5000, a["n_cases"])).cast(pl.String).gather(case),
            "business_unit": pl.Series(UNITS).gather(a["unit"][case]),
            "product_class": pl.Series(CLASSES).gather(rng.integers(0, 3, a["n_cases"])[case]),
            "period": "2025-Q1",
        }
    )


def synthetic_log(n_events: int, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(steps, cases, step dimension) with about n_events events."""
    a = _simulate(n_events, seed)
    case_ids = pl.Series(np.arange(a["n_cases"])).cast(pl.String)
    complete, lead = ~a["open_cases"], a["elapsed"][:, -1]
    cases = pl.DataFrame(
        {
            "process": "order_fulfilment",
            "case_id": case_ids,
            "business_unit": pl.Series(UNITS).gather(a["unit"]),
            "started_at": _timestamps(a["start0"]),
            "ended_at": _timestamps(a["start0"] + lead).set(pl.Series(~complete), None),
            "is_complete": complete,
            "lead_time_hours": np.where(complete, lead, np.nan),
            "due_at": _timestamps(a["due_h"]),
        }
    ).with_columns(pl.col("lead_time_hours").fill_nan(None))
    dim = pl.DataFrame(
        {
            "process": "order_fulfilment",
            "activity": [s[0] for s in STEPS],
            "step_order": list(range(len(STEPS))),
            "target_hours": [float(s[1]) for s in STEPS],
            "deadline_offset_hours": [float(s[2]) for s in STEPS],
            "touchpoint_id": [None] * len(STEPS),
        },
        schema_overrides={"touchpoint_id": pl.String},
    )
    return _steps_frame(a, case_ids), cases, dim


def _timed(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _cpu(fn) -> float:
    """CPU seconds of one run (all threads): on a busy machine wall time measures the neighbours."""
    started = time.process_time()
    fn()
    return time.process_time() - started


def _duckdb_step_table(steps: pl.DataFrame) -> None:
    import duckdb

    con = duckdb.connect()
    con.register("steps", steps)
    con.sql(
        "select process, activity, count(*), count(distinct case_id), median(wait_hours), "
        "quantile_cont(wait_hours, 0.9), median(duration_hours), quantile_cont(duration_hours, 0.9) "
        "from steps group by process, activity"
    ).fetchall()
    con.close()


def child(n_events: int, repeat: int) -> dict:
    """Measure one size in this process; prints one JSON line for benchmarks.common.run_step."""
    from app.analytics import bottlenecks as bn
    from app.analytics import deadline_chain as chain
    from app.analytics import process_map as pm
    from app.analytics.bottleneck_pick import find_bottleneck

    steps, cases, dim = synthetic_log(n_events)
    as_of = datetime(2027, 1, 1)
    links = chain.chain_links(dim, "order_fulfilment")
    prepared = bn.prepare_events(steps, cases, as_of)
    table = bn.aggregate_steps(prepared)

    def deadline_chain() -> None:
        status = chain.link_status(steps, cases, links, as_of)
        chain.first_broken(status, cases, as_of)
        chain.link_performance(status)

    work = {
        "prepare": lambda: bn.prepare_events(steps, cases, as_of),
        "step_tables": lambda: bn.aggregate_steps_many(
            prepared, [(), ("business_unit",), ("product_class",)]
        ),
        "verdict": lambda: find_bottleneck(steps, cases, "order_fulfilment", prepared=prepared, stats=table),
        "process_map": lambda: pm.directly_follows(steps, cases),
        "deadline_chain": deadline_chain,
        "duckdb_baseline": lambda: _duckdb_step_table(steps),
    }
    stages = {name: _timed(fn, repeat) for name, fn in work.items()}
    cpu = {name: _cpu(fn) for name, fn in work.items()}
    step_analytics = sum(stages[k] for k in STEP_ANALYTICS)
    return {
        "name": str(n_events),
        "seconds": step_analytics,
        "peak_mb": peak_mb(),
        "events": steps.height,
        "stages": stages,
        "cpu": cpu,
    }


def summary_row(m) -> list[str]:
    """[measurement, time, baseline, ratio, peak MB, target, met] for run_all's one table."""
    baseline = m.detail["stages"]["duckdb_baseline"]
    ok = m.seconds < TARGET_SECONDS
    return [f"bottlenecks: step analytics over {m.detail['events']:,} events", f"{m.seconds:.2f} s",
            f"{baseline:.2f} s DuckDB group-by", f"{m.seconds / baseline:.2f}×", f"{m.peak_mb:,.0f}",
            f"< {TARGET_SECONDS:.0f} s", "met" if ok else "NOT met"]


def _row(m) -> list[str]:
    s, cpu = m.detail["stages"], m.detail["cpu"]
    baseline = s["duckdb_baseline"]
    return [
        f"{m.detail['events']:,}",
        *(f"{s[k]:.2f}" for k in STEP_ANALYTICS),
        f"{m.seconds:.2f}",
        f"{sum(cpu[k] for k in STEP_ANALYTICS):.1f}",
        f"{baseline:.2f}",
        f"{m.seconds / baseline:.1f}×",
        f"{s['process_map']:.2f}",
        f"{s['deadline_chain']:.2f}",
        f"{m.peak_mb:,.0f}",
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=BIG)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print rows for benchmarks.run_all's table")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.repeat)))
        return
    if args.json:
        big = run_step("benchmarks.bench_bottlenecks", "--child", str(args.events), "--repeat", str(args.repeat))
        print(json.dumps({"rows": [summary_row(big)]}))
        return
    print(
        f"Bottleneck analytics on a synthetic event log · {machine()} · wall medians of {args.repeat}, "
        "CPU seconds of one run"
    )
    runs = [
        run_step("benchmarks.bench_bottlenecks", "--child", str(size), "--repeat", str(args.repeat))
        for size in (DEMO_EVENTS, args.events)
    ]
    print_table(
        [_row(m) for m in runs],
        [
            "events",
            "prepare s",
            "step tables s",
            "verdict s",
            "step analytics s",
            "its CPU s",
            "DuckDB step table s",
            "vs DuckDB",
            "process map s",
            "deadline chain s",
            "peak MB",
        ],
    )
    big = runs[-1]
    ok = big.seconds < TARGET_SECONDS
    print(
        f"\nStep analytics (prepare + step tables + verdict) at {big.detail['events']:,} events: "
        f"{big.seconds:.2f} s — {'under' if ok else 'OVER'} the {TARGET_SECONDS:.0f} s target. The DuckDB column is "
        "one group-by with the step table's medians over the same frame, measured in the same run. On a "
        "shared machine, compare the CPU column: wall time also measures the neighbours."
    )
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
