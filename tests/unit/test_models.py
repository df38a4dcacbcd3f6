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
