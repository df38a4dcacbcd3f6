"""Query functions over the key-driver tables the drivers pipeline writes (pipelines/driver_store.py).

Pages and other features read drivers only through these functions. Every function works on a
warehouse where the pipeline has never run (empty frames, None), and every value is a bound
parameter. Functions that read one model take the run id too: retraining writes a new run under the
same data version, so the run id is what keeps a cached answer from outliving its model.

For other pages: `driver_importance(con, segment=None)` gives touchpoint_id, mean_abs_shap, share
(of the model's total impact) and direction (positive / negative / mixed) of the newest model of the
whole company, or of a segment such as "business_unit=energy".
"""

from __future__ import annotations

import zlib

import duckdb
import polars as pl

from app.warehouse.connection import fetch_scalar, query, table_exists
from app.warehouse.filters import Filters
from app.warehouse.schema import data_version

ALL = "all"
# The shape of the stored driver tables. A newer CX Lens that changes them bumps this number; runs
# stored by an older version are then not read (the page offers to retrain) instead of breaking.
STORE_VERSION = 1
PREFERRED_TARGETS = ("score", "promoter")
IMPORTANCE_SCHEMA = {
    "touchpoint_id": pl.String,
    "mean_abs_shap": pl.Float64,
    "share": pl.Float64,
    "direction": pl.String,
    "is_significant": pl.Boolean,
}
SEGMENT_COLUMNS = {
    "business_unit": "business_units",
    "segment": "segments",
    "grade": "grades",
    "status": "statuses",
    "respondent_role": "respondent_roles",
}


# The raw sources the driver features are built from: a load or rollback of anything else (KPI
# actuals) and follow-up case work move the data version without making the models stale.
INPUT_SOURCES = ("surveys", "clients", "orders", "tickets", "events")
_INPUT_VERSION_SQL = """
select coalesce(max(c.version), 0)
from data_changes c
left join batches b
  on c.reason = 'load batch ' || b.batch_id::varchar or c.reason = 'rollback batch ' || b.batch_id::varchar
where case
    when b.batch_id is not null then b.source in (select unnest($sources))
    when c.reason like 'follow-up%' or c.reason like 'demo follow-up%' then false
    else true  -- a rebuild, or a change this code does not know: assume it matters
end
"""


def input_version(con: duckdb.DuckDBPyConnection) -> int:
    """The data version of the newest change to what the driver models learn from."""
    rows = con.execute(_INPUT_VERSION_SQL, {"sources": list(INPUT_SOURCES)}).fetchall()
    return int(rows[0][0]) if rows else 0


def has_drivers(con: duckdb.DuckDBPyConnection) -> bool:
    return table_exists(con, "driver_runs") and table_exists(con, "driver_models")


def _runs_are_readable(con: duckdb.DuckDBPyConnection) -> bool:
    columns = {
        r[0]
        for r in con.execute(
            "select column_name from information_schema.columns where table_name = 'driver_runs'"
        ).fetchall()
    }
    return "store_version" in columns


