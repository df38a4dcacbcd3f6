"""Drivers page tabs about the ranking: the ranked drivers with stability and second opinion, how far
to trust the model, and the drivers of two segments side by side."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.ui.charts import drivers as charts
from app.ui.components import chart_with_table
from app.ui.i18n import format_number, t
from app.ui.url_widgets import url_selectbox
from app.ui.views import drivers_data as data
from app.ui.views.drivers_frames import AGREEMENT_MARKS, legend, ranking_frame
from app.warehouse.drivers import ALL

COMPARE_TOP = 10


def ranking_table(view: data.DriverView) -> pl.DataFrame:
    """The numbers behind the ranking, with column names a reader understands (also downloaded)."""
    f = view.features
    return f.select(
        pl.col("rank").alias(t("drivers.col_rank")),
        pl.col("label").alias(t("drivers.col_driver")),
        pl.col("kind")
        .replace_strict(
            {k: t(f"drivers.kind_{k}") for k in ("touchpoint", "operational", "client")},
            default=pl.col("kind"),
        )
        .alias(t("drivers.col_kind")),
        (100 * pl.col("share")).round(1).alias(t("drivers.col_share")),
        pl.col("importance").round(3).alias(t("drivers.col_impact")),
        pl.col("mean_abs_shap_all").round(3).alias(t("drivers.col_impact_all")),
        (100 * pl.col("reach")).round(0).alias(t("drivers.col_reach")),
        pl.col("direction")
        .replace_strict(
            {d: t(f"drivers.direction_{d}") for d in ("positive", "negative", "mixed")},
            default=pl.col("direction"),
        )
        .alias(t("drivers.col_direction")),
        pl.format("{}–{}", "rank_low", "rank_high").alias(t("drivers.col_ranks")),
        (100 * pl.col("beats_noise")).round(0).alias(t("drivers.col_beats_noise")),
        (100 * pl.col("rw_share")).round(1).alias(t("drivers.col_rw_share")),
        pl.col("rw_rank").alias(t("drivers.col_rw_rank")),
        pl.col("agreement")
        .replace_strict({a: t(f"drivers.agreement_{a}") for a in AGREEMENT_MARKS}, default=None)
        .alias(t("drivers.col_agreement")),
    )


def render_ranking(view: data.DriverView) -> None:
    st.caption(t("drivers.ranking_help", unit=data.effect_unit(view.target)))
    chart = charts.ranking(
        ranking_frame(view.features, view.lang),
        x_title=t("drivers.axis_share"),
        legend=legend(view.lang),
        columns={"stability": t("drivers.col_ranks_short"), "agreement": t("drivers.col_agreement_short")},
    )
    chart_with_table(
        chart,
        ranking_table(view),
        key="drivers_ranking",
        file_stem=f"drivers_{view.model_id}".replace("|", "_"),
    )
    st.caption(t("drivers.ranking_badges"))


def _trust_text(view: data.DriverView) -> str:
    row, lang = view.row, view.lang
    metric = str(row["metric"])
    quality = t(
        f"drivers.trust_{metric}",
        value=format_number(row["cv_value"], 2, lang),
        sd=format_number(row["cv_sd"], 2, lang),
        baseline=format_number(row["baseline_value"], 2, lang),
        error=format_number(row["cv_error"], 2, lang),
        baseline_error=format_number(row["baseline_error"], 2, lang),
        band=t(f"drivers.band_{row['quality']}"),
    )
    return (
        quality
        + "\n\n"
        + t(
            "drivers.trust_method",
            n=format_number(row["n_rows"], 0, lang),
            features=row["n_features"],
            real=row["n_significant"],
            r2=format_number(row["rw_r2"], 2, lang),
        )
    )


def render_trust(view: data.DriverView) -> None:
    st.markdown(_trust_text(view))
    shown = view.features.head(max(view.ranked().height, 8))
    left, right = st.columns(2, gap="large")
    with left:
        st.subheader(t("drivers.methods_title"), anchor=False)
        st.caption(t("drivers.methods_help"))
        frame = shown.select(
            "label",
            (100 * pl.col("share")).alias("shap_pct"),
            (100 * pl.col("rw_share")).alias("rw_pct"),
            "is_significant",
        )
        chart = charts.methods(
            frame,
            x_title=t("drivers.axis_share"),
            method_names=(t("drivers.method_shap"), t("drivers.method_rw")),
        )
        chart_with_table(chart, frame, key="drivers_methods", file_stem="drivers_methods")
    with right:
        st.subheader(t("drivers.stability_title"), anchor=False)
        st.caption(t("drivers.stability_help"))
        ranked = view.ranked().select("label", "rank", "rank_low", "rank_high")
        if ranked.is_empty():
            st.info(t("drivers.none_real", segment=view.segment))
        else:
            chart_with_table(
                charts.stability(ranked, x_title=t("drivers.axis_rank")),
                ranked,
                key="drivers_stability",
                file_stem="drivers_stability",
            )
    text = data.model_text(view.model_id, view.run_id)
    if text:
        st.download_button(
            t("drivers.download_model"),
            data=text,
            file_name=f"{view.model_id.replace('|', '_')}.txt",
            mime="text/plain",
            icon=":material/download:",
            on_click="ignore",
            key="drivers_model_txt",
            help=t("drivers.download_model_help"),
        )


def _default_compare(current: str, candidates: list[str]) -> str:
    """A comparison that reads naturally: another segment of the same kind (Energy → Machinery,
    Energy · Decision maker → Machinery · Decision maker…); for all respondents, the first unit."""

    def kind(segment_id: str) -> list[str]:
        return (
            [part.split("=")[0] for part in segment_id.split(";")] if segment_id != ALL else ["business_unit"]
        )

    same = [s for s in candidates if s != ALL and kind(s) == kind(current)]
    return same[0] if same else candidates[0]


def _compare_choice(view: data.DriverView, models: pl.DataFrame) -> dict | None:
    ok = models.filter((pl.col("status") == "ok") & (pl.col("segment_id") != view.row["segment_id"]))
    rows = {r["segment_id"]: r for r in ok.to_dicts()}
    if not rows:
        st.info(t("drivers.compare_none_available"), icon=":material/compare_arrows:")
        return None
    options = list(rows)
    column, _ = st.columns([1, 2])
    with column:
        chosen = url_selectbox(
            t("drivers.compare_with"),
            options,
            key="drivers_compare",
            param="vs",
            default=_default_compare(view.row["segment_id"], options),
            format_func=lambda s: data.segment_label(rows[s], view.lang),
        )
    return rows[chosen or options[0]]


def render_compare(view: data.DriverView, models: pl.DataFrame) -> None:
    other_row = _compare_choice(view, models)
    if other_row is None:
        return
    other = data.features(other_row["model_id"], view.run_id, view.lang)
    names = (view.segment, data.segment_label(other_row, view.lang))
    top = set(view.ranked().head(COMPARE_TOP)["feature_id"]) | set(
        other.filter(pl.col("is_significant")).sort("rank").head(COMPARE_TOP)["feature_id"]
    )
    parts = [
        f.filter(pl.col("feature_id").is_in(list(top))).select(
            "feature_id",
            "label",
            (100 * pl.col("share")).alias("share_pct"),
            "is_significant",
            pl.lit(name).alias("segment"),
        )
        for f, name in ((view.features, names[0]), (other, names[1]))
    ]
    frame = pl.concat(parts).with_columns(pl.col("share_pct").max().over("feature_id").alias("sort_key"))
    _compare_headline(frame, names, view.lang)
    chart = charts.segments_side_by_side(frame, x_title=t("drivers.axis_share"), segment_order=list(names))
    wide = frame.pivot(on="segment", index=["feature_id", "label"], values="share_pct").sort(
        names[0], descending=True, nulls_last=True
    )
    chart_with_table(chart, wide, key="drivers_compare_chart", file_stem="drivers_compare")
    st.caption(
        t(
            "drivers.compare_quality",
            a=names[0],
            b=names[1],
            qa=data.format_quality(view.row["cv_value"], view.lang),
            qb=data.format_quality(other_row["cv_value"], view.lang),
            na=format_number(view.row["n_rows"], 0, view.lang),
            nb=format_number(other_row["n_rows"], 0, view.lang),
        )
    )


def _compare_headline(frame: pl.DataFrame, names: tuple[str, str], lang: str) -> None:
    """The driver whose share differs most between the two segments (real in at least one of them)."""
    real = frame.filter(pl.col("is_significant"))["feature_id"].unique()
    wide = frame.filter(pl.col("feature_id").is_in(real.to_list())).pivot(
        on="segment", index="label", values="share_pct"
    )
    if wide.height == 0 or not set(names) <= set(wide.columns):
        return
    gaps = wide.drop_nulls(list(names)).with_columns((pl.col(names[0]) - pl.col(names[1])).alias("gap"))
    if gaps.is_empty():
        return
    row = gaps.sort(pl.col("gap").abs(), descending=True).row(0, named=True)
    more, less = (names[0], names[1]) if row["gap"] > 0 else (names[1], names[0])
    st.markdown(
        t(
            "drivers.compare_headline",
            driver=row["label"],
            more=more,
            less=less,
            a=format_number(max(row[names[0]], row[names[1]]), 0, lang),
            b=format_number(min(row[names[0]], row[names[1]]), 0, lang),
        )
    )
