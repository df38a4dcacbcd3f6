"""The overview as a slide: NPS by quarter (company and business units) with the latest quarter's
NPS as the key figure. Same frames and chart builder as the page (app.ui.views.overview).
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.analytics.movers import latest_and_previous
from app.analytics.nps import with_nps
from app.service_model import ServiceModel
from app.ui.charts import trends
from app.ui.i18n import format_number, translate
from app.ui.labels import filters_summary, with_option_label
from app.ui.slides.params import ViewParams, filters_from_params
from app.ui.slides.protocol import KeyFigure, SlideContent
from app.warehouse.filters import Filters
from app.warehouse.scores import available_periods, nps_totals

TREND_COLUMNS = ["period", "series", "n", "n_promoters", "n_detractors", "nps", "nps_moe", "nps_low", "nps_high"]


def trend_frame(con: duckdb.DuckDBPyConnection, filters: Filters, model: ServiceModel, lang: str,
                min_n: int) -> pl.DataFrame:
    """Company line plus one line per business unit (as overview_data.nps_trend_frame)."""
    company = translate("common.company", lang)
    total = with_nps(nps_totals(con, filters, by=("period",))).with_columns(pl.lit(company).alias("series"))
    per_unit = with_nps(nps_totals(con, filters, by=("period", "business_unit")))
    per_unit = with_option_label(per_unit, model, "business_unit", lang, alias="series")
    frame = pl.concat([total.select(TREND_COLUMNS), per_unit.select(TREND_COLUMNS)])
    return frame.with_columns((pl.col("n") < min_n).alias("is_low_n"))


def _key_figure(totals: pl.DataFrame, lang: str) -> tuple[KeyFigure | None, dict]:
    current, previous = latest_and_previous(totals["period"].to_list())
    rows = {r["period"]: r for r in totals.to_dicts()}
    now = rows.get(current, {})
    if not now:
        return None, {}
    delta, tone = None, "neutral"
    before = rows.get(previous)
    if before and now.get("nps") is not None and before.get("nps") is not None:
        change = now["nps"] - before["nps"]
        delta = translate("overview.delta_vs", lang,
                          change=f"{format_number(change, 0, lang, signed=True)} {translate('overview.points', lang)}",
                          period=previous)
        tone = "good" if change > 0 else "bad" if change < 0 else "neutral"
    figure = KeyFigure(format_number(now.get("nps"), 0, lang, signed=True),
                       f"{translate('common.metric.nps', lang)} · {current}", delta, tone)
    return figure, now


def slide_content(con: duckdb.DuckDBPyConnection, model: ServiceModel, params: ViewParams, lang: str) -> SlideContent:
    periods = available_periods(con)
    filters = filters_from_params(params, model, periods)
    min_n = model.settings.min_n
    title = translate("overview.trend_title", lang)
    totals = with_nps(nps_totals(con, filters, by=("period",)))
    figure, now = _key_figure(totals, lang) if totals.height else (None, {})
    if figure is None:
        return SlideContent(title, None, None, message=translate("common.no_data", lang))
    frame = trend_frame(con, filters, model, lang, min_n)
    chart = trends.nps_trend(frame, series="series", y_title=translate("common.metric.nps", lang),
                             x_title=translate("common.period", lang),
                             total_label=translate("common.company", lang))
    summary = filters_summary(model, filters.as_dict(), lang, translate("filters.summary_all", lang))
    caption = translate(
        "slides.overview_caption", lang, segment=summary, first=filters.period_from, last=filters.period_to,
        n=format_number(now.get("n"), 0, lang), moe=format_number(now.get("nps_moe"), 1, lang), min_n=min_n,
    )
    return SlideContent(title, figure, chart, caption)
