"""Key-driver analysis: which touchpoints, operational facts and client attributes move NPS, per segment.

`train_drivers(con, model)` reads the marts, trains one LightGBM model per target (the 0–10 score
and promoter-vs-detractor) for the whole company and for every segment with enough answers, explains
them with SHAP, checks them against Johnson's relative weights and bootstrap refits, computes
what-ifs, and writes everything in one transaction keyed by the warehouse's data version (tables:
see driver_store). `python -m pipelines drivers` runs it from the command line; the drivers page runs
the same function when the user retrains stale models; the demo trains once right after it loads, so
a fresh app has drivers.
"""

from __future__ import annotations

import json
import threading
import time
import zlib
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import duckdb
import lightgbm as lgb
import polars as pl

from app.analytics.drivers import TARGETS, Target, quality_band
from app.service_model import ServiceModel
from app.warehouse.connection import fetch_scalar, table_exists
from app.warehouse.drivers import STORE_VERSION
from app.warehouse.schema import data_version
from pipelines.driver_design import build_design, target_rows
from pipelines.driver_features import FeatureSpec, feature_frame, feature_specs
from pipelines.driver_model import TrainConfig, bootstrap, fit
from pipelines.driver_results import driver_frame, sample_frames, whatif_frame
from pipelines.driver_segments import Segment, segment_definitions
from pipelines.driver_store import MODEL_SCHEMA, next_run_id, write_results

ProgressFn = Callable[[float, str], None]
SHAP_METHOD = "lightgbm pred_contrib"
# The demo's first start trains the page's default target only (half the time of both); the
# promoter-vs-detractor models are one click away on the drivers page or `python -m pipelines drivers`.
DEMO_TARGETS: tuple[Target, ...] = ("score",)
DEMO_PROGRESS_FROM = 0.97


def _no_progress(fraction: float, message: str) -> None:
    return None


class NoAnswersError(RuntimeError):
    """The warehouse holds no survey answers yet: there is nothing to learn drivers from."""


@dataclass
class SegmentResult:
    model: dict[str, object]
    frames: dict[str, pl.DataFrame] = field(default_factory=dict)


@dataclass(frozen=True)
class RunSummary:
    data_version: int
    targets: tuple[str, ...]
    n_models: int
    n_too_small: int
    seconds: float


def _model_row(segment: Segment, target: Target, rows: pl.DataFrame, segment_rows: pl.DataFrame) -> dict:
    n_prom, n_det = int(segment_rows["is_promoter"].sum()), int(segment_rows["is_detractor"].sum())
    periods = segment_rows["period"].drop_nulls()
    return {
        "model_id": f"{target}|{segment.id}",
        "target": target,
        "segment_id": segment.id,
        "segment_label_en": segment.label_en,
        "segment_label_ru": segment.label_ru,
        "n_rows": rows.height,
        "n_total": segment_rows.height,
        "n_promoters": n_prom,
        "n_detractors": n_det,
        "nps": 100.0 * (n_prom - n_det) / segment_rows.height if segment_rows.height else None,
        "period_from": periods.min() if periods.len() else None,
        "period_to": periods.max() if periods.len() else None,
    }


def _too_small(rows: pl.DataFrame, target: Target, config: TrainConfig) -> bool:
    if rows.height < config.min_n:
        return True
    promoters = int(rows["is_promoter"].sum())
    return target == "promoter" and min(promoters, rows.height - promoters) < config.min_class


