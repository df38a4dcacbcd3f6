"""Benchmark warehouses built once and reused while the code that shapes them is unchanged.

Loading a million responses through the real pipeline takes minutes, so a warehouse is kept in
`<workdir>/warehouse-<size>-<raw key>/`. Two fingerprints decide what a later run may reuse:

- the raw key hashes what fills the raw tables (service model, schema, loader, scaled data
  generator; for the demo also the demo generator): when it changes the warehouse is loaded again
  from scratch and folders of older keys for that size are removed;
- the model key hashes the SQL models (sql/*.sql, models.py): when only it changes, the marts are
  rebuilt in place from the kept raw tables, which takes seconds instead of minutes.

A scaled warehouse also gets complaint topics and key-driver models once, as the demo has them
(`trained`; bench_pages --untrained skips it): the VoC and drivers pages are measured with content.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import sys
import time
from datetime import date
from pathlib import Path

from app.service_model import load_service_model
from app.settings import DATA_DIR, PROJECT_ROOT
from app.warehouse.connection import connect
from benchmarks.common import peak_mb

RAW_FILES = (
    "data/service_model.yaml",
    "app/service_model.py",
    "app/warehouse/schema.py",
    "app/warehouse/voc_schema.py",
    "app/warehouse/storylines.py",
    "pipelines/load.py",
    "pipelines/readers.py",
    "pipelines/mapping.py",
    "pipelines/validate.py",
    "pipelines/sources.py",
    "pipelines/follow_ups.py",
    "benchmarks/scale_data.py",
    "benchmarks/survey_data.py",
)
MODEL_GLOBS = ("app/warehouse/sql/*.sql", "app/warehouse/models.py", "app/warehouse/index_sql.py")
STAMP = "stamp.json"


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _digest(paths: list[Path]) -> str:
    sha = hashlib.sha256()
    for path in sorted(paths):
        sha.update(str(path.relative_to(PROJECT_ROOT)).encode())
        sha.update(path.read_bytes() if path.exists() else b"missing")
    return sha.hexdigest()[:12]


def raw_key(size: str) -> str:
    paths = [PROJECT_ROOT / p for p in RAW_FILES]
    if size == "demo":  # the demo also runs its generator, topics, follow-up history and drivers
        paths += list((PROJECT_ROOT / "pipelines").glob("*.py"))
    return _digest(list(set(paths)))


def model_key() -> str:
    return _digest([p for pattern in MODEL_GLOBS for p in PROJECT_ROOT.glob(pattern)])


def _load(folder: Path, db: Path, size: str) -> dict:
    """Load the warehouse; for a scaled one, each file's load time (the survey batches show whether a
    load costs what its own rows cost or what the warehouse already holds) and the peak memory."""
    from benchmarks.scale_data import write_scaled_company
    from pipelines.load import load_file

    model = load_service_model(DATA_DIR / "service_model.yaml")
    con = connect(db)
    loads: list[dict] = []
    try:
        if size == "demo":
            from pipelines.demo import load_demo

            load_demo(con, model, folder / "archive", folder / "ground_truth.json")
            return {}
        for source, path in write_scaled_company(folder / "files", model, int(size)):
            started = time.perf_counter()
            result = load_file(con, model, source, path, archive_dir=folder / "archive")
            if result.status != "loaded":
                raise SystemExit(result.message)
            loads.append({"source": source, "rows": result.rows_accepted,
                          "seconds": round(time.perf_counter() - started, 2)})
            path.unlink()
    finally:
        con.close()
    return {"loads": loads, "load_peak_mb": round(peak_mb(), 1), "loaded_on": date.today().isoformat()}


def _rebuild_marts(db: Path) -> None:
    from app.warehouse.models import rebuild_models

    model = load_service_model(DATA_DIR / "service_model.yaml")
    con = connect(db)
    try:
        con.execute("begin")
        rebuild_models(con, model)
        con.execute("commit")
    finally:
        con.close()


def _train(db: Path) -> None:
    """Complaint topics and key-driver models, as a company's warehouse has them after its first
    start (the demo's loader does the same): without them the VoC and drivers pages show only a
    message. At a million answers the drivers took 25 minutes on two busy cores (31 models)."""
    from pipelines.drivers import train_demo_drivers
    from pipelines.topics import build_topics

    model = load_service_model(DATA_DIR / "service_model.yaml")
    con = connect(db)
    try:
        build_topics(con, model)
        train_demo_drivers(con, model)
    finally:
        con.close()


def build_warehouse(workdir: Path, size: str, log=_stderr, trained: bool = True) -> Path:
    """The warehouse for one size: reused, marts rebuilt, or loaded anew, whichever the code allows;
    with `trained`, a scaled warehouse also gets topics and driver models once."""
    key = raw_key(size)
    folder = workdir / f"warehouse-{size}-{key}"
    db, stamp_path = folder / "warehouse.duckdb", folder / STAMP
    for old in workdir.glob(f"warehouse-{size}-*"):
        if old != folder:
            shutil.rmtree(old, ignore_errors=True)
    models = model_key()
    stamp = json.loads(stamp_path.read_text()) if stamp_path.exists() else None
    if stamp is None:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        log(f"{size}: loading a new warehouse into {folder}")
        loaded = _load(folder, db, size)
        stamp = {"raw_key": key, "model_key": models, "trained": size == "demo", **loaded}
    elif stamp["model_key"] != models:
        log(f"{size}: SQL models changed, rebuilding the marts in {folder}")
        _rebuild_marts(db)
        stamp["model_key"] = models
    if trained and not stamp.get("trained"):
        log(f"{size}: building complaint topics and training key drivers (minutes at a million answers)")
        _train(db)
        stamp["trained"] = True
    stamp_path.write_text(json.dumps(stamp))
    return db
