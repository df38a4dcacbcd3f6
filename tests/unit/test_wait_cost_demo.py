"""The bottleneck page's wait cost on the demo warehouse: the sums per step and waiting bin
(wait_cost_queries, grouped by client × quarter in SQL) through the grouped formulas give the same
slopes as a least squares over every single answer, computed here with DuckDB's own regr_*
aggregates on the per-answer marts — under no filter, a respondent-role and period filter and a
business-unit filter."""

from __future__ import annotations

import math

import polars as pl
import pytest

from app.analytics import wait_cost as wc
from app.warehouse.connection import query
from app.warehouse.filters import Filters
from app.warehouse.process_queries import step_dimension
from app.warehouse.wait_cost_queries import wait_cost_sums

PER_ANSWER = """
with waits as (
    select client_id, period, avg(wait_hours) / 24.0 as x
    from mart_process_steps
    where process = $process and activity = $activity and client_id is not null and wait_hours is not null
      and period >= $period_from and coalesce(business_unit, '') like $unit
    group by client_id, period
), answers as (
    select a.response_id, a.client_id, a.period, w.x, 100.0 * (a.is_promoter::integer - a.is_detractor::integer) as nps, r.rating::double as rating
    from mart_responses a
    join waits w using (client_id, period)
    left join mart_ratings r on r.response_id = a.response_id and r.touchpoint_id = $touchpoint
    where coalesce(a.respondent_role, '') like $role and a.period >= $period_from
      and coalesce(a.business_unit, '') like $unit
)
select regr_slope(nps, x) as nps_slope, regr_count(nps, x) as n_nps, regr_sxx(nps, x) as nps_sxx,
       regr_syy(nps, x) as nps_syy, regr_sxy(nps, x) as nps_sxy, avg(nps) as nps_mean,
       regr_slope(rating, x) as rating_slope, regr_count(rating, x) as n_rating, regr_sxx(rating, x) as rating_sxx,
       regr_syy(rating, x) as rating_syy, regr_sxy(rating, x) as rating_sxy, avg(rating) as rating_mean,
       avg(x) as wait_days_mean, count(*) as n_answers,
       (select max(n) from (select count(*) as n from answers group by client_id, period)) as max_group
from answers
"""


def moe(n: int, sxx: float, syy: float, sxy: float) -> float:
    """95 % half-width of a least-squares slope from its sums of squares."""
    return 1.96 * math.sqrt(max(syy - sxy * sxy / sxx, 0.0) / (n - 2) / sxx)


@pytest.mark.parametrize(
    ("filters", "role", "unit"),
    [
        (Filters(), "%", "%"),
        (Filters(period_from="2025-Q2", respondent_roles=("decision_maker",)), "decision_maker", "%"),
        (Filters(business_units=("energy",)), "%", "energy"),
    ],
)
def test_grouped_wait_cost_equals_the_per_answer_least_squares_on_the_demo(demo_con, filters, role, unit):
    dim = step_dimension(demo_con)
    compared = 0
    for process in dim["process"].unique(maintain_order=True).to_list():
        served = wc.served_touchpoints(dim.filter(pl.col("process") == process))
        sums = wait_cost_sums(demo_con, filters, process, served)
        bins = wc.wait_bins(sums)
        for row in wc.wait_cost(sums, served).iter_rows(named=True):
            params = {"process": process, "activity": row["activity"], "touchpoint": row["touchpoint_id"],
                      "role": role, "unit": unit, "period_from": filters.period_from or ""}
            direct = query(demo_con, PER_ANSWER, params).row(0, named=True)
            assert (row["n_nps"], row["n_rating"]) == (direct["n_nps"], direct["n_rating"])
            assert row["wait_days_mean"] == pytest.approx(direct["wait_days_mean"], rel=1e-9)
            for measure in ("nps", "rating"):
                assert row[f"{measure}_mean"] == pytest.approx(direct[f"{measure}_mean"], rel=1e-9)
                if direct[f"{measure}_sxx"] == 0:
                    assert row[f"{measure}_per_day"] is None
                    continue
                assert row[f"{measure}_per_day"] == pytest.approx(direct[f"{measure}_slope"], rel=1e-9, abs=1e-9)
                sums = [direct[f"{measure}_{s}"] for s in ("sxx", "syy", "sxy")]
                expected_moe = moe(direct[f"n_{measure}"], *sums)
                assert row[f"{measure}_per_day_moe"] == pytest.approx(expected_moe, rel=1e-9)
                compared += 1
            step_bins = bins.filter(pl.col("activity") == row["activity"])
            assert step_bins["n"].sum() == direct["n_answers"] and step_bins.height <= 5
            assert step_bins["n"].max() - step_bins["n"].min() <= 2 * direct["max_group"]  # about equal counts
    assert compared >= 12  # both processes' steps, NPS and rating
