"""The Voice-of-the-customer page's frames: every query through the data-version cache (plus the
topics key, which moves on a retrain or a rename), every figure through app.analytics.voc, labels in
the reader's language. No rendering here.
"""

from __future__ import annotations

import polars as pl

from app.analytics import voc
from app.service_model import ServiceModel
from app.ui.context import cached_query, cursor
from app.ui.i18n import t
from app.ui.labels import option_labels, touchpoint_label_expr
from app.warehouse import voc_queries as q
from app.warehouse.filters import Filters
from app.warehouse.scores import stage_dimension, touchpoint_dimension

SEGMENT_BREAKDOWNS = {
    "business_unit": "business_units",
    "segment": "segments",
    "grade": "grades",
    "status": "statuses",
}


def current_key() -> q.TopicsKey:
    """Read on every run (one cheap query): a retrain or rename must show at once."""
    return q.topics_key(cursor())


def status(key: q.TopicsKey) -> q.TopicStatus:
    return cached_query(q.topic_status, key)


def display(key: q.TopicsKey, lang: str) -> pl.DataFrame:
    return voc.topic_display(cached_query(q.topic_list, key), lang, t("voc.no_topic"))


def topics(key: q.TopicsKey) -> pl.DataFrame:
    return cached_query(q.topic_list, key)


def terms(key: q.TopicsKey) -> pl.DataFrame:
    return cached_query(q.topic_terms, key)


def examples(key: q.TopicsKey) -> pl.DataFrame:
    return cached_query(q.topic_examples, key)


def counts(
    key: q.TopicsKey, filters: Filters, by: tuple[str, ...] = (), sources: tuple[str, ...] = q.SOURCES
) -> pl.DataFrame:
    """Complaint texts per topic × `by`. The totals are the per-quarter counts summed (the page asks
    for both, and the counts add up; a query less over every complaint)."""
    if not by:
        per_period = cached_query(q.topic_counts, key, filters, by=("period",), sources=sources)
        return per_period.group_by("topic_id").agg(pl.col("n").sum()).sort("topic_id", nulls_last=True)
    return cached_query(q.topic_counts, key, filters, by=by, sources=sources)


def frequency(key: q.TopicsKey, filters: Filters, lang: str, sources: tuple[str, ...]) -> pl.DataFrame:
    """One row per topic: texts, share of complaints, detractor share of its comments (named topics merged)."""
    names = display(key, lang)
    shares = voc.topic_shares(counts(key, filters, (), sources), names, [])
    mix = voc.detractor_shares(cached_query(q.topic_score_mix, key, filters), names)
    return shares.join(
        mix.select(
            "topic_key", pl.col("n").alias("n_comments"), "pct_detractors", "pct_detractors_moe", "avg_nps"
        ),
        on="topic_key",
        how="left",
    )


def breakdown_labels(column: str, model: ServiceModel, lang: str) -> dict[str, str]:
    """Labels (and journey order) for the values of a breakdown column."""
    if column == "touchpoint_id":
        tps = cached_query(touchpoint_dimension).with_columns(touchpoint_label_expr(lang).alias("label"))
        return dict(zip(tps["touchpoint_id"].to_list(), tps["label"].to_list(), strict=True))
    if column == "stage_id":
        stages = cached_query(stage_dimension).with_columns(touchpoint_label_expr(lang).alias("label"))
        return dict(zip(stages["stage_id"].to_list(), stages["label"].to_list(), strict=True))
    if column == "block":
        blocks = cached_query(touchpoint_dimension)["block"].unique(maintain_order=True).to_list()
        return {b: b.replace("_", " ").capitalize() for b in blocks if b}
    if column in SEGMENT_BREAKDOWNS:
        return option_labels(model, SEGMENT_BREAKDOWNS[column], lang)
    return {}


def shares_by(
    key: q.TopicsKey, filters: Filters, column: str, model: ServiceModel, lang: str, sources: tuple[str, ...]
) -> tuple[pl.DataFrame, list[str]]:
    """Topic shares per value of `column`, labelled; and the column values in display order."""
    frame = voc.topic_shares(counts(key, filters, (column,), sources), display(key, lang), [column])
    frame = frame.filter(pl.col(column).is_not_null())
    labels = breakdown_labels(column, model, lang)
    ordered = (
        [v for v in labels if v in set(frame[column].to_list())]
        if labels
        else sorted(frame[column].unique().to_list())
    )
    ordered += sorted(v for v in frame[column].unique().to_list() if v not in ordered)
    frame = frame.with_columns(
        pl.col(column).replace_strict(labels, default=pl.col(column), return_dtype=pl.String).alias("group")
    )
    order = [labels.get(v, v) for v in ordered]
    return frame, order


def growth(
    key: q.TopicsKey,
    filters: Filters,
    lang: str,
    sources: tuple[str, ...],
    current: str,
    previous: str,
    min_n: int,
) -> pl.DataFrame:
    return voc.topic_growth(
        counts(key, filters, ("period",), sources), display(key, lang), current, previous, min_n
    )


def groups(key: q.TopicsKey, filters: Filters, lang: str) -> pl.DataFrame:
    return voc.group_summary(
        cached_query(q.client_groups, key, filters), cached_query(q.group_profiles, key), display(key, lang)
    )


def group_profile_cells(key: q.TopicsKey, lang: str) -> pl.DataFrame:
    profiles = cached_query(q.group_profiles, key)
    names = display(key, lang)
    return (
        voc.with_topic_keys(profiles, names)
        .group_by("group_id", "topic_key", "topic")
        .agg(pl.col("share").sum())
    )
