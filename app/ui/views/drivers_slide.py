"""The key drivers as a slide: the ranked drivers of the saved view's segment and target (the page's
ranking chart), the strongest driver's share as the key figure, and the model's sample, quality and
age in the caption. Reads the page's parameters (target=, seg=) and the global filters."""

from __future__ import annotations

import duckdb
import polars as pl

from app.analytics.drivers import TARGETS
from app.service_model import ServiceModel
from app.ui.charts import drivers as charts
from app.ui.i18n import format_number, translate
from app.ui.slides.params import ViewParams, choice, filters_from_params
from app.ui.slides.protocol import KeyFigure, SlideContent
from app.ui.views.drivers_frames import legend, ranking_frame, with_labels
from app.warehouse import drivers as queries
from app.warehouse.scores import available_periods

SLIDE_DRIVERS = 10


def _segment_label(row: dict, lang: str) -> str:
    if row["segment_id"] == queries.ALL:
        return translate("drivers.all_respondents", lang)
    return (row.get("segment_label_ru") if lang == "ru" else None) or row["segment_label_en"]


def _caption(row: dict, run: dict, lang: str) -> str:
    quality = translate(f"drivers.band_{row['quality']}", lang)
    text = translate(
        "drivers.slide_caption",
        lang,
        n=format_number(row["n_rows"], 0, lang),
        metric=translate(f"drivers.tile_quality_{row['metric']}", lang),
        value=format_number(row["cv_value"], 2, lang),
        quality=quality,
        first=row["period_from"],
        last=row["period_to"],
        trained=str(run["trained_at"])[:10],
    )
    return text + (" " + translate("drivers.slide_stale", lang) if run["is_stale"] else "")


def slide_content(
    con: duckdb.DuckDBPyConnection, model: ServiceModel, params: ViewParams, lang: str
) -> SlideContent:
    title = translate("drivers.title", lang)
    target = choice(params, "target", TARGETS, "score")
    run = next((r for r in queries.driver_runs(con).to_dicts() if r["target"] == target), None)
    if run is None:
        return SlideContent(title, None, None, message=translate("drivers.slide_not_trained", lang))
    models = queries.models(con, target, int(run["run_id"]))
    ids = models["segment_id"].to_list()
    from_filters = queries.segment_for_filters(filters_from_params(params, model, available_periods(con)))
    segment = choice(params, "seg", ids, from_filters if from_filters in ids else queries.ALL)
    row = models.filter(pl.col("segment_id") == segment).row(0, named=True)
    title = f"{title} · {_segment_label(row, lang)}"
    if row["status"] != "ok":
        return SlideContent(
            title,
            None,
            None,
            message=translate("drivers.slide_too_small", lang, n=format_number(row["n_rows"], 0, lang)),
        )
    features = with_labels(queries.features(con, row["model_id"], int(run["run_id"])), lang)
    shown = features.filter(pl.col("is_significant")).sort("rank").head(SLIDE_DRIVERS)
    if shown.is_empty() or row["quality"] == "too_weak":
        return SlideContent(title, None, None, message=translate("drivers.slide_no_evidence", lang))
    top = shown.row(0, named=True)
    figure = KeyFigure(
        f"{format_number(100 * top['share'], 0, lang)} %",
        translate("drivers.slide_key", lang, driver=top["label"]),
    )
    chart = charts.ranking(
        ranking_frame(shown, lang),
        x_title=translate("drivers.axis_share", lang),
        legend=legend(lang),
        columns={
            "stability": translate("drivers.col_ranks_short", lang),
            "agreement": translate("drivers.col_agreement_short", lang),
        },
    )
    return SlideContent(title, figure, chart, _caption(row, run, lang))
