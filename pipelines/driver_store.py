"""Writing key-driver results to the warehouse: all tables of a run in one transaction.

These are pipeline outputs, not SQL models: `rebuild_models` never touches them, and a load does not
delete them — it moves the data version, which makes them stale (the page says so). Each training
run replaces the previous results of the targets it trained, so a table never mixes two versions of
one target. A table whose columns changed with a newer CX Lens is recreated.

Tables (all keyed by model_id = "<target>|<segment_id>"):
  driver_runs      one row per trained target: data version, time, settings, LightGBM version
  driver_models    one row per target × segment: sample size, CV quality and baseline, or "too_small"
  driver_features  one row per model × feature: mean |SHAP|, share, direction, stability, relative weight
  driver_shap      SHAP values of a stratified sample of answers (long: row × feature)
  driver_rows      who those sampled answers are (response, client, NPS, prediction)
  driver_whatif    ΔNPS when a driver moves by ±½ or ±1 step, with the range across CV fold models
  driver_importance (view) touchpoint importances of the newest overall model, for other pages
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.warehouse.connection import write_transaction

# driver_models' columns; status is ok, too_small, or training (a segment whose model a
# background run is still fitting, see pipelines/drivers_staged.py).
MODEL_SCHEMA = {
    "model_id": pl.String,
    "target": pl.String,
    "segment_id": pl.String,
    "segment_label_en": pl.String,
    "segment_label_ru": pl.String,
    "segment_order": pl.Int64,
    "status": pl.String,
    "n_rows": pl.Int64,
    "n_total": pl.Int64,
    "n_promoters": pl.Int64,
    "n_detractors": pl.Int64,
    "nps": pl.Float64,
    "period_from": pl.String,
    "period_to": pl.String,
    "metric": pl.String,
    "cv_value": pl.Float64,
    "cv_sd": pl.Float64,
    "baseline_value": pl.Float64,
    "error_metric": pl.String,
    "cv_error": pl.Float64,
    "baseline_error": pl.Float64,
    "quality": pl.String,
    "base_value": pl.Float64,
    "n_features": pl.Int64,
    "n_significant": pl.Int64,
    "rw_r2": pl.Float64,
    "model_text": pl.Binary,
}

TABLES = ("driver_runs", "driver_models", "driver_features", "driver_shap", "driver_rows", "driver_whatif")

IMPORTANCE_VIEW = """
create or replace view driver_importance as
with newest as (
    select m.run_id, m.model_id, m.target
    from driver_models m join driver_runs r using (run_id)
    where m.segment_id = 'all' and m.status = 'ok'
    order by r.data_version desc, case m.target when 'score' then 0 else 1 end, r.run_id desc
    limit 1
)
select f.touchpoint_id, f.importance, f.importance as mean_abs_shap, f.share, f.direction,
       f.is_significant, n.target
from driver_features f join newest n using (run_id, model_id)
where f.kind = 'touchpoint'
"""


def _columns(con: duckdb.DuckDBPyConnection, table: str) -> list[tuple[str, str]]:
    rows = con.execute(
        "select column_name, data_type from information_schema.columns where table_name = ? order by ordinal_position",
        [table],
    ).fetchall()
    return [(r[0], r[1]) for r in rows]


def _frame_columns(con: duckdb.DuckDBPyConnection, frame: pl.DataFrame) -> list[tuple[str, str]]:
    con.register("_driver_frame", frame)
    try:
        rows = con.execute("describe select * from _driver_frame").fetchall()
    finally:
        con.unregister("_driver_frame")
    return [(r[0], r[1]) for r in rows]


def _ensure_table(con: duckdb.DuckDBPyConnection, table: str, frame: pl.DataFrame) -> None:
    existing = _columns(con, table)
    wanted = _frame_columns(con, frame)
    if existing == wanted:
        return
    if existing:
        con.execute(f"drop table {table}")
    con.register("_driver_frame", frame)
    try:
        con.execute(f"create table {table} as select * from _driver_frame limit 0")
    finally:
        con.unregister("_driver_frame")


def next_run_id(con: duckdb.DuckDBPyConnection) -> int:
    if not _columns(con, "driver_runs"):
        return 1
    return int(con.execute("select coalesce(max(run_id), 0) + 1 from driver_runs").fetchall()[0][0])


def newest_runs(con: duckdb.DuckDBPyConnection, targets: list[str]) -> dict[str, int | None]:
    """Target -> its newest stored run id (None when it has none)."""
    found: dict[str, int | None] = dict.fromkeys(targets)
    if _columns(con, "driver_runs"):
        rows = con.execute(
            "select target, max(run_id) from driver_runs where target in (select unnest($targets)) group by target",
            {"targets": targets},
        ).fetchall()
        found |= {target: int(run_id) for target, run_id in rows}
    return found


def write_results(
    con: duckdb.DuckDBPyConnection,
    targets: list[str],
    frames: dict[str, pl.DataFrame],
    expected_runs: dict[str, int | None] | None = None,
) -> bool:
    """Replace the results of `targets` with `frames` (table -> rows) in one transaction.

    With `expected_runs` (target -> the newest run id the caller started from), nothing is written
    and False is returned when another run was stored since: a newer training is never overwritten
    by an older, slower one.
    """
    with write_transaction(con):
        if expected_runs is not None and newest_runs(con, targets) != expected_runs:
            return False  # nothing written: the empty transaction commits
        for table in TABLES:
            frame = frames[table]
            _ensure_table(con, table, frame)
            con.execute(
                f"delete from {table} where target in (select unnest($targets))", {"targets": targets}
            )
            con.register("_driver_frame", frame)
            try:
                con.execute(f"insert into {table} by name select * from _driver_frame")
            finally:
                con.unregister("_driver_frame")
        con.execute(IMPORTANCE_VIEW)
    return True
