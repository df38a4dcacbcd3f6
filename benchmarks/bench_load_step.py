"""One measured load step, run in its own process so its peak memory is its own.

python -m benchmarks.bench_load_step METHOD SURVEY_CSV CLIENTS_CSV WORKDIR  → prints one JSON line.
"""

from __future__ import annotations

import json
import sqlite3
import sys
import time
from pathlib import Path

from benchmarks.common import peak_mb


def duckdb_native(surveys: Path, workdir: Path) -> dict:
    import duckdb

    con = duckdb.connect(str(workdir / "native.duckdb"))
    started = time.perf_counter()
    con.execute("create table responses as select * from read_csv(?)", [str(surveys)])
    return {"seconds": time.perf_counter() - started}


def cxlens(surveys: Path, clients: Path, workdir: Path) -> dict:
    from app.service_model import load_service_model
    from app.settings import DATA_DIR
    from app.warehouse.connection import connect
    from pipelines.load import load_file

    model = load_service_model(DATA_DIR / "service_model.yaml")
    con = connect(workdir / "cxlens.duckdb")
    load_file(con, model, "clients", clients, archive_dir=workdir / "archive")
    stages: dict[str, float] = {}
    last = [time.perf_counter(), "start"]

    def progress(fraction: float, message: str) -> None:
        now = time.perf_counter()
        stages[last[1]] = stages.get(last[1], 0) + now - last[0]
        last[:] = [now, message.split(" ")[0].lower()]

    started = time.perf_counter()
    result = load_file(con, model, "surveys", surveys, archive_dir=workdir / "archive", progress=progress)
    seconds = time.perf_counter() - started
    if result.status != "loaded":
        raise SystemExit(result.message)
    return {"seconds": seconds, "rows": result.rows_accepted, "stages": {k: round(v, 2) for k, v in stages.items()}}


def pandas_sqlite(surveys: Path, workdir: Path) -> dict:
    import pandas as pd

    started = time.perf_counter()
    frame = pd.read_csv(surveys)
    with sqlite3.connect(workdir / "naive.sqlite") as db:
        frame.to_sql("responses", db, index=False, if_exists="replace", chunksize=50_000)
    return {"seconds": time.perf_counter() - started}


def main() -> None:
    method, surveys, clients, workdir = sys.argv[1], Path(sys.argv[2]), Path(sys.argv[3]), Path(sys.argv[4])
    workdir.mkdir(parents=True, exist_ok=True)
    if method == "duckdb_read_csv":
        out = duckdb_native(surveys, workdir)
    elif method == "cxlens":
        out = cxlens(surveys, clients, workdir)
    elif method == "pandas_sqlite":
        out = pandas_sqlite(surveys, workdir)
    else:
        raise SystemExit(f"unknown method {method}")
    print(json.dumps({"name": method, **out, "peak_mb": round(peak_mb(), 1)}))


if __name__ == "__main__":
    main()
