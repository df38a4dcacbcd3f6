"""Which segments get their own key-driver model.

The whole company, every value of each segment dimension (business unit, segment, grade, status,
respondent role), and business unit × respondent role — the question leadership asks is "what moves
NPS for Energy decision makers". Segments whose answers fall below the minimum are still listed
(the page says why they have no model). Ids are plain and stable: "all",
"business_unit=energy", "business_unit=energy;respondent_role=decision_maker".
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from app.service_model import ServiceModel
from app.warehouse.filters import DIMENSION_COLUMNS

ALL = "all"
PAIRS: tuple[tuple[str, str], ...] = (("business_unit", "respondent_role"),)
COLUMN_DIMENSION = {column: dimension for dimension, column in DIMENSION_COLUMNS.items()}


@dataclass(frozen=True)
class Segment:
    id: str
    dims: tuple[tuple[str, str], ...]  # (mart column, option id)
    label_en: str
    label_ru: str

    def select(self, frame: pl.DataFrame) -> pl.DataFrame:
        if not self.dims:
            return frame
        return frame.filter(*[pl.col(column) == value for column, value in self.dims])


def segment_id(dims: tuple[tuple[str, str], ...]) -> str:
    return ";".join(f"{column}={value}" for column, value in dims) if dims else ALL


def parse_segment_id(text: str) -> tuple[tuple[str, str], ...]:
    """The (column, value) pairs of a segment id; ValueError for anything that is not one."""
    if text == ALL:
        return ()
    pairs = []
    for part in text.split(";"):
        column, _, value = part.partition("=")
        if column not in COLUMN_DIMENSION or not value:
            raise ValueError(f"not a segment id: {text!r}")
        pairs.append((column, value))
    return tuple(pairs)


def _segment(model: ServiceModel, dims: tuple[tuple[str, str], ...]) -> Segment:
    labels = {
        lang: " · ".join(model.label(COLUMN_DIMENSION[c], v, lang) for c, v in dims) for lang in ("en", "ru")
    }
    return Segment(
        segment_id(dims), dims, labels["en"] or "All respondents", labels["ru"] or "Все респонденты"
    )


def segment_definitions(model: ServiceModel) -> list[Segment]:
    """All respondents first, then one segment per option of each dimension, then the pairs."""
    segments = [_segment(model, ())]
    for dimension, column in DIMENSION_COLUMNS.items():
        segments += [_segment(model, ((column, option),)) for option in model.option_ids(dimension)]
    for first, second in PAIRS:
        for a in model.option_ids(COLUMN_DIMENSION[first]):
            segments += [
                _segment(model, ((first, a), (second, b))) for b in model.option_ids(COLUMN_DIMENSION[second])
            ]
    return segments
