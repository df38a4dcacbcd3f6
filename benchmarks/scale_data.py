"""Scaled data for benchmarks: N survey responses with proportional clients, orders, events, tickets.

Ratios per 1,000,000 responses: 50,000 clients, 150,000 orders, 900,000 process events (order
fulfilment, six steps per order) and 20,000 tickets — a B2C-sized firm, far past the demo's 6.6k
responses. Values are random but valid, so the real pipeline loads them without rejections.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

from app.service_model import ServiceModel
from benchmarks.survey_data import write_clients, write_surveys

START = datetime(2024, 10, 1)
SPAN_SECONDS = 2 * 365 * 86400 - 30 * 86400
# A B2C firm exports survey waves, not one file of ten million rows; the loader holds one file in
# memory (about 1.4 GB per million responses), so scaled surveys come as batches of this size.
SURVEY_BATCH_ROWS = 1_000_000
EVENT_BATCH_CASES = 250_000  # six events a case: 1.5M events a file


def proportional_counts(n_responses: int) -> dict[str, int]:
    return {
        "clients": max(1000, n_responses // 20),
        "orders": max(1000, n_responses * 3 // 20),
        "tickets": max(200, n_responses // 50),
    }


def _timestamps(rng: np.random.Generator, n: int) -> pl.Series:
    return pl.Series(rng.integers(0, SPAN_SECONDS, n)).cast(pl.Int64) * 1_000_000


def _as_datetime(micros: pl.Expr) -> pl.Expr:
    return (pl.lit(START) + pl.duration(microseconds=micros)).dt.strftime("%Y-%m-%d %H:%M:%S")


def write_orders(path: Path, model: ServiceModel, n_orders: int, n_clients: int, seed: int = 3) -> Path:
    rng = np.random.default_rng(seed)
    hour = 3_600_000_000
    frame = pl.DataFrame({
        "order_id": [f"BO{i:09d}" for i in range(n_orders)],
        "client_id": [f"B{i:07d}" for i in rng.integers(0, n_clients, n_orders)],
        "t0": _timestamps(rng, n_orders),
        "lead": pl.Series(rng.integers(5 * 24, 30 * 24, n_orders)) * hour,
        "ship": pl.Series(rng.integers(2 * 24, 25 * 24, n_orders)) * hour,
        "transit": pl.Series(rng.integers(24, 8 * 24, n_orders)) * hour,
        "amount": rng.gamma(2.0, 150_000, n_orders).round(2),
        "product_class": rng.choice(model.option_ids("product_classes") or ["standard"], n_orders),
    })
    frame.select(
        "order_id", "client_id",
        _as_datetime(pl.col("t0")).alias("ordered_at"),
        _as_datetime(pl.col("t0") + pl.col("lead")).alias("promised_at"),
        _as_datetime(pl.col("t0") + pl.col("ship")).alias("shipped_at"),
        _as_datetime(pl.col("t0") + pl.col("ship") + pl.col("transit")).alias("delivered_at"),
        "amount", "product_class",
    ).write_csv(path)
    return path


def fulfilment_events(model: ServiceModel, n_cases: int, n_clients: int, seed: int = 4,
                      first_case: int = 0) -> pl.DataFrame:
    """Order-fulfilment cases, each running the process's steps in order with waits between them."""
    process = model.processes[0]
    rng = np.random.default_rng(seed)
    hour = 3_600_000_000
    steps = len(process.steps)
    case = np.repeat(np.arange(first_case, first_case + n_cases), steps)
    order = np.tile(np.arange(steps), n_cases)
    targets = np.array([s.target_hours for s in process.steps])[order]
    waits = rng.gamma(1.5, targets / 3)
    durations = rng.gamma(2.0, targets / 3)
    gaps = (waits + durations).reshape(n_cases, steps)
    ends = np.cumsum(gaps, axis=1).ravel()
    starts = ends - durations
    t0 = np.repeat(rng.integers(0, SPAN_SECONDS - 60 * 86400, n_cases), steps) * 1_000_000
    return pl.DataFrame({
        "case_id": pl.Series(case).cast(pl.String).str.zfill(9).str.replace(r"^", "BC"),
        "process": process.id,
        "activity": np.array([s.activity for s in process.steps])[order],
        "start_us": t0 + (starts * hour).astype(np.int64),
        "end_us": t0 + (ends * hour).astype(np.int64),
        "department": np.array([s.department for s in process.steps])[order],
        "client_id": pl.Series(np.repeat(rng.integers(0, n_clients, n_cases), steps)).cast(pl.String)
        .str.zfill(7).str.replace(r"^", "B"),
    }).select(
        "case_id", "process", "activity",
        (pl.lit(START) + pl.duration(microseconds=pl.col("start_us"))).alias("started_at"),
        (pl.lit(START) + pl.duration(microseconds=pl.col("end_us"))).alias("ended_at"),
        "department", "client_id",
    )


