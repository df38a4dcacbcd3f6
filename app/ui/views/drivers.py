"""Key drivers: what moves NPS for a segment, by how much, how far to trust it, and what if.

Top: the target (0–10 score or promoter vs detractor), the segment (from the sidebar filters when they
name one, or chosen here; `?seg=`), whether the models are stale, the model's quality and sample in plain words, and the answer in one sentence.
Below, tabs: the ranking, how far to trust it, every answer (beeswarm), one driver (dependence), one
answer or client (waterfall), two segments side by side, priorities (importance × performance) and
the what-if. Everything is read from the tables the drivers pipeline stored; nothing trains here
unless a user presses a button.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.drivers import MIN_RESPONSES, TARGETS
from app.ui.components import empty_state, metric_tile, page_header
from app.ui.context import service_model
from app.ui.i18n import current_language, format_number, t
from app.ui.url_widgets import url_segmented, url_selectbox
from app.ui.views import drivers_data as data
from app.ui.views.drivers_act import render_priorities, render_whatif
from app.ui.views.drivers_explain import render_beeswarm, render_dependence
from app.ui.views.drivers_pending import TRAINING, background_training, segment_training
from app.ui.views.drivers_ranking import render_compare, render_ranking, render_trust
from app.ui.views.drivers_training import missing_target, show_done, stale_banner, train_button
from app.ui.views.drivers_waterfall import render_waterfall
from app.warehouse.drivers import ALL, segment_for_filters
from app.warehouse.filters import Filters

SEGMENT_KEY, _FROM_FILTERS_KEY = "drivers_segment", "_drivers_filter_segment"
SMALL_SAMPLE = 300  # below this many answers the page reminds the reader to look at the rank ranges
TABS = ("ranking", "trust", "beeswarm", "dependence", "waterfall", "compare", "priorities", "whatif")


def _segment_choice(models: pl.DataFrame, filters: Filters, lang: str) -> str:
    """The segment: follows the sidebar filters when they change, else the user's pick (`?seg=`)."""
    options = models["segment_id"].to_list()
    rows = {r["segment_id"]: r for r in models.to_dicts()}
    from_filters = segment_for_filters(filters)
    if st.session_state.get(_FROM_FILTERS_KEY) != from_filters:
        st.session_state[_FROM_FILTERS_KEY] = from_filters
        st.session_state[SEGMENT_KEY] = from_filters if from_filters in rows else ALL

    def label(segment_id: str) -> str:
        row = rows[segment_id]
        n = format_number(row["n_rows"], 0, lang)
        # no note while a model trains: the label would outlive it (the box below says it plainly)
        note = "" if row["status"] in ("ok", TRAINING) else f" — {t('drivers.too_few_short')}"
        return f"{data.segment_label(row, lang)} (n = {n}){note}"

    return (
        url_selectbox(
            t("drivers.segment"), options, key=SEGMENT_KEY, param="seg", default=ALL, format_func=label
        )
        or ALL
    )


def _filters_note(filters: Filters, row: dict, models: pl.DataFrame) -> None:
    """Say so when the sidebar narrows the data in a way the stored models cannot follow."""
    narrower = (filters.period_from or "") > (row["period_from"] or "") or (filters.period_to or "~") < (
        row["period_to"] or "~"
    )
    unmatched = bool(filters.active_dimensions()) and segment_for_filters(filters) not in set(
        models["segment_id"]
    )
    if narrower or unmatched:
        st.caption(t("drivers.filters_note"))


def _too_small(row: dict, lang: str, target: str) -> None:
    key = "drivers.too_small_promoter" if target == "promoter" else "drivers.too_small"
    st.warning(
        t(
            key,
            segment=data.segment_label(row, lang),
            n=format_number(row["n_rows"], 0, lang),
            min_n=MIN_RESPONSES,
            total=format_number(row["n_total"], 0, lang),
        ),
        icon=":material/group_off:",
    )


