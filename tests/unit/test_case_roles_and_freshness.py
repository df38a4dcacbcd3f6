"""Follow-up cases keep their answer's respondent role, the case list picks its page by the sort keys
alone, and the freshness line reads one row kept at load time — each equal to its first definition
(the view joined to the answers, one sorted query with a window count, a count over the answers),
also through a rollback and a reload, and in a warehouse from before the role was kept."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.warehouse.comment_search import like_pattern, search_words
from app.warehouse.connection import connect, fetch_scalar, query
from app.warehouse.filters import Filters, filter_sql
from app.warehouse.follow_up_queries import CASE_COLUMNS, CaseQuery, case_list
from app.warehouse.freshness import freshness
from app.warehouse.models import rebuild_models
from app.warehouse.schema import ensure_schema
from pipelines.follow_up_actions import CaseChange, update_cases
from pipelines.load import load_file, rollback_batch
from pipelines.personal_data import copy_warehouse
from tests.voc_helpers import demo_client, write_survey_batch

OLD_CASE_LIST = """
select case_id, received_at, period, client_id, client_name, business_unit, segment, grade, nps,
       touchpoint_id, owner_department, assignee, case_status, due_date, is_overdue,
       case when is_overdue then date_diff('day', due_date, current_date) end as days_overdue,
       closed_at, days_to_close, is_late, last_note, comment, response_id, answer_removed_at,
       count(*) over () as n_matches
from mart_follow_ups where {where}
order by is_overdue desc, is_open desc, due_date nulls last, case_id
limit {limit}
"""
# mart_follow_ups as first written: the role joined from the answers, the keys from stg_clients
FIRST_FOLLOW_UP_VIEW = """
select
    c.case_id,
    c.response_id,
    c.client_id,
    coalesce(k.name, c.client_name) as client_name,
    k.business_unit,
    k.segment,
    c.grade,
    k.status,
    r.respondent_role,
    quarter_of(c.received_at) as period,
    c.received_at,
    c.nps,
    c.comment,
    c.touchpoint_id,
    t.stage_id,
    t.block,
    c.owner_department,
    c.assignee,
    c.status as case_status,
    c.due_date,
    c.opened_at,
    c.updated_at,
    c.closed_at,
    c.last_note,
    c.batch_id,
    c.answer_removed_at,
    c.status in ('resolved', 'closed') as is_closed,
    c.status = 'withdrawn' as is_withdrawn,
    c.status in ('open', 'in_progress') as is_open,
    date_diff('second', c.received_at, c.closed_at) / 86400.0 as days_to_close,
    c.status in ('open', 'in_progress') and c.due_date < current_date as is_overdue,
    case
        when c.due_date is null then false
        when c.status in ('resolved', 'closed') then c.closed_at::date > c.due_date
        when c.status in ('open', 'in_progress') then c.due_date < current_date
        else false
    end as is_late,
    c.status in ('resolved', 'closed') or c.due_date < current_date as is_due
from follow_up_cases c
left join stg_clients k using (client_id)
left join raw_surveys r using (response_id)
left join dim_touchpoints t on t.touchpoint_id = c.touchpoint_id
"""

def _old_where(filters: Filters, spec: CaseQuery) -> tuple[str, dict]:
    """The case list's WHERE as first written: the quarter compared as text."""
    where, params = filter_sql(filters, CASE_COLUMNS)
    clauses = [where, "not is_withdrawn"]
    if spec.case_statuses:
        params["statuses"] = list(spec.case_statuses)
        clauses[1] = "case_status in (select unnest($statuses))"
    if spec.owners:
        params["owners"] = list(spec.owners)
        clauses.append("owner_department in (select unnest($owners))")
    if spec.overdue_only:
        clauses.append("is_overdue")
    for i, word in enumerate(search_words(spec.text)):
        params[f"w{i}"] = like_pattern(word)
        clauses.append(f"concat_ws(' ', 'FU-' || lpad(case_id::varchar, 5, '0'), client_name, client_id, comment, "
                       f"assignee, last_note) ilike $w{i} escape '\\'")
    return " and ".join(clauses), params


def test_the_case_list_equals_sorting_every_matching_case(demo_con):
    periods = [r[0] for r in demo_con.execute("select distinct period from mart_follow_ups order by 1").fetchall()]
    unit = demo_con.execute("select min(business_unit) from mart_follow_ups").fetchall()[0][0]
    owner = demo_con.execute("select min(owner_department) from mart_follow_ups").fetchall()[0][0]
    filter_sets = [
        Filters(), Filters(period_from=periods[1], period_to=periods[4]), Filters(period_from=periods[-1]),
        Filters(period_to=periods[0]), Filters(business_units=(unit,), respondent_roles=("finance",)),
        Filters(period_from="2025", period_to="2026-Q1"),  # not a quarter id: compared as text
    ]
    specs = [
        CaseQuery(), CaseQuery(case_statuses=()), CaseQuery(case_statuses=(), limit=7),
        CaseQuery(case_statuses=("resolved", "closed"), owners=(owner,)), CaseQuery(overdue_only=True, limit=20),
        CaseQuery(case_statuses=(), text="FU-000"),
    ]
    shown = 0
    for filters in filter_sets:
        for spec in specs:
            where, params = _old_where(filters, spec)
            old = query(demo_con, OLD_CASE_LIST.format(where=where, limit=spec.limit), params)
            new = case_list(demo_con, filters, spec, date.today())
            assert_frame_equal(new, old)
            shown += new.height
    assert shown > 1000


