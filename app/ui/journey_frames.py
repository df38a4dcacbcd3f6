"""Frames for the journey heat-map: cell texts, colours and tooltips, in the reader's language.

Pure Polars (no Streamlit), so the presentation deck draws exactly the cells the page shows.
The chart builder (app.ui.charts.journey) only encodes the columns made here.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass

import polars as pl

from app.analytics.touchpoints import MetricSpec
from app.ui.i18n import format_number
from app.ui.labels import touchpoint_label_expr

LABEL_WIDTH = 12  # characters per line inside a cell (a cell is ~85 px wide at 1440 px with the sidebar)
LABEL_LINES = 3
STAGE_WIDTH = 13


@dataclass(frozen=True)
class CellTexts:
    """Translated words the cells and tooltips use (the caller passes t(...) results)."""

    n_short: str  # "n {n}"
    too_few: str  # "too few"
    no_answers: str  # "no answers"
    touchpoint: str
    stage: str
    value: str
    interval: str
    answers: str
    note: str
    mot: str
    suggested: str


def wrap(text: str, width: int = LABEL_WIDTH, lines: int = LABEL_LINES) -> str:
    """Break a label into at most `lines` lines of `width` characters (ellipsis when cut)."""
    parts = textwrap.wrap(text, width=width, break_long_words=False) or [""]
    if len(parts) > lines:
        parts = parts[:lines]
        parts[-1] = parts[-1][: width - 1].rstrip() + "…"
    return "\n".join(parts)


# Smallest half-width of the colour scale per metric, so small differences stay pale.
MIN_HALF_SPAN = {"nps": 10.0, "csat": 5.0, "top2": 5.0, "ces": 0.3, "gap": 5.0}


def colour_domain(metrics: pl.DataFrame, spec: MetricSpec) -> tuple[float, float | None, float]:
    """(low, mid, high) for the heat-map colours, from the cells with enough answers.

    Scores are coloured relative to the median touchpoint (a heat-map shows where the journey is
    weaker or stronger than usual); the gap to target around 0 (the target itself); answers from 0.
    """
    trusted = metrics.filter(~pl.col("is_low_n") & pl.col(spec.colour).is_not_null())[spec.colour]
    if spec.key == "responses":
        return 0.0, None, float(metrics["n"].max() or 1)
    if trusted.is_empty():
        low, high = spec.domain
        return float(low), spec.mid, float(high)
    mid = 0.0 if spec.key == "gap" else float(trusted.median())
    half = max(MIN_HALF_SPAN.get(spec.key, 1.0), float((trusted - mid).abs().max()))
    return mid - half, mid, mid + half


def _slots(frame: pl.DataFrame) -> pl.Expr:
    return pl.col("touchpoint_order").rank("ordinal").over("stage_id").cast(pl.Int64) - 1


def _fmt(value: float | None, decimals: int, lang: str, signed: bool = False, suffix: str = "") -> str:
    return "–" if value is None else format_number(value, decimals, lang, signed=signed) + suffix


def _light_text(colour: float | None, spec: MetricSpec, low: float, high: float) -> bool:
    """White text on strongly coloured cells, dark text on pale ones."""
    if colour is None:
        return False
    if spec.mid is None:
        return (colour - low) / ((high - low) or 1) > 0.6
    half = (high - low) / 2 or 1
    return abs(colour - (low + high) / 2) / half > 0.55


def _common_columns(frame: pl.DataFrame, lang: str, texts: CellTexts) -> pl.DataFrame:
    frame = frame.with_columns(
        touchpoint_label_expr(lang).alias("label"),
        touchpoint_label_expr(lang, "stage_").alias("stage_name"),
    ).with_columns(_slots(frame).alias("slot"))
    marks = [("★ " if r["is_moment_of_truth"] else "☆ " if r["is_suggested_mot"] else "") for r in frame.iter_rows(named=True)]
    notes = [
        texts.mot if r["is_moment_of_truth"] else texts.suggested if r["is_suggested_mot"] else ""
        for r in frame.iter_rows(named=True)
    ]
    return frame.with_columns(
        pl.Series("cell_label", [wrap(m + label) for m, label in zip(marks, frame["label"], strict=True)]),
        pl.Series("stage_label", [wrap(s, STAGE_WIDTH, 2) for s in frame["stage_name"]]),
        pl.Series("note", notes, dtype=pl.String),
    )


def heatmap_frame(
    metrics: pl.DataFrame, spec: MetricSpec, lang: str, texts: CellTexts, domain: tuple[float, float | None, float]
) -> pl.DataFrame:
    """One row per touchpoint with everything `journey_heatmap` draws for the metric `spec`.

    `metrics`: touchpoint_metrics output plus is_suggested_mot. Low-n cells get a null colour.
    """
    frame = _common_columns(metrics, lang, texts)
    low, _, high = domain
    rows = []
    for r in frame.iter_rows(named=True):
        value, moe, n = r[spec.value], (r[spec.moe] if spec.moe else None), int(r["n"] or 0)
        suffix = " %" if spec.key == "top2" else ""
        colour = None if (r["is_low_n"] and spec.key != "responses") or r[spec.colour] is None else float(r[spec.colour])
        value_text = _fmt(value, spec.decimals, lang, signed=spec.key in ("nps", "gap"), suffix=suffix)
        detail = texts.n_short.format(n=format_number(n, 0, lang))
        if n == 0:
            detail = texts.no_answers
        elif r["is_low_n"]:
            detail = f"{texts.too_few}\n{detail}"
        elif moe is not None:
            detail = f"±{_fmt(moe, spec.decimals, lang)}\n{detail}"
        interval = "–" if value is None or moe is None else f"{_fmt(value - moe, spec.decimals, lang)} … {_fmt(value + moe, spec.decimals, lang)}"
        rows.append({
            "touchpoint_id": r["touchpoint_id"], "value_text": value_text, "detail_text": detail,
            "colour_value": colour, "text_light": _light_text(colour, spec, low, high),
            f"tooltip_{texts.touchpoint}": r["label"], f"tooltip_{texts.stage}": r["stage_name"],
            f"tooltip_{texts.value}": value_text, f"tooltip_{texts.interval}": interval,
            f"tooltip_{texts.answers}": format_number(n, 0, lang), f"tooltip_{texts.note}": r["note"],
        })
    cells = pl.DataFrame(rows, schema_overrides={"colour_value": pl.Float64})
    keep = ["touchpoint_id", "stage_order", "stage_label", "slot", "cell_label", "is_moment_of_truth",
            "is_suggested_mot"]
    return frame.select(keep).join(cells, on="touchpoint_id", how="left", maintain_order="left")


def difference_frame(diff: pl.DataFrame, spec: MetricSpec, lang: str, texts: CellTexts, side_names: tuple[str, str]) -> pl.DataFrame:
    """Cells of a difference map: value = A − B, coloured only where the difference is significant."""
    frame = _common_columns(diff, lang, texts)
    limit = spec.diff_domain
    rows = []
    for r in frame.iter_rows(named=True):
        d = r["diff"]
        colour = None if r["is_low_n"] or d is None else (float(d) if r["is_significant"] else 0.0)
        a, b = r[f"{spec.value}_a"], r[f"{spec.value}_b"]
        detail = f"{_fmt(a, spec.decimals, lang)} vs\n{_fmt(b, spec.decimals, lang)}"
        if r["is_low_n"]:
            detail = f"{texts.too_few}"
        rows.append({
            "touchpoint_id": r["touchpoint_id"],
            "value_text": _fmt(d, spec.decimals, lang, signed=True),
            "detail_text": detail,
            "colour_value": colour,
            "text_light": colour is not None and abs(colour) / limit > 0.55,
            f"tooltip_{texts.touchpoint}": r["label"],
            f"tooltip_{texts.value}": _fmt(d, spec.decimals, lang, signed=True),
            f"tooltip_{texts.interval}": "–" if r["diff_moe"] is None else f"±{_fmt(r['diff_moe'], spec.decimals, lang)}",
            f"tooltip_{side_names[0]}": f"{_fmt(a, spec.decimals, lang)} ({texts.n_short.format(n=int(r['n_a'] or 0))})",
            f"tooltip_{side_names[1]}": f"{_fmt(b, spec.decimals, lang)} ({texts.n_short.format(n=int(r['n_b'] or 0))})",
        })
    cells = pl.DataFrame(rows, schema_overrides={"colour_value": pl.Float64})
    keep = ["touchpoint_id", "stage_order", "stage_label", "slot", "cell_label", "is_moment_of_truth",
            "is_suggested_mot"]
    return frame.select(keep).join(cells, on="touchpoint_id", how="left", maintain_order="left")
