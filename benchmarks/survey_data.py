"""Scaled survey data for benchmarks: a client list and an N-response survey CSV in the import format."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl

from app.service_model import ServiceModel

NPS_SHARES = [0.02, 0.01, 0.02, 0.02, 0.03, 0.06, 0.09, 0.15, 0.20, 0.20, 0.20]


def write_clients(path: Path, model: ServiceModel, n_clients: int, seed: int = 1) -> Path:
    rng = np.random.default_rng(seed)
    dims = model.dimensions
    frame = pl.DataFrame({
        "client_id": [f"B{i:07d}" for i in range(n_clients)],
        "name": [f"Client {i}" for i in range(n_clients)],
        "business_unit": rng.choice([o.id for o in dims.business_units], n_clients),
        "segment": rng.choice([o.id for o in dims.segments], n_clients),
        "grade": rng.choice([o.id for o in dims.grades], n_clients),
        "status": rng.choice([o.id for o in dims.statuses], n_clients),
        "revenue": rng.gamma(2.0, 2e6, n_clients).round(2),
        "ltv": rng.gamma(2.0, 1e7, n_clients).round(2),
    })
    for column in model.client_importance_columns():
        frame = frame.with_columns(pl.Series(column, rng.integers(1, 6, n_clients)))
    frame.write_csv(path)
    return path


def write_surveys(path: Path, model: ServiceModel, n_rows: int, n_clients: int, seed: int = 2,
                  first_id: int = 0) -> Path:
    rng = np.random.default_rng(seed)
    start = datetime(2024, 10, 1)
    seconds = rng.integers(0, 2 * 365 * 86400, n_rows)
    frame = pl.DataFrame({
        "response_id": [f"BR{i:09d}" for i in range(first_id, first_id + n_rows)],
        "client_id": [f"B{i:07d}" for i in rng.integers(0, n_clients, n_rows)],
        "respondent_role": rng.choice(model.option_ids("respondent_roles"), n_rows),
        # a realistic spread (about 25 % detractors, 40 % promoters), not uniform 0–10
        "nps": rng.choice(11, n_rows, p=NPS_SHARES),
        "ces": rng.integers(1, 8, n_rows),
        "channel": rng.choice(model.option_ids("channels"), n_rows),
        "has_comment": rng.random(n_rows) < 0.3,
    })
    frame = frame.with_columns(
        pl.when(pl.col("has_comment")).then(pl.lit("Delivery was late, documents incomplete")).alias("comment"),
        (pl.lit(start) + pl.duration(seconds=pl.Series(seconds))).dt.strftime("%Y-%m-%d %H:%M:%S").alias("submitted_at"),
    ).drop("has_comment")
    for tp in model.touchpoints:
        ratings = rng.integers(tp.scale.min, tp.scale.max + 1, n_rows).astype(float)
        ratings[rng.random(n_rows) < 0.35] = np.nan
        frame = frame.with_columns(pl.Series(tp.rating_column, ratings).fill_nan(None).cast(pl.Int32))
    frame.write_csv(path)
    return path

