"""A synthetic process event log for benchmarks.bench_bottlenecks, in memory and in a real warehouse.

The log follows the service model's order-fulfilment process (its steps, targets and deadline offsets
come from data/service_model.yaml): one run of every step per case, back to back after a wait; 4 % of
step runs are done twice (rework: the same activity again, after a wait of its own); 0.5 % of cases
are still open (their last step has no end); every case has a client, and the client's business unit
is the case's (as the marts join it), with the third step's wait three times as long in the second
unit. Times are drawn once from a seed, so the in-memory frames (the Polars reference's input) and the
warehouse's raw tables (the page's) hold the same log.

The warehouse side loads the log as the product would (schema, batches, raw rows), builds what an
event load builds, and checks that the marts hold every event and case before anything is timed.
"""

from __future__ import annotations

import time
from pathlib import Path

import duckdb
import numpy as np
import polars as pl

from app.service_model import ServiceModel
from app.warehouse.connection import write_transaction
from app.warehouse.models import rebuild_models, render_model_sql
from app.warehouse.schema import bump_data_version, ensure_schema

PROCESS = "order_fulfilment"
MODEL_PATH = Path(__file__).resolve().parent.parent / "data" / "service_model.yaml"
REWORK_SHARE, OPEN_SHARE, N_CLIENTS = 0.04, 0.005, 5000
HOUR_US = 3_600_000_000
PROCESS_MARTS = ("mart_process_steps", "mart_process_cases")
EVENT_COLUMNS = (  # raw_events as the import format has them (pipelines/sources.py)
    "case_id", "process", "activity", "started_at", "ended_at", "resource", "department", "client_id",
    "product_class", "due_at",
)


def process_steps(model: ServiceModel) -> list[tuple[str, float, float]]:
    """(activity, target hours, deadline offset hours) of the process, in order."""
    spec = next(p for p in model.processes if p.id == PROCESS)
    return [(s.activity, float(s.target_hours), float(s.deadline_offset_hours)) for s in spec.steps]


def _case_bounds(case: np.ndarray, n_cases: int) -> tuple[np.ndarray, np.ndarray]:
    """Index of each case's first and last event (events sorted by case)."""
    first = np.searchsorted(case, np.arange(n_cases))
    return first, np.r_[first[1:], len(case)] - 1


def _simulate(model: ServiceModel, n_events: int, seed: int) -> dict:
    """Arrays per event (sorted by case, then run); hours since the window opened."""
    rng = np.random.default_rng(seed)
    steps = process_steps(model)
    n_steps = len(steps)
    n_cases = max(1, round(n_events / (n_steps * (1 + REWORK_SHARE))))
    runs = 1 + (rng.random(n_cases * n_steps) < REWORK_SHARE)  # a reworked step runs twice
    case = np.repeat(np.repeat(np.arange(n_cases), n_steps), runs)
    step = np.repeat(np.tile(np.arange(n_steps), n_cases), runs)
    is_rework = np.zeros(len(case), dtype=bool)
    is_rework[(np.cumsum(runs) - 1)[runs == 2]] = True  # the second run of a reworked step
    first, last = _case_bounds(case, n_cases)
    targets = np.array([s[1] for s in steps])[step]
    wait = targets * 0.3 * rng.exponential(1.0, len(case))
    wait[first] = 0.0  # nothing ends before a case's first step
    duration = targets * 0.7 * rng.lognormal(0, 0.35, len(case))
    client_unit = rng.integers(0, len(model.dimensions.business_units), N_CLIENTS)
    client = rng.integers(0, N_CLIENTS, n_cases)
    wait[(step == min(2, n_steps - 1)) & (client_unit[client][case] == 1)] *= 3  # a slow wait in one unit
    total = wait + duration
    running = np.cumsum(total)
    elapsed = running - (running[first] - total[first])[case]  # hours from the case's start to each end
    lead = elapsed[last]
    start0 = rng.uniform(0, 2 * 365 * 24, n_cases)
    open_cases = rng.random(n_cases) < OPEN_SHARE
    is_open = np.zeros(len(case), dtype=bool)
    is_open[last[open_cases]] = True
    previous = np.r_[-1, step[:-1]]
    previous[first] = -1
    return dict(rng=rng, steps=steps, n_cases=n_cases, case=case, step=step, previous=previous,
                first=first, last=last, is_rework=is_rework, targets=targets, wait=wait, duration=duration,
                client=client, client_unit=client_unit, lead=lead, start0=start0, end_h=start0[case] + elapsed,
                due_h=start0 + np.quantile(lead, 0.8) * rng.uniform(0.9, 1.1, n_cases),
                open_cases=open_cases, is_open=is_open,
                product_class=rng.integers(0, len(model.dimensions.product_classes), n_cases))


