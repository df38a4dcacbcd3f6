"""The global filters become parameterised SQL; user values never reach the SQL text."""

from __future__ import annotations

import duckdb
import pytest

from app.warehouse.filters import Filters, filter_sql, sanitize_values, unapplied_dimensions

ALL_COLUMNS = {"period", "business_unit", "segment", "grade", "status", "respondent_role"}


def test_empty_filters_are_true_with_no_params():
    assert filter_sql(Filters(), ALL_COLUMNS) == ("true", {})


def test_values_are_bound_as_named_parameters():
    sql, params = filter_sql(Filters(period_from="2025-Q1", business_units=("energy", "machinery")), ALL_COLUMNS)
    assert sql == "period >= $f_period_from and business_unit in ($f_business_unit_0, $f_business_unit_1)"
    assert params == {"f_period_from": "2025-Q1", "f_business_unit_0": "energy", "f_business_unit_1": "machinery"}


def test_columns_the_table_lacks_are_skipped_and_reported():
    filters = Filters(respondent_roles=("finance",), grades=("a",))
    sql, params = filter_sql(filters, {"period", "grade"})
    assert "respondent_role" not in sql and params == {"f_grade_0": "a"}
    assert unapplied_dimensions(filters, {"period", "grade"}) == ["respondent_roles"]


def test_alias_and_prefix_keep_two_filter_sets_apart():
    sql_a, params_a = filter_sql(Filters(segments=("dealer",)), ALL_COLUMNS, alias="r", prefix="a")
    sql_b, params_b = filter_sql(Filters(segments=("dealer",)), ALL_COLUMNS, alias="r", prefix="b")
    assert sql_a == "r.segment in ($a_segment_0)" and sql_b == "r.segment in ($b_segment_0)"
    assert not set(params_a) & set(params_b)


def test_filters_normalise_so_equal_views_hash_equally():
    one = Filters(period_from="2026-Q1", period_to="2025-Q1", business_units=["energy", "machinery", "energy"])
    two = Filters(period_from="2025-Q1", period_to="2026-Q1", business_units=("machinery", "energy"))
    assert one == two and hash(one) == hash(two)
    assert one.business_units == ("energy", "machinery")


def test_hostile_value_is_data_not_sql():
    con = duckdb.connect()
    con.execute("create table t as select 'energy' as business_unit, '2025-Q1' as period")
    hostile = "energy') or 1=1; drop table t; --"
    where, params = filter_sql(Filters(business_units=(hostile,)), {"business_unit", "period"})
    assert con.sql(f"select count(*) from t where {where}", params=params).fetchall() == [(0,)]
    assert con.sql("select count(*) from t").fetchall() == [(1,)]


def test_period_range_is_inclusive():
    con = duckdb.connect()
    con.execute("create table t as select unnest(['2024-Q4', '2025-Q1', '2025-Q2', '2025-Q3']) as period")
    where, params = filter_sql(Filters(period_from="2025-Q1", period_to="2025-Q2"), {"period"})
    rows = con.sql(f"select period from t where {where} order by 1", params=params).fetchall()
    assert rows == [("2025-Q1",), ("2025-Q2",)]


@pytest.mark.parametrize(
    ("raw", "kept", "rejected"),
    [
        (["energy", "bogus", "energy"], ["energy"], ["bogus"]),
        (["<script>", "machinery"], ["machinery"], ["<script>"]),
        ([], [], []),
    ],
)
def test_sanitize_splits_allowed_from_unknown(raw, kept, rejected):
    assert sanitize_values(raw, {"energy", "machinery"}) == (kept, rejected)
