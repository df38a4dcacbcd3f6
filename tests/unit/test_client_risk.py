"""Risk flags on hand-made quarters, and mart_client_facts / the satisfaction index on the demo
warehouse checked against the order, ticket and answer rows they summarise."""

from __future__ import annotations

import polars as pl
import pytest

from app.analytics.client_risk import RiskRules, risk_flags
from app.analytics.satisfaction_index import satisfaction_index
from app.warehouse.client_queries import client_facts, client_list, follow_up_counts
from app.warehouse.connection import query
from app.warehouse.filters import Filters

PERIODS = ["2025-Q1", "2025-Q2", "2025-Q3"]


def _facts(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={
            "client_id": pl.String,
            "period": pl.String,
            "fact": pl.String,
            "touchpoint_id": pl.String,
            "value": pl.Float64,
            "n": pl.Int64,
        },
        orient="row",
    )


FACTS = _facts(
    [
        # calm: one late delivery, a promoter, one ticket as usual
        ("calm", "2025-Q3", "n_late_orders", None, 1.0, 6),
        ("calm", "2025-Q3", "nps", None, 100.0, 1),
        ("calm", "2025-Q3", "n_detractor_answers", None, 0.0, 1),
        ("calm", "2025-Q3", "n_tickets", None, 1.0, 1),
        ("calm", "2025-Q1", "n_tickets", None, 1.0, 1),
        ("calm", "2025-Q2", "n_tickets", None, 1.0, 1),
        # late: three late deliveries only -> watch
        ("late", "2025-Q3", "n_late_orders", None, 3.0, 5),
        # angry: 2 of 3 answers detractors and 4 tickets against a usual 0.5 per quarter -> at risk
        ("angry", "2025-Q3", "nps", None, -33.0, 3),
        ("angry", "2025-Q3", "n_detractor_answers", None, 2.0, 3),
        ("angry", "2025-Q3", "n_tickets", None, 4.0, 4),
        ("angry", "2025-Q1", "n_tickets", None, 1.0, 1),
        # falling: index down 12 points and one detractor among two answers -> at risk
        ("falling", "2025-Q3", "nps", None, 0.0, 2),
        ("falling", "2025-Q3", "n_detractor_answers", None, 1.0, 2),
    ]
)
INDEX = pl.DataFrame(
    {
        "client_id": ["calm", "calm", "falling", "falling", "angry"],
        "period": ["2025-Q2", "2025-Q3", "2025-Q2", "2025-Q3", "2025-Q3"],
        "index": [80.0, 78.0, 70.0, 58.0, 40.0],
    }
)


def test_reasons_and_levels_follow_the_rules():
    flags = {r["client_id"]: r for r in risk_flags(FACTS, INDEX, PERIODS, "2025-Q3", "2025-Q2").to_dicts()}
    assert flags["calm"]["reasons"] == [] and flags["calm"]["risk_level"] == "ok"
    assert flags["late"]["reasons"] == ["late_deliveries"] and flags["late"]["risk_level"] == "watch"
    assert flags["angry"]["reasons"] == ["detractor_answers", "ticket_spike"]
    assert flags["angry"]["usual_tickets"] == 0.5 and flags["angry"]["is_at_risk"]
    assert flags["falling"]["reasons"] == ["falling_index", "detractor_answers"]
    assert flags["falling"]["index_change"] == -12.0 and flags["falling"]["risk_level"] == "at_risk"


def test_thresholds_are_parameters():
    strict = RiskRules(index_drop=15.0, late_orders=4, min_reasons=1)
    flags = {
        r["client_id"]: r for r in risk_flags(FACTS, INDEX, PERIODS, "2025-Q3", "2025-Q2", strict).to_dicts()
    }
    assert flags["falling"]["reasons"] == ["detractor_answers"] and flags["falling"]["is_at_risk"]
    assert flags["late"]["reasons"] == []


