"""Every measurement in one run: python -m benchmarks.run_all

Loading and page measurements share one table; the drivers and bottleneck benchmarks print their
own tables after it (folding them into the one table is still to do).

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
    return rows


def page_rows(sizes: list[str], workdir: str) -> list[list[str]]:
    results = {size: _json_step("benchmarks.bench_pages", "--sizes", size, "--workdir", workdir, timeout=7200)
               for size in sizes}
    rows = []
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
                         f"≤ {target * 1000:.0f} ms, warm ≤ 2 s" if target else "",
                         _mark(r["query_s"] <= target and r["warm_s"] <= 2.0) if target else ""])
        if "1000000" in by_size and "10000000" in by_size and by_size["1000000"] and by_size["10000000"]:
            small, big = by_size["1000000"]["query_s"], by_size["10000000"]["query_s"]
            growth = big / small if small > 0.001 else 0.0
            rows.append([f"page {page}: growth 1M → 10M", f"{growth:.1f}×", "", "", "", f"≤ {GROWTH_TARGET:.0f}×",
                         _mark(growth <= GROWTH_TARGET)])
    return rows


def feature_benchmark(module: str) -> str:
    """Benchmarks owned by their features (drivers, bottlenecks) print their own tables; shown after ours."""
    if importlib.util.find_spec(module) is None:
        return f"{module}: not present"
    out = subprocess.run([sys.executable, "-m", module], cwd=PROJECT_ROOT, capture_output=True, text=True,
                         timeout=3600, env=os.environ.copy())
    return out.stdout if out.returncode == 0 else f"{module} failed:\n{out.stderr[-2000:]}"


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
    print_table(rows, ["measurement", "time", "baseline", "ratio / note", "peak MB", "target", "met"])
    for name in ("drivers", "bottlenecks"):
        if name not in skip:
            print(feature_benchmark(f"benchmarks.bench_{name}"))


if __name__ == "__main__":
    main()
