"""The journey map as a slide: the stage × touchpoint heat-map (or the difference map of a saved
comparison) with its weakest touchpoint (or largest significant difference) as the key figure.

Reads the same URL parameters as the page (metric=, view=, min_n=, cmp=, dim=, a=, b=, pa=, pb=)
and draws with the page's frame and chart builders (app.ui.journey_frames, app.ui.charts.journey).
"""

from __future__ import annotations

import duckdb
import polars as pl

from app.analytics.compare import difference
from app.analytics.priorities import importance_performance, importance_table, suggest_moments_of_truth
from app.analytics.touchpoints import METRICS, MetricSpec, touchpoint_metrics
from app.service_model import ServiceModel
from app.ui.charts import journey as charts
from app.ui.i18n import format_number, translate
from app.ui.journey_frames import LABEL_LINES, colour_domain, difference_frame, heatmap_frame, wrap
from app.ui.labels import COLUMN_DIMENSIONS, filters_summary, option_labels
from app.ui.slides.params import ViewParams, choice, filters_from_params
from app.ui.slides.protocol import KeyFigure, SlideContent
from app.ui.views.journey import DEFAULT_METRIC, METRIC_KEYS, MIN_N_CHOICES, cell_texts
from app.warehouse.filters import Filters
from app.warehouse.scores import available_periods, touchpoint_dimension, touchpoint_totals
from app.warehouse.touchpoint_queries import driver_importance, touchpoint_ces, touchpoint_correlations

PROJECTOR_LABEL_WIDTH = 12  # characters per line in a heat-map cell on a slide (page: 14)


def projector_labels(frame: pl.DataFrame) -> pl.DataFrame:
    """Cell labels wrapped narrower than on the page: at projector zoom a cell holds fewer letters
    (the page wraps for a 1440 px screen at normal size)."""
    return frame.with_columns(
        pl.col("cell_label").map_elements(lambda text: wrap(text.replace("\n", " "), PROJECTOR_LABEL_WIDTH, LABEL_LINES),
                                          return_dtype=pl.String)
    )


def journey_metrics(con: duckdb.DuckDBPyConnection, filters: Filters, min_n: int) -> pl.DataFrame:
    """Every touchpoint with all metrics and the moment-of-truth suggestion (as journey_data)."""
    totals = touchpoint_totals(con, filters).join(touchpoint_ces(con, filters), on="touchpoint_id", how="left")
    metrics = touchpoint_metrics(totals, touchpoint_dimension(con), min_n)
    importance = importance_table(touchpoint_correlations(con, filters), driver_importance(con))
    return suggest_moments_of_truth(importance_performance(metrics, importance, min_n), min_n)


def _label(row: dict, lang: str) -> str:
    return (row.get("label_ru") if lang == "ru" else None) or row["label_en"]


def _fmt(value: float | None, spec: MetricSpec, lang: str, signed: bool = False) -> str:
    text = format_number(value, spec.decimals, lang, signed=signed)
    return f"{text} %" if spec.key == "top2" and value is not None else text


def _weakest(metrics: pl.DataFrame, spec: MetricSpec, lang: str) -> KeyFigure | None:
    metric_name = translate(METRIC_KEYS[spec.key], lang)
    if spec.key == "responses":
        total = int(metrics["n"].sum() or 0)
        return KeyFigure(format_number(total, 0, lang), translate("slides.journey_ratings", lang, metric=metric_name))
    trusted = metrics.filter(~pl.col("is_low_n") & pl.col(spec.colour).is_not_null())
    if trusted.is_empty():
        return None
    row = trusted.sort(spec.colour, descending=not spec.higher_is_better).row(0, named=True)
    moe = f"±{_fmt(row[spec.moe], spec, lang)} · " if spec.moe and row[spec.moe] is not None else ""
    return KeyFigure(
        _fmt(row[spec.value], spec, lang, signed=spec.key in ("nps", "gap")),
        translate("slides.journey_weakest", lang, metric=metric_name, touchpoint=_label(row, lang)),
        f"{moe}n = {format_number(row['n'], 0, lang)}", "bad",
    )


