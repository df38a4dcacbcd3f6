"""The clients list, the follow-up list and figures, and the freshness line on the 1M marts and on the
same marts copied ten times (500,000 clients, 2.5 million cases): what ten million answers would cost
these pages without building a 10M warehouse.

python -m benchmarks.bench_client_marts_x10 [--workdir /tmp/cxlens-bench] [--repeat 5]
The 1M warehouse comes from benchmarks/page_warehouse.py (built once, reused). The copy keeps the 1M
warehouse's quarters (a 10M warehouse spans the same two years), so its lists are as long; each client
and case appears ten times under new ids. Not simulated: the answers themselves (the client card reads
them; it scales with answers) and anything the list's definition does not read. Prints a table with
the 1M time, the 10x time and their ratio (medians of --repeat runs, after one warm-up).
"""

from __future__ import annotations

import argparse
import statistics
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path

import duckdb

from app.service_model import load_service_model
from app.settings import DATA_DIR
from app.warehouse.connection import connect
from app.warehouse.filters import Filters
from app.warehouse.models import render_model_sql
from benchmarks.common import machine, print_table
from benchmarks.page_warehouse import build_warehouse

COPIES = 10
PER_CLIENT = ("mart_client_list", "mart_client_cases", "mart_client_index", "mart_clients")
AS_IS = ("mart_client_list_quarters", "mart_survey_summary", "dim_touchpoints", "batches", "data_changes")


def _copy_ten_times(source: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    con = duckdb.connect(str(target))
    try:
        con.execute(f"attach '{source}' as s (read_only)")
        con.execute("create macro quarter_of(ts) as cast(year(ts) as varchar) || '-Q' || cast(quarter(ts) as varchar)")
        for table in PER_CLIENT:
            con.execute(f"create table {table} as select * replace (client_id || '-' || k as client_id) "
                        f"from s.{table}, range({COPIES}) t(k) order by client_id")
        con.execute(f"create table follow_up_cases as select * replace (case_id + k * 100000000 as case_id, "
                    f"response_id || '-' || k as response_id, client_id || '-' || k as client_id) "
                    f"from s.follow_up_cases, range({COPIES}) t(k) order by case_id")
        for table in AS_IS:
            con.execute(f"create table {table} as select * from s.{table}")
        model = load_service_model(DATA_DIR / "service_model.yaml")
        for view in ("stg_follow_up_cases", "mart_follow_ups"):
            con.execute(f"create view {view} as {render_model_sql(view, model)}")
    finally:
        con.close()


def _median_ms(run, repeat: int) -> float:
    run()
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        run()
        times.append(time.perf_counter() - started)
    return 1000 * statistics.median(times)


def _queries(db: Path) -> dict[str, Callable[[], object]]:
    from app.ui.views.clients_data import IndexConfig, client_table
    from app.warehouse.client_queries import index_periods
    from app.warehouse.follow_up_queries import CaseQuery, case_list, case_summaries
    from app.warehouse.freshness import freshness

    con = connect(db, read_only=True)
    cfg = IndexConfig.of(load_service_model(DATA_DIR / "service_model.yaml"))
    periods = index_periods(con, Filters())
    whole = Filters(period_from=periods[0], period_to=periods[-1])
    today = date.today()
    return {
        "clients: client_table": lambda: client_table(con, whole, cfg),
        "follow_ups: case_list": lambda: case_list(con, whole, CaseQuery(), today),
        "follow_ups: case_summaries": lambda: case_summaries(con, whole, today),
        "every page: freshness": lambda: freshness(con),
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workdir", default="/tmp/cxlens-bench")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    workdir = Path(args.workdir)
    one = build_warehouse(workdir, "1000000", trained=False)
    ten = workdir / "client-marts-x10.duckdb"
    _copy_ten_times(one, ten)
    at_one, at_ten = _queries(one), _queries(ten)
    rows = []
    for name, run in at_one.items():
        small, large = _median_ms(run, args.repeat), _median_ms(at_ten[name], args.repeat)
        rows.append([name, f"{small:.0f}", f"{large:.0f}", f"{large / small:.1f}×"])
    print(f"\nClients and follow-up queries, 1M marts vs the same marts ×{COPIES} (ms, median) — {machine()}")
    print_table(rows, ["query", "1M", f"×{COPIES} (~10M)", "ratio"])


if __name__ == "__main__":
    main()