def fit_segment(
    frame: pl.DataFrame,
    specs: Sequence[FeatureSpec],
    segment: Segment,
    target: Target,
    config: TrainConfig,
    order: int = 0,
) -> SegmentResult:
    """One model (or a 'too_small' record) for one segment and target."""
    segment_rows = segment.select(frame)
    rows = target_rows(segment_rows, target)
    model = _model_row(segment, target, rows, segment_rows) | {"segment_order": order}
    if _too_small(rows, target, config):
        return SegmentResult(model | {"status": "too_small"})
    seed = config.seed + zlib.crc32(str(model["model_id"]).encode()) % 100_000
    design = build_design(rows, list(specs), target)
    fitted = fit(design, config, seed)
    stability = bootstrap(design, config, seed)
    drivers = driver_frame(design, fitted, stability)
    shap_long, sample_rows = sample_frames(design, fitted, config, seed)
    whatif = whatif_frame(
        design,
        fitted,
        stability["is_significant"],
        config,
        seed,
        non_passive_share=rows.height / max(segment_rows.height, 1),
    )
    q = fitted.quality
    model |= {
        "status": "ok",
        "metric": q["metric"],
        "cv_value": q["cv_value"],
        "cv_sd": q["cv_sd"],
        "baseline_value": q["baseline_value"],
        "error_metric": q["error_metric"],
        "cv_error": q["cv_error"],
        "baseline_error": q["baseline_error"],
        "quality": quality_band(str(q["metric"]), float(q["cv_value"])),
        "base_value": fitted.base_value,
        "n_features": len(design.specs),
        "n_significant": int(stability["is_significant"].sum()),
        "rw_r2": float(drivers["rw_weight"].sum()),
        "model_text": zlib.compress(fitted.booster.model_to_string().encode("utf-8"), 6),
    }
    return SegmentResult(
        model,
        {
            "driver_features": drivers,
            "driver_shap": shap_long,
            "driver_rows": sample_rows,
            "driver_whatif": whatif,
        },
    )


def _collect(results: list[SegmentResult], run_id: int, version: int) -> dict[str, pl.DataFrame]:
    """Stack the per-model frames, each row tagged with its run, model and target."""
    models = pl.DataFrame([r.model for r in results], schema=MODEL_SCHEMA).with_columns(
        pl.lit(run_id).alias("run_id"), pl.lit(version).alias("data_version")
    )
    frames = {"driver_models": models}
    for table in ("driver_features", "driver_shap", "driver_rows", "driver_whatif"):
        parts = [
            r.frames[table].with_columns(
                pl.lit(run_id).alias("run_id"),
                pl.lit(r.model["model_id"]).alias("model_id"),
                pl.lit(r.model["target"]).alias("target"),
            )
            for r in results
            if table in r.frames
        ]
        frames[table] = (
            pl.concat(parts, how="vertical_relaxed")
            if parts
            else pl.DataFrame(schema={"run_id": pl.Int32, "model_id": pl.String, "target": pl.String})
        )
    return frames


def _run_row(
    run_id: int,
    target: str,
    version: int,
    seconds: float,
    n_responses: int,
    results: list[SegmentResult],
    config: TrainConfig,
) -> dict:
    mine = [r for r in results if r.model["target"] == target]
    return {
        "run_id": run_id,
        "target": target,
        "data_version": version,
        "trained_at": time.strftime("%Y-%m-%d %H:%M:%S"),
        "seconds": seconds,
        "n_responses": n_responses,
        "n_models": sum(r.model["status"] == "ok" for r in mine),
        "n_too_small": sum(r.model["status"] == "too_small" for r in mine),
        "shap_method": SHAP_METHOD,
        "lightgbm_version": lgb.__version__,
        "config_json": json.dumps(config.as_dict()),
        "store_version": STORE_VERSION,
    }


@dataclass(frozen=True)
class TrainingInputs:
    """What one run learns from, read once: the data version, the feature frame and the jobs."""

    version: int
    frame: pl.DataFrame
    specs: list[FeatureSpec]
    jobs: list[tuple[int, Segment, Target]]  # (segment order, segment, target)


