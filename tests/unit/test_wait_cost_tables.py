"""The wait cost's load-time tables (stg_client_step_waits and the per-batch mart_wait_cost_group_roles,
_groups, _slot_roles, _slots) on a copy of the demo company: their rows equal a computation from the
marts in Polars, a survey load and its rollback leave them as they were, and the page's sums from them
equal the query over every event and answer (wait_cost_scan, the query the page ran before) under many
filters — also once a second survey batch answered in a quarter that one batch had already covered, so
that client-quarters have rows in two batches, and in a warehouse built before the tables existed. A
step whose served touchpoint changed since the load is left out; a warehouse without events has empty
tables."""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.analytics.wait_cost import served_touchpoints
from app.warehouse.connection import connect, query
from app.warehouse.filters import Filters
from app.warehouse.process_queries import step_dimension
from app.warehouse.wait_cost_queries import wait_cost_sums
from app.warehouse.wait_cost_scan import scan_wait_cost_sums
from app.warehouse.wait_cost_sql import BIN_SUMS
from pipelines.load import load_file, rollback_batch
from pipelines.sources import source_spec
from tests.demo_build import demo_copy

ROLES_TABLE, GROUPS_TABLE = "mart_wait_cost_group_roles", "mart_wait_cost_groups"
SLOT_TABLES = {"mart_wait_cost_slot_roles": ROLES_TABLE, "mart_wait_cost_slots": GROUPS_TABLE}  # slots: their rows
PER_BATCH = [ROLES_TABLE, GROUPS_TABLE, *SLOT_TABLES]
KEYS = ["batch_id", "process", "activity", "client_id", "period", "respondent_role"]
SLOT_KEYS = ["batch_id", "process", "activity", "touchpoint_id", "slot", "period", "business_unit", "respondent_role"]
SUMS = ["n_answers", "n_nps", "s_nps", "q_nps", "n_rating", "s_rating", "q_rating"]
SHARED_QUARTER = "2025-Q2"
ROLES = ["decision_maker", "end_user", "finance", "procurement"]


def _write_second_batch(con, model, path, quarter: str, prefix: str, n: int) -> None:
    """A survey file with n answers of clients that already answered in `quarter` (same time and
    scores, the next role in ROLES), so their client-quarters get rows in a second batch."""
    columns = source_spec("surveys", model).column_names
    present = [c for c in columns if c not in ("respondent_name", "email", "phone")]
    answers = query(
        con,
        f"select {', '.join(present)} from raw_surveys where quarter_of(submitted_at) = $q "
        "order by response_id limit $n",
        {"q": quarter, "n": n},
    )
    next_role = {role: ROLES[(i + 1) % len(ROLES)] for i, role in enumerate(ROLES)}
    answers = answers.with_columns(
        (prefix + pl.col("response_id")).alias("response_id"),
        pl.col("respondent_role").replace(next_role),
        pl.col("submitted_at").dt.strftime("%Y-%m-%d %H:%M:%S"),
        *(pl.lit(None, pl.String).alias(c) for c in ("respondent_name", "email", "phone")),
    )
    answers.select(columns).write_csv(path)


def _load(con, model, folder, quarter: str, prefix: str, n: int = 300) -> int:
    path = folder / f"{prefix}surveys.csv"
    _write_second_batch(con, model, path, quarter, prefix, n)
    result = load_file(con, model, "surveys", path, archive_dir=folder / "archive", accept_good_rows=True)
    assert result.status == "loaded", result.message
    return result.batch_id


@pytest.fixture(scope="module")
def warehouse(demo_dir, tmp_path_factory, model):
    """A demo copy with a second survey batch answering in SHARED_QUARTER."""
    with demo_copy(demo_dir, tmp_path_factory, "wait-cost-tables") as folder:
        con = connect(folder / "warehouse.duckdb")
        try:
            _load(con, model, folder, SHARED_QUARTER, "WC2-")
            yield con, folder
        finally:
            con.close()


def _served(con) -> pl.DataFrame:
    return served_touchpoints(step_dimension(con))


def _expected_rows(con) -> pl.DataFrame:
    """mart_wait_cost_answers from the marts: waits per step × client × quarter joined to the answers'
    sums per batch × client × quarter × role, the served touchpoint's rating picked per step."""
    served = _served(con).filter(pl.col("touchpoint_id").is_not_null()).select("process", "activity", "touchpoint_id")
    waits = (
        query(con, "select process, activity, client_id, period, wait_hours from mart_process_steps "
                   "where client_id is not null and wait_hours is not null")
        .group_by("process", "activity", "client_id", "period")
        .agg((pl.col("wait_hours").mean() / 24.0).alias("x"))
        .join(served, on=["process", "activity"])
    )
    answers = query(con, "select a.*, r.batch_id from mart_answer_ratings a join mart_responses r using (response_id) "
                         "where a.client_id is not null")
    touchpoints = served["touchpoint_id"].unique().to_list()
    def sums_of(column: str, name: str) -> list[pl.Expr]:
        """count, sum and sum of squares (null without a value, as SQL's sum)."""
        value = pl.col(column).cast(pl.Float64)
        some = pl.col(column).count() > 0
        return [pl.col(column).count().alias(f"n_{name}"), pl.when(some).then(value.sum()).alias(f"s_{name}"),
                pl.when(some).then((value * value).sum()).alias(f"q_{name}")]

    sums = answers.group_by("batch_id", "client_id", "period", "respondent_role").agg(
        pl.len().alias("n_answers"),
        *sums_of("nps_code", "nps"),
        *(expr for tp in touchpoints for expr in sums_of(f"rating_{tp}", tp)),
    )
    picked = [
        pl.coalesce(pl.when(pl.col("touchpoint_id") == tp).then(pl.col(f"{part}_{tp}")) for tp in touchpoints)
        .cast(pl.Float64).alias(f"{part}_rating")
        for part in ("n", "s", "q")
    ]
    return waits.join(sums, on=["client_id", "period"]).with_columns(picked).select(
        *KEYS, "touchpoint_id", "x", "n_answers", "n_nps", "s_nps", "q_nps", "n_rating", "s_rating", "q_rating"
    )


