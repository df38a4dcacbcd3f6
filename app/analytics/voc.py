"""Frequency analysis of complaint topics: shares, growth, detractor share, client-group summaries.

Inputs are counts from app.warehouse.voc_queries; no Streamlit here. Topics an analyst gave the
same name count as one topic (that is how two wordings of one complaint are merged), so every
function aggregates by `topic_key`: the analyst's name when there is one, else the topic's number.

- share of a topic in a group = its texts / all complaint texts of the group (texts without a topic
  included in the denominator, so shares never add up to more than the truth);
- margins are 95 % Wald intervals in percentage points, as for the top-2 box;
- growth compares the share in the newest period with the period before; a change counts only when
  it exceeds the margin of the difference (sqrt(m1² + m2²)), as for the other movers.
"""

from __future__ import annotations

import polars as pl

from app.analytics.nps import Z_95, share_margin_expr, with_nps

NO_TOPIC_KEY = "#none"


def topic_display(topics: pl.DataFrame, lang: str, no_topic_label: str) -> pl.DataFrame:
    """topic_id → topic_key and `topic` (display name); a row for texts without a topic (null id)."""
    auto = pl.coalesce(pl.col(f"auto_label_{lang}"), pl.col("auto_label_en"), pl.col("auto_label_ru"))
    named = topics.select(
        "topic_id",
        pl.when(pl.col("label").is_not_null())
        .then(pl.col("label").str.to_lowercase())
        .otherwise(pl.format("#{}", pl.col("topic_id")))
        .alias("topic_key"),
        pl.coalesce(pl.col("label"), auto).alias("topic"),
        pl.col("label").is_not_null().alias("is_named"),
    )
    none = pl.DataFrame(
        {"topic_id": [None], "topic_key": [NO_TOPIC_KEY], "topic": [no_topic_label], "is_named": [False]},
        schema=named.schema,
    )
    return pl.concat([named, none])


def with_topic_keys(counts: pl.DataFrame, display: pl.DataFrame) -> pl.DataFrame:
    first_name = display.group_by("topic_key", maintain_order=True).agg(pl.col("topic").first())
    keyed = counts.join(display.select("topic_id", "topic_key"), on="topic_id", how="left", nulls_equal=True)
    return keyed.join(first_name, on="topic_key", how="left")


def topic_shares(counts: pl.DataFrame, display: pl.DataFrame, by: list[str]) -> pl.DataFrame:
    """Texts and share (%) of each topic within each `by` group (all texts when `by` is empty)."""
    keyed = with_topic_keys(counts, display)
    totals = (
        keyed.group_by(by).agg(pl.col("n").sum().alias("n_total"))
        if by
        else keyed.select(pl.col("n").sum().alias("n_total"))
    )
    per_topic = keyed.group_by([*by, "topic_key", "topic"]).agg(pl.col("n").sum())
    joined = per_topic.join(totals, on=by, how="left") if by else per_topic.join(totals, how="cross")
    return joined.with_columns(
        (100.0 * pl.col("n") / pl.col("n_total")).alias("share"),
        share_margin_expr("n", "n_total").alias("share_moe"),
    ).sort([*by, "n"], descending=[False] * len(by) + [True])


def topic_growth(
    counts_by_period: pl.DataFrame, display: pl.DataFrame, current: str, previous: str, min_n: int = 1
) -> pl.DataFrame:
    """Share change per topic from `previous` to `current` (pp), biggest growth first.

    Periods with fewer than `min_n` complaint texts in all are left out: their shares are noise.
    """
    shares = topic_shares(counts_by_period, display, ["period"]).filter(pl.col("topic_key") != NO_TOPIC_KEY)
    now = shares.filter(pl.col("period") == current).select(
        "topic_key", "topic", "n", "n_total", "share", "share_moe"
    )
    before = shares.filter(pl.col("period") == previous).select(
        "topic_key",
        pl.col("n").alias("n_before"),
        pl.col("n_total").alias("n_total_before"),
        pl.col("share").alias("share_before"),
        pl.col("share_moe").alias("share_moe_before"),
    )
    totals_before = counts_by_period.filter(pl.col("period") == previous)["n"].sum()
    totals_now = counts_by_period.filter(pl.col("period") == current)["n"].sum()
    if totals_now < min_n or totals_before < min_n:
        return now.head(0).with_columns(pl.lit(None, pl.Float64).alias("change"))
    joined = now.join(before, on="topic_key", how="full", coalesce=True).with_columns(
        pl.col("n", "n_before").fill_null(0),
        pl.col("share", "share_before", "share_moe", "share_moe_before").fill_null(0.0),
        pl.col("n_total").fill_null(totals_now),
        pl.col("n_total_before").fill_null(totals_before),
    )
    joined = joined.with_columns(pl.col("topic").fill_null(pl.col("topic_key")))
    return (
        joined.with_columns(
            (pl.col("share") - pl.col("share_before")).alias("change"),
            (pl.col("share_moe") ** 2 + pl.col("share_moe_before") ** 2).sqrt().alias("change_moe"),
        )
        .with_columns((pl.col("change").abs() > pl.col("change_moe")).alias("is_significant"))
        .sort(["change", "topic_key"], descending=[True, False])
    )


def detractor_shares(score_mix: pl.DataFrame, display: pl.DataFrame) -> pl.DataFrame:
    """Per topic: survey comments, % of them from detractors (0–6) with margin, mean score."""
    keyed = with_topic_keys(score_mix, display).with_columns((pl.col("avg_nps") * pl.col("n")).alias("_sum"))
    merged = keyed.group_by("topic_key", "topic").agg(pl.col("n", "n_detractors", "n_passives", "_sum").sum())
    return (
        merged.with_columns(
            (100.0 * pl.col("n_detractors") / pl.col("n")).alias("pct_detractors"),
            share_margin_expr("n_detractors", "n").alias("pct_detractors_moe"),
            (pl.col("_sum") / pl.col("n")).alias("avg_nps"),
        )
        .drop("_sum")
        .sort("pct_detractors", descending=True)
    )


def group_summary(
    groups: pl.DataFrame, profiles: pl.DataFrame, display: pl.DataFrame, k: int = 3
) -> pl.DataFrame:
    """Client groups with NPS (± margin), money, and their k most typical complaints ('A 45 % · B 20 %')."""
    keyed = with_topic_keys(profiles.with_columns(pl.col("share")), display)
    merged = (
        keyed.group_by("group_id", "topic_key", "topic")
        .agg(pl.col("share").sum())
        .sort(["group_id", "share", "topic_key"], descending=[False, True, False])
    )
    typical = merged.group_by("group_id", maintain_order=True).agg(
        pl.col("topic").head(k).alias("typical_topics"),
        pl.col("share").head(k).alias("typical_shares"),
        pl.col("topic").first().alias("main_topic"),
        pl.col("share").first().alias("main_share"),
    )
    out = with_nps(groups.with_columns(pl.col("n", "n_promoters", "n_detractors").cast(pl.Float64)))
    return out.join(typical, on="group_id", how="left").with_columns(
        (100.0 * pl.col("n_clients") / pl.col("n_clients").sum()).alias("pct_clients")
    )


def share_margin(count: float, n: float) -> float | None:
    """95 % margin (pp) of count / n, for single figures."""
    if n <= 0:
        return None
    p = count / n
    return Z_95 * (p * (1 - p) / n) ** 0.5 * 100.0
