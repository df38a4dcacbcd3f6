"""Page queries rewritten for speed give the numbers their first versions gave, on the demo warehouse.

Each OLD_* / old_* below is the definition a page used before (over the per-answer views or every
row of a mart); the page now reads an aggregate mart or fewer rows. Several filter sets are tried,
including a narrow one where touchpoints have one answer or none (NaN and 0 correlations).
"""

from __future__ import annotations

import math

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.analytics.client_risk import risk_flags
from app.analytics.movers import latest_and_previous
from app.analytics.satisfaction_index import latest_with_change
from app.warehouse import client_queries as cq
from app.warehouse.client_card_queries import client_ratings
from app.warehouse.connection import query
from app.warehouse.filters import Filters, filter_sql
from app.warehouse.freshness import freshness
from app.warehouse.touchpoint_queries import RATING_COLUMNS, touchpoint_ces, touchpoint_correlations

OLD_CES = """
select r.touchpoint_id, sum(s.ces)::double as sum_ces, sum(s.ces * s.ces)::double as sum_ces_sq,
       count(s.ces)::double as n_ces
from mart_ratings r join mart_responses s using (response_id)
where {where} and s.ces is not null
group by r.touchpoint_id
"""
OLD_CORRELATIONS = """
select touchpoint_id, coalesce(corr(rating, nps), 0)::double as corr, count(*) as n
from mart_ratings where {where} group by touchpoint_id
"""
OLD_CLIENT_RATINGS = """
select period, stage_id, stage_order, touchpoint_id, touchpoint_order,
       avg(rating)::double as rating, avg(score_100)::double as score_100, count(*)::bigint as n
from mart_ratings where client_id = $id and {where}
group by all order by period, stage_order, touchpoint_order
"""


def _first(con: duckdb.DuckDBPyConnection, sql: str):
    return con.execute(sql).fetchall()[0][0]


@pytest.fixture
def filter_sets(demo_con) -> list[Filters]:
    """All answers; a year; one business unit; one role; and a sliver where n is 0, 1 or a few."""
    periods = [r[0] for r in demo_con.execute("select distinct period from mart_nps order by period").fetchall()]
    unit = _first(demo_con, "select business_unit from mart_nps where business_unit is not null order by 1 limit 1")
    role = _first(demo_con, "select respondent_role from mart_nps order by 1 limit 1")
    cell = demo_con.execute(  # one cube cell where a touchpoint has a single rating with NPS
        "select period, business_unit, segment, grade, status, respondent_role from mart_touchpoint_pairs "
        "where n_pairs = 1 and business_unit is not null and segment is not null and grade is not null "
        "and status is not null order by all limit 1").fetchall()[0]
    return [
        Filters(),
        Filters(period_from=periods[1], period_to=periods[4]),
        Filters(business_units=(unit,)),
        Filters(respondent_roles=(role,)),
        Filters(period_from=cell[0], period_to=cell[0], business_units=(cell[1],), segments=(cell[2],),
                grades=(cell[3],), statuses=(cell[4],), respondent_roles=(cell[5],)),
    ]


def _old(con: duckdb.DuckDBPyConnection, sql: str, filters: Filters, alias: str | None = None) -> pl.DataFrame:
    where, params = filter_sql(filters, RATING_COLUMNS, alias=alias)
    return query(con, sql.format(where=where), params).sort("touchpoint_id")


def test_ces_from_the_pairs_mart_equals_the_join_of_answers_and_ratings(demo_con, filter_sets):
    for filters in filter_sets:
        old = _old(demo_con, OLD_CES, filters, alias="r")
        new = touchpoint_ces(demo_con, filters).sort("touchpoint_id")
        assert new.height > 0
        assert_frame_equal(new, old, rel_tol=1e-12)


def test_correlations_from_sums_equal_duckdbs_corr_over_the_answers(demo_con, filter_sets):
    seen_nan = seen_small = False
    for filters in filter_sets:
        old = _old(demo_con, OLD_CORRELATIONS, filters)
        new = touchpoint_correlations(demo_con, filters)
        assert new["touchpoint_id"].to_list() == old["touchpoint_id"].to_list() and new.height > 0
        assert new["n"].to_list() == old["n"].to_list()
        for a, b in zip(new["corr"].to_list(), old["corr"].to_list(), strict=True):
            assert (math.isnan(a) and math.isnan(b)) or a == pytest.approx(b, rel=1e-9, abs=1e-12)
            seen_nan |= math.isnan(b)
        seen_small |= bool((old["n"] < 5).any())
    assert seen_nan and seen_small  # the narrow filter reaches the edge cases


