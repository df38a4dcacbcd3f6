"""Loads the demo company through the real pipeline, so the demo exercises readers and validation."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import duckdb

from app.service_model import ServiceModel
from pipelines.demo_data import generate_demo
from pipelines.demo_follow_ups import replay_demo_history
from pipelines.load import LoadResult, ProgressFn, _no_progress, load_file
from pipelines.topics import build_topics


class DemoLoadError(RuntimeError):
    pass


def warehouse_is_empty(con: duckdb.DuckDBPyConnection) -> bool:
    rows = con.execute(
        "select count(*) from information_schema.tables where table_name = 'batches'"
    ).fetchall()
    if not rows[0][0]:
        return True
    return con.execute("select count(*) from batches").fetchall()[0][0] == 0


def load_demo(con: duckdb.DuckDBPyConnection, model: ServiceModel, archive_dir: Path,
              ground_truth_path: Path | None = None, seed: int = 7, scale: float = 1.0,
              progress: ProgressFn = _no_progress, train_drivers: bool = True) -> list[LoadResult]:
    """Generate the demo files, load each as a batch, and keep the generator's ground truth.

    `train_drivers=False` leaves the key-driver models to the caller: the app's first start trains
    them in the background (app/ui/driver_background.py) so the dashboards open as soon as the data
    is in; the CLI and the tests train them here, before returning.
    """
    results = []
    with tempfile.TemporaryDirectory(prefix="cxlens-demo-") as tmp:
        files = generate_demo(Path(tmp), model, seed=seed, scale=scale)
        total = len(files.files)
        for i, (source, path) in enumerate(files.files):
            progress(i / total, f"Loading demo {source}: {path.name}")
            result = load_file(con, model, source, path, archive_dir=archive_dir)
            results.append(result)
            if not result.ok:
                problems = result.problems.head(10)
                raise DemoLoadError(f"{result.message}\n{problems}")
        if ground_truth_path is not None:
            ground_truth_path.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(files.ground_truth, ground_truth_path)
    replay_demo_history(con, model, seed=seed)  # the demo's closed loop has run since its first wave
    progress(0.97, "Finding complaint topics")
    build_topics(con, model, seed=seed)  # topics are ready on first start, never built on a page view
    if train_drivers:
        from pipelines.drivers import train_demo_drivers  # LightGBM loads only when the demo is built

        train_demo_drivers(con, model, progress)  # key drivers too: a fresh demo has them
    progress(1.0, "Demo company loaded")
    return results