def outdated_runs(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether results stored by an earlier version of CX Lens are present (and ignored)."""
    if not has_drivers(con):
        return False
    if not _runs_are_readable(con):
        return True
    return bool(
        fetch_scalar(con, "select count(*) from driver_runs where store_version <> ?", [STORE_VERSION])
    )


def driver_runs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """The newest run of each target, the current data version, and whether the run is stale: the
    surveys, clients, orders, tickets or process events changed after it was trained."""
    empty = pl.DataFrame(
        schema={
            "target": pl.String,
            "run_id": pl.Int64,
            "data_version": pl.Int64,
            "current_version": pl.Int64,
            "is_stale": pl.Boolean,
        }
    )
    if not has_drivers(con) or not _runs_are_readable(con):
        return empty
    frame = query(
        con,
        """
        select target, run_id::bigint as run_id, data_version::bigint as data_version, trained_at, seconds,
               n_responses, n_models, n_too_small, shap_method, lightgbm_version, config_json
        from driver_runs where store_version = $version order by target
    """,
        {"version": STORE_VERSION},
    )
    if frame.is_empty():
        return empty
    return frame.with_columns(
        pl.lit(data_version(con), pl.Int64).alias("current_version"),
        (pl.col("data_version") < input_version(con)).alias("is_stale"),
    )


def unfinished_targets(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Targets whose newest run still has segments in 'training' (fitted in the background after the
    company-wide model was stored; see pipelines/drivers_staged.py)."""
    if not has_drivers(con) or not _runs_are_readable(con):
        return []
    rows = con.execute(
        """
        select distinct m.target
        from driver_models m
        join (select target, max(run_id) as run_id from driver_runs group by target) r using (target, run_id)
        where m.status = 'training'
        order by 1
        """
    ).fetchall()
    return [r[0] for r in rows]


def models(con: duckdb.DuckDBPyConnection, target: str, run_id: int) -> pl.DataFrame:
    """Every segment of one target's run: status (ok / too_small), sizes, NPS, quality and baseline."""
    if not has_drivers(con):
        return pl.DataFrame()
    return query(
        con,
        """
        select * exclude (model_text) from driver_models
        where target = $target and run_id = $run_id order by segment_order, segment_id
    """,
        {"target": target, "run_id": run_id},
    )


def features(con: duckdb.DuckDBPyConnection, model_id: str, run_id: int) -> pl.DataFrame:
    """One model's drivers, strongest first: importance, share, direction, stability, relative weight."""
    return query(
        con,
        """
        select * exclude (run_id, target) from driver_features
        where model_id = $model_id and run_id = $run_id
        order by is_significant desc, importance desc
    """,
        {"model_id": model_id, "run_id": run_id},
    )


def shap_sample(con: duckdb.DuckDBPyConnection, model_id: str, run_id: int) -> pl.DataFrame:
    """The stored SHAP sample (row × feature) joined with who answered and the model's prediction."""
    return query(
        con,
        """
        select s.row_id, s.feature_id, s.value, s.value_label, s.shap,
               r.response_id, r.client_id, r.client_name, r.period, r.nps, r.nps_class, r.business_unit
        from driver_shap s join driver_rows r using (run_id, model_id, row_id)
        where s.model_id = $model_id and s.run_id = $run_id
        order by s.feature_id, s.row_id
    """,
        {"model_id": model_id, "run_id": run_id},
    )


def sample_rows(con: duckdb.DuckDBPyConnection, model_id: str, run_id: int) -> pl.DataFrame:
    """Who the sampled answers are, with actual answer, prediction and the model's base value."""
    return query(
        con,
        """
        select row_id, response_id, client_id, client_name, period, nps, nps_class, business_unit,
               actual, prediction, base_value
        from driver_rows where model_id = $model_id and run_id = $run_id order by row_id
    """,
        {"model_id": model_id, "run_id": run_id},
    )


def whatifs(con: duckdb.DuckDBPyConnection, model_id: str, run_id: int) -> pl.DataFrame:
    """ΔNPS per driver and step, with the range across the cross-validation models."""
    return query(
        con,
        """
        select feature_id, steps, amount, n_changed, share_changed, nps_change, nps_low, nps_high, output_change
        from driver_whatif where model_id = $model_id and run_id = $run_id order by feature_id, steps
    """,
        {"model_id": model_id, "run_id": run_id},
    )


def model_text(con: duckdb.DuckDBPyConnection, model_id: str, run_id: int) -> str | None:
    """The LightGBM model as text (for analysts who want to audit or reuse it)."""
    blob = fetch_scalar(
        con, "select model_text from driver_models where model_id = ? and run_id = ?", [model_id, run_id]
    )
    return zlib.decompress(blob).decode("utf-8") if blob else None


def segment_filters(segment_id: str, period_from: str | None = None, period_to: str | None = None) -> Filters:
    """The global Filters that select a segment's answers (for figures next to its model)."""
    values: dict[str, tuple[str, ...]] = {}
    if segment_id != ALL:
        for part in segment_id.split(";"):
            column, _, value = part.partition("=")
            if column in SEGMENT_COLUMNS and value:
                values[SEGMENT_COLUMNS[column]] = (value,)
    return Filters(period_from=period_from, period_to=period_to, **values)


def segment_for_filters(filters: Filters) -> str:
    """The segment id whose model matches the global filters: one value per chosen dimension."""
    parts = []
    for column, dimension in SEGMENT_COLUMNS.items():
        chosen = filters.selected(dimension)
        if len(chosen) == 1:
            parts.append(f"{column}={chosen[0]}")
        elif chosen:
            return ALL
    return ";".join(parts) if parts else ALL


def driver_importance(
    con: duckdb.DuckDBPyConnection, segment: str | None = None, target: str | None = None
) -> pl.DataFrame:
    """Touchpoint importances of the newest model: touchpoint_id, mean_abs_shap, share, direction,
    is_significant — strongest first.

    `segment`: None or "all" for the whole company, else a segment id ("business_unit=energy",
    "business_unit=energy;respondent_role=decision_maker"; `segment_for_filters` maps the global
    filters to one). `target`: "score" or "promoter"; by default the score model, else the promoter
    one. mean_abs_shap is averaged over the respondents who rated the touchpoint, in the model's
    output units (0–10 answer points, or log-odds for promoter vs detractor); share is its part of the
    model's total impact (all drivers, operational facts and client attributes included, so shares
    of touchpoints add up to less than 1); direction is positive / negative / mixed; is_significant
    is False when the effect cannot be told from noise (treat those as "no evidence", not as small).
    Empty when nothing is trained for that segment.
    """
    runs = driver_runs(con)
    if runs.is_empty():
        return pl.DataFrame(schema=IMPORTANCE_SCHEMA)
    targets = [target] if target else list(PREFERRED_TARGETS)
    run_ids = dict(zip(runs["target"], runs["run_id"], strict=True))
    for candidate in (t for t in targets if t in run_ids):
        frame = query(
            con,
            """
            select f.touchpoint_id, f.importance as mean_abs_shap, f.share, f.direction, f.is_significant
            from driver_features f join driver_models m using (run_id, model_id)
            where m.target = $target and m.segment_id = $segment and m.status = 'ok' and f.kind = 'touchpoint'
              and m.run_id = $run_id
            order by f.importance desc
        """,
            {"target": candidate, "segment": segment or ALL, "run_id": run_ids[candidate]},
        )
        if frame.height:
            return frame.cast(IMPORTANCE_SCHEMA)  # type: ignore[arg-type]
    return pl.DataFrame(schema=IMPORTANCE_SCHEMA)