def test_pairs_mart_sums_equal_the_long_form(demo_con):
    keys = ["period", "business_unit", "segment", "grade", "status", "respondent_role", "stage_id", "touchpoint_id"]
    mart = query(demo_con, "select * from mart_touchpoint_pairs").sort(keys)
    long_form = query(demo_con, """
        select r.period, r.business_unit, r.segment, r.grade, r.status, r.respondent_role, r.stage_id,
               r.touchpoint_id, count(*) as n, count(r.nps) as n_pairs,
               coalesce(sum(r.rating) filter (where r.nps is not null), 0) as sum_rating,
               coalesce(sum(r.nps), 0) as sum_nps, coalesce(sum(r.rating * r.nps), 0) as sum_rating_nps,
               coalesce(sum(r.rating * r.rating) filter (where r.nps is not null), 0) as sum_rating_sq,
               coalesce(sum(r.nps * r.nps), 0) as sum_nps_sq, count(s.ces) as n_ces,
               coalesce(sum(s.ces), 0) as sum_ces, coalesce(sum(s.ces * s.ces), 0) as sum_ces_sq
        from mart_ratings r join mart_responses s using (response_id)
        group by all""").sort(keys)
    assert mart.height == query(demo_con, "select count(*) as n from mart_touchpoint_scores")["n"][0]
    assert_frame_equal(mart, long_form.select(mart.columns), check_dtypes=False, rel_tol=1e-12)


def test_freshness_counts_from_the_coverage_mart_equal_the_answers(demo_con):
    fresh = freshness(demo_con)
    counted = demo_con.execute(
        "select count(*), count(distinct client_id), min(period), max(period) from mart_responses"
    ).fetchall()[0]
    assert (fresh.n_responses, fresh.n_clients, fresh.period_first, fresh.period_last) == counted
    assert fresh.n_responses > 1000


def test_client_ratings_from_facts_equal_the_mean_of_the_answers(demo_con, filter_sets):
    clients = [r[0] for r in demo_con.execute(
        "select client_id from mart_client_facts where fact = 'touchpoint_rating' "
        "group by client_id order by count(*) desc, client_id limit 3").fetchall()]
    for client_id in clients:
        for filters in filter_sets[:2]:
            period_only = Filters(period_from=filters.period_from, period_to=filters.period_to)
            where, params = filter_sql(period_only, frozenset({"period"}))
            old = query(demo_con, OLD_CLIENT_RATINGS.format(where=where), {**params, "id": client_id})
            new = client_ratings(demo_con, client_id, period_only)
            assert new.height > 3
            assert_frame_equal(new, old, rel_tol=1e-12)


def old_client_table(con: duckdb.DuckDBPyConnection, filters: Filters, cfg) -> pl.DataFrame:
    """The client list as first written: every index and fact row of the range, then Polars."""
    clients = cq.client_list(con, filters, cfg.importance_columns)
    facts = cq.client_facts(con, filters, facts=("n_late_orders", "n_tickets", "n_detractor_answers", "nps"))
    index = cq.client_index(con, filters)
    periods = sorted(index["period"].unique().to_list()) if index.height else []
    current, previous = latest_and_previous(periods)
    table = clients.drop(list(cfg.importance_columns), strict=False)
    if current is None:
        return table.with_columns(pl.lit(None, dtype=pl.Float64).alias("index"))
    latest = latest_with_change(index, current, previous)
    risk = risk_flags(facts, index, periods, current, previous)
    nps = facts.filter(pl.col("fact") == "nps").group_by("client_id").agg(
        pl.col("value").sort_by("period").alias("nps_history"),
        pl.col("value").sort_by("period").last().alias("nps_latest"),
        pl.col("period").max().alias("nps_period"),
        pl.col("n").sum().alias("n_answers_range"),
    )
    table = (
        table.join(latest.drop("index_previous"), on="client_id", how="left")
        .join(nps, on="client_id", how="left")
        .join(risk.drop("index_change"), on="client_id", how="left")
        .with_columns(pl.col("risk_level").fill_null("ok"), pl.col("is_at_risk").fill_null(False),
                      pl.col("reasons").fill_null([]))
    )
    cases = cq.follow_up_counts(con)
    if cases is not None:
        table = table.join(cases, on="client_id", how="left").with_columns(
            pl.col("n_open_cases").fill_null(0), pl.col("n_cases").fill_null(0))
    return table.with_columns(pl.lit(current).alias("current_period"), pl.lit(previous).alias("previous_period"))


