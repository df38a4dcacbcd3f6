"""The voice-of-the-customer page's topic totals are its per-quarter counts summed (one query less
over every complaint): equal to counting them directly, under several filters."""

from __future__ import annotations

import pytest
from polars.testing import assert_frame_equal

from app.ui.views import voc_data
from app.warehouse import voc_queries as q
from app.warehouse.connection import connect
from app.warehouse.filters import Filters


@pytest.mark.parametrize("filters", [Filters(), Filters(business_units=("energy",)),
                                     Filters(period_from="2025-Q3", period_to="2026-Q1", grades=("a",))])
def test_topic_totals_from_quarters_equal_the_direct_count(module_demo_env, filters):
    con = connect(module_demo_env / "warehouse.duckdb")
    try:
        key = q.topics_key(con)
        direct = q.topic_counts(con, key, filters, ())
    finally:
        con.close()
    assert direct.height > 1 and direct["topic_id"].null_count() <= 1
    assert_frame_equal(voc_data.counts(key, filters), direct, check_dtypes=False)
