"""Executive overview: where the company wins and loses customers, on one screen.

Tiles show the newest quarter of the selected range against the quarter before; trends cover the
whole range. Every figure links to the page that explains it (when that page exists).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.movers import latest_and_previous
from app.service_model import ServiceModel
from app.ui.charts import trends
from app.ui.components import chart_with_table, empty_state, metric_tile, page_header
from app.ui.context import service_model
from app.ui.i18n import current_language, format_compact, format_number, t
from app.ui.labels import filters_summary
from app.ui.url_widgets import url_selectbox
from app.ui.views import clients_data
from app.ui.views import overview_data as data
from app.warehouse.filters import Filters

LINK_NPS = ("drivers", "journey_map")  # first page that exists explains NPS
LINK_CLIENTS = ("clients", "kpi_tree")


def _first_page(candidates: tuple[str, ...]) -> str | None:
    from app.ui.pages import page_entry

    return next((c for c in candidates if page_entry(c)), None)


def _delta(now: float | None, before: float | None, decimals: int, unit: str, previous: str = "") -> str | None:
    if now is None or before is None:
        return None
    # The subtitle names the quarter compared with, so the delta is just the change and its unit.
    return f"{format_number(now - before, decimals, signed=True, plain_minus=True)} {unit}".strip()


def _row(frame: pl.DataFrame, period: str | None) -> dict:
    rows = frame.filter(pl.col("period") == period).to_dicts() if period else []
    return rows[0] if rows else {}


def _nps_tile(by_period: pl.DataFrame, current: str, previous: str | None, min_n: int) -> None:
    now, before = _row(by_period, current), _row(by_period, previous)
    metric_tile(
        t("overview.tile_nps"), format_number(now.get("nps"), 0, signed=True),
        delta=_delta(now.get("nps"), before.get("nps"), 1, t("overview.points"), previous or ""),
        moe=format_number(now.get("nps_moe"), 1), n=int(now.get("n") or 0), low_n=(now.get("n") or 0) < min_n,
        help=t("overview.help_nps"), link_page=_first_page(LINK_NPS),
    )


def _csat_tile(filters: Filters, current: str, previous: str | None, min_n: int) -> None:
    csat = data.csat_by_period(filters)
    now, before = _row(csat, current), _row(csat, previous)
    metric_tile(
        t("overview.tile_csat"), f"{format_number(now.get('top2_pct'), 0)} %",  # top-2 box share
        delta=_delta(now.get("top2_pct"), before.get("top2_pct"), 1, t("overview.pp"), previous or ""),
        note=t("overview.ratings", n=format_number(now.get("n") or 0)), low_n=(now.get("n") or 0) < min_n,
        help=t("overview.help_csat"),
        link_page="journey_map",
    )


def _index_tile(filters: Filters, current: str, previous: str | None) -> None:
    """Mean client satisfaction index (0–100, every client scored, not only respondents)."""
    summary = clients_data.summary(filters, service_model())
    now, before = _row(summary, current), _row(summary, previous)
    partial = int(now.get("n_partial") or 0)
    note = t("overview.index_note", clients=format_number(now.get("n_clients") or 0))
    if partial:
        note += " · " + t("overview.index_partial", n=format_number(partial))
    metric_tile(
        t("overview.tile_index"), format_number(now.get("mean_index"), 1),
        delta=_delta(now.get("mean_index"), before.get("mean_index"), 1, "", previous or ""),
        note=note, help=t("overview.help_index"), link_page="clients",
    )


def _clients_tile(filters: Filters, current: str, previous: str | None) -> None:
    clients = data.clients_by_period(filters)
    now, before = _row(clients, current), _row(clients, previous)
    metric_tile(
        t("overview.tile_active_clients"), format_number(now.get("n_clients")),
        delta=_delta(now.get("n_clients"), before.get("n_clients"), 0, "", previous or ""),
        note=t("overview.revenue_in_quarter", value=format_compact(now.get("revenue")),
               currency=service_model().company.currency),
        help=t("overview.help_active_clients"), link_page=_first_page(LINK_CLIENTS),
    )


_AT_RISK = {
    "revenue": ("overview.tile_revenue_risk", "overview.help_revenue_risk"),
    "ltv": ("overview.tile_ltv_risk", "overview.help_ltv_risk"),
}


def _at_risk_tile(filters: Filters, column: str) -> None:
    """Revenue or LTV held by detractor clients, and its share of all surveyed clients' total."""
    money = data.loyalty_money(filters)
    detractors = money.filter(pl.col("nps_class") == "detractor").to_dicts()
    held = detractors[0] if detractors else {"n_clients": 0, "revenue": 0.0, "ltv": 0.0}
    total = float(money[column].sum()) if money.height else 0.0
    share = 100.0 * held[column] / total if total else None
    title_key, help_key = _AT_RISK[column]
    metric_tile(
        t(title_key, currency=service_model().company.currency), format_compact(held[column]),
        note=t("overview.risk_note", share=format_number(share, 0), clients=format_number(held["n_clients"])),
        help=t(help_key), link_page=_first_page(LINK_CLIENTS),
    )


