"""Data for the drivers page: cached reads of the stored models (keyed by run id, so a retrain shows at
once), labels in the reader's language, and the formatting of driver values and effects.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from app.analytics.touchpoints import touchpoint_metrics
from app.service_model import ServiceModel
from app.ui.context import cached_query, cursor
from app.ui.i18n import format_number, t
from app.ui.views.drivers_frames import with_labels
from app.warehouse import drivers as queries
from app.warehouse.connection import fetch_scalar, table_exists
from app.warehouse.scores import touchpoint_dimension, touchpoint_totals

CLIENT_DIMENSIONS = {
    "business_unit": "business_units",
    "segment": "segments",
    "grade": "grades",
    "status": "statuses",
    "respondent_role": "respondent_roles",
}
UNIT_KEYS = {"days": "drivers.unit_days", "hours": "drivers.unit_hours", "years": "drivers.unit_years"}
ONE_UNIT_KEYS = {"days": "drivers.unit_day", "hours": "drivers.unit_hour", "years": "drivers.unit_year"}


def runs() -> pl.DataFrame:
    """Newest run per target (not cached: a few rows, and it must see a retrain immediately)."""
    return queries.driver_runs(cursor())


def has_answers() -> bool:
    """Whether the warehouse holds any survey answer (before the first load it holds none)."""
    con = cursor()
    return table_exists(con, "mart_responses") and bool(
        # one row is enough: counting ten million answers took seconds
        fetch_scalar(con, "select count(*) from (select 1 from mart_responses limit 1)")
    )


def outdated() -> bool:
    return queries.outdated_runs(cursor())


def models(target: str, run_id: int) -> pl.DataFrame:
    return cached_query(queries.models, target, run_id)


def features(model_id: str, run_id: int, lang: str) -> pl.DataFrame:
    """The model's drivers with `label` (reader's language) and `colour_key` for charts."""
    return with_labels(cached_query(queries.features, model_id, run_id), lang)


def shap_sample(model_id: str, run_id: int) -> pl.DataFrame:
    return cached_query(queries.shap_sample, model_id, run_id)


def sample_rows(model_id: str, run_id: int) -> pl.DataFrame:
    return cached_query(queries.sample_rows, model_id, run_id)


def whatifs(model_id: str, run_id: int) -> pl.DataFrame:
    return cached_query(queries.whatifs, model_id, run_id)


def model_text(model_id: str, run_id: int) -> str | None:
    return queries.model_text(cursor(), model_id, run_id)


def performance(segment_id: str, period_from: str | None, period_to: str | None, min_n: int) -> pl.DataFrame:
    """Each touchpoint's 0–100 score and n in the segment over the model's quarters (the journey
    map's figures), for the importance × performance quadrant."""
    filters = queries.segment_filters(segment_id, period_from, period_to)
    totals = cached_query(touchpoint_totals, filters)
    metrics = touchpoint_metrics(totals, cached_query(touchpoint_dimension), min_n)
    return metrics.select("touchpoint_id", "score_100", "csat_mean", "n", "is_low_n")


def segment_label(row: dict, lang: str) -> str:
    if row["segment_id"] == queries.ALL:
        return t("drivers.all_respondents")
    return (row.get("segment_label_ru") if lang == "ru" else None) or row["segment_label_en"]


def value_text(
    value: float | None, value_label: str | None, feature: dict, model: ServiceModel, lang: str
) -> str:
    """A driver's value as a reader says it: '4 of 5', '85 %', '2.3 days', 'Energy', 'not rated'."""
    if feature["is_categorical"]:
        if value_label is None:
            return t("drivers.no_value")
        dimension = CLIENT_DIMENSIONS.get(feature["feature_id"])
        return model.label(dimension, value_label, lang) if dimension else value_label
    if value is None:
        return t("drivers.not_rated") if feature["kind"] == "touchpoint" else t("drivers.no_value")
    unit = feature["unit"]
    if unit == "rating":
        return t(
            "drivers.rating_of",
            value=format_number(value, 0, lang),
            max=format_number(feature["scale_max"], 0, lang),
        )
    if unit == "%":
        return f"{format_number(value, 0, lang)} %"
    if unit in UNIT_KEYS:
        return f"{format_number(value, 1, lang)} {t(UNIT_KEYS[unit])}"
    return format_number(value, 1 if unit != "count" else 0, lang)


def step_text(amount: float, feature: dict, lang: str) -> str:
    """'+1 point', '−½ point', '+10 pp', '−1 day' for a what-if step."""
    unit = feature["unit"]
    magnitude = abs(amount)
    if unit == "rating":
        number = "½" if magnitude == 0.5 else format_number(magnitude, 0 if magnitude >= 1 else 1, lang)
        word = t("drivers.point") if magnitude <= 1 else t("drivers.points")
    elif unit == "%":
        number, word = format_number(magnitude, 0, lang), t("drivers.pp")
    else:
        number = "½" if magnitude == 0.5 else format_number(magnitude, 0 if magnitude >= 1 else 1, lang)
        keys = ONE_UNIT_KEYS if magnitude <= 1 else UNIT_KEYS
        word = t(keys[unit]) if unit in keys else ""
    return f"{'+' if amount > 0 else '−'}{number} {word}".strip()


def format_quality(value: float | None, lang: str) -> str:
    """R² or AUC with two decimals; a baseline of −0.0004 reads 0.00, not −0.00."""
    return format_number(None if value is None else round(value, 2) + 0.0, 2, lang)


def effect_unit(target: str) -> str:
    return t("drivers.effect_unit_score") if target == "score" else t("drivers.effect_unit_promoter")


@dataclass(frozen=True)
class DriverView:
    """What every tab of the page needs about the chosen model."""

    model: ServiceModel
    lang: str
    target: str
    run_id: int
    row: dict  # the driver_models row
    features: pl.DataFrame  # drivers with labels, strongest first (significant ones first)

    @property
    def model_id(self) -> str:
        return str(self.row["model_id"])

    @property
    def segment(self) -> str:
        return segment_label(self.row, self.lang)

    def feature(self, feature_id: str) -> dict:
        return self.features.filter(pl.col("feature_id") == feature_id).row(0, named=True)

    def ranked(self) -> pl.DataFrame:
        return self.features.filter(pl.col("is_significant")).sort("rank")