def _quality_tiles(view: data.DriverView) -> None:
    row, lang = view.row, view.lang
    ranked = view.ranked()
    agree = int(ranked["agreement"].is_in(["agree", "close"]).sum())
    metric = str(row["metric"])
    cols = st.columns(4)
    with cols[0]:
        note = (
            t("drivers.answers_note_promoter", total=format_number(row["n_total"], 0, lang))
            if view.target == "promoter"
            else t("drivers.answers_note", first=row["period_from"], last=row["period_to"])
        )
        metric_tile(
            t("drivers.tile_answers"),
            format_number(row["n_rows"], 0, lang),
            note=note,
            low_n=row["n_rows"] < SMALL_SAMPLE,
            help=t("drivers.help_answers", min_n=MIN_RESPONSES),
        )
    with cols[1]:
        metric_tile(
            t(f"drivers.tile_quality_{metric}"),
            data.format_quality(row["cv_value"], lang),
            note=t(
                "drivers.quality_note",
                band=t(f"drivers.band_{row['quality']}"),
                baseline=data.format_quality(row["baseline_value"], lang),
            ),
            help=t(f"drivers.help_quality_{metric}"),
        )
    with cols[2]:
        metric_tile(
            t("drivers.tile_real"),
            t("drivers.k_of_n", k=ranked.height, n=view.features.height),
            note=t("drivers.real_note"),
            help=t("drivers.help_real"),
        )
    with cols[3]:
        metric_tile(
            t("drivers.tile_agree"),
            t("drivers.k_of_n", k=agree, n=ranked.height),
            note=t("drivers.agree_note"),
            help=t("drivers.help_agree"),
        )


def _verdict(view: data.DriverView) -> None:
    """The answer in one or two sentences, and a warning when the model or the sample is too weak."""
    row, ranked = view.row, view.ranked()
    if row["quality"] == "too_weak":
        st.warning(t("drivers.too_weak", segment=view.segment), icon=":material/warning:")
        return
    if ranked.is_empty():
        st.info(t("drivers.none_real", segment=view.segment), icon=":material/info:")
        return
    top = ranked.head(3).to_dicts()
    names = ", ".join(f"**{r['label']}** ({format_number(100 * r['share'], 0, view.lang)} %)" for r in top)
    first = top[0]
    st.markdown(
        t(
            f"drivers.verdict_{view.target}",
            segment=view.segment,
            drivers=names,
            first=first["label"],
            effect=format_number(first["importance"], 2, view.lang),
        )
    )
    if row["quality"] == "weak":
        st.caption(t("drivers.weak_note"))
    if row["n_rows"] < SMALL_SAMPLE:
        st.caption(t("drivers.small_note", n=format_number(row["n_rows"], 0, view.lang)))


def _tabs(view: data.DriverView, models: pl.DataFrame) -> None:
    tabs = st.tabs([t(f"drivers.tab_{name}") for name in TABS])
    renderers = {
        "ranking": lambda: render_ranking(view),
        "trust": lambda: render_trust(view),
        "beeswarm": lambda: render_beeswarm(view),
        "dependence": lambda: render_dependence(view),
        "waterfall": lambda: render_waterfall(view),
        "compare": lambda: render_compare(view, models),
        "priorities": lambda: render_priorities(view),
        "whatif": lambda: render_whatif(view),
    }
    for name, tab in zip(TABS, tabs, strict=True):
        with tab:
            renderers[name]()


def render(filters: Filters) -> None:
    model, lang = service_model(), current_language()
    show_done()
    page_header(t("drivers.title"), t("drivers.subtitle"))
    runs = data.runs()
    controls = st.columns([3, 4, 3], vertical_alignment="bottom")
    with controls[0]:
        target = url_segmented(
            t("drivers.target"),
            list(TARGETS),
            key="drivers_target",
            param="target",
            default="score",
            format_func=lambda k: t(f"drivers.target_{k}"),
        )
    run = next((r for r in runs.to_dicts() if r["target"] == target), None)
    if run is None:
        if not data.has_answers():
            empty_state(t("common.no_data"), t("common.no_data_hint"))
        elif background_training():  # the first start's models are on their way
            pass
        elif runs.is_empty():
            empty_state(t("drivers.outdated") if data.outdated() else t("drivers.never_trained"))
            train_button(list(TARGETS), t("drivers.train_all"), key="drivers_train_all")
        else:
            missing_target(target)
        return
    models = data.models(target, int(run["run_id"]))
    with controls[1]:
        segment = _segment_choice(models, filters, lang)
    stale_banner(runs, run)
    row = models.filter(pl.col("segment_id") == segment).row(0, named=True)
    _filters_note(filters, row, models)
    if row["status"] == TRAINING:
        segment_training(row, lang, target)
        return
    if row["status"] != "ok":
        _too_small(row, lang, target)
        return
    view = data.DriverView(
        model, lang, target, int(run["run_id"]), row, data.features(row["model_id"], int(run["run_id"]), lang)
    )
    _verdict(view)
    _quality_tiles(view)
    _tabs(view, models)
    st.caption(
        t(
            "drivers.footer",
            trained=str(run["trained_at"])[:16],
            version=run["data_version"],
            seconds=format_number(run["seconds"], 0, lang),
            method=run["shap_method"],
        )
    )