def _tiles(filters: Filters, by_period: pl.DataFrame, current: str, previous: str | None, min_n: int) -> None:
    columns = iter(st.columns(6, gap="small"))
    with next(columns):
        _nps_tile(by_period, current, previous, min_n)
    with next(columns):
        _csat_tile(filters, current, previous, min_n)
    with next(columns):
        _index_tile(filters, current, previous)
    with next(columns):
        _clients_tile(filters, current, previous)
    latest_only = filters.with_values(period_from=current, period_to=current)
    with next(columns):
        _at_risk_tile(latest_only, "revenue")
    with next(columns):
        _at_risk_tile(latest_only, "ltv")


def _trend_section(filters: Filters, model: ServiceModel, lang: str, current: str, min_n: int) -> None:
    left, right = st.columns([3, 2], gap="large")
    with left:
        st.subheader(t("overview.trend_title"), anchor=False)
        trend = data.nps_trend_frame(filters, min_n, model, lang, t("common.company"))
        chart = trends.nps_trend(trend, series="series", y_title=t("common.metric.nps"), x_title=t("common.period"),
                                 total_label=t("common.company"))
        chart_with_table(chart, trend, key="overview_trend", file_stem="nps_trend")
    with right:
        names = {c: t(f"common.{c}") for c in data.BREAKDOWNS}
        st.subheader(t("overview.by_group_title", period=current), anchor=False)
        column = url_selectbox(t("overview.breakdown"), list(data.BREAKDOWNS), key="overview_by", param="by",
                               default="business_unit", format_func=names.get)
        frame = data.nps_by(filters, column, min_n, model, lang, period=current)
        shown = frame.with_columns(pl.format("{} · n {}", pl.col("label"), pl.col("n").cast(pl.Int64)).alias("group"))
        chart = trends.nps_by_group(shown, group="group", x_title=t("common.metric.nps"))
        chart_with_table(chart, frame, key="overview_by_group", file_stem=f"nps_by_{column}")


def render(filters: Filters) -> None:
    model = service_model()
    lang = current_language()
    min_n = model.settings.min_n
    by_period = data.nps_by_period(filters, min_n)
    current, previous = latest_and_previous(by_period["period"].to_list() if by_period.height else [])
    summary = filters_summary(model, filters.as_dict(), lang, t("filters.summary_all"))
    page_header(t("overview.title"), t("overview.subtitle", current=current or "–", previous=previous or "–",
                                       segment=summary))
    if current is None:
        empty_state(t("common.no_data"), t("common.no_data_hint"))
        return
    _tiles(filters, by_period, current, previous, min_n)
    _trend_section(filters, model, lang, current, min_n)
    from app.ui.views.overview_actions import render_actions

    render_actions(filters, model, lang, current, previous, min_n)
