"""Each page's script run at demo size, 1M and 10M responses: cold (caches cleared) and warm.

python -m benchmarks.bench_pages [--sizes demo,1000000] [--workdir /tmp/cxlens-bench]
The warehouses are built once through the real pipeline and kept in --workdir for later runs.
Query time is cold minus warm: the work the data-version cache saves (queries and their shaping).
Prints JSON lines with --json, else a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

from app.service_model import load_service_model
from app.settings import DATA_DIR, PROJECT_ROOT
from app.warehouse.connection import connect
from benchmarks.common import machine, peak_mb, print_table
from benchmarks.scale_data import write_scaled_company
from pipelines.load import load_file

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
TARGET_QUERY_S = {1_000_000: 0.3, 10_000_000: 2.0}
TARGET_WARM_S = 2.0


def build_warehouse(workdir: Path, size: str) -> Path:
    """The warehouse for one size, built once (demo: the demo company; N: scaled data)."""
    folder = workdir / f"warehouse-{size}"
    db = folder / "warehouse.duckdb"
    if db.exists():
        return db
    folder.mkdir(parents=True, exist_ok=True)
    model = load_service_model(DATA_DIR / "service_model.yaml")
    con = connect(db)
    try:
        if size == "demo":
            from pipelines.demo import load_demo

            load_demo(con, model, folder / "archive", folder / "ground_truth.json")
        else:
            for source, path in write_scaled_company(folder / "files", model, int(size)):
                result = load_file(con, model, source, path, archive_dir=folder / "archive")
                if result.status != "loaded":
                    raise SystemExit(result.message)
                path.unlink()
    finally:
        con.close()
    return db


def measure_pages(db: Path, repeat: int = 3) -> list[dict]:
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from app.ui.pages import PAGES

    os.environ["CXLENS_DB"] = str(db)
    results = []
    for page in PAGES:
        colds, warms = [], []
        for _ in range(repeat):
            at = AppTest.from_file(ENTRY, default_timeout=300)
            at.run()
            st.cache_data.clear()
            started = time.perf_counter()
            try:
                at.switch_page(page.file).run()
            except ValueError:  # not in this user's navigation (a page for analysts or admins)
                break
            colds.append(time.perf_counter() - started)
            started = time.perf_counter()
            at.run()
            warms.append(time.perf_counter() - started)
            if at.exception:
                raise SystemExit(f"{page.file}: {at.exception[0].message}")
        if not colds:
            continue
        cold, warm = statistics.median(colds), statistics.median(warms)
        results.append({"page": page.url_path, "cold_s": cold, "warm_s": warm, "query_s": max(0.0, cold - warm)})
    return results


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="demo,1000000")
    parser.add_argument("--workdir", default="/tmp/cxlens-bench")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    sizes = args.sizes.split(",")
    by_size = {}
    for size in sizes:
        db = build_warehouse(workdir, size)
        by_size[size] = {r["page"]: r for r in measure_pages(db, args.repeat)}
    if args.json:
        print(json.dumps({"pages": by_size, "peak_mb": round(peak_mb(), 1)}))
        return
    rows = []
    for page in by_size[sizes[0]]:
        row = [page]
        for size in sizes:
            r = by_size[size][page]
            row.append(f"{r['query_s'] * 1000:.0f} / {r['warm_s']:.2f}")
        for size in sizes:
            target = TARGET_QUERY_S.get(int(size)) if size.isdigit() else None
            if target is not None:
                r = by_size[size][page]
                met = r["query_s"] <= target and r["warm_s"] <= TARGET_WARM_S
                row.append("met" if met else "NOT met")
        rows.append(row)
    targets = [f"target {int(s):,}" for s in sizes if s.isdigit() and int(s) in TARGET_QUERY_S]
    print(f"\nPage script runs — query ms / warm s — {machine()}")
    print_table(rows, ["page", *[f"{s} (ms / s)" for s in sizes], *targets])


if __name__ == "__main__":
    main()