@pytest.fixture
def warehouse(demo_db, tmp_path):
    copy = tmp_path / "warehouse.duckdb"
    copy_warehouse(demo_db, copy)
    con = connect(copy)
    yield con
    con.close()


def _view_over_the_answers(con) -> pl.DataFrame:
    """mart_follow_ups as first written: the role joined from the answers, the keys from stg_clients."""
    return query(con, FIRST_FOLLOW_UP_VIEW + " order by case_id")


def _assert_view_as_before(con) -> pl.DataFrame:
    view = query(con, "select * from mart_follow_ups order by case_id")
    assert_frame_equal(view, _view_over_the_answers(con))
    return view


def _load(con, model, tmp_path, role: str, name: str) -> int:
    rows = [
        {"response_id": "ROLE-1", "nps": 2, "submitted_at": "2026-11-20 15:00:00", "lowest": "delivery"},
        {"response_id": "ROLE-2", "nps": 4, "submitted_at": "2026-11-21 10:00:00", "lowest": "invoicing"},
    ]
    path = write_survey_batch(tmp_path / name, model, demo_client(con, "a"), rows)
    pl.read_csv(path, infer_schema=False).with_columns(pl.lit(role).alias("respondent_role")).write_csv(path)
    result = load_file(con, model, "surveys", path, archive_dir=tmp_path / "archive")
    assert result.status == "loaded", result.message
    return result.batch_id


def _roles(view: pl.DataFrame) -> list:
    return view.filter(pl.col("response_id").str.starts_with("ROLE-")).sort("response_id")["respondent_role"].to_list()


def test_a_case_keeps_its_answers_role_through_a_rollback_and_a_reload(warehouse, model, tmp_path):
    batch = _load(warehouse, model, tmp_path, "decision_maker", "first.csv")
    assert _roles(_assert_view_as_before(warehouse)) == ["decision_maker", "decision_maker"]
    worked = fetch_scalar(warehouse, "select case_id from follow_up_cases where response_id = 'ROLE-1'")
    update_cases(warehouse, model, [worked], CaseChange(status="in_progress", note="Called"), actor="ana")
    rollback_batch(warehouse, model, batch)  # one case worked on (answer removed), one withdrawn
    assert _roles(_assert_view_as_before(warehouse)) == [None, None]
    _load(warehouse, model, tmp_path, "finance", "again.csv")  # the answers again, now from finance
    assert _roles(_assert_view_as_before(warehouse)) == ["finance", "finance"]


def test_a_warehouse_from_before_the_role_was_kept_opens_and_gets_it_from_the_answers(warehouse, model):
    expected = _assert_view_as_before(warehouse)
    listed = case_list(warehouse, Filters(), CaseQuery(case_statuses=()), date.today())
    warehouse.execute("drop view mart_follow_ups")  # the follow-up views and table of such a warehouse
    warehouse.execute("drop view stg_follow_up_cases")
    warehouse.execute(f"create view mart_follow_ups as {FIRST_FOLLOW_UP_VIEW}")
    warehouse.execute("alter table follow_up_cases drop column respondent_role")
    assert_frame_equal(case_list(warehouse, Filters(), CaseQuery(case_statuses=()), date.today()), listed)
    ensure_schema(warehouse, model)  # what opening it does: the column, filled from the answers
    differing = ("select count(*) from follow_up_cases c join raw_surveys r using (response_id) "
                 "where c.respondent_role is distinct from r.respondent_role")
    assert fetch_scalar(warehouse, differing) == 0
    assert fetch_scalar(warehouse, "select count(respondent_role) from follow_up_cases") == expected.height
    ensure_schema(warehouse, model)  # a second start changes nothing
    warehouse.execute("begin transaction")
    rebuild_models(warehouse, model)  # its next load or rebuild: the views as they are now
    warehouse.execute("commit")
    assert_frame_equal(_assert_view_as_before(warehouse), expected)


def _counted(con) -> tuple:
    return con.execute(
        "select count(*), count(distinct client_id), min(period), max(period) from mart_responses"
    ).fetchall()[0]


def test_the_freshness_line_equals_the_answers_through_a_load_and_a_rollback(warehouse, model, tmp_path):
    def line():
        fresh = freshness(warehouse)
        return fresh.n_responses, fresh.n_clients, fresh.period_first, fresh.period_last

    before = line()
    assert before == _counted(warehouse)
    batch = _load(warehouse, model, tmp_path, "finance", "wave.csv")
    assert line() == _counted(warehouse) and line()[0] == before[0] + 2 and line()[3] > before[3]
    rollback_batch(warehouse, model, batch)
    assert line() == _counted(warehouse) == before
    assert fetch_scalar(warehouse, "select count(*) from mart_survey_summary") == 1
