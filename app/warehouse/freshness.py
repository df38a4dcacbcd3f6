"""How fresh the warehouse is: the line every page shows under its title.

Executives must know what they look at (which upload, how many answers, which quarters) before
trusting a number; analysts see at a glance whether their last upload landed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import duckdb

from app.warehouse.connection import table_exists


@dataclass(frozen=True)
class Freshness:
    latest_batch_id: int | None
    latest_batch_at: datetime | None
    latest_batch_file: str | None
    latest_batch_source: str | None
    n_batches: int
    n_responses: int
    n_clients: int
    period_first: str | None
    period_last: str | None

    @property
    def is_empty(self) -> bool:
        return self.n_responses == 0


EMPTY = Freshness(None, None, None, None, 0, 0, 0, None, None)


def _coverage_sql(con: duckdb.DuckDBPyConnection) -> str:
    """Answers, clients and quarters: the one row of mart_survey_summary, kept at load time, so the
    line costs the same at a thousand answers and at ten million. A warehouse built before that mart
    existed sums the per-batch coverage, or counts the answers, until its next load or rebuild."""
    if table_exists(con, "mart_survey_summary"):
        return "select n_responses, n_clients, period_first, period_last from mart_survey_summary"
    if table_exists(con, "mart_survey_coverage"):
        return (
            "select coalesce(sum(n_responses), 0), count(distinct client_id), min(period_first), max(period_last) "
            "from mart_survey_coverage"
        )
    return "select count(*), count(distinct client_id), min(period), max(period) from mart_responses"


def freshness(con: duckdb.DuckDBPyConnection) -> Freshness:
    """Latest loaded batch, number of answers and clients, and the quarters the answers cover."""
    if not table_exists(con, "batches") or not table_exists(con, "mart_responses"):
        return EMPTY
    batch = con.execute(
        """
        select batch_id, loaded_at, file_name, source, (select count(*) from batches where status = 'loaded')
        from batches where status = 'loaded' order by batch_id desc limit 1
        """
    ).fetchall()
    answers = con.execute(_coverage_sql(con)).fetchall()[0]
    if not batch:
        return Freshness(None, None, None, None, 0, int(answers[0]), int(answers[1]), answers[2], answers[3])
    batch_id, loaded_at, file_name, source, n_batches = batch[0]
    return Freshness(
        latest_batch_id=int(batch_id),
        latest_batch_at=loaded_at,
        latest_batch_file=file_name,
        latest_batch_source=source,
        n_batches=int(n_batches),
        n_responses=int(answers[0]),
        n_clients=int(answers[1]),
        period_first=answers[2],
        period_last=answers[3],
    )
