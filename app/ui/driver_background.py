"""Key-driver training behind the app's back: started by the first start (so the dashboards open as
soon as the demo's data is loaded) and by an app start that finds a run left half-trained.

One thread per warehouse and process, on its own cursor of the process's connection (DuckDB allows
one writing process; the app is it), writing through the pipeline's normal one-transaction path
(pipelines/drivers_staged.py). It holds the process's training lock, the one the drivers page's
"Train" button takes, so two trainings never run at once. After each write it clears the cached
query results, as the button does, so every page sees the new models. The drivers page reads
`status()` to say what is still training and to refresh itself; nothing here runs on a page view.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field

import duckdb
import streamlit as st

from app.service_model import ServiceModel

log = logging.getLogger(__name__)
BACKGROUND_WORKERS = 1  # one model at a time: the other core stays free for the people using the app
ACTIVE_PHASES = ("waiting", "company", "segments")

_TRAINING_LOCK = threading.Lock()  # one training per process: this job, or an analyst's click
_JOBS: dict[str, BackgroundTraining] = {}
_JOBS_GUARD = threading.Lock()


def training_lock() -> threading.Lock:
    """The process's one-training-at-a-time lock (the drivers page's button takes it too)."""
    return _TRAINING_LOCK


@dataclass
class BackgroundTraining:
    """What the drivers page needs to know about a background training of one warehouse."""

    db_path: str
    targets: tuple[str, ...]
    started: float = field(default_factory=time.monotonic)
    phase: str = "waiting"  # waiting (for the lock) → company → segments → done | cancelled | failed
    fraction: float = 0.0  # of the segment models
    stored: int = 0  # writes so far: a page that saw fewer reruns to show the new models
    error: str | None = None
    cancel: threading.Event = field(default_factory=threading.Event)
    thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self.phase in ACTIVE_PHASES

    @property
    def seconds(self) -> float:
        return time.monotonic() - self.started


def status(db_path: str) -> BackgroundTraining | None:
    """The newest background training of this warehouse in this process, if any."""
    return _JOBS.get(db_path)


def start(
    con: duckdb.DuckDBPyConnection, model: ServiceModel, db_path: str, targets: Sequence[str]
) -> BackgroundTraining:
    """Start training `targets` (empty: the demo's) in stages in a daemon thread, unless one already
    runs for this warehouse."""
    with _JOBS_GUARD:
        current = _JOBS.get(db_path)
        if current is not None and current.running:
            return current
        job = BackgroundTraining(db_path, tuple(targets))
        job.thread = threading.Thread(target=_run, args=(job, con, model), name="cx-drivers", daemon=True)
        _JOBS[db_path] = job
        job.thread.start()
        return job


def stop(db_path: str, timeout: float = 120.0) -> None:
    """Ask the training of this warehouse to stop after the model it is fitting, and wait for it."""
    job = _JOBS.get(db_path)
    if job is None or job.thread is None:
        return
    job.cancel.set()
    job.thread.join(timeout)


def stop_all(timeout: float = 10.0) -> None:
    """Stop every background training of this process (at exit)."""
    for db_path in list(_JOBS):
        stop(db_path, timeout)


def resume_if_unfinished(con: duckdb.DuckDBPyConnection, model: ServiceModel, db_path: str) -> None:
    """A run stored with segments still 'training' (the app stopped half-way): finish it now."""
    from app.warehouse.drivers import unfinished_targets

    targets = unfinished_targets(con)
    if targets:
        log.info("finishing the key-driver models left half-trained: %s", ", ".join(targets))
        start(con, model, db_path, targets)


def _still_needed(cur: duckdb.DuckDBPyConnection, targets: Sequence[str]) -> bool:
    """False when someone trained while this job waited for the lock (their results stand)."""
    from app.warehouse.drivers import driver_runs, unfinished_targets

    trained = set(driver_runs(cur)["target"].to_list())
    return bool(set(targets) - trained) or bool(set(unfinished_targets(cur)) & set(targets))


def _run(job: BackgroundTraining, con: duckdb.DuckDBPyConnection, model: ServiceModel) -> None:
    from pipelines.drivers import DEMO_TARGETS, NoAnswersError
    from pipelines.drivers_staged import train_in_stages  # LightGBM loads in this thread, not in a page

    job.targets = job.targets or DEMO_TARGETS

    def progress(fraction: float, message: str) -> None:
        job.fraction = fraction

    def stored(stage: str) -> None:
        st.cache_data.clear()  # the journey map, KPI tree and overview read the new company model
        job.stored += 1
        job.phase = "segments" if stage == "company" else job.phase

    cur = con.cursor()
    try:
        with _TRAINING_LOCK:
            if job.cancel.is_set() or not _still_needed(cur, job.targets):
                job.phase = "cancelled" if job.cancel.is_set() else "done"
                return
            job.phase = "company"
            final = train_in_stages(
                cur,
                model,
                job.targets,
                workers=BACKGROUND_WORKERS,
                progress=progress,
                on_stored=stored,
                cancel=job.cancel,
            )
        job.phase = "done" if final is not None or not job.cancel.is_set() else "cancelled"
    except NoAnswersError:
        job.phase = "done"
    except Exception as exc:  # noqa: BLE001 — the page says it failed and offers a retrain
        log.exception("background key-driver training failed")
        job.error, job.phase = str(exc).splitlines()[0] if str(exc) else type(exc).__name__, "failed"
    finally:
        cur.close()
