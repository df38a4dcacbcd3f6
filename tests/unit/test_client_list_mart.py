"""The clients page read from its small marts gives the numbers of the computation over all rows.

mart_client_list keeps each client's quarters in lists and the page picks a quarter range by
position; it is compared with the rows path (client_table_from_rows, itself compared with the first
version in test_page_query_rewrites.py) over ranges that start, end and sit in the middle, a single
quarter, open ends, client filters and a range without data. The card's one-client facts are compared
with the mart_client_facts view, its weights from one row and the means with the weights from every
client, and the follow-up counts and the picker's look-ups with their plain definitions.
"""

from __future__ import annotations

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from app.analytics.satisfaction_index import importance_weights
from app.service_model import load_service_model
from app.settings import DATA_DIR
from app.ui.views.clients_data import IndexConfig, client_card_frames, client_table, client_table_from_rows
from app.warehouse import client_queries as cq
from app.warehouse.client_card_queries import client_importance, one_client_facts
from app.warehouse.connection import query
from app.warehouse.filters import Filters, filter_sql

FACT_KEYS = ["client_id", "period", "fact", "touchpoint_id"]


@pytest.fixture(scope="module")
def cfg() -> IndexConfig:
    return IndexConfig.of(load_service_model(DATA_DIR / "service_model.yaml"))


@pytest.fixture
def periods(demo_con) -> list[str]:
    return [r[0] for r in demo_con.execute("select distinct period from mart_client_index order by 1").fetchall()]


def _first(con, sql: str) -> str:
    return con.execute(sql).fetchall()[0][0]


def test_client_list_from_its_mart_equals_the_list_from_the_index_and_fact_rows(demo_con, cfg, periods):
    unit = _first(demo_con, "select min(business_unit) from mart_clients")
    segment, grade = demo_con.execute(
        "select segment, grade from mart_clients group by all order by count(*) desc limit 1").fetchall()[0]
    filter_sets = [
        Filters(),
        Filters(period_from=periods[1], period_to=periods[4]),
        Filters(period_from=periods[0], period_to=periods[0]),  # one quarter: no previous, no earlier
        Filters(period_from=periods[-1]),
        Filters(period_to=periods[2]),
        Filters(business_units=(unit,), period_from=periods[3]),
        Filters(segments=(segment,), grades=(grade,), period_from=periods[2], period_to=periods[5]),
        Filters(period_from="1999-Q1", period_to="1999-Q2"),  # no index: the plain list
    ]
    flagged = watched = 0
    for filters in filter_sets:
        new = client_table(demo_con, filters, cfg)
        old = client_table_from_rows(demo_con, filters, cfg)
        assert new.height > 10
        assert_frame_equal(new, old)
        if "risk_level" in new.columns:
            flagged += new.filter(pl.col("risk_level") == "at_risk").height
            watched += new.filter(pl.col("risk_level") == "watch").height
    assert flagged > 0 and watched > 0


def test_one_clients_facts_equal_the_views_rows(demo_con, periods):
    clients = [r[0] for r in demo_con.execute(
        "select client_id from stg_client_answers group by 1 order by count(*) desc, 1 limit 3").fetchall()]
    clients.append(_first(demo_con, "select min(client_id) from stg_client_service "
                                    "where client_id not in (select client_id from stg_client_answers)"))
    compared = 0
    for client_id in clients:
        for filters in (Filters(), Filters(period_from=periods[2], period_to=periods[5])):
            where, params = filter_sql(filters, cq.FACT_COLUMNS)
            old = query(demo_con, f"select * from mart_client_facts where {where} and client_id = $c",
                        {**params, "c": client_id}).sort(FACT_KEYS, nulls_last=True)
            new = one_client_facts(demo_con, client_id, filters).sort(FACT_KEYS, nulls_last=True)
            assert_frame_equal(new, old.with_columns(pl.col("n").cast(pl.Int64)))
            picked = cq.client_facts(demo_con, filters, client_id, touchpoints=("delivery",), facts=None)
            assert set(picked["touchpoint_id"].drop_nulls()) <= {"delivery"}
            compared += new.height
    assert compared > 100


