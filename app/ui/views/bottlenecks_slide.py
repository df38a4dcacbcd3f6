"""The bottleneck page as a slide: for the saved view's process (?process=, the page's default
otherwise), the step × segment heat-map the page opens with (?by=, ?metric=), and the bottleneck as
the key figure — its share of the process's delay, its median wait and how many cases run over the
to-be target. A process without breakdown columns gets the as-is vs to-be chart instead.

Same report, frames and chart builders as the page (bottlenecks_data.load_report / report_breakdown,
bottlenecks_frames, charts.process_steps); filters the event logs cannot honour are named in the
caption, as the page names them.
"""

from __future__ import annotations

import altair as alt
import duckdb
import polars as pl

from app.analytics.bottleneck_report import ProcessReport
from app.service_model import ServiceModel
from app.ui.charts.process_steps import step_heatmap, step_time_chart
from app.ui.i18n import format_number, translate
from app.ui.labels import filters_summary
from app.ui.slides.params import ViewParams, choice, filters_from_params
from app.ui.slides.protocol import KeyFigure, SlideContent
from app.ui.views import bottlenecks_frames as frames
from app.ui.views.bottlenecks_data import load_report, report_breakdown
from app.warehouse.filters import Filters, unapplied_dimensions
from app.warehouse.process_queries import process_filter_columns, processes_with_events, step_dimension
from app.warehouse.scores import available_periods

SLIDE_PLOT_HEIGHT = 300  # px before the projector zoom (×1.7 ≈ the 540 px a slide's plot may take)
MIN_ROW_PX = 38  # the page's heat-map row
SLIDE_CELL_FONT = 16  # page: 13


def _step_name(model: ServiceModel, report: ProcessReport, labels: frames.StepLabels, lang: str) -> str:
    found = report.bottleneck
    step = labels.get((found.process, found.activity), found.activity)
    if found.business_unit is None:
        return step
    unit = frames.option_label(model, "business_unit", found.business_unit, lang)
    return translate("bottlenecks.step_in_unit", lang, step=step, unit=unit)


def _key_figure(model: ServiceModel, report: ProcessReport, labels: frames.StepLabels, lang: str) -> KeyFigure | None:
    """The bottleneck's share of the delay; without one, the share of cases that met the requirement.
    Short enough for the deck's key-figure box: the wait goes into the caption (`_wait_sentence`)."""
    found = report.bottleneck
    if found is None:
        met = report.chain.met_pct if report.chain else report.summary.get("on_time_pct")
        if met is None:
            return None
        return KeyFigure(f"{format_number(met, 0, lang)} %", translate("bottlenecks.slide_key_on_time", lang))
    label = translate(f"bottlenecks.slide_key_{found.measure}", lang, step=_step_name(model, report, labels, lang))
    delta = None
    if found.over_target_pct is not None:
        target = report.steps.filter(pl.col("activity") == found.activity)["target_hours"].first()
        delta = translate("bottlenecks.slide_key_over", lang, pct=format_number(found.over_target_pct, 0, lang),
                          target=frames.duration(target, lang))
    return KeyFigure(f"{format_number(found.delay_pct, 0, lang)} %", label, delta, "bad")


def _wait_sentence(model: ServiceModel, report: ProcessReport, labels: frames.StepLabels, lang: str) -> str:
    """'Proposal approval in Energy: median wait 4.9 d (9.8 h in the other units).' — or nothing."""
    found = report.bottleneck
    if found is None:
        return ""
    wait = translate("bottlenecks.evidence_wait", lang, wait=frames.duration(found.wait_median_hours, lang))
    if found.wait_median_hours_elsewhere is not None:
        wait += " " + translate("bottlenecks.evidence_elsewhere", lang,
                                wait=frames.duration(found.wait_median_hours_elsewhere, lang))
    return f"{_step_name(model, report, labels, lang)}: {wait}."


