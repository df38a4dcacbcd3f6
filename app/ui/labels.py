"""Human labels for ids in frames, in the reader's language (service-model labels, not t()).

Frames from the warehouse carry ids (`energy`, `delivery`); charts and tables show labels. These
helpers add a label column next to the id, so downloads keep both.
"""

from __future__ import annotations

import polars as pl

from app.service_model import ServiceModel
from app.warehouse.filters import DIMENSION_COLUMNS

# mart column -> service-model dimension
COLUMN_DIMENSIONS: dict[str, str] = {column: dimension for dimension, column in DIMENSION_COLUMNS.items()}


def option_labels(model: ServiceModel, dimension: str, lang: str) -> dict[str, str]:
    return {o.id: o.label.get(lang) for o in getattr(model.dimensions, dimension)}


def with_option_label(frame: pl.DataFrame, model: ServiceModel, column: str, lang: str, alias: str | None = None) -> pl.DataFrame:
    """Add `<column>_label` (or `alias`) mapping a dimension's ids to labels; unknown ids stay as ids."""
    mapping = option_labels(model, COLUMN_DIMENSIONS[column], lang)
    return frame.with_columns(
        pl.col(column).replace_strict(mapping, default=pl.col(column), return_dtype=pl.String).alias(
            alias or f"{column}_label"
        )
    )


def touchpoint_label_expr(lang: str, prefix: str = "") -> pl.Expr:
    """The touchpoint's (or stage's, with prefix 'stage_') label in `lang`, English as fallback."""
    english = pl.col(f"{prefix}label_en")
    if lang == "ru":
        return pl.coalesce(pl.col(f"{prefix}label_ru"), english)
    return english


def filters_summary(model: ServiceModel, filters_dict: dict[str, object], lang: str, all_text: str) -> str:
    """'Energy, Machinery · Key accounts' — the active segment filters in words, or `all_text`."""
    parts = []
    for dimension in DIMENSION_COLUMNS:
        values = filters_dict.get(dimension) or ()
        if values:
            labels = option_labels(model, dimension, lang)
            parts.append(", ".join(labels.get(v, v) for v in values))
    return " · ".join(parts) if parts else all_text
