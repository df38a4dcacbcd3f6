"""The clients page as a slide: the satisfaction index by quarter (overall, TX and CX blocks) for the
saved segment — or for one client when the saved view is a client card (?client=) — with the
newest index as the key figure and how many clients are at risk. Same analytics as the page.
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.service_model import ServiceModel
from app.ui.charts import clients as charts
from app.ui.i18n import format_number, translate
from app.ui.labels import filters_summary
from app.ui.slides.params import ViewParams, choice, filters_from_params
from app.ui.slides.protocol import KeyFigure, SlideContent
from app.ui.views.clients_data import IndexConfig, client_card_frames, client_table, index_summary
from app.warehouse.client_card_queries import client_profile
from app.warehouse.client_queries import client_ids
from app.warehouse.scores import available_periods


def trend_frame(index: pl.DataFrame, overall: str, tx: str, cx: str, lang: str) -> pl.DataFrame:
    """Long frame for charts.index_trend from per-quarter columns (overall, tx, cx [, is_partial])."""
    names = (
        (overall, "clients.series_index", True),
        (tx, "clients.series_tx", False),
        (cx, "clients.series_cx", False),
    )
    partial = pl.col("is_partial") if "is_partial" in index.columns else pl.lit(False)
    return pl.concat(
        [
            index.select(
                "period",
                pl.lit(translate(key, lang)).alias("series"),
                pl.col(column).alias("score"),
                pl.lit(is_overall).alias("is_overall"),
                (partial & pl.lit(is_overall)).alias("is_partial"),
            )
            for column, key, is_overall in names
        ]
    ).drop_nulls("score")


def _figure(frame: pl.DataFrame, column: str, label: str, lang: str) -> KeyFigure | None:
    rows = frame.drop_nulls(column).sort("period").to_dicts()
    if not rows:
        return None
    now, before = rows[-1], rows[-2] if len(rows) > 1 else None
    delta, tone = None, "neutral"
    if before is not None:
        change = now[column] - before[column]
        delta = translate(
            "clients.delta_vs",
            lang,
            change=format_number(change, 1, lang, signed=True),
            period=before["period"],
        )
        tone = "good" if change > 0 else "bad" if change < 0 else "neutral"
    return KeyFigure(format_number(now[column], 0, lang), f"{label} · {now['period']}", delta, tone)


def _client_slide(
    con: duckdb.DuckDBPyConnection, model: ServiceModel, client_id: str, filters, lang: str
) -> SlideContent:
    name = client_profile(con, client_id)["name"][0]
    title = translate("clients.slide_client_title", lang, name=name)
    _, index, _ = client_card_frames(con, client_id, filters, IndexConfig.of(model))
    if index.is_empty():
        return SlideContent(
            title,
            None,
            None,
            message=translate("clients.no_index", lang, first=filters.period_from, last=filters.period_to),
        )
    chart = charts.index_trend(
        trend_frame(index, "index", "tx_score", "cx_score", lang),
        y_title=translate("clients.col_index", lang),
        x_title=translate("common.period", lang),
    )
    figure = _figure(index, "index", translate("clients.tile_index", lang), lang)
    return SlideContent(title, figure, chart, translate("clients.trend_note", lang))


def slide_content(
    con: duckdb.DuckDBPyConnection, model: ServiceModel, params: ViewParams, lang: str
) -> SlideContent:
    filters = filters_from_params(params, model, available_periods(con))
    client_id = choice(params, "client", client_ids(con), "")
    if client_id:
        return _client_slide(con, model, client_id, filters, lang)
    title = translate("clients.slide_title", lang)
    cfg = IndexConfig.of(model)
    table = client_table(con, filters, cfg)
    summary = index_summary(con, filters, cfg)
    if summary.is_empty():
        return SlideContent(title, None, None, message=translate("clients.no_clients", lang))
    chart = charts.index_trend(
        trend_frame(summary, "mean_index", "mean_tx", "mean_cx", lang),
        y_title=translate("clients.col_index", lang),
        x_title=translate("common.period", lang),
    )
    at_risk = table.filter(pl.col("risk_level") == "at_risk").height if "risk_level" in table.columns else 0
    segment = filters_summary(model, filters.as_dict(), lang, translate("filters.summary_all", lang))
    caption = translate(
        "clients.slide_caption",
        lang,
        segment=segment,
        n=format_number(table.height, 0, lang),
        at_risk=format_number(at_risk, 0, lang),
    )
    return SlideContent(
        title, _figure(summary, "mean_index", translate("clients.tile_index", lang), lang), chart, caption
    )