def _map_slide(con, model, filters: Filters, spec: MetricSpec, min_n: int, lang: str) -> SlideContent:
    metrics = journey_metrics(con, filters, min_n)
    title = f"{translate('journey.title', lang)} · {translate(METRIC_KEYS[spec.key], lang)}"
    if int(metrics["n"].sum() or 0) == 0:
        return SlideContent(title, None, None, message=translate("common.no_data", lang))
    low, mid, high = colour_domain(metrics, spec)
    frame = projector_labels(heatmap_frame(metrics, spec, lang, cell_texts(lang), (low, mid, high)))
    chart = charts.journey_heatmap(frame, domain=(low, high), mid=mid, reverse=not spec.higher_is_better,
                                   selectable=False)
    summary = filters_summary(model, filters.as_dict(), lang, translate("filters.summary_all", lang))
    caption = translate("slides.journey_caption", lang, segment=summary, first=filters.period_from,
                        last=filters.period_to, min_n=min_n)
    return SlideContent(title, _weakest(metrics, spec, lang), chart, caption)


def _sides(params: ViewParams, model: ServiceModel, filters: Filters, periods: list[str],
           lang: str) -> tuple[Filters, Filters, str, str]:
    """Side A and B of a saved comparison, with the page's defaults (app.ui.views.journey_compare)."""
    if choice(params, "cmp", ("segment", "period"), "segment") == "period":
        a = choice(params, "pa", periods, periods[-1])
        b = choice(params, "pb", periods, periods[-2] if len(periods) > 1 else periods[-1])
        return (filters.with_values(period_from=a, period_to=a), filters.with_values(period_from=b, period_to=b),
                a, b)
    column = choice(params, "dim", tuple(COLUMN_DIMENSIONS), "business_unit")
    dimension = COLUMN_DIMENSIONS[column]
    labels = option_labels(model, dimension, lang)
    options = list(labels)
    a = choice(params, "a", options, options[0])
    b = choice(params, "b", options, options[1 % len(options)])
    return (filters.with_values(**{dimension: (a,)}), filters.with_values(**{dimension: (b,)}), labels[a], labels[b])


def _largest_difference(diff: pl.DataFrame, spec: MetricSpec, lang: str, names: tuple[str, str]) -> KeyFigure:
    significant = diff.filter(pl.col("is_significant"))
    if significant.is_empty():
        return KeyFigure("0", translate("slides.journey_no_difference", lang, a=names[0], b=names[1]))
    row = significant.sort(pl.col("diff").abs(), descending=True).row(0, named=True)
    better = (row["diff"] > 0) == spec.higher_is_better
    return KeyFigure(
        _fmt(row["diff"], spec, lang, signed=True),
        translate("slides.journey_largest_difference", lang, touchpoint=_label(row, lang)),
        f"±{_fmt(row['diff_moe'], spec, lang)} (95 %)", "good" if better else "bad",
    )


def _compare_slide(con, model, params: ViewParams, filters: Filters, spec: MetricSpec, min_n: int,
                   lang: str, periods: list[str]) -> SlideContent:
    filters_a, filters_b, name_a, name_b = _sides(params, model, filters, periods, lang)
    title = f"{translate('journey.title', lang)} · {name_a} − {name_b}"
    if spec.key == "responses":
        return SlideContent(title, None, None, message=translate("journey.compare_no_responses", lang))
    a = journey_metrics(con, filters_a, min_n)
    diff = difference(a, journey_metrics(con, filters_b, min_n), spec, min_n)
    if "is_suggested_mot" not in diff.columns:
        diff = diff.join(a.select("touchpoint_id", "is_suggested_mot"), on="touchpoint_id", how="left")
    frame = projector_labels(difference_frame(diff, spec, lang, cell_texts(lang), (f"A · {name_a}", f"B · {name_b}")))
    chart = charts.journey_heatmap(frame, domain=(-spec.diff_domain, spec.diff_domain), mid=0.0,
                                   reverse=not spec.higher_is_better, selectable=False)
    caption = translate("journey.compare_note", lang, a=name_a, b=name_b)
    return SlideContent(title, _largest_difference(diff, spec, lang, (name_a, name_b)), chart, caption)


def slide_content(con: duckdb.DuckDBPyConnection, model: ServiceModel, params: ViewParams, lang: str) -> SlideContent:
    periods = available_periods(con)
    filters = filters_from_params(params, model, periods)
    spec = METRICS[choice(params, "metric", tuple(METRICS), DEFAULT_METRIC)]
    default_n = str(model.settings.min_n)
    min_n = int(choice(params, "min_n", (*MIN_N_CHOICES, default_n), default_n))
    if choice(params, "view", ("map", "compare"), "map") == "compare" and periods:
        return _compare_slide(con, model, params, filters, spec, min_n, lang, periods)
    return _map_slide(con, model, filters, spec, min_n, lang)