def test_the_rows_equal_a_computation_from_the_marts(warehouse):
    con, _ = warehouse
    rows = query(con, f"select * from {ROLES_TABLE}")
    expected = _expected_rows(con).sort(KEYS, nulls_last=True)
    actual = rows.select(expected.columns).with_columns(pl.col("n_rating").cast(pl.Float64)).sort(KEYS, nulls_last=True)
    assert actual.height > 1000 and actual["batch_id"].n_unique() > 2
    assert_frame_equal(actual, expected, check_dtypes=False, check_exact=False, rel_tol=1e-12)
    assert (rows["slot"] == ((rows["x"] * 1440.0).sqrt() * 8).floor().cast(pl.Int32)).all()
    keys = query(con, "select client_id, business_unit, segment, grade, status from mart_clients")
    mine = rows.select(keys.columns).unique().sort("client_id")
    assert_frame_equal(mine, mine.select("client_id").join(keys, on="client_id", how="left"))
    # summed over the roles
    groups = query(con, f"select * from {GROUPS_TABLE}")
    summed = rows.group_by(KEYS[:-1]).agg(
        *(pl.when(pl.col(c).count() > 0).then(pl.col(c).sum()).alias(c) for c in SUMS), pl.col("x").first())
    assert groups.height < rows.height
    assert_frame_equal(groups.select(summed.columns).sort(KEYS[:-1]), summed.sort(KEYS[:-1]),
                       check_dtypes=False, check_exact=False, rel_tol=1e-12)


@pytest.mark.parametrize("slots", list(SLOT_TABLES))
def test_the_slot_tables_sum_their_rows(warehouse, slots):
    con, _ = warehouse
    rows = query(con, f"select * from {SLOT_TABLES[slots]}")
    table = query(con, f"select * from {slots}")
    keys = [k for k in SLOT_KEYS if k in table.columns]
    expected = rows.group_by(keys).agg(
        pl.col("x").min().alias("wait_days_from"),
        pl.col("x").max().alias("wait_days_to"),
        pl.len().cast(pl.Float64).alias("n_client_periods"),
        *(pl.when(pl.sql_expr(value).count() > 0).then(pl.sql_expr(value).sum()).cast(pl.Float64).alias(name)
          for name, value, how in BIN_SUMS if how == "sum" and name != "n_client_periods"),  # null if none, as SQL
    )
    assert table.height < rows.height
    assert_frame_equal(table.sort(keys, nulls_last=True), expected.select(table.columns).sort(keys, nulls_last=True),
                       check_dtypes=False, check_exact=False, rel_tol=1e-9)


def _snapshot(con) -> dict[str, pl.DataFrame]:
    names = (*PER_BATCH, "stg_client_step_waits", "mart_wait_cost_counts", "mart_wait_cost_role_counts")
    frames = {name: query(con, f"select * from {name}") for name in names}
    return {name: frame.sort(frame.columns, nulls_last=True) for name, frame in frames.items()}


def test_a_survey_load_adds_its_rows_and_its_rollback_takes_them_away(warehouse, model):
    con, folder = warehouse
    before = _snapshot(con)
    batch = _load(con, model, folder, "2026-Q1", "WC3-", n=50)
    loaded = _snapshot(con)
    for name in PER_BATCH:
        added = loaded[name].filter(pl.col("batch_id") == batch)
        assert added.height > 0
        assert_frame_equal(loaded[name].filter(pl.col("batch_id") != batch), before[name])
    assert_frame_equal(loaded["stg_client_step_waits"], before["stg_client_step_waits"])
    rollback_batch(con, model, batch)
    after = _snapshot(con)
    for name, frame in before.items():
        assert_frame_equal(after[name], frame)
    assert loaded["mart_wait_cost_counts"]["period"].unique().sort().to_list() == [SHARED_QUARTER, "2026-Q1"]


COUNT_KEYS = ["process", "activity", "slot", "period", "business_unit", "segment", "grade", "status"]


@pytest.mark.parametrize(("counts", "rows", "role"), [("mart_wait_cost_counts", GROUPS_TABLE, []),
                                                      ("mart_wait_cost_role_counts", ROLES_TABLE, ["respondent_role"])])
