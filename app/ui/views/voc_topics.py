"""Topics section: how often each complaint comes up (coloured by how many of its authors are
detractors), which topics grew since the previous quarter, and one topic in detail — its words,
example texts, where in the journey it comes up, and the analyst's name for it.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.movers import latest_and_previous
from app.auth.guard import can, require_role
from app.service_model import ServiceModel
from app.ui.charts import voc as charts
from app.ui.components import chart_with_table, empty_state, page_link
from app.ui.context import cursor
from app.ui.i18n import format_number, t
from app.ui.safe_text import escape_markdown
from app.ui.url_widgets import url_selectbox
from app.ui.views import voc_data as data
from app.warehouse.filters import Filters
from app.warehouse.voc_queries import TopicsKey

MAX_GROWTH_ROWS = 8


def _frequency_chart(frequency: pl.DataFrame) -> None:
    st.subheader(t("voc.frequency_title"), anchor=False)
    shown = frequency.filter(pl.col("topic_key") != "#none").with_columns(
        pl.format("{} · {} %", pl.col("n"), pl.col("share").round(0).cast(pl.Int64)).alias("bar_text")
    )
    chart = charts.topic_frequency(shown, x_title=t("voc.texts"), colour_title=t("voc.pct_detractors"))
    table = frequency.select(
        "topic",
        "n",
        pl.col("share").round(1),
        pl.col("n_comments"),
        pl.col("pct_detractors").round(1),
        pl.col("pct_detractors_moe").round(1),
    )
    chart_with_table(chart, table, key="voc_frequency", file_stem="complaint_topics")
    st.caption(t("voc.frequency_note"))


def _growth_chart(key: TopicsKey, filters: Filters, lang: str, sources: tuple[str, ...], min_n: int) -> None:
    periods = data.counts(key, filters, ("period",), sources)["period"].drop_nulls().unique().to_list()
    current, previous = latest_and_previous(periods)
    st.subheader(t("voc.growth_title", current=current or "–", previous=previous or "–"), anchor=False)
    if previous is None:
        empty_state(t("voc.growth_needs_two"))
        return
    growth = data.growth(key, filters, lang, sources, current, previous, min_n)
    if growth.is_empty():
        empty_state(t("voc.growth_low_n", min_n=min_n))
        return
    shown = growth.head(MAX_GROWTH_ROWS)
    chart = charts.share_change(shown, x_title=t("voc.change_pp"))
    table = growth.select(
        "topic",
        pl.col("share_before").round(1),
        pl.col("share").round(1),
        pl.col("change").round(1),
        pl.col("change_moe").round(1),
        "is_significant",
        "n_before",
        "n",
    )
    chart_with_table(chart, table, key="voc_growth", file_stem="topic_growth")
    st.caption(t("voc.growth_note"))


def _rename_form(key: TopicsKey, topic_id: int, current: str | None) -> None:
    with st.form(f"voc_rename_{key.run_id}_{topic_id}", border=False):
        name = st.text_input(
            t("voc.rename"), value=current or "", max_chars=120, placeholder=t("voc.rename_hint")
        )
        saved = st.form_submit_button(t("voc.rename_save"), icon=":material/edit:")
    if saved:
        access = require_role("analyst")
        from pipelines.topics import rename_topic

        rename_topic(cursor(), key.run_id, topic_id, name, actor=access.user)
        st.toast(t("voc.renamed") if name.strip() else t("voc.rename_reset"), icon=":material/check_circle:")
        st.rerun()


def _terms_line(terms: pl.DataFrame, topic_id: int, lang: str) -> str:
    words = terms.filter(pl.col("topic_id") == topic_id)
    parts = []
    for language in sorted(words["language"].unique().to_list(), key=lambda x: x != lang):
        chosen = words.filter(pl.col("language") == language)["term"].to_list()
        parts.append(f"**{language.upper()}**: " + ", ".join(escape_markdown(w) for w in chosen))
    return "  \n".join(parts)


def _detail(
    key: TopicsKey, filters: Filters, model: ServiceModel, lang: str, frequency: pl.DataFrame
) -> None:
    topics = data.topics(key)
    names = data.display(key, lang).drop_nulls("topic_id")
    counts = dict(zip(frequency["topic_key"].to_list(), frequency["n"].to_list(), strict=True))
    options = [
        str(i) for i in sorted(names["topic_id"].to_list(), key=lambda i: -counts.get(_key_of(names, i), 0))
    ]
    label_of = dict(zip(names["topic_id"].cast(pl.String).to_list(), names["topic"].to_list(), strict=True))
    st.subheader(t("voc.detail_title"), anchor=False)
    with st.columns([2, 3])[0]:
        chosen = url_selectbox(
            t("voc.topic"),
            options,
            key="voc_topic",
            param="topic",
            default=options[0],
            format_func=lambda o: label_of.get(o, o),
        )
    topic_id = int(chosen)
    row = topics.filter(pl.col("topic_id") == topic_id).row(0, named=True)
    left, right = st.columns([2, 3], gap="large")
    with left:
        st.markdown(_terms_line(data.terms(key), topic_id, lang))
        mix = frequency.filter(pl.col("topic_key") == _key_of(names, topic_id))
        if mix.height and mix["n_comments"][0]:
            st.markdown(
                t(
                    "voc.detail_detractors",
                    pct=format_number(mix["pct_detractors"][0]),
                    moe=format_number(mix["pct_detractors_moe"][0]),
                    n=format_number(mix["n_comments"][0]),
                )
            )
        st.caption(
            t(
                "voc.detail_counts",
                n=format_number(row["n_docs"]),
                comments=format_number(row["n_survey"]),
                tickets=format_number(row["n_ticket"]),
            )
        )
        where = data.counts(key, filters, ("touchpoint_id",)).filter(pl.col("topic_id") == topic_id)
        labels = data.breakdown_labels("touchpoint_id", model, lang)
        for tp, n in where.sort("n", descending=True).head(3).select("touchpoint_id", "n").iter_rows():
            st.caption(f"• {escape_markdown(labels.get(tp, tp or '–'))}: {format_number(n)}")
        if can("analyst"):
            _rename_form(key, topic_id, row["label"])
        else:
            st.caption(t("voc.rename_needs_analyst"))
        page_link("voice_of_customer", t("voc.show_texts"), {"view": "comments", "ctopic": chosen})
    with right:
        st.markdown(f"**{t('voc.examples')}**")
        examples = data.examples(key).filter(pl.col("topic_id") == topic_id)
        for text in examples.sort(pl.col("language") != lang, "rank")["text"].to_list():
            with st.container(border=True):
                st.text(text)


def _key_of(names: pl.DataFrame, topic_id: int) -> str:
    return names.filter(pl.col("topic_id") == topic_id)["topic_key"][0]


def render_topics(
    key: TopicsKey, filters: Filters, model: ServiceModel, lang: str, sources: tuple[str, ...]
) -> None:
    frequency = data.frequency(key, filters, lang, sources)
    if frequency.is_empty() or frequency["n"].sum() == 0:
        empty_state(t("voc.no_texts"), t("common.no_data_hint"))
        return
    left, right = st.columns([3, 2], gap="large")
    with left:
        _frequency_chart(frequency)
    with right:
        _growth_chart(key, filters, lang, sources, model.settings.min_n)
    st.divider()
    _detail(key, filters, model, lang, frequency)