def read_inputs(con: duckdb.DuckDBPyConnection, model: ServiceModel, targets: Sequence[Target]) -> TrainingInputs:
    """The answers and facts every model of the run learns from; NoAnswersError before any survey."""
    version = data_version(con)
    if not table_exists(con, "mart_responses") or not fetch_scalar(
        con, "select count(*) from mart_responses"
    ):
        raise NoAnswersError(
            "No survey answers in the warehouse yet: load surveys first "
            "(python -m pipelines load surveys FILE, or the Data page)."
        )
    jobs = [(order, segment, target) for target in targets for order, segment in enumerate(segment_definitions(model))]
    return TrainingInputs(version, feature_frame(con, model), list(feature_specs(model)), jobs)


def fit_jobs(
    inputs: TrainingInputs,
    jobs: Sequence[tuple[int, Segment, Target]],
    config: TrainConfig,
    *,
    workers: int = 2,
    progress: ProgressFn = _no_progress,
    cancel: threading.Event | None = None,
) -> list[SegmentResult] | None:
    """Fit `jobs` (fraction done reported after each); None when `cancel` is set before they are all done."""
    results: list[SegmentResult] = []
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futures = [
            pool.submit(fit_segment, inputs.frame, inputs.specs, segment, target, config, order)
            for order, segment, target in jobs
        ]
        for i, future in enumerate(futures):
            if cancel is not None and cancel.is_set():
                for waiting in futures:
                    waiting.cancel()
                return None
            results.append(future.result())
            _, segment, target = jobs[i]
            progress((i + 1) / len(jobs), f"{target}: {segment.label_en}")
    return results


def store_run(
    con: duckdb.DuckDBPyConnection,
    inputs: TrainingInputs,
    results: list[SegmentResult],
    targets: Sequence[Target],
    config: TrainConfig,
    seconds: float,
    expected_runs: dict[str, int | None] | None = None,
) -> int | None:
    """Write `results` as a new run of `targets`; its run id, or None when `expected_runs` (target ->
    newest run id the caller started from) no longer holds: someone trained since, and theirs stays."""
    run_id = next_run_id(con)
    frames = _collect(results, run_id, inputs.version)
    frames["driver_runs"] = pl.DataFrame(
        [_run_row(run_id, t, inputs.version, seconds, inputs.frame.height, results, config) for t in targets]
    )
    return run_id if write_results(con, list(targets), frames, expected_runs=expected_runs) else None


def train_drivers(
    con: duckdb.DuckDBPyConnection,
    model: ServiceModel,
    *,
    targets: Sequence[Target] = TARGETS,
    config: TrainConfig | None = None,
    progress: ProgressFn = _no_progress,
    workers: int = 2,
) -> RunSummary:
    """Train every target × segment, then replace those targets' stored results in one transaction."""
    config = config or TrainConfig()
    started = time.perf_counter()
    progress(0.0, "Reading responses, ratings and operational facts")
    inputs = read_inputs(con, model, targets)

    def fitting(fraction: float, message: str) -> None:
        progress(0.02 + 0.93 * fraction, message)

    results = fit_jobs(inputs, inputs.jobs, config, workers=workers, progress=fitting) or []
    progress(0.96, "Writing results to the warehouse")
    store_run(con, inputs, results, targets, config, time.perf_counter() - started)
    progress(1.0, "Key drivers trained")
    ok = sum(r.model["status"] == "ok" for r in results)
    return RunSummary(inputs.version, tuple(targets), ok, len(results) - ok, time.perf_counter() - started)


def train_demo_drivers(
    con: duckdb.DuckDBPyConnection, model: ServiceModel, progress: ProgressFn = _no_progress
) -> RunSummary:
    """Key drivers for a freshly loaded demo, reported in the last stretch of the demo's progress bar."""

    def scaled(fraction: float, message: str) -> None:
        progress(DEMO_PROGRESS_FROM + (1 - DEMO_PROGRESS_FROM) * fraction * 0.99, f"Key drivers: {message}")

    return train_drivers(con, model, targets=DEMO_TARGETS, progress=scaled)