def write_events(path: Path, model: ServiceModel, n_cases: int, n_clients: int, seed: int = 4,
                 first_case: int = 0) -> Path:
    frame = fulfilment_events(model, n_cases, n_clients, seed, first_case)
    frame.with_columns(pl.col("started_at", "ended_at").dt.strftime("%Y-%m-%d %H:%M:%S")).write_csv(path)
    return path


def write_tickets(path: Path, model: ServiceModel, n_tickets: int, n_clients: int, seed: int = 5) -> Path:
    rng = np.random.default_rng(seed)
    hour = 3_600_000_000
    touchpoints = [t.id for t in model.touchpoints]
    texts = ["Delivery is late again", "Счёт выставлен с ошибкой", "No answer from the service engineer",
             "Документы неполные", "Quality defect on arrival"]
    frame = pl.DataFrame({
        "ticket_id": [f"BT{i:08d}" for i in range(n_tickets)],
        "client_id": [f"B{i:07d}" for i in rng.integers(0, n_clients, n_tickets)],
        "t0": _timestamps(rng, n_tickets),
        "response": pl.Series(rng.integers(1, 72, n_tickets)) * hour,
        "resolution": pl.Series(rng.integers(72, 400, n_tickets)) * hour,
        "touchpoint": rng.choice(touchpoints, n_tickets),
        "text": rng.choice(texts, n_tickets),
    })
    frame.select(
        "ticket_id", "client_id",
        _as_datetime(pl.col("t0")).alias("opened_at"),
        _as_datetime(pl.col("t0") + pl.col("response")).alias("first_response_at"),
        _as_datetime(pl.col("t0") + pl.col("resolution")).alias("closed_at"),
        "touchpoint", "text",
    ).write_csv(path)
    return path


def write_scaled_company(folder: Path, model: ServiceModel, n_responses: int) -> list[tuple[str, Path]]:
    """All files for one scale, in load order."""
    folder.mkdir(parents=True, exist_ok=True)
    counts = proportional_counts(n_responses)
    n_clients = counts["clients"]
    files = [("clients", write_clients(folder / "clients.csv", model, n_clients))]
    for i, start in enumerate(range(0, n_responses, SURVEY_BATCH_ROWS)):
        rows = min(SURVEY_BATCH_ROWS, n_responses - start)
        path = write_surveys(folder / f"surveys_{i:02d}.csv", model, rows, n_clients, seed=100 + i, first_id=start)
        files.append(("surveys", path))
    return files + [
        ("orders", write_orders(folder / "orders.csv", model, counts["orders"], n_clients)),
        *[("events", write_events(folder / f"events_{i:02d}.csv", model, min(EVENT_BATCH_CASES, counts["orders"] - first),
                                  n_clients, seed=200 + i, first_case=first))
          for i, first in enumerate(range(0, counts["orders"], EVENT_BATCH_CASES))],
        ("tickets", write_tickets(folder / "tickets.csv", model, counts["tickets"], n_clients)),
    ]