def test_first_quarter_of_a_range_has_no_ticket_baseline():
    flags = risk_flags(FACTS.filter(pl.col("period") == "2025-Q3"), INDEX, ["2025-Q3"], "2025-Q3", None)
    angry = flags.filter(pl.col("client_id") == "angry").to_dicts()[0]
    assert angry["usual_tickets"] is None and "ticket_spike" not in angry["reasons"]


@pytest.fixture
def facts(demo_con):
    return client_facts(demo_con, Filters())


def test_client_facts_agree_with_the_order_ticket_and_answer_rows(demo_con, facts):
    client, period = facts.filter(pl.col("fact") == "n_late_orders", pl.col("value") >= 2).row(0)[:2]
    mine = facts.filter(pl.col("client_id") == client, pl.col("period") == period)
    value = dict(zip(mine["fact"].to_list(), mine["value"].to_list(), strict=False))
    orders = query(
        demo_con,
        "select * from mart_orders where client_id = $c and period = $p and is_delivered",
        {"c": client, "p": period},
    )
    late = orders.filter(~pl.col("is_on_time"))
    assert value["on_time_share"] == pytest.approx(1 - late.height / orders.height)
    assert value["n_late_orders"] == late.height
    assert value["avg_delay_days"] == pytest.approx(late["delay_days"].mean())
    tickets = query(
        demo_con,
        "select * from mart_tickets where client_id = $c and period = $p",
        {"c": client, "p": period},
    )
    assert value.get("n_tickets", 0) == tickets.height
    answers = query(
        demo_con,
        "select nps from mart_responses where client_id = $c and period = $p",
        {"c": client, "p": period},
    )
    if answers.height:
        nps = 100 * ((answers["nps"] >= 9).sum() - (answers["nps"] <= 6).sum()) / answers.height
        assert value["nps"] == pytest.approx(nps)


def test_every_client_with_activity_gets_an_index_and_only_respondents_get_cx(demo_con, facts, model):
    clients = client_list(demo_con, Filters(), tuple(model.client_importance_columns()))
    scales = {tp.id: (tp.scale.min, tp.scale.max) for tp in model.touchpoints}
    _, index = satisfaction_index(facts, clients, model.satisfaction_index, scales)
    active = facts.select("client_id", "period").unique()
    assert index.height == active.height
    answered = facts.filter(pl.col("fact") == "nps").select("client_id", "period").unique()
    with_cx = index.filter(pl.col("cx_score").is_not_null()).select("client_id", "period")
    assert with_cx.sort("client_id", "period").equals(answered.sort("client_id", "period"))
    tx_only = index.filter(pl.col("cx_score").is_null())
    assert tx_only.height > 0 and tx_only["is_partial"].all()
    assert tx_only["index"].equals(tx_only["tx_score"])
    assert index["index"].min() >= 0 and index["index"].max() <= 100


def test_follow_up_cases_are_counted_when_the_table_exists(empty_con):
    counts = follow_up_counts(empty_con)
    if counts is None:  # the closed-loop table is not part of this warehouse yet
        return
    assert set(counts.columns) == {"client_id", "n_open_cases", "n_cases"}


def test_materialised_index_equals_the_reference_function(demo_con, model):
    """mart_client_index (SQL, read by the list and the overview) = app.analytics.satisfaction_index."""
    from polars.testing import assert_frame_equal

    from app.warehouse.client_queries import client_index

    clients = client_list(demo_con, Filters(), tuple(model.client_importance_columns()))
    scales = {tp.id: (tp.scale.min, tp.scale.max) for tp in model.touchpoints}
    facts = client_facts(demo_con, Filters())
    _, reference = satisfaction_index(facts, clients, model.satisfaction_index, scales)
    stored = client_index(demo_con, Filters())
    keys = ["client_id", "period"]
    assert_frame_equal(stored.sort(keys), reference.sort(keys), check_exact=False, rel_tol=1e-9, abs_tol=1e-9)
