"""Bottleneck step analytics over N process events, as the page computes them, with the Polars reference.

python -m benchmarks.bench_bottlenecks [--events 5000000] [--repeat 3]

One synthetic order-fulfilment log (benchmarks/bottleneck_log.py: the service model's steps, targets
and deadline offsets, 4 % rework runs, 0.5 % open cases, clients with business units) at the demo's
size and at --events, each size and path in a fresh process (so peak memory is that path's own):

- The page's path. The log goes into a real DuckDB warehouse file in a temporary folder (deleted at
  the end): the product's schema and dimensions, the clients as one batch (every model built), the
  events as another. Measured: "marts build at event load" — `rebuild_models(changed={"events"})` in
  `write_transaction`, what an event load adds to its transaction (the process marts with their
  per-event columns, and every other model that reads events; median of --repeat builds, the first
  creating the tables, the others replacing them as a later event load does); then "step analytics in DuckDB
  (page)" — `aggregated_report` under no filters (case summary, step table, process map, variants,
  the bottleneck with its breakdowns, deadline chain) plus one `breakdown_table` by business unit
  (the heat-map's), warm: one untimed call first, then the median of --repeat. Its baseline: one
  DuckDB group-by with the step table's medians over the same mart. The warehouse is checked to hold
  every event and case and to name a bottleneck. The page's wait-cost query (survey answers) is not
  part of it: the synthetic warehouse has no answers.
- The Polars reference (the event-level definitions, and the page's fallback for warehouses built
  before the per-event columns), on the same log in memory: preparing the events, the step tables
  (whole, by business unit, by product class) and `find_bottleneck` — "step analytics", what this
  benchmark measured before the page moved to DuckDB — and beside them the directly-follows graph,
  the deadline chain and "the page's figures" (`process_report` + `step_stats` by business unit: what
  the page shows, as its fallback computes it, without reading the events out of a warehouse), the
  like-for-like comparison for the page's path. Its baseline: DuckDB's group-by over the in-memory
  frame.

The 5 s target applies to the page's path; the marts build is paid once per event load, not per view.
Wall times are medians of --repeat; CPU seconds (all threads) of one run say what the work costs when
other processes share the cores. The load average is printed at the start and the end.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.common import machine, peak_mb, print_table, run_step

TARGET_SECONDS = 5.0
BIG = 5_000_000
DEMO_EVENTS = 124_165  # the demo company's order-fulfilment log
POLARS_ANALYTICS = ("prepare", "step_tables", "verdict")  # the reference's equivalent of the page's step analytics
STEP_TABLE_SQL = (
    "select activity, count(*), count(distinct case_id), median(wait_hours), quantile_cont(wait_hours, 0.9), "
    "median(duration_hours), quantile_cont(duration_hours, 0.9) from {table} group by activity"
)


def _timed(fn, repeat: int) -> tuple[float, float]:
    """(wall, CPU) seconds, medians of `repeat` runs. CPU counts all threads: on a busy machine wall
    time also measures the neighbours, CPU time does not."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _model():
    from app.service_model import load_service_model
    from benchmarks.bottleneck_log import MODEL_PATH

    return load_service_model(MODEL_PATH)


def polars_child(n_events: int, repeat: int) -> dict:
    """The event-level reference on the log in memory."""
    import duckdb
    import polars as pl

    from app.analytics import bottlenecks as bn
    from app.analytics import deadline_chain as chain
    from app.analytics import process_map as pm
    from app.analytics.bottleneck_pick import find_bottleneck
    from app.analytics.bottleneck_report import process_report
    from benchmarks.bottleneck_log import PROCESS, synthetic_log

    log = synthetic_log(_model(), n_events)
    steps, cases = log["steps"], log["cases"]
    as_of = bn.data_as_of(steps)
    links = chain.chain_links(log["dim"], PROCESS)
    prepared = bn.prepare_events(steps, cases, as_of)
    table = bn.aggregate_steps(prepared)

    def deadline_chain() -> None:
        status = chain.link_status(steps, cases, links, as_of)
        chain.first_broken(status, cases, as_of)
        chain.link_performance(status)

    def page_figures() -> None:  # what the page shows, as its fallback computes it (minus reading the events)
        process_report(steps, cases, log["dim"], pl.DataFrame(), PROCESS)
        bn.step_stats(steps, cases, ("business_unit",))

    def duckdb_group_by() -> None:
        con = duckdb.connect()
        con.register("steps", steps)
        con.sql(STEP_TABLE_SQL.format(table="steps")).fetchall()
        con.close()

    work = {
        "prepare": lambda: bn.prepare_events(steps, cases, as_of),
        "step_tables": lambda: bn.aggregate_steps_many(prepared, [(), ("business_unit",), ("product_class",)]),
        "verdict": lambda: find_bottleneck(steps, cases, PROCESS, prepared=prepared, stats=table),
        "process_map": lambda: pm.directly_follows(steps, cases),
        "deadline_chain": deadline_chain,
        "page_figures": page_figures,
        "group_by": duckdb_group_by,
    }
    timed = {name: _timed(fn, repeat) for name, fn in work.items()}
    verdict = find_bottleneck(steps, cases, PROCESS, prepared=prepared, stats=table)
    return {"name": f"polars {n_events}", "seconds": sum(timed[k][0] for k in POLARS_ANALYTICS),
            "peak_mb": peak_mb(), "events": steps.height, "stages": {k: v[0] for k, v in timed.items()},
            "cpu": {k: v[1] for k, v in timed.items()}, "bottleneck": verdict.activity if verdict else None}


