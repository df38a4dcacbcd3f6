"""Query functions over the demo warehouse agree with answer-level arithmetic, under filters."""

from __future__ import annotations

import polars as pl
import pytest

from app.analytics.nps import with_nps
from app.warehouse.client_value import active_clients, loyalty_value
from app.warehouse.connection import query
from app.warehouse.filters import Filters
from app.warehouse.freshness import freshness
from app.warehouse.scores import UnknownGroupingError, available_periods, nps_totals, touchpoint_totals
from app.warehouse.touchpoint_queries import (
    rating_distribution,
    touchpoint_ces,
    touchpoint_comments,
    touchpoint_correlations,
    touchpoint_kpis,
)

ENERGY_2025 = Filters(period_from="2025-Q1", period_to="2025-Q4", business_units=("energy",))


def test_nps_from_the_mart_equals_nps_from_the_answers(demo_con):
    frame = with_nps(nps_totals(demo_con, ENERGY_2025))
    direct = query(demo_con, """
        select count(*) as n, 100.0 * (count(*) filter (where nps >= 9) - count(*) filter (where nps <= 6)) / count(*)
               as nps
        from mart_responses where business_unit = 'energy' and period between '2025-Q1' and '2025-Q4'""")
    assert frame["n"][0] == direct["n"][0] > 0
    assert frame["nps"][0] == pytest.approx(direct["nps"][0])


def test_grouping_by_period_adds_up_to_the_total(demo_con):
    by_period = nps_totals(demo_con, ENERGY_2025, by=("period",))
    assert by_period["period"].to_list() == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]
    assert by_period["n"].sum() == nps_totals(demo_con, ENERGY_2025)["n"][0]


def test_grouping_columns_are_allow_listed(demo_con):
    with pytest.raises(UnknownGroupingError):
        nps_totals(demo_con, Filters(), by=("period; drop table mart_nps",))


def test_touchpoint_sums_match_the_ratings(demo_con):
    totals = touchpoint_totals(demo_con, ENERGY_2025).filter(pl.col("touchpoint_id") == "delivery")
    direct = query(demo_con, """
        select count(*) as n, sum(rating) as s from mart_ratings
        where touchpoint_id = 'delivery' and business_unit = 'energy' and period between '2025-Q1' and '2025-Q4'""")
    assert (totals["n"][0], totals["sum_rating"][0]) == (direct["n"][0], direct["s"][0])


def test_answer_level_touchpoint_queries(demo_con):
    ces = touchpoint_ces(demo_con, ENERGY_2025)
    corr = touchpoint_correlations(demo_con, ENERGY_2025)
    assert set(ces["touchpoint_id"]) == set(corr["touchpoint_id"]) and ces.height >= 10
    assert corr["corr"].is_between(-1, 1).all()
    dist = rating_distribution(demo_con, ENERGY_2025, "delivery")
    assert dist["rating"].to_list() == [1, 2, 3, 4, 5]  # every scale point, zeros included
    assert dist["is_top2"].to_list() == [False, False, False, True, True]
    comments = touchpoint_comments(demo_con, ENERGY_2025, "delivery", limit=20)
    assert comments.height == 20 and comments["rating"].is_sorted()
    kpis = touchpoint_kpis(demo_con, "delivery", ENERGY_2025)
    assert "cx_csat_delivery" in kpis["kpi_id"].to_list()


def test_money_and_clients(demo_con):
    loyalty = loyalty_value(demo_con, ENERGY_2025)
    assert set(loyalty["nps_class"]) <= {"promoter", "passive", "detractor"}
    assert (loyalty["revenue"] >= 0).all()
    clients = active_clients(demo_con, ENERGY_2025)
    assert clients["period"].to_list() == ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]


def test_freshness_and_periods(demo_con):
    info = freshness(demo_con)
    periods = available_periods(demo_con)
    assert info.n_responses > 0 and info.latest_batch_id is not None
    assert (info.period_first, info.period_last) == (periods[0], periods[-1])