def _chart(con: duckdb.DuckDBPyConnection, filters: Filters, report: ProcessReport, params: ViewParams,
           model: ServiceModel, labels: frames.StepLabels, lang: str, min_n: int) -> tuple[alt.TopLevelMixin, str]:
    """The page's first chart (heat-map by ?by= coloured by ?metric=) and how to read it."""
    if not report.breakdown_columns:
        days = frames.uses_days(report.steps)
        unit = translate("bottlenecks.unit_days" if days else "bottlenecks.unit_hours", lang)
        legend = {k: translate(f"bottlenecks.legend_{k}", lang) for k in ("over", "within")}
        chart = step_time_chart(frames.step_time_frame(report.steps, labels, lang, days),
                                axis_title=translate("bottlenecks.asis_axis", lang, unit=unit), legend=legend)
        return chart, translate("bottlenecks.asis_note", lang)
    by = choice(params, "by", report.breakdown_columns, report.breakdown_columns[0])
    metric = choice(params, "metric", frames.HEATMAP_METRICS, "wait")
    table = report_breakdown(con, filters, report, by)
    frame = frames.heatmap_frame(table, by, metric, model, lang, min_n, labels)
    legend = translate("bottlenecks.heatmap_wait_legend" if metric == "wait" else f"bottlenecks.metric_{metric}", lang)
    chart = step_heatmap(frame, column_title=translate(f"bottlenecks.by_{by}", lang), value_title=legend)
    return _fill_slide(chart, frame["label"].n_unique()), translate("bottlenecks.slide_heatmap_note", lang, min_n=min_n)


def _fill_slide(heatmap: alt.LayerChart, rows: int) -> alt.LayerChart:
    """Taller rows and larger cell values than on the page: a process has few steps, the slide has a
    screen's height to fill, and the values in the cells are what the room reads. A long process
    keeps the page's row height (the projector zooms it down to fit)."""
    heatmap.layer[1].mark.fontSize = SLIDE_CELL_FONT
    return heatmap.properties(height=max(SLIDE_PLOT_HEIGHT, rows * MIN_ROW_PX))


def _caption(con: duckdb.DuckDBPyConnection, model: ServiceModel, filters: Filters, report: ProcessReport,
             wait: str, note: str, lang: str) -> str:
    segment = filters_summary(model, filters.as_dict(), lang, translate("filters.summary_all", lang))
    caption = translate("bottlenecks.slide_caption", lang, segment=segment, first=filters.period_from,
                        last=filters.period_to, n=format_number(report.summary.get("n_cases"), 0, lang),
                        note=" ".join(part for part in (wait, note) if part))
    ignored = unapplied_dimensions(filters, process_filter_columns(con))
    if ignored:
        names = ", ".join(translate(f"filters.{d}", lang) for d in ignored)
        caption += " " + translate("bottlenecks.filters_ignored", lang, filters=names)
    return caption


def slide_content(con: duckdb.DuckDBPyConnection, model: ServiceModel, params: ViewParams, lang: str) -> SlideContent:
    processes = frames.logged_processes(model, processes_with_events(con))
    if not processes:
        return SlideContent(translate("bottlenecks.title", lang), None, None,
                            message=translate("bottlenecks.no_events", lang))
    process = choice(params, "process", processes, processes[0])
    title = translate("bottlenecks.slide_title", lang, process=frames.process_name(model, process, lang))
    filters = filters_from_params(params, model, available_periods(con))
    min_n = model.settings.min_n
    report = load_report(con, filters, process, min_n)
    if report.steps.is_empty():
        return SlideContent(title, None, None, message=translate("bottlenecks.no_cases", lang))
    labels = frames.step_label_map(step_dimension(con), lang)
    chart, note = _chart(con, filters, report, params, model, labels, lang, min_n)
    return SlideContent(title, _key_figure(model, report, labels, lang), chart,
                        _caption(con, model, filters, report, _wait_sentence(model, report, labels, lang), note, lang))