def _timestamps(hours: np.ndarray) -> pl.Series:
    base = np.datetime64("2025-01-01T00:00:00", "us").astype(np.int64)
    return pl.Series((base + hours * HOUR_US).astype(np.int64)).cast(pl.Datetime("us"))


def _steps_frame(model: ServiceModel, a: dict, case_ids: pl.Series, client_ids: pl.Series) -> pl.DataFrame:
    """The events as mart_process_steps has them (the columns the Polars analytics read)."""
    case, step, is_open, steps = a["case"], a["step"], pl.Series(a["is_open"]), a["steps"]
    activities = [s[0] for s in steps]
    offsets = np.array([s[2] for s in steps])
    is_last = np.zeros(len(case), dtype=bool)
    is_last[a["last"]] = True
    units = pl.Series(model.option_ids("business_units"))
    return pl.DataFrame({
        "case_id": case_ids.gather(case),
        "process": PROCESS,
        "activity": pl.Series(activities).gather(step),
        "step_order": step,
        "previous_activity": pl.Series([*activities, None], dtype=pl.String).gather(
            np.where(a["previous"] < 0, len(steps), a["previous"])),
        "is_last_event": is_last,
        "started_at": _timestamps(a["end_h"] - a["duration"]),
        "ended_at": _timestamps(a["end_h"]).set(is_open, None),
        "is_open": is_open,
        "duration_hours": pl.Series(a["duration"]).set(is_open, None),
        "wait_hours": a["wait"],  # 0 before a case's first step, as the mart has it
        "is_rework": a["is_rework"],
        "target_hours": a["targets"],
        "due_at": _timestamps(a["due_h"][case]),
        "deadline_at": _timestamps(a["due_h"][case] + offsets[step]),
        "client_id": client_ids.gather(a["client"][case]),
        "business_unit": units.gather(a["client_unit"][a["client"]][case]),
        "product_class": pl.Series(model.option_ids("product_classes")).gather(a["product_class"][case]),
        "period": "2025-Q1",
    })


def synthetic_log(model: ServiceModel, n_events: int, seed: int = 7) -> dict[str, pl.DataFrame]:
    """steps, cases, step dimension (the Polars analytics' input) and clients (for the warehouse)."""
    a = _simulate(model, n_events, seed)
    case_ids = pl.Series(np.arange(a["n_cases"])).cast(pl.String)
    client_ids = pl.Series([f"C{i:05d}" for i in range(N_CLIENTS)])
    complete, lead = ~a["open_cases"], a["lead"]
    units = pl.Series(model.option_ids("business_units"))
    cases = pl.DataFrame({
        "process": PROCESS,
        "case_id": case_ids,
        "business_unit": units.gather(a["client_unit"][a["client"]]),
        "started_at": _timestamps(a["start0"]),
        "ended_at": _timestamps(a["start0"] + lead).set(pl.Series(~complete), None),
        "is_complete": complete,
        "lead_time_hours": pl.Series(np.where(complete, lead, np.nan)).fill_nan(None),
        "due_at": _timestamps(a["due_h"]),
    })
    steps = a["steps"]
    dim = pl.DataFrame(
        {"process": PROCESS, "activity": [s[0] for s in steps], "step_order": list(range(len(steps))),
         "target_hours": [s[1] for s in steps], "deadline_offset_hours": [s[2] for s in steps],
         "touchpoint_id": [None] * len(steps)},
        schema_overrides={"touchpoint_id": pl.String},
    )
    return {"steps": _steps_frame(model, a, case_ids, client_ids), "cases": cases, "dim": dim,
            "clients": _clients_frame(model, client_ids, a["client_unit"], a["rng"])}


