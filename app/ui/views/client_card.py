"""The client card: one client's journey as it lived it — its satisfaction index and how it is made
up (with the client's own weights), its ratings per touchpoint over time, its answers, orders and
tickets. Opened from the clients list or by a link (`?client=C00049`).
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.service_model import ServiceModel
from app.ui.charts import clients as charts
from app.ui.components import chart_with_table, empty_state, metric_tile, page_header
from app.ui.i18n import format_compact, format_number, t
from app.ui.safe_text import escape_markdown
from app.ui.url_widgets import url_selectbox
from app.ui.views import clients_data as data
from app.ui.views.client_card_parts import render_breakdown, render_journey, render_orders_and_tickets
from app.ui.views.clients import CLIENT_KEY, CLIENT_PARAM, open_client, reason_text
from app.warehouse.filters import Filters

PICK_LIMIT = 100  # names the picker sends the browser; the search box reaches every other client
FIND_KEY = "clients_find"


def _picker(client_id: str, name: str, filters: Filters, lang: str) -> None:
    back, find, pick = st.columns([1, 2, 3], vertical_alignment="bottom")
    back.button(
        t("clients.back"),
        icon=":material/arrow_back:",
        on_click=open_client,
        args=(None,),
        key="clients_back",
        type="tertiary",
    )
    text = find.text_input(
        t("clients.search"), key=FIND_KEY, placeholder=t("clients.search_hint"), icon=":material/search:"
    ).strip()
    found, total = data.matches(filters, text, PICK_LIMIT)
    options = {client_id: name, **found}
    with pick:
        url_selectbox(
            t("clients.pick"),
            list(options),
            key=CLIENT_KEY,
            param=CLIENT_PARAM,
            default=None,
            format_func=lambda c: f"{options.get(c, c)} · {c}",
            placeholder=t("clients.pick_hint"),
        )
    if total > len(found):
        st.caption(t("clients.pick_more", shown=format_number(len(found), 0, lang), n=format_number(total, 0, lang)))
    elif text and not found:
        st.caption(t("clients.pick_none", text=escape_markdown(text)))


def _subtitle(profile: dict, model: ServiceModel, lang: str) -> str:
    parts = [escape_markdown(profile["client_id"])]
    for column, dimension in (
        ("business_unit", "business_units"),
        ("segment", "segments"),
        ("grade", "grades"),
        ("status", "statuses"),
    ):
        if profile.get(column):
            parts.append(model.label(dimension, profile[column], lang))
    if profile.get("region"):
        parts.append(escape_markdown(profile["region"]))
    if profile.get("first_order_at"):
        parts.append(t("clients.since", date=profile["first_order_at"].strftime("%Y-%m-%d")))
    if profile.get("churned_at"):
        parts.append(t("clients.churned", date=profile["churned_at"].strftime("%Y-%m-%d")))
    return " · ".join(parts)


def _row(frame: pl.DataFrame, period: str | None) -> dict:
    rows = frame.filter(pl.col("period") == period).to_dicts() if period and frame.height else []
    return rows[0] if rows else {}


def _delta(now: float | None, before: float | None, period: str | None) -> str | None:
    if now is None or before is None or not period:
        return None
    change = format_number(now - before, 1, signed=True, plain_minus=True)
    return t("clients.delta_vs", change=change, period=period)


def _tiles(index: pl.DataFrame, detail: dict, profile: dict, lang: str, currency: str) -> None:
    periods = index["period"].to_list() if index.height else []
    current, previous = (periods[-1], periods[-2] if len(periods) > 1 else None) if periods else (None, None)
    now, before = _row(index, current), _row(index, previous)
    columns = st.columns(5)
    with columns[0]:
        note = t("clients.partial_note") if now.get("is_partial") else current
        metric_tile(
            t("clients.tile_index"),
            format_number(now.get("index"), 0, lang),
            delta=_delta(now.get("index"), before.get("index"), previous),
            note=note,
            help=t("clients.index_help"),
        )
    with columns[1]:
        metric_tile(
            t("clients.tile_tx"),
            format_number(now.get("tx_score"), 0, lang),
            delta=_delta(now.get("tx_score"), before.get("tx_score"), previous),
            help=t("clients.tx_help"),
            note=current if now.get("tx_score") is not None else t("clients.no_tx_note"),
        )
    with columns[2]:
        cx = now.get("cx_score")
        metric_tile(
            t("clients.tile_cx"),
            format_number(cx, 0, lang),
            delta=_delta(cx, before.get("cx_score"), previous),
            note=current if cx is not None else t("clients.no_answers_note"),
            help=t("clients.cx_help"),
        )
    answers = detail["answers"]
    with columns[3]:
        n = answers.height
        nps = (100.0 * (answers["nps"] >= 9).sum() - 100.0 * (answers["nps"] <= 6).sum()) / n if n else None
        metric_tile(
            t("clients.tile_nps"),
            format_number(nps, 0, lang, signed=True),
            n=n,
            note=t("clients.all_quarters"),
            help=t("clients.nps_help"),
        )
    with columns[4]:
        metric_tile(
            t("clients.tile_money", currency=currency),
            format_compact(profile.get("revenue"), lang),
            note=t("clients.ltv_note", value=format_compact(profile.get("ltv"), lang)),
        )


def _risk(risk: pl.DataFrame) -> None:
    if risk.is_empty():
        return
    row = risk.to_dicts()[0]
    if not row.get("reasons"):
        return
    text = reason_text(row["reasons"])
    details = t(
        "clients.risk_details",
        detractors=row["n_detractor_answers"],
        answers=row["n_answers"],
        late=row["n_late_orders"],
        tickets=row["n_tickets"],
    )
    if row["risk_level"] == "at_risk":
        st.error(t("clients.risk_banner", reasons=text, details=details), icon=":material/warning:")
    else:
        st.warning(t("clients.watch_banner", reasons=text, details=details), icon=":material/visibility:")


def _index_trend(index: pl.DataFrame) -> None:
    st.markdown(f"**{t('clients.index_trend')}**")
    series = [
        ("index", t("clients.series_index"), True),
        ("tx_score", t("clients.series_tx"), False),
        ("cx_score", t("clients.series_cx"), False),
    ]
    frame = pl.concat(
        [
            index.select(
                "period",
                pl.lit(name).alias("series"),
                pl.col(column).alias("score"),
                pl.lit(overall).alias("is_overall"),
                (pl.col("is_partial") & pl.lit(overall)).alias("is_partial"),
            )
            for column, name, overall in series
        ]
    ).drop_nulls("score")
    chart = charts.index_trend(frame, y_title=t("clients.col_index"), x_title=t("common.period"))
    chart_with_table(chart, index, key="client_index_trend", file_stem="client_index")
    st.caption(t("clients.trend_note"))


def render_card(client_id: str, filters: Filters, model: ServiceModel, lang: str, in_list: bool) -> None:
    detail = data.detail(client_id, filters)
    profile_rows = detail["profile"].to_dicts()
    if not profile_rows:
        empty_state(t("clients.unknown_client", client=client_id))
        return
    profile = profile_rows[0]
    _picker(client_id, profile["name"], filters, lang)
    page_header(escape_markdown(profile["name"]), _subtitle(profile, model, lang))
    if not in_list:
        st.caption(t("clients.outside_filters"))
    factors, index, risk = data.card(client_id, filters, model)
    _tiles(index, detail, profile, lang, model.company.currency)
    _risk(risk)
    if index.is_empty():
        empty_state(t("clients.no_index", first=filters.period_from or "–", last=filters.period_to or "–"))
    else:
        left, right = st.columns([4, 8], gap="large")
        with left:
            _index_trend(index)
        with right:
            render_breakdown(factors, index, model, lang)
    render_journey(detail, model, lang)
    render_orders_and_tickets(detail, model, lang)