def test_client_table_from_the_rows_it_needs_equals_the_table_from_all_rows(demo_con, model, filter_sets):
    from app.ui.views.clients_data import IndexConfig, client_table

    cfg = IndexConfig.of(model)
    flagged = 0
    for filters in filter_sets[:3]:
        old = old_client_table(demo_con, filters, cfg)
        new = client_table(demo_con, filters, cfg)
        assert new.height > 50 and new["index"].is_not_null().sum() > 0
        assert_frame_equal(new, old)
        flagged += new.filter(pl.col("risk_level") != "ok").height
        names = cq.client_names(demo_con, filters)
        assert names["client_id"].to_list() == new["client_id"].to_list()
    assert flagged > 0


def test_index_summary_in_sql_equals_the_polars_summary(demo_con, filter_sets):
    from app.analytics.satisfaction_index import period_summary

    for filters in filter_sets[:4]:
        old = period_summary(cq.client_index(demo_con, filters))
        new = cq.index_period_summary(demo_con, filters)
        assert new.height >= 2
        assert_frame_equal(new, old, rel_tol=1e-12)


def test_follow_up_view_with_the_role_kept_on_the_case_equals_the_one_over_mart_responses(demo_con, model):
    from app.warehouse.models import render_model_sql

    sql = render_model_sql("stg_follow_up_cases", model)  # mart_follow_ups = these + the client's keys
    changes = {  # back to the view that joined the answers for the role and stg_clients for the keys
        "case when c.status <> 'withdrawn' and c.answer_removed_at is null then c.respondent_role end": "r.respondent_role",
        "    c.client_name,\n": "    coalesce(k.name, c.client_name) as client_name, k.business_unit, k.segment,\n",
        "    c.grade,\n": "    c.grade, k.status,\n",
        "from follow_up_cases c\n": "from follow_up_cases c\nleft join stg_clients k using (client_id)\n"
                                    "left join mart_responses r using (response_id)\n",
    }
    for new_text, old_text in changes.items():
        assert new_text in sql
        sql = sql.replace(new_text, old_text)
    old = query(demo_con, sql + " order by case_id")
    new = query(demo_con, "select * from mart_follow_ups order by case_id")
    assert new.height > 100 and new["respondent_role"].null_count() < new.height
    assert_frame_equal(new, old)


OLD_CASE_SUMMARY = """
select {group}count(*) as n_cases,
       count(*) filter (where is_open) as n_open,
       count(*) filter (where is_overdue) as n_overdue,
       count(*) filter (where is_closed) as n_closed,
       count(*) filter (where case_status = 'resolved') as n_resolved,
       count(*) filter (where is_due) as n_due,
       count(*) filter (where is_late) as n_late,
       median(days_to_close) filter (where is_closed) as median_days_to_close,
       avg(days_to_close) filter (where is_closed) as avg_days_to_close
from mart_follow_ups where {where} and not is_withdrawn
{order}
"""


def test_follow_up_summaries_in_one_query_equal_one_query_per_breakdown(demo_con, filter_sets):
    from datetime import date

    from app.warehouse.follow_up_queries import CASE_COLUMNS, case_summaries

    nothing = Filters(period_from="1990-Q1", period_to="1990-Q1")
    for filters in [*filter_sets[:4], nothing]:
        where, params = filter_sql(filters, CASE_COLUMNS)
        new = case_summaries(demo_con, filters, date.today())
        for by in (None, "owner_department", "period"):
            sql = OLD_CASE_SUMMARY.format(
                group=f"{by}, " if by else "", where=where, order=f"group by {by} order by {by}" if by else ""
            )
            assert_frame_equal(new[by], query(demo_con, sql, params), rel_tol=1e-12)
        assert new[None]["n_cases"][0] == (0 if filters == nothing else new["period"]["n_cases"].sum())
