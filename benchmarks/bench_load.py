"""Loading N survey responses: CX Lens pipeline vs DuckDB's own read_csv vs pandas + sqlite.

python -m benchmarks.bench_load [--rows 1000000] [--repeat 3]
Each method runs in a fresh process (peak memory is per method); times are medians.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import tempfile
from datetime import date
from pathlib import Path

from app.service_model import load_service_model
from app.settings import DATA_DIR
from benchmarks.common import machine, print_table, run_step
from benchmarks.survey_data import write_clients, write_surveys

TARGET_RATIO = 1.5
TARGET_PEAK_MB = 3072


def measure(rows: int, repeat: int = 3, pandas: bool = True) -> dict:
    """Median seconds and peak MB per method, each method in a fresh process."""
    model = load_service_model(DATA_DIR / "service_model.yaml")
    tmp = Path(tempfile.mkdtemp(prefix="cxlens-bench-"))
    try:
        n_clients = max(1000, rows // 50)
        clients = write_clients(tmp / "clients.csv", model, n_clients)
        surveys = write_surveys(tmp / "surveys.csv", model, rows, n_clients)
        methods = ["duckdb_read_csv", "cxlens"] + (["pandas_sqlite"] if pandas else [])
        runs: dict[str, list] = {m: [] for m in methods}
        for i in range(repeat):
            for method in methods:
                if method == "pandas_sqlite" and i > 0:
                    continue  # slow and only a reference: once is enough
                work = tmp / f"{method}-{i}"
                runs[method].append(run_step("benchmarks.bench_load_step", method, str(surveys), str(clients), str(work)))
                shutil.rmtree(work, ignore_errors=True)
        return {
            "rows": rows,
            "csv_mb": surveys.stat().st_size / 1e6,
            "columns": len(model.touchpoints) + 8,
            "methods": {m: {"seconds": statistics.median(r.seconds for r in runs[m]),
                            "peak_mb": max(r.peak_mb for r in runs[m])} for m in methods},
            "stages": runs["cxlens"][-1].detail.get("stages"),
            "ingest_seconds": statistics.median(_ingest_seconds(r.detail.get("stages") or {}) for r in runs["cxlens"]),
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


# Stages of bench_load_step's progress log that do what read_csv does (parse, check, store the rows);
# the rest ("rebuilding") is the marts and follow-up cases, which read_csv has no counterpart for.
INGEST_STAGES = ("start", "reading", "validated", "writing")


def _ingest_seconds(stages: dict[str, float]) -> float:
    return sum(stages.get(s, 0.0) for s in INGEST_STAGES)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-pandas", action="store_true")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = measure(args.rows, args.repeat, not args.skip_pandas)
    if args.json:
        print(json.dumps(result))
        return
    base = result["methods"]["duckdb_read_csv"]["seconds"]
    table = []
    for method, m in result["methods"].items():
        ratio = m["seconds"] / base
        target = ""
        if method == "cxlens":
            met = ratio <= TARGET_RATIO and m["peak_mb"] <= TARGET_PEAK_MB
            target = f"≤ {TARGET_RATIO}× and ≤ 3 GB: {'met' if met else 'NOT met'}"
        table.append([method, f"{m['seconds']:.2f} s", f"{ratio:.2f}×", f"{m['peak_mb']:,.0f} MB", target])
        if method == "cxlens":
            ingest = result["ingest_seconds"]
            table.append(["  of which read + validate + write", f"{ingest:.2f} s", f"{ingest / base:.2f}×", "",
                          "(the work read_csv does)"])
    print(f"\nLoading {args.rows:,} survey responses ({result['csv_mb']:.0f} MB CSV, "
          f"{result['columns']} columns) — {date.today()}, {machine()}")
    print_table(table, ["method", "median time", "vs read_csv", "peak memory", "target"])
    print(f"CX Lens stages (last run, s): {result['stages']}")


if __name__ == "__main__":
    main()
