"""The client card's queries: one client's profile, importance weights, facts, ratings, answers,
orders and tickets.

One client's rows of mart_client_facts come from the two tables behind that view. The view unpivots
every touchpoint's rating from the wide stg_client_answers in a branch of its own, and asked for one
client it scanned that table once per branch (about 0.15 s at a million answers); here the client's
few wide rows are read once and unpivoted as the view does (rating_<i> / n_<i> belong to touchpoint
i of dim_touchpoints' touchpoint_order, as models._client_rating_aggregates writes them).
tests/unit/test_client_list_mart.py checks the rows against the view.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.warehouse.connection import query
from app.warehouse.filters import Filters, filter_sql

FACT_COLUMNS = frozenset(("period", "business_unit", "segment", "grade", "status"))
KEYS = ("client_id", "period", "business_unit", "segment", "grade", "status")
FACT_SCHEMA: dict[str, pl.DataType] = {
    "client_id": pl.String, "period": pl.String, "business_unit": pl.String, "segment": pl.String,
    "grade": pl.String, "status": pl.String, "fact": pl.String, "touchpoint_id": pl.String,
    "value": pl.Float64, "n": pl.Int64,
}


def _fact(rows: pl.DataFrame, fact: str, value: str, n: str, touchpoint: str | None = None) -> pl.DataFrame:
    return rows.select(
        *KEYS, pl.lit(fact).alias("fact"), pl.lit(touchpoint, dtype=pl.String).alias("touchpoint_id"),
        pl.col(value).cast(pl.Float64).alias("value"), pl.col(n).cast(pl.Int64).alias("n"),
    )


def one_client_facts(con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters) -> pl.DataFrame:
    """mart_client_facts' columns for one client under the filters (rows in no particular order)."""
    where, params = filter_sql(filters, FACT_COLUMNS)
    params["id"] = client_id
    service = query(
        con,
        f"select {', '.join(KEYS)}, fact, touchpoint_id, value, n::bigint as n from stg_client_service "
        f"where client_id = $id and {where}",
        params,
    )
    return pl.concat([service.cast(FACT_SCHEMA), _answer_facts(con, client_id, filters)], how="vertical")


def _answer_facts(
    con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters, ratings_only: bool = False
) -> pl.DataFrame:
    """The client's survey facts (NPS, detractor answers, touchpoint ratings) from its wide rows."""
    where, params = filter_sql(filters, FACT_COLUMNS)
    params["id"] = client_id
    answers = query(con, f"select * from stg_client_answers where client_id = $id and {where}", params)
    touchpoints = con.execute("select touchpoint_id, touchpoint_order from dim_touchpoints").fetchall()
    answered = answers.filter(pl.col("n") > 0)
    parts = [] if ratings_only else [
        _fact(answered, "nps", "nps", "n"), _fact(answered, "n_detractor_answers", "n_detractors", "n")
    ]
    parts += [
        _fact(answers.filter(pl.col(f"n_{i}") > 0), "touchpoint_rating", f"rating_{i}", f"n_{i}", touchpoint)
        for touchpoint, i in touchpoints
    ]
    return pl.concat(parts, how="vertical") if parts else pl.DataFrame(schema=FACT_SCHEMA)


def client_importance(
    con: duckdb.DuckDBPyConnection, client_id: str, importance_columns: tuple[str, ...]
) -> tuple[pl.DataFrame, dict[str, float | None]]:
    """One client's importance weights (client_id and the columns mart_clients has) and each column's
    mean over all clients (what an empty weight takes): the card's inputs without reading 50,000 rows."""
    known = {r[0] for r in con.execute("describe mart_clients").fetchall()}
    columns = [c for c in importance_columns if c in known]
    weights = "".join(f", {c}::double as {c}" for c in columns)
    row = query(con, f"select client_id{weights} from mart_clients where client_id = $id", {"id": client_id})
    if not columns:
        return row, {}
    means = con.execute(f"select {', '.join(f'avg({c}::double)' for c in columns)} from mart_clients").fetchall()[0]
    return row, dict(zip(columns, means, strict=True))


def client_profile(con: duckdb.DuckDBPyConnection, client_id: str) -> pl.DataFrame:
    """The client list's row for one client (all columns, importance weights included)."""
    return query(
        con,
        "select * exclude (batch_id, source_row) from mart_clients where client_id = $id",
        {"id": client_id},
    )


def client_ratings(con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters) -> pl.DataFrame:
    """The client's touchpoint ratings per quarter: mean rating and mean 0–100 score, answers.

    From the client's touchpoint_rating facts (mean rating and n per quarter, mart_client_facts), not
    from the long form of every answer: the 0–100 score of a mean rating is the mean of the scores.
    """
    period_only = Filters(period_from=filters.period_from, period_to=filters.period_to)
    ratings = _answer_facts(con, client_id, period_only, ratings_only=True)
    touchpoints = query(
        con, "select touchpoint_id, stage_id, stage_order, touchpoint_order, scale_min, scale_max from dim_touchpoints"
    )
    low, high = pl.col("scale_min"), pl.col("scale_max")
    return (
        ratings.join(touchpoints, on="touchpoint_id")
        .select(
            "period", "stage_id", "stage_order", "touchpoint_id", "touchpoint_order",
            pl.col("value").alias("rating"),
            (100.0 * (pl.col("value") - low) / (high - low)).cast(pl.Float64).alias("score_100"),
            "n",
        )
        .sort("period", "stage_order", "touchpoint_order")
    )


def client_answers(con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters) -> pl.DataFrame:
    """The client's survey answers, newest first: who answered, the 0–10 score, effort, comment."""
    where, params = filter_sql(filters, frozenset({"period"}))
    params["id"] = client_id
    return query(
        con,
        f"""
        select submitted_at::date as submitted_on, period, respondent_role, nps, nps_class, ces, channel, comment
        from mart_responses where client_id = $id and {where}
        order by submitted_at desc
        """,
        params,
    )


def client_orders(con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters) -> pl.DataFrame:
    """The client's orders, newest first, with promised and actual delivery and the delay."""
    where, params = filter_sql(filters, frozenset({"period"}))
    params["id"] = client_id
    return query(
        con,
        f"""
        select order_id, period, ordered_at::date as ordered_on, promised_at::date as promised_on,
               delivered_at::date as delivered_on, delay_days, is_delivered, is_on_time, amount::double as amount,
               product_class
        from mart_orders where client_id = $id and {where}
        order by ordered_at desc
        """,
        params,
    )


def client_tickets(con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters) -> pl.DataFrame:
    """The client's tickets, newest first, with response and resolution times."""
    where, params = filter_sql(filters, frozenset({"period"}))
    params["id"] = client_id
    return query(
        con,
        f"""
        select ticket_id, period, opened_at, touchpoint_id, category, severity, is_open,
               first_response_hours, resolution_hours / 24.0 as resolution_days, text
        from mart_tickets where client_id = $id and {where}
        order by opened_at desc
        """,
        params,
    )
