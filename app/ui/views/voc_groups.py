"""Client groups section: clients grouped by what they complain about (trained with the topics),
each group with its size, typical complaints, NPS and the revenue and LTV it holds.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.ui.charts import voc as charts
from app.ui.components import chart_with_table, empty_state
from app.ui.context import service_model
from app.ui.i18n import format_compact, format_number, t
from app.ui.safe_text import escape_markdown
from app.ui.views import voc_data as data
from app.warehouse.filters import Filters
from app.warehouse.voc_queries import TopicsKey

CARDS_PER_ROW = 4


MOSTLY_SHARE = 0.6  # a group "mostly" complains about one topic when it is this share of its complaints


def _name(row: dict) -> str:
    """'Group 4: mostly Late delivery', or 'Group 2: Proposal and Late delivery' for a mixed group."""
    topics = row["typical_topics"] or []
    if not topics:
        return t("voc.group_plain", n=row["group_id"])
    if (row["main_share"] or 0) >= MOSTLY_SHARE or len(topics) < 2:
        return t("voc.group_name", n=row["group_id"], topic=topics[0])
    return t("voc.group_mixed", n=row["group_id"], first=topics[0], second=topics[1])


def _typical(row: dict) -> str:
    pairs = zip(row["typical_topics"] or [], row["typical_shares"] or [], strict=False)
    return " · ".join(f"{topic} {format_number(100 * share)} %" for topic, share in pairs)


def _card(row: dict, currency: str, min_n: int) -> None:
    with st.container(border=True):
        st.markdown(f"**{escape_markdown(_name(row))}**")
        st.metric(
            t("voc.group_clients"),
            format_number(row["n_clients"]),
            help=t("voc.group_clients_help", pct=format_number(row["pct_clients"])),
        )
        nps = format_number(row["nps"], 0, signed=True) if row["n"] else "–"
        low = " · " + t("common.low_n_short") if row["n"] < min_n else ""
        st.caption(
            t("voc.group_nps", nps=nps, moe=format_number(row["nps_moe"], 0), n=format_number(row["n"])) + low
        )
        st.caption(
            t(
                "voc.group_money",
                revenue=format_compact(row["revenue"]),
                ltv=format_compact(row["ltv"]),
                currency=currency,
            )
        )
        st.caption(escape_markdown(_typical(row)))


def render_groups(key: TopicsKey, filters: Filters, lang: str) -> None:
    model = service_model()
    groups = data.groups(key, filters, lang)
    if groups.is_empty():
        empty_state(t("voc.no_groups"), t("voc.no_groups_hint"))
        return
    st.subheader(t("voc.groups_title"), anchor=False)
    st.caption(t("voc.groups_note"))
    rows = groups.sort("group_id").to_dicts()
    for start in range(0, len(rows), CARDS_PER_ROW):
        columns = st.columns(CARDS_PER_ROW)
        for column, row in zip(columns, rows[start : start + CARDS_PER_ROW], strict=False):
            with column:
                _card(row, model.company.currency, model.settings.min_n)
    names = {r["group_id"]: _name(r) for r in rows}
    short = {g: t("voc.group_plain", n=g) for g in names}
    cells = (
        data.group_profile_cells(key, lang)
        .filter(pl.col("group_id").is_in(list(names)))
        .with_columns(
            pl.col("group_id").replace_strict(short, return_dtype=pl.String).alias("group"),
            (100.0 * pl.col("share")).alias("share"),
        )
        .with_columns(pl.format("{} %", pl.col("share").round(0).cast(pl.Int64)).alias("cell_text"))
    )
    topic_order = (
        cells.group_by("topic").agg(pl.col("share").sum()).sort("share", descending=True)["topic"].to_list()
    )
    st.subheader(t("voc.profiles_title"), anchor=False)
    chart = charts.group_profiles(
        cells,
        group_order=[short[r["group_id"]] for r in rows],
        topic_order=topic_order,
        colour_title=t("voc.share_of_group_complaints"),
    )
    table = groups.sort("group_id").select(
        pl.col("group_id").replace_strict(names, return_dtype=pl.String).alias(t("voc.group")),
        "n_clients",
        pl.col("pct_clients").round(1),
        "n_complaints",
        pl.col("typical_topics").list.join(", "),
        pl.col("nps").round(1),
        pl.col("nps_moe").round(1),
        pl.col("n").cast(pl.Int64),
        "revenue",
        "ltv",
    )
    chart_with_table(chart, table, key="voc_groups", file_stem="client_groups")