def test_the_counts_tables_hold_the_distinct_client_quarters_of_the_shared_quarter(warehouse, counts, rows, role):
    con, _ = warehouse
    keys = [*COUNT_KEYS, *role]
    got = query(con, f"select * from {counts}").sort(keys)
    expected = (query(con, f"select * from {rows} where period = $q", {"q": SHARED_QUARTER})
                .unique([*keys, "client_id"]).group_by(keys).agg(pl.len().alias("n_client_periods")).sort(keys))
    assert set(got["period"]) == {SHARED_QUARTER}  # only where two batches answer
    assert_frame_equal(got, expected.select(got.columns), check_dtypes=False)
    duplicated = query(con, f"select count(*) - count(distinct (client_id, period, {', '.join(keys)})) as n from {rows}")
    assert duplicated["n"].item() > 0  # rows of two batches that the counts count once


FILTERS = [
    Filters(),
    Filters(respondent_roles=("finance",)),
    Filters(respondent_roles=("finance", "end_user")),
    Filters(business_units=("energy",)),
    Filters(period_from="2025-Q2", period_to="2025-Q3", respondent_roles=("decision_maker",)),
    Filters(segments=("key_account",), grades=("a", "b")),
    Filters(statuses=("current",), respondent_roles=("procurement", "finance", "end_user")),
    Filters(period_from="1999-Q1", period_to="1999-Q4"),
]
FILTER_IDS = ["none", "role", "two_roles", "unit", "quarters_role", "segment_grades", "status_three_roles", "nothing"]


def _assert_as_the_scan(con, filters: Filters, n_bins: int = 5) -> int:
    """The tables' sums equal the scan's for every process; the number of bins compared."""
    served = _served(con)
    compared = 0
    for process in served["process"].unique(maintain_order=True).to_list():
        pairs = list(served.filter((pl.col("process") == process) & pl.col("touchpoint_id").is_not_null())
                     .select("activity", "touchpoint_id").iter_rows())
        fast = wait_cost_sums(con, filters, process, served, n_bins)
        scanned = scan_wait_cost_sums(con, filters, process, pairs, n_bins)
        if scanned.is_empty():
            assert fast.is_empty()
            continue
        exact = ["process", "activity", "bin", "n_client_periods", "n_answers", "nps_n", "rating_n"]
        assert_frame_equal(fast.select(exact), scanned.select(exact))
        assert_frame_equal(fast, scanned, check_exact=False, rel_tol=1e-9, abs_tol=1e-6)
        compared += fast.height
    return compared


@pytest.mark.parametrize("filters", FILTERS, ids=FILTER_IDS)
def test_the_sums_equal_the_scan_when_quarters_have_answers_of_two_batches(warehouse, filters):
    con, _ = warehouse
    shared = query(con, "select distinct period from mart_wait_cost_slots group by period, process "
                        "having count(distinct batch_id) > 1")["period"].to_list()
    assert shared == [SHARED_QUARTER]
    compared = _assert_as_the_scan(con, filters)
    assert compared > 0 or filters.period_from == "1999-Q1"


@pytest.mark.parametrize("filters", FILTERS[:4], ids=FILTER_IDS[:4])
def test_the_sums_equal_the_scan_on_the_demo(demo_con, filters):
    assert _assert_as_the_scan(demo_con, filters, n_bins=3) > 0


def test_a_warehouse_built_before_the_tables_gets_the_same_sums(warehouse):
    con, _ = warehouse
    served = _served(con)
    with_tables = wait_cost_sums(con, Filters(), "commercial_proposal", served)
    con.execute("begin transaction")
    try:
        for name in (*reversed(PER_BATCH), "stg_client_step_waits"):
            con.execute(f"drop table {name}")
        without = wait_cost_sums(con, Filters(), "commercial_proposal", served)
    finally:
        con.execute("rollback")
    assert with_tables.height > 0
    assert_frame_equal(without, with_tables, check_exact=False, rel_tol=1e-9, abs_tol=1e-6)


def test_a_step_whose_served_touchpoint_changed_since_the_load_is_left_out(demo_con):
    served = _served(demo_con)
    process = "commercial_proposal"
    before = wait_cost_sums(demo_con, Filters(), process, served)
    changed = served.with_columns(
        pl.when(pl.col("activity") == "proposal_approval").then(pl.lit("website")).otherwise(pl.col("touchpoint_id"))
        .alias("touchpoint_id"))
    after = wait_cost_sums(demo_con, Filters(), process, changed)
    assert "proposal_approval" in before["activity"].to_list()
    assert_frame_equal(after, before.filter(pl.col("activity") != "proposal_approval"))


def test_a_warehouse_without_events_has_empty_tables(clients_con, model):
    from app.warehouse.models import rebuild_models

    rebuild_models(clients_con, model)
    for name in PER_BATCH:
        assert query(clients_con, f"select count(*) as n from {name}")["n"][0] == 0
    assert wait_cost_sums(clients_con, Filters(), "order_fulfilment", _served(clients_con)).is_empty()
