"""The clients page's figures: the satisfaction index of every client, the ranked client list with
risk flags, NPS history, money and open work, and one client's card — each computed once per data
version, filters and index configuration (cached_query). No rendering here.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from app.analytics.client_risk import classify_risk, risk_flags
from app.analytics.movers import latest_and_previous
from app.analytics.satisfaction_index import latest_with_change, satisfaction_index
from app.service_model import SatisfactionIndex, ServiceModel
from app.ui.context import cached_query
from app.warehouse.client_card_queries import (
    client_answers,
    client_importance,
    client_orders,
    client_profile,
    client_ratings,
    client_tickets,
)
from app.warehouse.client_list import client_list_rows, list_slots
from app.warehouse.client_queries import (
    client_facts,
    client_in_filters,
    client_list,
    follow_up_counts,
    index_period_summary,
    index_periods,
    known_client_ids,
    latest_index_rows,
    matching_clients,
    nps_rows,
    risk_fact_rows,
)
from app.warehouse.connection import table_exists
from app.warehouse.filters import Filters


@dataclass(frozen=True)
class IndexConfig:
    """The hashable form of the model's index configuration (a cache key, so a YAML edit shows at once)."""

    config_json: str
    scales: tuple[tuple[str, float, float], ...]

    @classmethod
    def of(cls, model: ServiceModel) -> IndexConfig:
        return cls(
            model.satisfaction_index.model_dump_json(),
            tuple((tp.id, float(tp.scale.min), float(tp.scale.max)) for tp in model.touchpoints),
        )

    @property
    def config(self) -> SatisfactionIndex:
        return SatisfactionIndex.model_validate_json(self.config_json)

    @property
    def scale_map(self) -> dict[str, tuple[float, float]]:
        return {tp: (low, high) for tp, low, high in self.scales}

    @property
    def touchpoints(self) -> tuple[str, ...]:
        """The touchpoints whose ratings the index reads (the facts query fetches only those)."""
        return tuple(sorted({f.touchpoint for f in self.config.factors if f.touchpoint}))

    @property
    def importance_columns(self) -> tuple[str, ...]:
        return tuple(sorted({f.importance_column for f in self.config.factors}))


