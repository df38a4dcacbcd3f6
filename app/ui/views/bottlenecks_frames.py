"""The bottleneck views' words and chart frames, without Streamlit: step and process names, durations,
breakdown labels, the step × segment heat-map frame and the as-is vs to-be frame.

The page (through bottlenecks_data / _steps / _targets, which add the session's language and the
cache) and the presentation slide (bottlenecks_slide, which gets a connection and a language) build
from these same functions, so a slide shows exactly what the page shows.
"""

from __future__ import annotations

import polars as pl

from app.service_model import ServiceModel
from app.ui.i18n import format_number, translate

StepLabels = dict[tuple[str, str], str]

HEATMAP_METRICS = ("wait", "over", "lateness")  # the heat-map's "Colour by" choices (?metric=)
METRIC_COLUMNS = {"wait": "wait_median_hours", "over": "over_target_pct", "lateness": "lateness_pct"}
_DIMENSIONS = {"business_unit": "business_units", "product_class": "product_classes", "segment": "segments",
               "grade": "grades"}


def logged_processes(model: ServiceModel, logged: pl.DataFrame) -> list[str]:
    """Processes of the service model that have an event log (`logged`: processes_with_events), in
    model order."""
    with_events = set(logged["process"].to_list())
    return [p.id for p in model.processes if p.id in with_events]


def step_label_map(step_dim: pl.DataFrame, lang: str) -> StepLabels:
    """(process, activity) → the step's label in `lang`, from the step dimension."""
    label = pl.coalesce("label_ru", "label_en") if lang == "ru" else pl.col("label_en")
    return {(p, a): text for p, a, text in step_dim.select("process", "activity", label).iter_rows()}


def with_step_label(frame: pl.DataFrame, labels: StepLabels) -> pl.DataFrame:
    """Add `label`: the step's name for each (process, activity) row, the id when unknown."""
    keys = [labels.get((p, a), a) for p, a in frame.select("process", "activity").iter_rows()]
    return frame.with_columns(pl.Series("label", keys, dtype=pl.String))


def process_name(model: ServiceModel, process: str, lang: str) -> str:
    spec = next((p for p in model.processes if p.id == process), None)
    return spec.name.get(lang) if spec else process


def option_label(model: ServiceModel, column: str, value: str | None, lang: str) -> str:
    """A breakdown value in words (business unit, product class, segment, grade)."""
    if value is None:
        return translate("bottlenecks.unknown_value", lang)
    dimension = _DIMENSIONS.get(column)
    return model.label(dimension, value, lang) if dimension else value


def duration(hours: float | None, lang: str) -> str:
    """'45 min', '13 h', '4.9 d' — the unit a person would use for that length."""
    if hours is None:
        return "–"
    if abs(hours) < 1:
        return translate("bottlenecks.minutes", lang, value=format_number(hours * 60, 0, lang))
    if abs(hours) < 48:
        return translate("bottlenecks.hours", lang, value=format_number(hours, 1 if abs(hours) < 10 else 0, lang))
    return translate("bottlenecks.days", lang, value=format_number(hours / 24, 1 if abs(hours) < 2400 else 0, lang))


def uses_days(stats: pl.DataFrame) -> bool:
    """Charts of a process read in days when its slowest step takes two days or longer."""
    longest = stats["step_median_hours"].max() if stats.height else None
    return bool(longest and longest >= 48)


def heatmap_frame(frame: pl.DataFrame, column: str, metric: str, model: ServiceModel, lang: str, min_n: int,
                  labels: StepLabels) -> pl.DataFrame:
    """A breakdown's step table (report.breakdowns[column]) ready for charts.process_steps.step_heatmap."""
    value = METRIC_COLUMNS[metric]
    rows = with_step_label(frame, labels).with_columns(pl.col(value).alias("value"))
    texts = [duration(v, lang) if metric == "wait" else f"{format_number(v, 0, lang)} %" for v in rows["value"]]
    # White text on the darker 40 % of the colour scale, which runs from the smallest value to the
    # largest (not from zero: "% over target" cells may all sit between 50 and 80); dark text on the
    # light grey of cells with too few cases.
    low, top = rows["value"].min() or 0.0, rows["value"].max() or 0.0
    return rows.with_columns(
        pl.col("step_order").alias("label_order"),
        pl.Series("value_text", texts, dtype=pl.String),
        pl.Series("column_label", [option_label(model, column, v, lang) for v in rows[column]], dtype=pl.String),
        (pl.col("n_cases") < min_n).alias("is_low_n"),
        ((pl.col("value") - low > 0.6 * (top - low)) & (pl.col("n_cases") >= min_n)).fill_null(False)
        .alias("text_light"),  # low-n cells are light grey whatever their value
        pl.format("n = {}", pl.col("n_cases")).alias("n_text"),
    )


def step_time_frame(steps: pl.DataFrame, labels: StepLabels, lang: str, days: bool) -> pl.DataFrame:
    """The step table ready for charts.process_steps.step_time_chart (as-is time vs to-be target)."""
    scale = 24.0 if days else 1.0
    frame = with_step_label(steps, labels)
    texts = [
        translate("bottlenecks.asis_text", lang, median=duration(m, lang), target=duration(g, lang),
                  pct=format_number(o, 0, lang))
        for m, g, o in frame.select("step_median_hours", "target_hours", "over_target_pct").iter_rows()
    ]
    return frame.select(
        "label", "activity",
        (pl.col("step_median_hours") / scale).alias("median"),
        (pl.col("step_p90_hours") / scale).alias("p90"),
        (pl.col("target_hours") / scale).alias("target"),
        (pl.col("step_median_hours") > pl.col("target_hours")).fill_null(False).alias("is_over"),
        pl.Series("value_text", texts, dtype=pl.String),
    )
