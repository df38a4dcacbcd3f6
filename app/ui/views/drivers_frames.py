"""Frames for the drivers charts in an explicit language, with no Streamlit call: the page and its
presentation slide build the ranking from the same code."""

from __future__ import annotations

import polars as pl

from app.ui.i18n import translate

AGREEMENT_MARKS = {"agree": "✓", "close": "≈", "differ": "≠"}
LEGEND_KEYS = ("positive", "negative", "mixed", "none")


def with_labels(features: pl.DataFrame, lang: str) -> pl.DataFrame:
    """Add `label` (the driver's name in `lang`) and `colour_key` (direction, or none when the effect
    cannot be told from noise)."""
    label = pl.coalesce(pl.col("label_ru"), pl.col("label_en")) if lang == "ru" else pl.col("label_en")
    colour = pl.when(~pl.col("is_significant")).then(pl.lit("none")).otherwise(pl.col("direction"))
    return features.with_columns(label.alias("label"), colour.alias("colour_key"))


def legend(lang: str) -> dict[str, str]:
    return {k: translate(f"drivers.legend_{k}", lang) for k in LEGEND_KEYS}


def ranking_frame(features: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The ranking chart's rows: share in %, the bootstrap rank range and the Johnson badge as text,
    and tooltip columns named in `lang`."""
    frame = features.with_columns(
        (100 * pl.col("share")).alias("share_pct"),
        pl.when(pl.col("is_significant"))
        .then(pl.format("{}–{}", "rank_low", "rank_high"))
        .otherwise(pl.lit(translate("drivers.not_ranked", lang)))
        .alias("stability_text"),
        pl.when(pl.col("agreement").is_not_null())
        .then(pl.format("{} #{}", pl.col("agreement").replace_strict(AGREEMENT_MARKS, default=""), "rw_rank"))
        .otherwise(pl.lit("–"))
        .alias("agreement_text"),
    )

    def tip(key: str) -> str:
        return f"tooltip_{translate(key, lang)}"

    return frame.with_columns(
        pl.col("label").alias(tip("drivers.col_driver")),
        pl.format("{} %", pl.col("share_pct").round(1)).alias(tip("drivers.col_share")),
        pl.col("importance").round(3).cast(pl.String).alias(tip("drivers.col_impact")),
        (100 * pl.col("reach")).round(0).cast(pl.Int64).cast(pl.String).alias(tip("drivers.col_reach")),
        pl.col("stability_text").alias(tip("drivers.col_ranks")),
    )
