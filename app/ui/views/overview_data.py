"""The overview's figures as frames: every query goes through the data-version cache, every number
through app.analytics. No rendering here, so presentation mode and exports can reuse it.
"""

from __future__ import annotations

import polars as pl

from app.analytics.movers import biggest_movers
from app.analytics.nps import with_nps
from app.analytics.priorities import hurting_touchpoints, importance_performance, importance_table
from app.analytics.touchpoints import touchpoint_metrics
from app.service_model import ServiceModel
from app.ui.context import cached_query
from app.ui.labels import touchpoint_label_expr, with_option_label
from app.warehouse.client_value import active_clients, loyalty_value
from app.warehouse.filters import DIMENSION_COLUMNS, Filters
from app.warehouse.scores import nps_totals, touchpoint_dimension, touchpoint_totals
from app.warehouse.touchpoint_queries import driver_importance, touchpoint_correlations

BREAKDOWNS: tuple[str, ...] = tuple(DIMENSION_COLUMNS.values())  # business_unit, segment, …


def nps_by_period(filters: Filters, min_n: int) -> pl.DataFrame:
    frame = with_nps(cached_query(nps_totals, filters, by=("period",)))
    return frame.with_columns((pl.col("n") < min_n).alias("is_low_n"))


def nps_by(filters: Filters, column: str, min_n: int, model: ServiceModel, lang: str, period: str | None = None) -> pl.DataFrame:
    """NPS per value of one segment column (optionally for one period), labelled."""
    by = ("period", column) if period else (column,)
    frame = with_nps(cached_query(nps_totals, filters, by=by))
    if period:
        frame = frame.filter(pl.col("period") == period)
    frame = with_option_label(frame, model, column, lang, alias="label")
    return frame.with_columns((pl.col("n") < min_n).alias("is_low_n"))


def nps_trend_frame(filters: Filters, min_n: int, model: ServiceModel, lang: str, company: str) -> pl.DataFrame:
    """Company line plus one line per business unit, in one long frame (series = label)."""
    per_unit = with_nps(cached_query(nps_totals, filters, by=("period", "business_unit")))
    per_unit = with_option_label(per_unit, model, "business_unit", lang, alias="series")
    total = nps_by_period(filters, min_n).with_columns(pl.lit(company).alias("series"))
    columns = ["period", "series", "n", "n_promoters", "n_detractors", "nps", "nps_moe", "nps_low", "nps_high"]
    frame = pl.concat([total.select(columns), per_unit.select(columns)])
    return frame.with_columns((pl.col("n") < min_n).alias("is_low_n"))


def csat_by_period(filters: Filters) -> pl.DataFrame:
    """All touchpoint ratings pooled per period: answers and the top-2 box share."""
    frame = cached_query(touchpoint_totals, filters, by=("period",))
    return frame.group_by("period").agg(pl.col("n").sum(), pl.col("n_top2").sum()).with_columns(
        (100.0 * pl.col("n_top2") / pl.col("n")).alias("top2_pct")
    ).sort("period")


def loyalty_money(filters: Filters) -> pl.DataFrame:
    return cached_query(loyalty_value, filters)


def clients_by_period(filters: Filters) -> pl.DataFrame:
    return cached_query(active_clients, filters)


def segment_movers(filters: Filters, model: ServiceModel, lang: str, names: dict[str, str], current: str,
                   previous: str, min_n: int, k: int = 6) -> pl.DataFrame:
    """NPS change per segment value across all segment columns; label = 'Business unit · Energy'."""
    frames = []
    for column in BREAKDOWNS:
        frame = with_nps(cached_query(nps_totals, filters, by=("period", column)))
        frame = with_option_label(frame, model, column, lang, alias="value_label")
        frames.append(frame.select(
            pl.lit(column).alias("dimension"), pl.col(column).alias("value"),
            (pl.lit(names[column] + " · ") + pl.col("value_label")).alias("label"),
            "period", "nps", "nps_moe", "n",
        ))
    moved = biggest_movers(pl.concat(frames), ["dimension", "value", "label"], "nps", "nps_moe", current, previous,
                           min_n=min_n, k=k)
    return moved.select("label", "dimension", "value", pl.col("nps_before"), "nps", "change", "change_moe",
                        "is_significant", "n_before", "n")


def touchpoint_movers(filters: Filters, lang: str, current: str, previous: str, min_n: int, k: int = 6) -> pl.DataFrame:
    """Top-2 box change per touchpoint (comparable across 1–5 and 1–10 scales)."""
    dimension = cached_query(touchpoint_dimension)
    totals = cached_query(touchpoint_totals, filters, by=("period",))
    metrics = touchpoint_metrics(totals, dimension, min_n).filter(pl.col("period").is_not_null())
    metrics = metrics.with_columns(touchpoint_label_expr(lang).alias("label"))
    moved = biggest_movers(metrics, ["touchpoint_id", "label"], "top2_pct", "top2_moe", current, previous,
                           min_n=min_n, k=k)
    return moved.select("label", "touchpoint_id", pl.col("top2_pct_before"), "top2_pct", "change", "change_moe",
                        "is_significant", "n_before", "n")


def priorities(filters: Filters, min_n: int, lang: str) -> tuple[pl.DataFrame, pl.DataFrame, str]:
    """(importance–performance frame, the 3 touchpoints that hurt most, importance source)."""
    dimension = cached_query(touchpoint_dimension)
    metrics = touchpoint_metrics(cached_query(touchpoint_totals, filters), dimension, min_n)
    importance = importance_table(cached_query(touchpoint_correlations, filters), cached_query(driver_importance))
    ipa = importance_performance(metrics, importance, min_n).with_columns(touchpoint_label_expr(lang).alias("label"))
    source = importance["importance_source"][0] if importance.height else "correlation"
    return ipa, hurting_touchpoints(ipa, k=3), source