def _clients_frame(model: ServiceModel, client_ids: pl.Series, unit: np.ndarray, rng) -> pl.DataFrame:
    def pick(dimension: str) -> pl.Series:
        options = pl.Series(model.option_ids(dimension))
        return options.gather(rng.integers(0, options.len(), client_ids.len()))

    return pl.DataFrame({
        "client_id": client_ids,
        "name": "Client " + client_ids,
        "business_unit": pl.Series(model.option_ids("business_units")).gather(unit),
        "segment": pick("segments"),
        "grade": pick("grades"),
        "status": pick("statuses"),
    })


def _insert_batch(con: duckdb.DuckDBPyConnection, batch_id: int, source: str, table: str,
                  frame: pl.DataFrame) -> None:
    """One loaded batch as write_batch leaves it: its batches row and its rows (source_row from 1)."""
    con.execute("insert into batches values (?, ?, ?, ?, ?, ?, 0, current_localtimestamp(), null, 'loaded', null)",
                [batch_id, source, f"synthetic_{source}.csv", f"synthetic-{source}", frame.height, frame.height])
    con.register("_incoming", frame.with_row_index("source_row", offset=1))
    try:
        columns = ", ".join(frame.columns)
        con.execute(f"insert into {table} (batch_id, source_row, {columns}) "
                    f"select $batch_id, source_row, {columns} from _incoming", {"batch_id": batch_id})
    finally:
        con.unregister("_incoming")


def fill_warehouse(con: duckdb.DuckDBPyConnection, model: ServiceModel, log: dict[str, pl.DataFrame]) -> None:
    """The product's schema; the clients loaded as batch 1 with every model built (as a first load
    does), then the events inserted as batch 2 — raw rows only: the caller builds the marts the event
    load changes, as write_batch does in its transaction."""
    ensure_schema(con, model)
    with write_transaction(con):
        _insert_batch(con, 1, "clients", "raw_clients", log["clients"])
        rebuild_models(con, model)
        bump_data_version(con, "synthetic clients")
    no_value = pl.lit(None, dtype=pl.String)
    events = log["steps"].with_columns(resource=no_value, department=no_value).select(EVENT_COLUMNS)
    with write_transaction(con):
        _insert_batch(con, 2, "events", "raw_events", events)


def build_event_marts(con: duckdb.DuckDBPyConnection, model: ServiceModel) -> None:
    """What an event load builds in its transaction (write_batch): the models that read events."""
    with write_transaction(con):
        rebuild_models(con, model, changed={"events"})


def time_process_marts(con: duckdb.DuckDBPyConnection, model: ServiceModel) -> float:
    """Wall seconds of rebuilding only the two process marts, once: the event load's build also
    covers every other model that reads events (their share is the rest)."""
    started = time.perf_counter()
    with write_transaction(con):
        for name in PROCESS_MARTS:
            con.execute(f"create or replace table {name} as\n{render_model_sql(name, model)}")
    return time.perf_counter() - started


def check_warehouse(con: duckdb.DuckDBPyConnection, log: dict[str, pl.DataFrame], report,
                    by_unit: pl.DataFrame) -> None:
    """The synthetic warehouse must hold what the page needs, or the times measure empty tables."""
    n_events = con.sql("select count(*) from mart_process_steps").fetchall()[0][0]
    n_cases = con.sql("select count(*) from mart_process_cases").fetchall()[0][0]
    n_units = by_unit["business_unit"].drop_nulls().n_unique()
    problems = []
    if n_events != log["steps"].height:
        problems.append(f"mart_process_steps has {n_events:,} events of {log['steps'].height:,}")
    if n_cases != log["cases"].height:
        problems.append(f"mart_process_cases has {n_cases:,} cases of {log['cases'].height:,}")
    if report.steps.height != log["dim"].height:
        problems.append(f"the page's step table has {report.steps.height} steps of {log['dim'].height}")
    if report.bottleneck is None:
        problems.append("no bottleneck named")
    if n_units < 2:
        problems.append(f"the breakdown by business unit has {n_units} units")
    if problems:
        raise RuntimeError("synthetic warehouse: " + "; ".join(problems))
