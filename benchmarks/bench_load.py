"""Loading N survey responses: CX Lens pipeline vs DuckDB's own read_csv vs pandas + sqlite.

python -m benchmarks.bench_load [--rows 1000000] [--repeat 3]
Each method runs in a fresh process (peak memory is per method); times are medians.
"""

from __future__ import annotations

import argparse
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


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip-pandas", action="store_true")
    args = parser.parse_args()
    model = load_service_model(DATA_DIR / "service_model.yaml")
    tmp = Path(tempfile.mkdtemp(prefix="cxlens-bench-"))
    try:
        n_clients = max(1000, args.rows // 50)
        clients = write_clients(tmp / "clients.csv", model, n_clients)
        surveys = write_surveys(tmp / "surveys.csv", model, args.rows, n_clients)
        size_mb = surveys.stat().st_size / 1e6
        methods = ["duckdb_read_csv", "cxlens"] + ([] if args.skip_pandas else ["pandas_sqlite"])
        results: dict[str, list] = {m: [] for m in methods}
        for i in range(args.repeat):
            for method in methods:
                if method == "pandas_sqlite" and i > 0:
                    continue  # slow and only a reference: once is enough
                work = tmp / f"{method}-{i}"
                results[method].append(run_step("benchmarks.bench_load_step", method, str(surveys), str(clients), str(work)))
                shutil.rmtree(work, ignore_errors=True)
        base = statistics.median(m.seconds for m in results["duckdb_read_csv"])
        rows = []
        for method in methods:
            seconds = statistics.median(m.seconds for m in results[method])
            peak = max(m.peak_mb for m in results[method])
            ratio = seconds / base
            target = ""
            if method == "cxlens":
                met = ratio <= TARGET_RATIO and peak <= TARGET_PEAK_MB
                target = f"≤ {TARGET_RATIO}× and ≤ 3 GB: {'met' if met else 'NOT met'}"
            rows.append([method, f"{seconds:.2f} s", f"{ratio:.2f}×", f"{peak:,.0f} MB", target])
        print(f"\nLoading {args.rows:,} survey responses ({size_mb:.0f} MB CSV, "
              f"{len(model.touchpoints) + 8} columns) — {date.today()}, {machine()}")
        print_table(rows, ["method", "median time", "vs read_csv", "peak memory", "target"])
        stages = results["cxlens"][-1].detail.get("stages")
        print(f"CX Lens stages (last run, s): {stages}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
