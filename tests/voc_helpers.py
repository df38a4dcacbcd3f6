"""Helpers for the voice-of-the-customer tests: a small survey batch for existing demo clients."""

from __future__ import annotations

from pathlib import Path

import duckdb
import polars as pl

from app.service_model import ServiceModel
from pipelines.sources import source_spec

SCRIPT_COMMENT = "<script>alert(1)</script> **bold** [link](https://example.com) the delivery was late"


def demo_client(con: duckdb.DuckDBPyConnection, grade: str = "a") -> str:
    return con.execute(
        "select min(client_id) from mart_clients where grade = ? and status = 'current'", [grade]
    ).fetchall()[0][0]


def write_survey_batch(path: Path, model: ServiceModel, client_id: str, rows: list[dict]) -> Path:
    """A survey file in the import format; every touchpoint rated 4 (5 on 1–10) unless a row says otherwise.

    Each row: response_id, nps, comment (optional), submitted_at, lowest (touchpoint id rated 1).
    """
    columns = source_spec("surveys", model).column_names
    records = []
    for row in rows:
        record: dict[str, object] = {c: None for c in columns}
        record.update(
            response_id=row["response_id"],
            client_id=client_id,
            respondent_role="decision_maker",
            submitted_at=row["submitted_at"],
            nps=row["nps"],
            channel="email",
            comment=row.get("comment"),
        )
        for tp in model.touchpoints:
            record[tp.rating_column] = tp.scale.min if tp.id == row.get("lowest") else tp.scale.max - 1
        records.append({k: None if v is None else str(v) for k, v in record.items()})
    pl.DataFrame(records, schema={c: pl.String for c in columns}).write_csv(path)
    return path
