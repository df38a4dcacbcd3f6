"""Every measurement in one run: python -m benchmarks.run_all

Every measurement is one row of one table: measurement, time, its baseline from the same run,
ratio, peak memory of the process that did it, target, met or not.

Loading 1M survey responses against DuckDB's own read_csv and pandas + sqlite; every page's queries
at demo size, 1M and 10M responses (with the 1M → 10M growth); drivers (LightGBM + SHAP) on 100k
responses, native pred_contrib against shap's TreeExplainer; bottleneck step analytics over 5M
events. Each step runs in its own process, so its peak memory is its own. 10M needs about 16 GB of
memory and 30 GB of disk; on a smaller machine it runs 1M only and says so.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

from benchmarks.common import PROJECT_ROOT, machine, print_table

PAGE_QUERY_TARGET = {"1000000": 0.3, "10000000": 2.0}
GROWTH_TARGET = 10.0
PEAK_TARGET_MB = 4096


def _json_step(module: str, *args: str, timeout: int = 3600) -> dict:
    started = time.perf_counter()
    out = subprocess.run([sys.executable, "-m", module, *args, "--json"], cwd=PROJECT_ROOT, capture_output=True,
                         text=True, timeout=timeout, env=os.environ.copy())
    if out.returncode != 0:
        raise RuntimeError(f"{module} failed:\n{out.stderr[-3000:]}")
    result = json.loads(out.stdout.strip().splitlines()[-1])
    result.setdefault("wall_s", time.perf_counter() - started)
    return result


def _big_enough() -> tuple[bool, str]:
    with open("/proc/meminfo") as f:
        mem_gb = int(f.readline().split()[1]) / 1024 / 1024
    disk_gb = shutil.disk_usage("/tmp").free / 1e9
    ok = mem_gb >= 16 and disk_gb >= 30
    return ok, f"{mem_gb:.0f} GiB memory, {disk_gb:.0f} GB free disk"


def _mark(ok: bool) -> str:
    return "met" if ok else "NOT met"


def load_rows(repeat: int) -> list[list[str]]:
    r = _json_step("benchmarks.bench_load", "--rows", "1000000", "--repeat", str(repeat))
    base = r["methods"]["duckdb_read_csv"]
    rows = [["load 1M responses: DuckDB read_csv (baseline)", f"{base['seconds']:.2f} s", "", "1.00×",
             f"{base['peak_mb']:,.0f}", "", ""]]
    for method, label in (("cxlens", "load 1M responses: CX Lens pipeline"), ("pandas_sqlite", "load 1M: pandas + sqlite to_sql")):
        m = r["methods"].get(method)
        if not m:
            continue
        ratio = m["seconds"] / base["seconds"]
        target, met = ("≤ 1.5× read_csv, ≤ 3 GB", _mark(ratio <= 1.5 and m["peak_mb"] <= 3072)) if method == "cxlens" else ("", "")
        rows.append([label, f"{m['seconds']:.2f} s", f"{base['seconds']:.2f} s", f"{ratio:.2f}×",
                     f"{m['peak_mb']:,.0f}", target, met])
        if method == "cxlens":
            ingest = r["ingest_seconds"]
            rows.append(["  of which read + validate + write (what read_csv does)", f"{ingest:.2f} s",
                         f"{base['seconds']:.2f} s", f"{ingest / base['seconds']:.2f}×", "", "", ""])
    return rows


def warehouse_load_rows(workdir: str, sizes: list[str]) -> list[list[str]]:
    """The scaled warehouses' own loads (recorded by page_warehouse when it built them): the first and
    the last survey batch, so growth per batch shows whether a load costs its own rows or the
    warehouse's."""
    rows = []
    for size in sizes:
        if size == "demo":
            continue
        stamps = sorted(Path(workdir).glob(f"warehouse-{size}-*/stamp.json"))
        stamp = json.loads(stamps[-1].read_text()) if stamps else {}
        surveys = [x for x in stamp.get("loads", []) if x["source"] == "surveys"]
        if len(surveys) < 1:
            continue
        first, last = surveys[0], surveys[-1]
        label = f"load {int(size):,} responses as {len(surveys)} survey batches ({stamp.get('loaded_on', '')})"
        total = sum(x["seconds"] for x in stamp["loads"])
        rows.append([label, f"{total:.0f} s all files", "", "", f"{stamp.get('load_peak_mb', 0):,.0f}",
                     f"≤ {PEAK_TARGET_MB / 1024:.0f} GB", _mark(stamp.get("load_peak_mb", 0) <= PEAK_TARGET_MB)])
        if len(surveys) > 1:
            growth = last["seconds"] / first["seconds"]
            rows.append([f"  survey batch {len(surveys)} (into {sum(x['rows'] for x in surveys[:-1]):,}) vs batch 1",
                         f"{last['seconds']:.1f} s", f"{first['seconds']:.1f} s", f"{growth:.2f}×", "",
                         "≈ 1× (a batch costs its own rows)", ""])
    return rows