def _page_runs(page, repeat: int) -> dict[str, tuple[float, float]]:
    """The page's two parts, each run's times kept apart: (wall, CPU) medians of `repeat` runs."""
    parts: dict[str, list[tuple[float, float]]] = {"report": [], "breakdown": [], "page": []}
    for _ in range(repeat):
        times = page()[2]
        for name, wall_cpu in times.items():
            parts[name].append(wall_cpu)
        parts["page"].append(tuple(a + b for a, b in zip(times["report"], times["breakdown"], strict=True)))
    return {name: (statistics.median(r[0] for r in runs), statistics.median(r[1] for r in runs))
            for name, runs in parts.items()}


def _clock() -> tuple[float, float]:
    return time.perf_counter(), time.process_time()


def _since(start: tuple[float, float]) -> tuple[float, float]:
    return time.perf_counter() - start[0], time.process_time() - start[1]


def warehouse_child(n_events: int, repeat: int) -> dict:
    """The page's path: the log in a warehouse file, the marts built as an event load does, the page's queries."""
    import polars as pl

    from app.warehouse.connection import connect
    from app.warehouse.filters import Filters
    from app.warehouse.process_queries import step_dimension
    from app.warehouse.process_report_queries import aggregated_report, breakdown_table, scope_of
    from benchmarks.bottleneck_log import (
        PROCESS,
        build_event_marts,
        check_warehouse,
        fill_warehouse,
        synthetic_log,
        time_process_marts,
    )

    model, folder = _model(), Path(tempfile.mkdtemp(prefix="bench-bottlenecks-"))
    try:
        con = connect(folder / "warehouse.duckdb")
        log = synthetic_log(model, n_events)
        fill_warehouse(con, model, log)
        build = _timed(lambda: build_event_marts(con, model), repeat)  # the first builds them, the others replace them
        process_marts = time_process_marts(con, model)
        dim = step_dimension(con)

        def page() -> tuple:
            start = _clock()
            report = aggregated_report(con, Filters(), PROCESS, dim, pl.DataFrame(), 30)
            report_times, start = _since(start), _clock()
            by_unit = breakdown_table(con, scope_of(con, Filters(), PROCESS), PROCESS, report.totals, ("business_unit",))
            return report, by_unit, {"report": report_times, "breakdown": _since(start)}

        report, by_unit, first = page()
        check_warehouse(con, log, report, by_unit)
        timed = _page_runs(page, repeat) | {"build": build, "group_by": _timed(
            lambda: con.sql(STEP_TABLE_SQL.format(table="mart_process_steps")).fetchall(), repeat)}
        result = {"name": f"warehouse {n_events}", "seconds": timed["page"][0], "events": log["steps"].height,
                  "stages": {k: v[0] for k, v in timed.items()}
                  | {"first_page": sum(t[0] for t in first.values()), "process_marts": process_marts},
                  "cpu": {k: v[1] for k, v in timed.items()},
                  "file_mb": (folder / "warehouse.duckdb").stat().st_size / 1e6,
                  "bottleneck": report.bottleneck.activity}
        con.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return result | {"peak_mb": peak_mb()}


def _measure(size: int, repeat: int) -> dict:
    """Both paths at one size, each in its own process."""
    return {path: run_step("benchmarks.bench_bottlenecks", "--child", str(size), "--path", path,
                           "--repeat", str(repeat))
            for path in ("warehouse", "polars")}


def summary_row(runs: dict) -> list[str]:
    """[measurement, time, baseline, ratio / note, peak MB, target, met] for run_all's one table: the
    page's path against the target, with the marts build and the Polars reference in the note."""
    page, ref = runs["warehouse"], runs["polars"].detail["stages"]
    s = page.detail["stages"]
    note = (f"{page.seconds / s['group_by']:.1f}× group-by; Polars reference: same figures {ref['page_figures']:.2f} s "
            f"({page.seconds / ref['page_figures']:.2f}×), step analytics {runs['polars'].seconds:.2f} s; "
            f"marts build {s['build']:.1f} s once per event load; load avg {os.getloadavg()[0]:.1f}")
    return [f"bottlenecks: step analytics in DuckDB (page) over {page.detail['events']:,} events",
            f"{page.seconds:.2f} s", f"{s['group_by']:.2f} s DuckDB group-by on the mart", note,
            f"{page.peak_mb:,.0f}", f"< {TARGET_SECONDS:.0f} s", "met" if page.seconds < TARGET_SECONDS else "NOT met"]


