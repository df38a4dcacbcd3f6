"""The data a slide is made of, shared by presentation mode and the PPTX/PDF exports."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

import altair as alt
import duckdb

from app.service_model import ServiceModel

ViewParams = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class KeyFigure:
    """The one number the room should remember: '−12', 'NPS · 2026-Q3', '+4 pts vs 2026-Q2'."""

    value: str
    label: str
    delta: str | None = None
    tone: str = "neutral"  # good | bad | neutral: colours the delta


@dataclass(frozen=True)
class SlideContent:
    """What a saved view shows on a slide. `chart` is None when there is nothing to draw (no data)."""

    title: str
    key_figure: KeyFigure | None
    chart: alt.TopLevelMixin | None
    caption: str = ""
    message: str | None = None  # shown instead of the chart (empty data, page without slides)


class SlideFunction(Protocol):
    def __call__(
        self, con: duckdb.DuckDBPyConnection, model: ServiceModel, params: ViewParams, lang: str
    ) -> SlideContent: ...