def _page_target(size: str, target: float | None) -> str:
    """Issue targets: at 1M queries ≤ 300 ms and the warm script run ≤ 2 s; at 10M queries ≤ 2 s."""
    if target is None:
        return ""
    return f"queries ≤ {target * 1000:.0f} ms" + (", warm ≤ 2 s" if size == "1000000" else "")


def _page_met(size: str, target: float | None, r: dict) -> str:
    if target is None:
        return ""
    return _mark(r["query_s"] <= target and (size != "1000000" or r["warm_s"] <= 2.0))


def feature_rows(module: str) -> list[list[str]]:
    """Rows of a feature's own benchmark (drivers, bottlenecks), run with --json."""
    if importlib.util.find_spec(module) is None:
        return [[f"{module}: not present", "", "", "", "", "", ""]]
    try:
        return _json_step(module)["rows"]
    except RuntimeError as exc:
        return [[f"{module} failed: {str(exc).splitlines()[-1][:80]}", "", "", "", "", "", ""]]


# Pages left out at a size, and why (a row of the table says so instead of a figure).
NOT_MEASURED: dict[str, dict[str, str]] = {}  # none now (Bottlenecks at 10M once needed > 20 GB)


def page_rows(sizes: list[str], workdir: str) -> list[list[str]]:
    results, rows = {}, []
    for size in sizes:
        skipped = NOT_MEASURED.get(size, {})
        try:
            results[size] = _json_step("benchmarks.bench_pages", "--sizes", size, "--workdir", workdir,
                                       "--exclude", ",".join(skipped), timeout=7200)
        except (RuntimeError, subprocess.TimeoutExpired) as exc:
            rows.append([f"pages at {size}: failed ({str(exc).splitlines()[-1][:70]})", "", "", "", "", "", ""])
            continue
        rows += [[f"page {page}: queries at {int(size):,}", "", "", why, "", "", "NOT met"]
                 for page, why in skipped.items()]
    sizes = [s for s in sizes if s in results]
    if not sizes:
        return rows
    pages = list(results[sizes[0]]["pages"][sizes[0]])
    for page in pages:
        by_size = {s: results[s]["pages"][s].get(page) for s in sizes}
        for size in sizes:
            r = by_size[size]
            if r is None:
                continue
            target = PAGE_QUERY_TARGET.get(size)
            label = f"page {page}: queries at {'demo' if size == 'demo' else f'{int(size):,}'}"
            rows.append([label, f"{r['query_s'] * 1000:.0f} ms", "", f"warm run {r['warm_s']:.2f} s",
                         f"{results[size]['peak_mb']:,.0f}",
                         _page_target(size, target), _page_met(size, target, r)])
        if "1000000" in by_size and "10000000" in by_size and by_size["1000000"] and by_size["10000000"]:
            small, big = by_size["1000000"]["query_s"], by_size["10000000"]["query_s"]
            growth = big / small if small > 0.001 else 0.0
            rows.append([f"page {page}: growth 1M → 10M", f"{growth:.1f}×", "", "", "", f"≤ {GROWTH_TARGET:.0f}×",
                         _mark(growth <= GROWTH_TARGET)])
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", default="/tmp/cxlens-bench")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--skip", default="", help="comma-separated: load,pages,drivers,bottlenecks")
    args = parser.parse_args()
    skip = set(filter(None, args.skip.split(",")))
    big, resources = _big_enough()
    sizes = ["demo", "1000000"] + (["10000000"] if big else [])
    print(f"CX Lens benchmarks — {date.today()} — {machine()}; {resources}")
    if not big:
        print("This machine is too small for 10M responses: measuring demo size and 1M only.")
    rows: list[list[str]] = []
    if "load" not in skip:
        rows += load_rows(args.repeat)
    if "pages" not in skip:
        rows += page_rows(sizes, args.workdir)
        rows += warehouse_load_rows(args.workdir, sizes)
    for name in ("drivers", "bottlenecks"):
        if name not in skip:
            rows += feature_rows(f"benchmarks.bench_{name}")
    print_table(rows, ["measurement", "time", "baseline", "ratio / note", "peak MB", "target", "met"])


if __name__ == "__main__":
    main()