def test_the_cards_weights_from_one_row_and_the_means_equal_those_from_every_client(model):
    config = model.satisfaction_index
    columns = sorted({f.importance_column for f in config.factors})
    every = pl.DataFrame(
        {"client_id": ["a", "b", "c"], **{c: [2.0, None, 5.0] if i == 0 else [None] * 3 for i, c in enumerate(columns)}},
        schema_overrides={c: pl.Float64 for c in columns},
    )
    means = {c: every[c].mean() for c in columns}
    from_all = importance_weights(every, config)
    for client_id in ("a", "b"):
        one = importance_weights(every.filter(pl.col("client_id") == client_id), config, means)
        assert_frame_equal(one, from_all.filter(pl.col("client_id") == client_id))
    assert from_all.filter(pl.col("client_id") == "b")["is_default_importance"].all()
    assert from_all.filter(pl.col("client_id") == "b")["importance"].is_in([3.5, 1.0]).all()


def test_client_card_frames_equal_the_ones_computed_with_every_client(demo_con, cfg, periods):
    from app.analytics.client_risk import risk_flags
    from app.analytics.movers import latest_and_previous
    from app.analytics.satisfaction_index import satisfaction_index

    clients = [r[0] for r in demo_con.execute(
        "select client_id from mart_client_index group by 1 order by count(*) desc, 1 limit 2").fetchall()]
    everyone = cq.client_list(demo_con, Filters(), cfg.importance_columns)
    for client_id in clients:
        filters = Filters(period_from=periods[1], period_to=periods[-1])
        factors, index, risk = client_card_frames(demo_con, client_id, filters, cfg)
        facts = cq.client_facts(demo_con, filters, client_id, touchpoints=cfg.touchpoints)
        old_factors, old_index = satisfaction_index(facts, everyone, cfg.config, cfg.scale_map)
        assert_frame_equal(index, old_index.sort("period"))
        assert_frame_equal(factors.sort("period", "factor_id"), old_factors.sort("period", "factor_id"))
        quarters = sorted(set(facts["period"].to_list()))
        current, previous = latest_and_previous(quarters)
        assert_frame_equal(risk, risk_flags(facts, old_index, quarters, current, previous))
    row, means = client_importance(demo_con, clients[0], cfg.importance_columns)
    assert row.height == 1 and set(means) == set(cfg.importance_columns)


def test_follow_up_counts_per_client_equal_the_cases(demo_con):
    kept = query(demo_con, "select * from mart_client_cases").sort("client_id")
    counted = cq.follow_up_counts(demo_con).sort("client_id")
    assert kept.height > 50 and kept["n_open_cases"].sum() > 0
    assert_frame_equal(kept, counted)


def test_the_pickers_look_ups(demo_con):
    ids = [r[0] for r in demo_con.execute("select client_id from mart_clients order by client_id").fetchall()]
    assert cq.known_client_ids(demo_con, (ids[5], "C99999", ids[0])) == [ids[0], ids[5]]
    assert cq.known_client_ids(demo_con, ()) == []
    name = _first(demo_con, f"select name from mart_clients where client_id = '{ids[7]}'")
    for text in (ids[7].lower(), name[1:].upper()):
        found = cq.matching_clients(demo_con, Filters(), text, 100)
        assert ids[7] in found["client_id"].to_list(), text
    first = cq.matching_clients(demo_con, Filters(), "", 10)
    assert first["client_id"].to_list() == ids[:10] and first["n_matches"][0] == len(ids)
    assert cq.matching_clients(demo_con, Filters(), "%no such client%", 10).is_empty()
    unit = _first(demo_con, f"select business_unit from mart_clients where client_id = '{ids[3]}'")
    other = _first(demo_con, f"select min(business_unit) from mart_clients where business_unit <> '{unit}'")
    assert cq.client_in_filters(demo_con, Filters(business_units=(unit,)), ids[3])
    assert not cq.client_in_filters(demo_con, Filters(business_units=(other,)), ids[3])
