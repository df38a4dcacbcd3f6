"""From the feature frame to one model's numeric design: rows, target, columns, categories, samples.

LightGBM takes a float matrix (NaN = missing) with categorical columns as integer codes; the codes'
labels are kept so SHAP tables can say "energy" instead of 1.0. Features a segment cannot support
(constant, or answered by too few) are dropped per model, so a Machinery model has no business-unit
column and a prospects model no delivery rating.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl

from app.analytics.drivers import Target
from pipelines.driver_features import FeatureSpec

MIN_PRESENT_ROWS = 20
MIN_PRESENT_SHARE = 0.05
ROW_COLUMNS = ("response_id", "client_id", "client_name", "period", "nps", "nps_class", "business_unit")


@dataclass(frozen=True)
class Design:
    x: np.ndarray  # rows × features, float, NaN = missing, categorical codes as floats
    y: np.ndarray  # 0–10 answer (score) or 1 = promoter / 0 = detractor (promoter)
    specs: list[FeatureSpec]
    categories: dict[int, list[str]]  # column index -> label of each code
    rows: pl.DataFrame  # ROW_COLUMNS per row, for samples, waterfalls and strata
    target: Target

    @property
    def categorical_columns(self) -> list[int]:
        return sorted(self.categories)

    @property
    def strata(self) -> np.ndarray:
        """Answer class × business unit: samples keep the mix of detractors and units."""
        keys = self.rows.select(
            pl.concat_str(["nps_class", "business_unit"], separator="|", ignore_nulls=True)
        )
        return keys.to_series().to_numpy()


def target_rows(frame: pl.DataFrame, target: Target) -> pl.DataFrame:
    """The answers a target learns from: all of them for the score, promoters and detractors otherwise."""
    return frame if target == "score" else frame.filter(pl.col("nps_class") != "passive")


def build_design(frame: pl.DataFrame, specs: list[FeatureSpec], target: Target) -> Design:
    rows = target_rows(frame, target)
    y = (
        rows["nps"].cast(pl.Float64).to_numpy()
        if target == "score"
        else rows["is_promoter"].cast(pl.Float64).to_numpy()
    )
    columns: list[np.ndarray] = []
    kept: list[FeatureSpec] = []
    categories: dict[int, list[str]] = {}
    needed = max(MIN_PRESENT_ROWS, int(MIN_PRESENT_SHARE * rows.height))
    for spec in specs:
        series = rows[spec.id]
        if series.dtype.is_float():
            series = series.fill_nan(None)  # NaN and null both mean "no value"
        if series.null_count() > rows.height - needed or series.drop_nulls().n_unique() < 2:
            continue
        if spec.is_categorical:
            labels = sorted(series.drop_nulls().unique().to_list())
            codes = series.replace_strict(
                {v: float(i) for i, v in enumerate(labels)}, default=None, return_dtype=pl.Float64
            )
            categories[len(kept)] = labels
            columns.append(codes.to_numpy().astype(float))
        else:
            columns.append(series.cast(pl.Float64).to_numpy().astype(float))
        kept.append(spec)
    x = np.column_stack(columns) if columns else np.empty((rows.height, 0))
    return Design(x=x, y=y, specs=kept, categories=categories, rows=rows.select(ROW_COLUMNS), target=target)


def stratified_sample(strata: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """Row indices: all rows when there are at most `size`, else a proportional stratified sample.

    Each stratum gets its share of `size` (largest remainders decide the last places), drawn without
    replacement; the indices come back sorted, so the sample keeps the frame's order.
    """
    n = len(strata)
    if n <= size:
        return np.arange(n)
    keys, inverse, counts = np.unique(strata, return_inverse=True, return_counts=True)
    quota = counts * size / n
    take = np.floor(quota).astype(int)
    remainder = size - take.sum()
    take[np.argsort(-(quota - take), kind="stable")[:remainder]] += 1
    chosen = [rng.choice(np.flatnonzero(inverse == k), size=take[k], replace=False) for k in range(len(keys))]
    return np.sort(np.concatenate(chosen))


def one_hot(design: Design) -> tuple[np.ndarray, list[int]]:
    """Numeric columns as they are, categoricals as dummies (the most frequent level left out).

    Returns the matrix and, per column, the index of the feature it belongs to — for relative weights,
    which sum a categorical's dummies into one weight.
    """
    parts: list[np.ndarray] = []
    groups: list[int] = []
    for j in range(design.x.shape[1]):
        column = design.x[:, j]
        if j not in design.categories:
            parts.append(column[:, None])
            groups.append(j)
            continue
        present = np.isfinite(column)
        codes = column[present].astype(int)
        levels = np.bincount(codes, minlength=len(design.categories[j]))
        for level in np.flatnonzero(levels):
            if level == int(np.argmax(levels)):
                continue
            dummy = np.where(present, (column == level).astype(float), np.nan)
            parts.append(dummy[:, None])
            groups.append(j)
    matrix = np.hstack(parts) if parts else np.empty((design.x.shape[0], 0))
    return matrix, groups