def _page_row(runs: dict) -> list[str]:
    m = runs["warehouse"]
    s, cpu = m.detail["stages"], m.detail["cpu"]
    return [f"{m.detail['events']:,}", f"{s['build']:.2f}", f"{cpu['build']:.1f}", f"{s['process_marts']:.2f}",
            f"{s['report']:.2f}",
            f"{s['breakdown']:.2f}", f"{m.seconds:.2f}", f"{cpu['page']:.1f}", f"{s['first_page']:.2f}",
            f"{s['group_by']:.2f}", f"{m.seconds / s['group_by']:.1f}×",
            f"{m.seconds / runs['polars'].detail['stages']['page_figures']:.2f}×", f"{m.detail['file_mb']:,.0f}", f"{m.peak_mb:,.0f}",
            m.detail["bottleneck"]]


def _polars_row(runs: dict) -> list[str]:
    m = runs["polars"]
    s, cpu = m.detail["stages"], m.detail["cpu"]
    return [f"{m.detail['events']:,}", *(f"{s[k]:.2f}" for k in POLARS_ANALYTICS), f"{m.seconds:.2f}",
            f"{sum(cpu[k] for k in POLARS_ANALYTICS):.1f}", f"{s['group_by']:.2f}",
            f"{m.seconds / s['group_by']:.1f}×", f"{s['process_map']:.2f}", f"{s['deadline_chain']:.2f}",
            f"{s['page_figures']:.2f}", f"{cpu['page_figures']:.1f}", f"{m.peak_mb:,.0f}", m.detail["bottleneck"] or "none"]


def _print_tables(runs: list[dict], repeat: int, start_load: float) -> None:
    print(f"Bottleneck step analytics on a synthetic order-fulfilment log · {machine()} · medians of {repeat} "
          f"runs (wall, and CPU of all threads) · load average {start_load:.2f} at the start")
    print("\nThe page's path: marts built at the event load, then the page's queries in DuckDB")
    print_table([_page_row(r) for r in runs],
                ["events", "marts build s", "its CPU s", "process marts alone s", "report s", "breakdown s", "page s", "its CPU s",
                 "first call s", "group-by on mart s", "vs group-by", "vs Polars figures", "file MB", "peak MB",
                 "bottleneck"])
    print("\nThe Polars reference (event level; the fallback for older warehouses), same log in memory")
    print_table([_polars_row(r) for r in runs],
                ["events", "prepare s", "step tables s", "verdict s", "step analytics s", "its CPU s",
                 "DuckDB group-by s", "vs DuckDB", "process map s", "deadline chain s", "page's figures s",
                 "its CPU s", "peak MB", "bottleneck"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=BIG)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--path", choices=("warehouse", "polars"), help=argparse.SUPPRESS)
    parser.add_argument("--json", action="store_true", help="print rows for benchmarks.run_all's table")
    args = parser.parse_args()
    if args.child:
        child = warehouse_child if args.path == "warehouse" else polars_child
        print(json.dumps(child(args.child, args.repeat)))
        return
    if args.json:
        print(json.dumps({"rows": [summary_row(_measure(args.events, args.repeat))]}))
        return
    start_load = os.getloadavg()[0]
    runs = [_measure(size, args.repeat) for size in (DEMO_EVENTS, args.events)]
    _print_tables(runs, args.repeat, start_load)
    ok = _print_verdict(runs[-1])
    sys.exit(0 if ok else 1)


def _print_verdict(runs: dict) -> bool:
    page, ref = runs["warehouse"], runs["polars"]
    ok = page.seconds < TARGET_SECONDS
    named, ref_named = page.detail["bottleneck"], ref.detail["bottleneck"]
    same = f"both paths name '{named}'" if named == ref_named else f"NOT the same: '{named}' vs '{ref_named}'"
    print(
        f"\nStep analytics in DuckDB (the page: aggregated_report + one breakdown) at {page.detail['events']:,} "
        f"events: {page.seconds:.2f} s — {'under' if ok else 'OVER'} the {TARGET_SECONDS:.0f} s target. The "
        f"marts it reads cost {page.detail['stages']['build']:.1f} s to build, once per event load. In Polars "
        f"on the same log in memory, the same figures take {ref.detail['stages']['page_figures']:.2f} s and the "
        f"step analytics (prepare + step tables + verdict) {ref.seconds:.2f} s; bottleneck: {same}. Load average at the end: {os.getloadavg()[0]:.2f}; on a shared machine compare the CPU columns."
    )
    return ok


if __name__ == "__main__":
    main()
