"""SQL models on the demo warehouse: aggregates agree with the long form they summarise."""

from __future__ import annotations

from polars.testing import assert_frame_equal

from app.warehouse.connection import query
from app.warehouse.models import kpis_affected

KEYS = ["period", "business_unit", "segment", "grade", "status", "respondent_role", "stage_id", "touchpoint_id"]


def test_touchpoint_scores_equal_the_aggregate_of_the_long_form(demo_con):
    one_pass = query(demo_con, "select * from mart_touchpoint_scores").sort(KEYS)
    long_form = query(demo_con, """
        select period, business_unit, segment, grade, status, respondent_role, stage_id, touchpoint_id,
               count(*) as n, sum(rating) as sum_rating, sum(rating * rating) as sum_rating_sq,
               sum(score_100) as sum_score_100, count(*) filter (where is_top2) as n_top2,
               count(*) filter (where is_promoter) as n_promoters, count(*) filter (where is_detractor) as n_detractors,
               sum(importance) as sum_importance, count(importance) as n_importance
        from mart_ratings group by all""").sort(KEYS)
    assert one_pass.height > 1000
    assert_frame_equal(one_pass.select(long_form.columns), long_form, check_dtypes=False, rel_tol=1e-9)


def test_nps_mart_counts_every_response_once(demo_con):
    total = query(demo_con, "select sum(n) as n, sum(n_promoters + n_passives + n_detractors) as parts from mart_nps")
    responses = query(demo_con, "select count(*) as n from mart_responses")
    assert total["n"][0] == total["parts"][0] == responses["n"][0]


def test_company_nps_kpi_matches_the_responses(demo_con):
    by_period = query(demo_con, """
        select period, 100.0 * (avg((nps >= 9)::int) - avg((nps <= 6)::int)) as nps
        from mart_responses group by period order by period""")
    kpi = query(demo_con, """select period, value from mart_kpi_values
                             where kpi_id = 'cx_nps' and business_unit is null order by period""")
    assert kpi["period"].to_list() == by_period["period"].to_list()
    assert [round(v, 9) for v in kpi["value"]] == [round(v, 9) for v in by_period["nps"]]


def test_a_survey_load_recomputes_only_the_kpis_it_can_move(model):
    affected = set(kpis_affected(model, {"surveys"}))
    assert {"cx_nps", "cx_csat_delivery", "cx_ces"} <= affected
    assert not affected & {"ox_on_time_delivery", "tx_revenue", "tx_ltv", "ex_enps"}
    assert set(kpis_affected(model, {"kpi_actuals"})) == {k.id for k in model.kpis if k.compute.kind == "actuals"}


# The long-form definitions these marts were first written with: the one-scan versions must equal them.
LONG_FORM_RESPONSE_FOCUS = """
select response_id, touchpoint_id, stage_id, rating, score_100
from (
    select r.response_id, r.touchpoint_id, r.stage_id, r.rating, r.score_100,
           row_number() over (
               partition by r.response_id
               order by r.score_100, t.is_moment_of_truth desc, r.stage_order, r.touchpoint_order
           ) as rn
    from mart_ratings r
    join dim_touchpoints t using (touchpoint_id)
)
where rn = 1
"""

LONG_FORM_CLIENT_FACTS = """
with deliveries as (
    select client_id, period,
           count(*) as n,
           avg(case when is_on_time then 1.0 else 0.0 end) as on_time_share,
           coalesce(avg(delay_days) filter (where not is_on_time), 0.0) as avg_delay_days,
           count(*) filter (where not is_on_time) as n_late
    from mart_orders
    where is_delivered and client_id is not null
    group by client_id, period
), tickets as (
    select client_id, period,
           count(*) as n_tickets,
           avg(first_response_hours) as first_response_hours,
           count(first_response_hours) as n_answered
    from mart_tickets
    where client_id is not null
    group by client_id, period
), answers as (
    select client_id, period,
           count(*) as n,
           100.0 * (count(*) filter (where is_promoter) - count(*) filter (where is_detractor)) / count(*) as nps,
           count(*) filter (where is_detractor) as n_detractors
    from mart_responses
    where client_id is not null and nps is not null
    group by client_id, period
), ratings as (
    select client_id, period, touchpoint_id, avg(rating) as rating, count(*) as n
    from mart_ratings
    where client_id is not null
    group by client_id, period, touchpoint_id
), facts as (
    select client_id, period, 'on_time_share' as fact, null::varchar as touchpoint_id,
           on_time_share::double as value, n from deliveries
    union all
    select client_id, period, 'avg_delay_days', null, avg_delay_days::double, n from deliveries
    union all
    select client_id, period, 'n_late_orders', null, n_late::double, n from deliveries
    union all
    select client_id, period, 'first_response_hours', null, first_response_hours::double, n_answered
    from tickets where n_answered > 0
    union all
    select client_id, period, 'n_tickets', null, n_tickets::double, n_tickets from tickets
    union all
    select client_id, period, 'nps', null, nps::double, n from answers
    union all
    select client_id, period, 'n_detractor_answers', null, n_detractors::double, n from answers
    union all
    select client_id, period, 'touchpoint_rating', touchpoint_id, rating::double, n from ratings
)
select f.client_id, f.period, c.business_unit, c.segment, c.grade, c.status,
       f.fact, f.touchpoint_id, f.value, f.n::integer as n
from facts f
join stg_clients c using (client_id)
"""


def test_response_focus_equals_its_long_form_definition(demo_con):
    one_scan = query(demo_con, "select * exclude (batch_id) from mart_response_focus").sort("response_id")
    long_form = query(demo_con, LONG_FORM_RESPONSE_FOCUS).sort("response_id")
    assert one_scan.height > 5000
    assert_frame_equal(one_scan, long_form.select(one_scan.columns), check_dtypes=False, rel_tol=1e-9)


def test_client_facts_equal_their_long_form_definition(demo_con):
    keys = ["client_id", "period", "fact", "touchpoint_id"]
    one_scan = query(demo_con, "select * from mart_client_facts").sort(keys, nulls_last=True)
    long_form = query(demo_con, LONG_FORM_CLIENT_FACTS).sort(keys, nulls_last=True)
    assert one_scan.height > 10000
    assert_frame_equal(one_scan, long_form.select(one_scan.columns), check_dtypes=False, rel_tol=1e-9)