def index_frames(
    con: duckdb.DuckDBPyConnection, filters: Filters, cfg: IndexConfig
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(factor scores, index per client × quarter) computed here from the facts, for the clients
    under the filters — the reference path; pages read the materialised index (`stored_index`)."""
    clients = client_list(con, Filters(), cfg.importance_columns)  # weights' gaps: mean of all clients
    facts = client_facts(con, filters, touchpoints=cfg.touchpoints)
    return satisfaction_index(facts, clients, cfg.config, cfg.scale_map)


def index_summary(con: duckdb.DuckDBPyConnection, filters: Filters, cfg: IndexConfig) -> pl.DataFrame:
    """Per quarter: clients scored, mean index and blocks, partial scores (the overview tile)."""
    return index_period_summary(con, filters)


def _nps_history(nps: pl.DataFrame) -> pl.DataFrame:
    """Per client: its NPS per quarter with answers (oldest first), the newest value and answers."""
    return nps.group_by("client_id").agg(  # groups keep the rows' order: nps_rows come by period
        pl.col("value").alias("nps_history"),
        pl.col("value").last().alias("nps_latest"),
        pl.col("period").last().alias("nps_period"),
        pl.col("n").sum().alias("n_answers_range"),
    )


RISK_COUNTS = ("client_id", "n_answers", "n_detractor_answers", "n_late_orders", "n_tickets")
TABLE_COLUMNS: tuple[str, ...] = (
    "client_id", "name", "business_unit", "segment", "grade", "status", "region", "revenue", "ltv",
    "first_order_at", "churned_at", "n_orders", "n_open_tickets",
    "index_period", "tx_score", "cx_score", "index", "n_factors", "is_partial", "index_change",
    "nps_history", "nps_latest", "nps_period", "n_answers_range",
    "n_answers", "n_detractor_answers", "n_late_orders", "n_tickets", "usual_tickets", "reasons", "risk_level",
    "is_at_risk", "n_open_cases", "n_cases",
)


def client_table(con: duckdb.DuckDBPyConnection, filters: Filters, cfg: IndexConfig) -> pl.DataFrame:
    """Every client under the filters with index and change, NPS history, money, open work and risk.

    One pass over mart_client_list (one row per client, its quarters in lists) whatever the quarter
    range; the risk rules are applied here to the counts it returns. A warehouse built before that
    mart existed takes the rows path until its next load. tests/unit/test_client_list_mart.py checks
    it against the computation over all index and fact rows.
    """
    if not table_exists(con, "mart_client_list"):
        return client_table_from_rows(con, filters, cfg)
    periods = index_periods(con, filters)
    current, previous = latest_and_previous(periods)
    if current is None:
        return _unscored(con, filters, cfg)
    rows = client_list_rows(con, filters, list_slots(con, filters, periods, current, previous))
    earlier = [p for p in periods if p < current]
    usual = pl.col("earlier_tickets") / len(earlier) if earlier else pl.lit(None, dtype=pl.Float64)
    # The rules run on every row, in the rows' order (no join: 0.1 s at 500,000 clients); a client
    # without activity this quarter has all counts 0 and no change, so no reason and "ok", and its
    # counts are shown empty, as risk_flags leaves them.
    risk = classify_risk(rows.select(*RISK_COUNTS, usual.alias("usual_tickets"), "index_change"))
    active = pl.col("is_active")
    table = pl.concat([rows.drop(*RISK_COUNTS), risk.drop("index_change")], how="horizontal").with_columns(
        *(pl.when(active).then(pl.col(c)) for c in (*RISK_COUNTS[1:], "usual_tickets"))
    )
    return table.select(*TABLE_COLUMNS, pl.lit(current).alias("current_period"),
                        pl.lit(previous).alias("previous_period"))


def _unscored(con: duckdb.DuckDBPyConnection, filters: Filters, cfg: IndexConfig) -> pl.DataFrame:
    """The client list before any quarter has a satisfaction index: the clients, no index."""
    clients = client_list(con, filters, cfg.importance_columns).drop(list(cfg.importance_columns), strict=False)
    return clients.with_columns(pl.lit(None, dtype=pl.Float64).alias("index"))


def client_table_from_rows(con: duckdb.DuckDBPyConnection, filters: Filters, cfg: IndexConfig) -> pl.DataFrame:
    """client_table from the index and fact rows it needs (each client's newest and previous index, the
    current quarter's risk facts, the NPS facts): for a warehouse without mart_client_list."""
    clients = client_list(con, filters, cfg.importance_columns)
    periods = index_periods(con, filters)
    current, previous = latest_and_previous(periods)
    table = clients.drop(list(cfg.importance_columns), strict=False)
    if current is None:
        return table.with_columns(pl.lit(None, dtype=pl.Float64).alias("index"))
    index = latest_index_rows(con, filters, previous)
    latest = latest_with_change(index, current, previous)
    risk = risk_flags(risk_fact_rows(con, filters, current), index, periods, current, previous)
    table = (
        table.join(latest.drop("index_previous"), on="client_id", how="left")
        .join(_nps_history(nps_rows(con, filters)), on="client_id", how="left")
        .join(risk.drop("index_change"), on="client_id", how="left")
        .with_columns(
            pl.col("risk_level").fill_null("ok"),
            pl.col("is_at_risk").fill_null(False),
            pl.col("reasons").fill_null([]),
        )
    )
    cases = follow_up_counts(con)
    if cases is not None:
        table = table.join(cases, on="client_id", how="left").with_columns(
            pl.col("n_open_cases").fill_null(0), pl.col("n_cases").fill_null(0)
        )
    return table.with_columns(
        pl.lit(current).alias("current_period"), pl.lit(previous).alias("previous_period")
    )


def client_card_frames(
    con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters, cfg: IndexConfig
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    """(factor scores, index per quarter, risk flags of the newest quarter) of one client.

    Only the quarter range applies: a client opened from a link shows even when the sidebar's
    segment filters would hide it from the list.
    """
    period_only = Filters(period_from=filters.period_from, period_to=filters.period_to)
    weights, means = client_importance(con, client_id, cfg.importance_columns)  # gaps: the mean of all
    facts = client_facts(con, period_only, client_id, touchpoints=cfg.touchpoints)
    factors, index = satisfaction_index(facts, weights, cfg.config, cfg.scale_map, means)
    order = {f.id: i for i, f in enumerate(cfg.config.factors)}
    factors = factors.sort("period", pl.col("factor_id").replace_strict(order, return_dtype=pl.Int64))
    index = index.sort("period")
    periods = sorted(set(facts["period"].to_list()))
    current, previous = latest_and_previous(periods)
    risk = risk_flags(facts, index, periods, current, previous) if current else pl.DataFrame()
    return factors, index, risk


def client_detail(
    con: duckdb.DuckDBPyConnection, client_id: str, filters: Filters
) -> dict[str, pl.DataFrame]:
    """Profile, touchpoint ratings per quarter, answers, orders and tickets of one client."""
    period_only = Filters(period_from=filters.period_from, period_to=filters.period_to)
    return {
        "profile": client_profile(con, client_id),
        "ratings": client_ratings(con, client_id, period_only),
        "answers": client_answers(con, client_id, period_only),
        "orders": client_orders(con, client_id, period_only),
        "tickets": client_tickets(con, client_id, period_only),
    }


def known_ids(ids: tuple[str, ...]) -> list[str]:
    """Those of `ids` (a link's client, the one on screen) that are in the client list."""
    return cached_query(known_client_ids, tuple(sorted({i for i in ids if i})))


def in_filters(client_id: str, filters: Filters) -> bool:
    return cached_query(client_in_filters, filters, client_id)


def matches(filters: Filters, text: str, limit: int) -> tuple[dict[str, str], int]:
    """The card's picker: client_id → name of the first `limit` clients under the filters whose name
    or id contains `text`, in id order, and how many match in all (50,000 names are never sent)."""
    frame = cached_query(matching_clients, filters, text, limit)
    total = int(frame["n_matches"][0]) if frame.height else 0
    return dict(zip(frame["client_id"].to_list(), frame["name"].to_list(), strict=True)), total


def table(filters: Filters, model: ServiceModel) -> pl.DataFrame:
    return cached_query(client_table, filters, IndexConfig.of(model))


def summary(filters: Filters, model: ServiceModel) -> pl.DataFrame:
    return cached_query(index_summary, filters, IndexConfig.of(model))


def card(
    client_id: str, filters: Filters, model: ServiceModel
) -> tuple[pl.DataFrame, pl.DataFrame, pl.DataFrame]:
    return cached_query(client_card_frames, client_id, filters, IndexConfig.of(model))


def detail(client_id: str, filters: Filters) -> dict[str, pl.DataFrame]:
    return cached_query(client_detail, client_id, filters)
