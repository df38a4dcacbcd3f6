"""Each page's script run at demo size, 1M and 10M responses: cold (caches cleared) and warm.

python -m benchmarks.bench_pages [--sizes demo,1000000] [--workdir /tmp/cxlens-bench]
The warehouses are built once through the real pipeline and kept in --workdir for later runs.
Query time is measured, not inferred: every `query`/`fetch_scalar` call and every cache miss of
`cached_query` during the cold run is timed (app/warehouse/query_timer.py, off outside the
benchmark), counting nested calls once. --slowest lists each page's slowest queries; --pages picks
pages. The warehouses are cached per size and code (benchmarks/page_warehouse.py); up to 1M they
get complaint topics and key-driver models once (10–25 minutes at 1M on two cores; --untrained skips them).
Prints one JSON line with --json, else a table.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from app.settings import PROJECT_ROOT
from app.warehouse.connection import connect
from benchmarks.common import machine, peak_mb, print_table
from benchmarks.page_warehouse import build_warehouse

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
TARGET_QUERY_S = {1_000_000: 0.3, 10_000_000: 2.0}
TARGET_WARM_S = 2.0
TRAIN_UP_TO = 1_000_000


def _timed_run(run) -> tuple[float, list]:
    """Seconds of one script run and the timings of the queries it ran."""
    from app.warehouse.query_timer import recording

    with recording() as records:
        started = time.perf_counter()
        run()
        return time.perf_counter() - started, list(records)


def _slowest(records: list, n: int = 5) -> list[dict]:
    """The outermost queries of a run, slowest first: where to look when a page misses its target."""
    outer = sorted((r for r in records if r.depth == 0), key=lambda r: -r.seconds)[:n]
    return [{"kind": r.kind, "label": r.label, "ms": round(r.seconds * 1000, 1)} for r in outer]


@dataclass(frozen=True)
class View:
    """One thing to open: a page, or a page with URL parameters (a client card is the clients page
    with ?client=…)."""

    name: str
    file: str
    query: tuple[tuple[str, str], ...] = ()


def measure_view(view: View, repeat: int) -> dict | None:
    """Median cold run (caches cleared), warm rerun, and the time spent in queries in each."""
    import streamlit as st
    from streamlit.testing.v1 import AppTest

    from app.warehouse.query_timer import outer_seconds

    runs = []
    for _ in range(repeat):
        at = AppTest.from_file(ENTRY, default_timeout=300)
        at.run()
        st.cache_data.clear()
        for key, value in view.query:
            at.query_params[key] = value
        try:
            cold = _timed_run(at.switch_page(view.file).run)
        except ValueError:  # not in this user's navigation (a page for analysts or admins)
            return None
        warm = _timed_run(at.run)
        if at.exception:
            raise SystemExit(f"{view.name}: {at.exception[0].message}")
        runs.append((cold, warm))
    middle = sorted(runs, key=lambda run: run[0][0])[len(runs) // 2]
    return {
        "page": view.name,
        "cold_s": statistics.median(c[0] for c, _ in runs),
        "warm_s": statistics.median(w[0] for _, w in runs),
        "query_s": statistics.median(outer_seconds(c[1]) for c, _ in runs),
        "warm_query_s": statistics.median(outer_seconds(w[1]) for _, w in runs),
        "slowest": _slowest(middle[0][1]),
    }


def _busiest_client(db: Path) -> str | None:
    """The client with the most survey answers: its card is the heaviest one to open."""
    con = connect(db, read_only=True)
    try:
        rows = con.execute(
            "select client_id from raw_surveys where client_id in (select client_id from mart_clients) "
            "group by client_id order by count(*) desc, client_id limit 1"
        ).fetchall()
    finally:
        con.close()
    return rows[0][0] if rows else None


def views(db: Path) -> list[View]:
    """Every registered page, then the client card (the clients page opened on one client)."""
    from app.ui.pages import PAGES

    found = [View(p.url_path, p.file) for p in PAGES]
    client = _busiest_client(db)
    if client is not None and any(p.url_path == "clients" for p in PAGES):
        found.append(View("client_card", "app_pages/clients.py", (("client", client),)))
    return found


def measure_pages(db: Path, repeat: int = 3, only: set[str] | None = None,
                  excluded: set[str] = frozenset()) -> list[dict]:
    wanted = [v for v in views(db) if (not only or v.name in only) and v.name not in excluded]
    os.environ["CXLENS_DB"] = str(db)
    return [r for r in (measure_view(v, repeat) for v in wanted) if r is not None]


def _trainable(size: str) -> bool:
    """Topics and driver models up to a million answers; at ten million training takes hours."""
    return size == "demo" or int(size) <= TRAIN_UP_TO


def print_report(by_size: dict[str, dict[str, dict]], sizes: list[str], slowest: bool) -> None:
    rows = []
    for page in by_size[sizes[0]]:
        row = [page]
        for size in sizes:
            r = by_size[size][page]
            row.append(f"{r['cold_s']:.2f} / {r['warm_s']:.2f} / {r['query_s'] * 1000:.0f}")
        for size in sizes:
            target = TARGET_QUERY_S.get(int(size)) if size.isdigit() else None
            if target is not None:
                r = by_size[size][page]
                met = r["query_s"] <= target and r["warm_s"] <= TARGET_WARM_S
                row.append("met" if met else "NOT met")
        rows.append(row)
    targets = [f"target {int(s):,}" for s in sizes if s.isdigit() and int(s) in TARGET_QUERY_S]
    print(f"\nPage script runs — cold s / warm s / queries ms (cold run) — {machine()}")
    print_table(rows, ["page", *[f"{s} (s / s / ms)" for s in sizes], *targets])
    if slowest:
        for page, r in by_size[sizes[-1]].items():
            print(f"\n{page} at {sizes[-1]}: slowest queries of a cold run")
            for q in r["slowest"]:
                print(f"  {q['ms']:8.1f} ms  {q['kind']:6}  {q['label']}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="demo,1000000")
    parser.add_argument("--workdir", default="/tmp/cxlens-bench")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--pages", default="", help="comma-separated page addresses (default: all)")
    parser.add_argument("--exclude", default="", help="comma-separated page addresses to leave out")
    parser.add_argument("--slowest", action="store_true", help="list each page's slowest queries")
    parser.add_argument("--untrained", action="store_true",
                        help="scaled warehouses without topics and driver models (saves their training)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    workdir = Path(args.workdir)
    sizes = args.sizes.split(",")
    only = set(filter(None, args.pages.split(","))) or None
    by_size = {}
    for size in sizes:
        db = build_warehouse(workdir, size, trained=not args.untrained and _trainable(size))
        excluded = set(filter(None, args.exclude.split(",")))
        by_size[size] = {r["page"]: r for r in measure_pages(db, args.repeat, only, excluded)}
    if args.json:
        print(json.dumps({"pages": by_size, "peak_mb": round(peak_mb(), 1)}))
        return
    print_report(by_size, sizes, args.slowest)


if __name__ == "__main__":
    main()
