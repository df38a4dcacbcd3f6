"""Sections of the client card: how this client's index is made up in one quarter (its own weights),
its journey as it lived it (touchpoint ratings per quarter and its answers), its orders and tickets.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.service_model import ServiceModel
from app.ui.charts import clients as charts
from app.ui.components import chart_with_table, data_table, empty_state
from app.ui.i18n import format_number, t
from app.ui.views.satisfaction_formula import formula_text


def raw_value_text(metric: str, value: float | None, scale_max: float | None, lang: str) -> str:
    """A factor's raw value as people say it: '75 %', '5.0 days', '36 h', '4.0 of 5', '+20'."""
    if value is None:
        return "–"
    if metric == "on_time_share":
        return f"{format_number(100.0 * value, 0, lang)} %"
    if metric == "avg_delay_days":
        return t("clients.value_days", value=format_number(value, 1, lang))
    if metric == "first_response_hours":
        return t("clients.value_hours", value=format_number(value, 1, lang))
    if metric == "touchpoint_rating":
        return t(
            "clients.value_rating", value=format_number(value, 1, lang), max=format_number(scale_max, 0, lang)
        )
    return format_number(value, 0, lang, signed=True)


def breakdown_frame(factors: pl.DataFrame, period: str, model: ServiceModel, lang: str) -> pl.DataFrame:
    """The factors of one quarter: value, 0–100 score, the client's weight and its share of the block."""
    specs = {f.id: f for f in model.satisfaction_index.factors}
    rows = factors.filter(pl.col("period") == period)
    block_weight = rows.group_by("block").agg(pl.col("importance").sum().alias("block_importance"))
    rows = rows.join(block_weight, on="block").with_columns(
        (100.0 * pl.col("importance") / pl.col("block_importance")).alias("share_of_block")
    )
    out = []
    for row in rows.to_dicts():
        spec = specs[row["factor_id"]]
        scale_max = model.touchpoint(spec.touchpoint).scale.max if spec.touchpoint else None
        weight = format_number(row["importance"], 1, lang)
        out.append(
            {
                "factor": spec.label.get(lang),
                "block": row["block"],
                "value": raw_value_text(row["metric"], row["value"], scale_max, lang),
                "n": row["n"],
                "score": row["score"],
                "weight": t("clients.weight_default", value=weight)
                if row["is_default_importance"]
                else weight,
                "share_of_block": row["share_of_block"],
            }
        )
    return pl.DataFrame(out)


def _missing_factors(factors: pl.DataFrame, period: str, model: ServiceModel, lang: str) -> list[str]:
    present = set(factors.filter(pl.col("period") == period)["factor_id"].to_list())
    return [f.label.get(lang) for f in model.satisfaction_index.factors if f.id not in present]


def render_breakdown(factors: pl.DataFrame, index: pl.DataFrame, model: ServiceModel, lang: str) -> None:
    st.markdown(f"**{t('clients.breakdown_title')}**")
    periods = index["period"].to_list()
    period = st.selectbox(t("common.period"), list(reversed(periods)), key="client_breakdown_period")
    row = index.filter(pl.col("period") == period).to_dicts()[0]
    st.markdown(
        t(
            "clients.breakdown_result",
            index=format_number(row["index"], 1, lang),
            tx=format_number(row["tx_score"], 1, lang),
            cx=format_number(row["cx_score"], 1, lang),
        )
    )
    frame = breakdown_frame(factors, period, model, lang)
    st.dataframe(
        frame,
        hide_index=True,
        key="client_breakdown",
        column_config={
            "factor": st.column_config.TextColumn(t("clients.col_factor"), width=178),
            "block": st.column_config.TextColumn(t("clients.col_block"), width=44),
            "value": st.column_config.TextColumn(t("clients.col_value"), width=68),
            "n": st.column_config.NumberColumn("n", width=32),
            "score": st.column_config.ProgressColumn(
                t("clients.col_score"), min_value=0, max_value=100, format="%.0f", width=78
            ),
            "weight": st.column_config.TextColumn(
                t("clients.col_weight"), help=t("clients.weight_help"), width=104
            ),
            "share_of_block": st.column_config.NumberColumn(
                t("clients.col_share"), format="%.0f %%", width=92
            ),
        },
    )
    missing = _missing_factors(factors, period, model, lang)
    notes = [formula_text(model, lang)]
    if missing:
        notes.append(t("clients.missing_factors", factors=", ".join(missing)))
    if row["is_partial"]:
        notes.append(t("clients.partial_explained"))
    st.caption("  \n".join(notes))


def _journey_frame(ratings: pl.DataFrame, model: ServiceModel, lang: str) -> pl.DataFrame:
    labels = {tp.id: tp.label.get(lang) for tp in model.touchpoints}
    scales = {tp.id: tp.scale.max for tp in model.touchpoints}
    return ratings.with_columns(
        pl.col("touchpoint_id").replace_strict(labels, default=pl.col("touchpoint_id")).alias("touchpoint"),
        pl.struct("rating", "touchpoint_id")
        .map_elements(
            lambda r: f"{format_number(r['rating'], 1, lang)}/{scales.get(r['touchpoint_id'], '')}",
            return_dtype=pl.String,
        )
        .alias("rating_text"),
    )


