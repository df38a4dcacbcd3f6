"""Key drivers in two stages, for the app's first start: the company-wide model first, then the segments.

Training every segment takes most of a minute; the first start must not make an executive wait for it.
So the app loads the demo, shows its dashboards, and trains here in a background thread
(app/ui/driver_background.py):

1. the company-wide model of each target is fitted and stored as a run at once, with every other
   segment stored as `status = 'training'` (or `too_small`, known without fitting), so the journey
   map, the KPI tree and the drivers page have the company's drivers within seconds;
2. the segment models are fitted and the whole run is stored again as a new run, in one
   transaction — unless someone trained since (then their newer run stays).

Both writes go through `store_run` / `write_results`, the same path as `python -m pipelines drivers`.
A run left with 'training' rows (the app stopped half-way) is finished by the next app start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence

import duckdb

from app.analytics.drivers import Target
from app.service_model import ServiceModel
from pipelines.driver_design import target_rows
from pipelines.driver_model import TrainConfig
from pipelines.driver_segments import ALL, Segment
from pipelines.driver_store import newest_runs
from pipelines.drivers import (
    ProgressFn,
    SegmentResult,
    TrainingInputs,
    _model_row,
    _no_progress,
    _too_small,
    fit_jobs,
    read_inputs,
    store_run,
)

TRAINING = "training"  # driver_models.status of a segment whose model is still being fitted
StageFn = Callable[[str], None]


def _no_stage(stage: str) -> None:
    return None


def pending_result(
    inputs: TrainingInputs, order: int, segment: Segment, target: Target, config: TrainConfig
) -> SegmentResult:
    """A segment's row before its model exists: its sample sizes, and 'training' or 'too_small'."""
    segment_rows = segment.select(inputs.frame)
    rows = target_rows(segment_rows, target)
    row = _model_row(segment, target, rows, segment_rows) | {"segment_order": order}
    return SegmentResult(row | {"status": "too_small" if _too_small(rows, target, config) else TRAINING})


def train_in_stages(
    con: duckdb.DuckDBPyConnection,
    model: ServiceModel,
    targets: Sequence[Target],
    *,
    config: TrainConfig | None = None,
    workers: int = 1,
    progress: ProgressFn = _no_progress,
    on_stored: StageFn = _no_stage,
    cancel: threading.Event | None = None,
) -> int | None:
    """Company model(s) stored first, then every segment; returns the final run id, or None when
    cancelled or when another training stored a run in between (its results are kept).

    `progress(fraction, message)` follows the segment models; `on_stored("company" | "segments")`
    is called after each write (the app clears its cached queries there).
    """
    config = config or TrainConfig()
    started = time.perf_counter()
    expected = newest_runs(con, list(targets))
    inputs = read_inputs(con, model, targets)
    company_jobs = [job for job in inputs.jobs if job[1].id == ALL]
    segment_jobs = [job for job in inputs.jobs if job[1].id != ALL]
    company = fit_jobs(inputs, company_jobs, config, workers=workers, cancel=cancel)
    if company is None:
        return None
    pending = [
        pending_result(inputs, order, segment, target, config) for order, segment, target in segment_jobs
    ]
    first = store_run(
        con,
        inputs,
        _in_job_order(inputs, company + pending),
        targets,
        config,
        time.perf_counter() - started,
        expected_runs=expected,
    )
    if first is None:
        return None
    on_stored("company")
    to_fit = [
        job for job, result in zip(segment_jobs, pending, strict=True) if result.model["status"] == TRAINING
    ]
    fitted = fit_jobs(inputs, to_fit, config, workers=workers, progress=progress, cancel=cancel)
    if fitted is None:
        return None
    by_id = {str(r.model["model_id"]): r for r in company + fitted}
    results = [by_id.get(str(r.model["model_id"]), r) for r in company + pending]
    final = store_run(
        con,
        inputs,
        _in_job_order(inputs, results),
        targets,
        config,
        time.perf_counter() - started,
        expected_runs=dict.fromkeys(targets, first),
    )
    if final is not None:
        on_stored("segments")
    return final


def _in_job_order(inputs: TrainingInputs, results: list[SegmentResult]) -> list[SegmentResult]:
    """Results in the order a one-stage run stores them (target, then segment order)."""
    position = {f"{target}|{segment.id}": i for i, (_, segment, target) in enumerate(inputs.jobs)}
    return sorted(results, key=lambda r: position[str(r.model["model_id"])])
