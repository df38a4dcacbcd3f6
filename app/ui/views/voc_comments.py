"""Comment explorer: every survey comment and ticket, searchable, filtered by topic, touchpoint,
score and source (plus the global filters).

Texts are written by outsiders, so they are shown only through st.dataframe and st.text, which
render them as plain text: markup, HTML or a <script> in a comment shows as the characters typed.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.service_model import ServiceModel
from app.ui import url_state
from app.ui.components import download_buttons, empty_state, page_link
from app.ui.context import cached_query
from app.ui.i18n import format_number, t
from app.ui.safe_text import escape_markdown
from app.ui.url_widgets import url_segmented
from app.ui.views import voc_data as data
from app.warehouse.comment_search import NO_TOPIC, CommentQuery, search_feedback
from app.warehouse.filters import Filters
from app.warehouse.follow_up_queries import case_for_response
from app.warehouse.voc_queries import TopicsKey

TOPICS_KEY, TOPICS_PARAM = "voc_ctopics", "ctopic"
ROW_LIMIT = 500
CARD_LIMIT = 40
LAYOUTS: tuple[str, ...] = ("table", "cards")


def _topic_filter(names: pl.DataFrame) -> tuple[int, ...]:
    labels = {str(i): n for i, n in names.drop_nulls("topic_id").select("topic_id", "topic").iter_rows()}
    labels[str(NO_TOPIC)] = t("voc.no_topic")
    url_state.add_notices(url_state.seed_multi(TOPICS_KEY, TOPICS_PARAM, list(labels)))
    chosen = st.multiselect(
        t("voc.topics"),
        list(labels),
        key=TOPICS_KEY,
        format_func=lambda o: labels.get(o, o),
        placeholder=t("filters.all"),
    )
    url_state.publish(TOPICS_PARAM, chosen, default=[])
    return tuple(int(c) for c in chosen)


def _controls(names: pl.DataFrame, model: ServiceModel, lang: str, sources: tuple[str, ...]) -> CommentQuery:
    tp_labels = data.breakdown_labels("touchpoint_id", model, lang)
    first, second, third = st.columns([2, 2, 2])
    with first:
        text = st.text_input(
            t("voc.search"), key="voc_search", placeholder=t("voc.search_hint"), max_chars=200
        )
    with second:
        topics = _topic_filter(names)
    with third:
        touchpoints = st.multiselect(
            t("common.touchpoint"),
            list(tp_labels),
            key="voc_ctouchpoints",
            format_func=lambda o: tp_labels.get(o, o),
            placeholder=t("filters.all"),
        )
    left, _, right = st.columns([2, 2, 1])
    with left:
        low, high = st.slider(t("voc.score_range"), 0, 10, (0, 10), key="voc_score", help=t("voc.score_help"))
    with right:
        url_segmented(
            t("voc.layout"),
            list(LAYOUTS),
            key="voc_layout",
            param="show",
            default="table",
            format_func=lambda v: t(f"voc.layout_{v}"),
        )
    return CommentQuery(
        text=text,
        topic_ids=topics,
        touchpoint_ids=tuple(touchpoints),
        nps_min=low,
        nps_max=high,
        sources=sources,
        limit=ROW_LIMIT,
    )


def _table(frame: pl.DataFrame, names: pl.DataFrame, tp_labels: dict[str, str]) -> pl.DataFrame:
    topic_names = dict(names.drop_nulls("topic_id").select("topic_id", "topic").iter_rows())
    return frame.select(
        pl.col("created_at").dt.date().alias("date"),
        pl.col("source")
        .replace_strict(
            {"survey": t("voc.source_survey_one"), "ticket": t("voc.source_ticket_one")},
            default=pl.col("source"),
            return_dtype=pl.String,
        )
        .alias("source"),
        pl.col("nps").cast(pl.String).fill_null("–"),
        "text",
        pl.col("topic_id")
        .replace_strict(topic_names, default=None, return_dtype=pl.String)
        .fill_null(t("voc.no_topic"))
        .alias("topic"),
        pl.col("touchpoint_id")
        .replace_strict(tp_labels, default=pl.col("touchpoint_id"), return_dtype=pl.String)
        .alias("touchpoint"),
        "client_name",
    )


def _text_card(item: dict, table_row: dict) -> None:
    """One text as plain text (st.text never interprets markup) with its facts above it."""
    with st.container(border=True):
        client = item["client_name"] or item["client_id"] or "–"
        facts = [
            item["doc_id"],
            client,
            str(item["created_at"])[:16],
            table_row["touchpoint"] or "–",
            table_row["topic"],
        ]
        if item["nps"] is not None:
            facts.insert(3, f"NPS {item['nps']}")
        st.caption(" · ".join(escape_markdown(f) for f in facts))
        st.text(item["text"])
        if item["response_id"] and item["nps"] is not None and item["nps"] <= 6:
            case_id = cached_query(case_for_response, item["response_id"])
            if case_id is not None:
                page_link("follow_ups", t("voc.open_case", case=f"FU-{case_id:05d}"), {"case": str(case_id)})


def render_comments(
    key: TopicsKey, filters: Filters, model: ServiceModel, lang: str, sources: tuple[str, ...]
) -> None:
    names = data.display(key, lang)
    spec = _controls(names, model, lang, sources)
    frame = cached_query(search_feedback, key, filters, spec)
    if frame.is_empty():
        empty_state(t("voc.no_matches"), t("voc.no_matches_hint"))
        return
    total = int(frame["n_matches"][0])
    note = t("voc.matches", n=format_number(total))
    if total > frame.height:
        note += " " + t("voc.matches_limited", shown=format_number(frame.height))
    if spec.filters_scores:
        note += " " + t("voc.tickets_left_out")
    st.caption(note)
    table = _table(frame, names, data.breakdown_labels("touchpoint_id", model, lang))
    if st.session_state.get("voc_layout") == "cards":
        for item, table_row in zip(
            frame.head(CARD_LIMIT).iter_rows(named=True),
            table.head(CARD_LIMIT).iter_rows(named=True),
            strict=True,
        ):
            _text_card(item, table_row)
        if frame.height > CARD_LIMIT:
            st.caption(t("voc.cards_limited", shown=CARD_LIMIT))
        download_buttons(table, "feedback_texts", key="voc_comments_download")
        return
    event = st.dataframe(
        table,
        key="voc_comments_table",
        hide_index=True,
        on_select="rerun",
        selection_mode="single-row",
        height=420,
        column_config={
            "date": st.column_config.DateColumn(t("voc.col_date"), width="small"),
            "source": st.column_config.TextColumn(t("voc.col_source"), width=90),
            "client_name": st.column_config.TextColumn(t("voc.col_client"), width="medium"),
            "nps": st.column_config.TextColumn(t("common.metric.nps"), width=48),
            "touchpoint": st.column_config.TextColumn(t("common.touchpoint"), width="medium"),
            "topic": st.column_config.TextColumn(t("voc.topic"), width="medium"),
            "text": st.column_config.TextColumn(t("voc.col_text"), width="large"),
        },
    )
    rows = event.selection.rows if event and event.selection else []
    if rows:
        _text_card(frame.row(rows[0], named=True), table.row(rows[0], named=True))
    else:
        st.caption(t("voc.select_hint"))
    download_buttons(table, "feedback_texts", key="voc_comments_download")