def render_journey(detail: dict[str, pl.DataFrame], model: ServiceModel, lang: str) -> None:
    st.subheader(t("clients.journey_title"), anchor=False)
    ratings = detail["ratings"]
    if ratings.is_empty():
        empty_state(t("clients.no_ratings"))
    else:
        frame = _journey_frame(ratings, model, lang)
        chart = charts.journey_heatmap(frame, x_title=t("common.period"), y_title=t("common.touchpoint"))
        chart_with_table(
            chart,
            frame.drop("stage_order", "touchpoint_order"),
            key="client_journey",
            file_stem="client_journey",
        )
        st.caption(t("clients.journey_note"))
    answers = detail["answers"]
    st.markdown(f"**{t('clients.answers_title', n=answers.height)}**")
    if answers.is_empty():
        st.caption(t("clients.no_answers"))
        return
    roles = {o.id: o.label.get(lang) for o in model.dimensions.respondent_roles}
    shown = answers.with_columns(
        pl.col("respondent_role").replace_strict(roles, default=pl.col("respondent_role"))
    )
    st.dataframe(
        shown,
        hide_index=True,
        key="client_answers",
        placeholder="",
        column_config={
            "submitted_on": st.column_config.DateColumn(t("clients.col_date")),
            "period": st.column_config.TextColumn(t("common.period"), width="small"),
            "respondent_role": st.column_config.TextColumn(t("common.respondent_role")),
            "nps": st.column_config.NumberColumn(t("clients.col_recommend"), format="%d", width="small"),
            "nps_class": st.column_config.TextColumn(t("clients.col_class"), width="small"),
            "ces": st.column_config.NumberColumn("CES", format="%.0f", width="small"),
            "channel": st.column_config.TextColumn(t("clients.col_channel"), width="small"),
            "comment": st.column_config.TextColumn(t("clients.col_comment"), width="large"),
        },
    )


def _orders_frame(orders: pl.DataFrame) -> pl.DataFrame:
    return orders.with_columns(
        pl.when(~pl.col("is_delivered"))
        .then(pl.lit("open"))
        .when(pl.col("is_on_time"))
        .then(pl.lit("on_time"))
        .otherwise(pl.lit("late"))
        .alias("state")
    )


def render_orders_and_tickets(detail: dict[str, pl.DataFrame], model: ServiceModel, lang: str) -> None:
    orders, tickets = _orders_frame(detail["orders"]), detail["tickets"]
    left, right = st.columns(2, gap="large")
    with left:
        late = orders.filter(pl.col("state") == "late").height
        st.subheader(t("clients.orders_title", n=orders.height, late=late), anchor=False)
        if orders.is_empty():
            st.caption(t("clients.no_orders"))
        else:
            legend = {k: t(f"clients.order.{k}") for k in ("on_time", "late", "open")}
            chart = charts.orders_timeline(
                orders, x_title=t("clients.promised"), y_title=t("clients.days_late"), legend=legend
            )
            chart_with_table(chart, orders, key="client_orders", file_stem="client_orders")
    with right:
        open_now = tickets.filter(pl.col("is_open")).height if tickets.height else 0
        st.subheader(t("clients.tickets_title", n=tickets.height, open=open_now), anchor=False)
        if tickets.is_empty():
            st.caption(t("clients.no_tickets"))
        else:
            labels = {tp.id: tp.label.get(lang) for tp in model.touchpoints}
            shown = tickets.drop("period").with_columns(
                pl.col("touchpoint_id").replace_strict(labels, default=pl.col("touchpoint_id"))
            )
            st.dataframe(
                shown,
                hide_index=True,
                key="client_tickets",
                placeholder="",
                column_config={
                    "ticket_id": st.column_config.TextColumn("ID", width="small"),
                    "opened_at": st.column_config.DatetimeColumn(
                        t("clients.col_opened"), format="YYYY-MM-DD HH:mm"
                    ),
                    "touchpoint_id": st.column_config.TextColumn(t("common.touchpoint")),
                    "category": st.column_config.TextColumn(t("clients.col_category")),
                    "severity": st.column_config.TextColumn(t("clients.col_severity"), width="small"),
                    "is_open": st.column_config.CheckboxColumn(t("clients.col_open"), width="small"),
                    "first_response_hours": st.column_config.NumberColumn(
                        t("clients.col_response_h"), format="%.1f"
                    ),
                    "resolution_days": st.column_config.NumberColumn(
                        t("clients.col_resolution_d"), format="%.1f"
                    ),
                    "text": st.column_config.TextColumn(t("clients.col_text"), width="large"),
                },
            )
            data_table(tickets, file_stem="client_tickets", key="client_tickets_download")
