"""Drivers page tabs about acting: the importance × performance quadrant (high impact, low score =
fix first) and the what-if computed through the model, with the range across the cross-validation
models as its uncertainty."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.driver_views import QUADRANTS, quadrants
from app.ui.charts import driver_act as charts
from app.ui.components import chart_with_table, metric_tile
from app.ui.i18n import format_number, t
from app.ui.url_widgets import url_segmented, url_selectbox
from app.ui.views import drivers_data as data

STEP_KEYS = {"-1": -1.0, "-0.5": -0.5, "0.5": 0.5, "1": 1.0}
LABELLED = 5  # touchpoints named in the quadrant besides those in the two upper quadrants


def render_priorities(view: data.DriverView) -> None:
    row = view.row
    performance = data.performance(
        row["segment_id"], row["period_from"], row["period_to"], view.model.settings.min_n
    )
    touchpoints = view.features.filter(pl.col("kind") == "touchpoint").join(
        performance, on="touchpoint_id", how="inner"
    )
    touchpoints = touchpoints.filter(pl.col("n") > 0)
    if touchpoints.is_empty():
        st.info(t("drivers.no_touchpoints"))
        return
    frame, share_cut, score_cut = quadrants(touchpoints.filter(pl.col("is_significant")))
    frame = touchpoints.join(
        frame.select("feature_id", "quadrant"), on="feature_id", how="left"
    ).with_columns(
        (100 * pl.col("share")).alias("share_pct"),
        # names beside the touchpoints that matter: the important half of the significant ones
        (pl.col("quadrant").is_in(["fix_first", "keep_up"]) | (pl.col("rank") <= LABELLED))
        .fill_null(False)
        .alias("show_label"),
    )
    fix = frame.filter(pl.col("quadrant") == "fix_first").sort("share", descending=True)["label"].to_list()
    st.markdown(
        t("drivers.fix_first", touchpoints=", ".join(f"**{x}**" for x in fix))
        if fix
        else t("drivers.fix_none")
    )
    labels = {q: t(f"drivers.quadrant_{q}") for q in QUADRANTS}
    chart = charts.quadrant(
        frame,
        share_cut=share_cut,
        score_cut=score_cut,
        x_title=t("drivers.axis_performance"),
        y_title=t("drivers.axis_share"),
        corner_labels=labels,
        quadrant_labels=labels,
    )
    table = frame.sort("share", descending=True).select(
        pl.col("label").alias(t("drivers.col_driver")),
        pl.col("quadrant").replace_strict(labels, default=None).alias(t("drivers.col_quadrant")),
        pl.col("share_pct").round(1).alias(t("drivers.col_share")),
        pl.col("score_100").round(1).alias(t("drivers.col_score")),
        pl.col("csat_mean").round(2).alias(t("drivers.col_mean_rating")),
        pl.col("n").alias(t("drivers.col_ratings")),
    )
    chart_with_table(chart, table, key="drivers_quadrant", file_stem="drivers_priorities")
    st.caption(t("drivers.quadrant_help"))


def _step_choice(options: pl.DataFrame, feature: dict, lang: str) -> float:
    """The size of the change, in the driver's own unit (a rating point, 10 pp, a day); `?step=`."""
    amounts = dict(zip(options["steps"], options["amount"], strict=True))
    keys = [k for k, v in STEP_KEYS.items() if v in amounts]
    chosen = url_segmented(
        t("drivers.whatif_change"),
        keys,
        key="drivers_whatif_step",
        param="step",
        default="1" if "1" in keys else keys[-1],
        format_func=lambda k: data.step_text(amounts[STEP_KEYS[k]], feature, lang),
    )
    return STEP_KEYS[chosen]


def _sentence(view: data.DriverView, feature: dict, row: dict) -> str:
    lang = view.lang
    change = data.step_text(row["amount"], feature, lang)
    key = "drivers.whatif_sentence_up" if row["amount"] > 0 else "drivers.whatif_sentence_down"
    output = (
        format_number(row["output_change"], 2, lang, signed=True) + " " + t("drivers.whatif_points")
        if view.target == "score"
        else format_number(100 * row["output_change"], 1, lang, signed=True) + " " + t("drivers.pp")
    )
    return t(
        key,
        driver=feature["label"],
        change=change,
        segment=view.segment,
        share=format_number(100 * row["share_changed"], 0, lang),
        nps=format_number(row["nps_change"], 1, lang, signed=True),
        low=format_number(row["nps_low"], 1, lang, signed=True),
        high=format_number(row["nps_high"], 1, lang, signed=True),
        output=output,
        output_what=t(f"drivers.whatif_output_{view.target}"),
    )


def render_whatif(view: data.DriverView) -> None:
    whatif = data.whatifs(view.model_id, view.run_id)
    if whatif.is_empty():
        st.info(t("drivers.whatif_none"))
        return
    order = [f for f in view.features["feature_id"].to_list() if f in set(whatif["feature_id"])]
    left, right = st.columns([2, 3], gap="large")
    with left:
        chosen = (
            url_selectbox(
                t("drivers.driver"),
                order,
                key="drivers_whatif_driver",
                param="wi",
                default=order[0],
                format_func=lambda f: view.feature(f)["label"],
            )
            or order[0]
        )
        feature = view.feature(chosen)
        options = whatif.filter(pl.col("feature_id") == chosen)
        steps = _step_choice(options, feature, view.lang)
        row = options.filter(pl.col("steps") == steps).row(0, named=True)
        current = view.row["nps"]
        metric_tile(
            t("drivers.whatif_tile"),
            format_number(row["nps_change"], 1, view.lang, signed=True),
            note=t(
                "drivers.whatif_range",
                low=format_number(row["nps_low"], 1, view.lang, signed=True),
                high=format_number(row["nps_high"], 1, view.lang, signed=True),
            ),
            help=t("drivers.whatif_help"),
        )
        st.caption(
            t(
                "drivers.whatif_from_to",
                now=format_number(current, 0, view.lang, signed=True),
                then=format_number(current + row["nps_change"], 0, view.lang, signed=True),
            )
        )
    with right:
        st.markdown(_sentence(view, feature, row))
        st.caption(t("drivers.whatif_caveat"))
    st.subheader(t("drivers.whatif_all_title"), anchor=False)
    one_step = whatif.filter(pl.col("steps") == 1.0).join(
        view.features.select("feature_id", "label", "unit"), on="feature_id", how="inner"
    )
    texts = [data.step_text(r["amount"], r, view.lang) for r in one_step.to_dicts()]
    frame = one_step.with_columns(pl.Series("step_text", texts, dtype=pl.String)).with_columns(
        pl.format("{} ({})", "label", "step_text").alias("label")
    )
    highlight = frame.filter(pl.col("feature_id") == chosen)["label"]
    chart = charts.whatif_bars(
        frame, x_title=t("drivers.axis_nps_change"), highlight=highlight[0] if highlight.len() else None
    )
    chart_with_table(
        chart,
        frame.select(
            "label",
            pl.col("nps_change").round(2),
            pl.col("nps_low").round(2),
            pl.col("nps_high").round(2),
            "n_changed",
        ),
        key="drivers_whatif_all",
        file_stem="drivers_whatif",
    )
