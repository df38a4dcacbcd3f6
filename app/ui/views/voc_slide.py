"""Voice of the customer as a slide: what clients complain about (texts per topic, coloured by the
detractor share of its comments), with the most frequent topic as the key figure. Same analytics
and chart builder as the page (app.analytics.voc, app.ui.charts.voc); reads ?src= like the page.
"""

from __future__ import annotations

import altair as alt
import duckdb
import polars as pl

from app.analytics import voc
from app.service_model import ServiceModel
from app.ui.charts import voc as charts
from app.ui.i18n import format_number, translate
from app.ui.labels import filters_summary
from app.ui.slides.params import ViewParams, choice, filters_from_params
from app.ui.slides.protocol import KeyFigure, SlideContent
from app.ui.views.voc import SOURCE_CHOICES
from app.warehouse import voc_queries as q
from app.warehouse.scores import available_periods

NO_TOPIC = "#none"
MAX_TOPICS = 10  # what a room can read on one slide


def frequency(con: duckdb.DuckDBPyConnection, key: q.TopicsKey, filters, lang: str,
              sources: tuple[str, ...]) -> pl.DataFrame:
    """One row per topic (as voc_data.frequency): texts, share, detractor share of its comments."""
    names = voc.topic_display(q.topic_list(con, key), lang, translate("voc.no_topic", lang))
    shares = voc.topic_shares(q.topic_counts(con, key, filters, (), sources), names, [])
    mix = voc.detractor_shares(q.topic_score_mix(con, key, filters), names)
    return shares.join(mix.select("topic_key", "pct_detractors"), on="topic_key", how="left")


def slide_content(con: duckdb.DuckDBPyConnection, model: ServiceModel, params: ViewParams, lang: str) -> SlideContent:
    title = translate("voc.frequency_title", lang)
    filters = filters_from_params(params, model, available_periods(con))
    key = q.topics_key(con)
    if key.run_id is None:
        return SlideContent(title, None, None, message=translate("voc.no_topics", lang))
    sources = SOURCE_CHOICES[choice(params, "src", tuple(SOURCE_CHOICES), "all")]
    named = frequency(con, key, filters, lang, sources).filter(pl.col("topic_key") != NO_TOPIC)
    if named.is_empty() or named["n"].sum() == 0:
        return SlideContent(title, None, None, message=translate("voc.no_texts", lang))
    shown = named.sort("n", descending=True).head(MAX_TOPICS).with_columns(
        pl.format("{} · {} %", pl.col("n"), pl.col("share").round(0).cast(pl.Int64)).alias("bar_text"))
    chart = charts.topic_frequency(shown, x_title=translate("voc.texts", lang),
                                   colour_title=translate("voc.pct_detractors", lang))
    # Room on the right for the "n · share" label of the longest bar at projector size.
    chart.layer[0].encoding.x.scale = alt.Scale(domain=[0, float(shown["n"].max()) * 1.18], nice=False)
    top = shown.row(0, named=True)
    detractors = top.get("pct_detractors")
    figure = KeyFigure(
        f"{format_number(top['share'], 0, lang)} %", translate("slides.voc_top_topic", lang, topic=top["topic"]),
        None if detractors is None else translate("slides.voc_detractors", lang, pct=format_number(detractors, 0, lang)),
        "bad",
    )
    summary = filters_summary(model, filters.as_dict(), lang, translate("filters.summary_all", lang))
    caption = translate("slides.voc_caption", lang, segment=summary, first=filters.period_from,
                        last=filters.period_to, n=format_number(int(named["n"].sum()), 0, lang))
    return SlideContent(title, figure, chart, caption)
