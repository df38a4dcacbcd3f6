"""Survey files to upload in the Data page's tests, built from clients that exist in the demo.

The demo warehouse's `mart_clients` is read from the session's demo copy (never the copy an app
under test holds open), so the files validate against the same client list the app sees.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import polars as pl

RUSSIAN_HEADERS = {
    "response_id": "ID ответа",
    "client_id": "Клиент",
    "respondent_role": "Роль",
    "submitted_at": "Дата",
    "nps": "Оценка",
    "comment": "Комментарий",
}


def demo_client_ids(demo_db: Path, n: int = 10) -> list[str]:
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        rows = con.execute("select client_id from mart_clients order by client_id limit ?", [n]).fetchall()
    finally:
        con.close()
    return [r[0] for r in rows]


def latest_quarter_day(demo_db: Path) -> datetime:
    """A day inside the newest quarter that has answers, so the overview's tiles count the upload."""
    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        latest = con.execute("select max(submitted_at) from mart_responses").fetchall()[0][0]
    finally:
        con.close()
    return latest.replace(hour=10, minute=0, second=0, microsecond=0) - timedelta(days=1)


def survey_frame(client_ids: list[str], n: int, day: datetime, prefix: str) -> pl.DataFrame:
    """n valid answers in the canonical survey format (ids `<prefix>-0001`…)."""
    roles = ["decision_maker", "procurement", "finance", "end_user"]
    return pl.DataFrame(
        {
            "response_id": [f"{prefix}-{i:04d}" for i in range(1, n + 1)],
            "client_id": [client_ids[i % len(client_ids)] for i in range(n)],
            "respondent_role": [roles[i % len(roles)] for i in range(n)],
            "submitted_at": [(day + timedelta(minutes=i)).strftime("%Y-%m-%d %H:%M:%S") for i in range(n)],
            "nps": [str((3 * i) % 11) for i in range(n)],
            "comment": [f"Answer {i} of the browser test" for i in range(n)],
        }
    )


def survey_csv(client_ids: list[str], n: int, day: datetime, prefix: str) -> bytes:
    return survey_frame(client_ids, n, day, prefix).write_csv().encode("utf-8")


def russian_survey_csv(client_ids: list[str], n: int, day: datetime, prefix: str) -> bytes:
    """The same answers as a 1C-style export: Russian headers, ';', dd.mm.yyyy dates, cp1251."""
    frame = (
        survey_frame(client_ids, n, day, prefix)
        .with_columns(
            pl.col("submitted_at").str.to_datetime().dt.strftime("%d.%m.%Y %H:%M"),
            pl.lit("Спасибо, всё вовремя").alias("comment"),
        )
        .rename(RUSSIAN_HEADERS)
    )
    return frame.write_csv(separator=";").encode("cp1251")


def bad_survey_csv(client_ids: list[str], day: datetime, prefix: str) -> bytes:
    """Four answers: row 3 has NPS 11, row 5 an unknown client; rows 2 and 4 are fine."""
    frame = survey_frame(client_ids, 4, day, prefix).with_columns(
        pl.when(pl.int_range(pl.len()) == 1).then(pl.lit("11")).otherwise(pl.col("nps")).alias("nps"),
        pl.when(pl.int_range(pl.len()) == 3)
        .then(pl.lit("NO-SUCH-CLIENT"))
        .otherwise(pl.col("client_id"))
        .alias("client_id"),
    )
    return frame.write_csv().encode("utf-8")
