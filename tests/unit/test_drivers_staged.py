"""Training in two stages (the app's first start): the company-wide model is stored first with every
other segment marked 'training', then the whole run; a newer training stored in between is kept."""

from __future__ import annotations

from dataclasses import replace

import duckdb
import polars as pl

from app.warehouse import drivers as queries
from pipelines.driver_segments import segment_definitions
from pipelines.drivers import train_drivers
from pipelines.drivers_staged import TRAINING, train_in_stages
from tests.unit.test_drivers_pipeline import QUICK as PIPELINE_QUICK

QUICK = replace(PIPELINE_QUICK, min_n=2000)  # the company and the largest segments get a model


def _statuses(con: duckdb.DuckDBPyConnection, target: str) -> dict[str, str]:
    run_id = int(queries.driver_runs(con).filter(pl.col("target") == target)["run_id"][0])
    frame = queries.models(con, target, run_id)
    return dict(zip(frame["segment_id"], frame["status"], strict=True))


def test_the_company_model_is_stored_first_then_every_segment(demo_env, model):
    con = duckdb.connect(str(demo_env / "warehouse.duckdb"))
    seen: dict[str, dict[str, str]] = {}
    try:
        final = train_in_stages(
            con,
            model,
            ["promoter"],
            config=QUICK,
            on_stored=lambda stage: seen.setdefault(stage, _statuses(con, "promoter")),
        )
        first = seen["company"]
        assert first["all"] == "ok"
        assert TRAINING in first.values() and "too_small" in first.values()
        assert queries.unfinished_targets(con) == []  # the final run has no 'training' rows
        assert seen["segments"] == _statuses(con, "promoter")
        final_statuses = _statuses(con, "promoter")
        assert len(final_statuses) == len(segment_definitions(model))
        assert {s for s, status in first.items() if status == TRAINING} == {
            s for s, status in final_statuses.items() if status == "ok" and s != "all"
        }
        assert int(queries.driver_runs(con).filter(pl.col("target") == "promoter")["run_id"][0]) == final
        segment = next(s for s, status in final_statuses.items() if status == "ok" and s != "all")
        assert queries.driver_importance(con, segment, target="promoter").height
    finally:
        con.close()


def test_a_run_with_segments_still_training_is_reported_unfinished(demo_env, model):
    con = duckdb.connect(str(demo_env / "warehouse.duckdb"))
    try:
        unfinished: list[list[str]] = []
        train_in_stages(
            con,
            model,
            ["promoter"],
            config=QUICK,
            on_stored=lambda stage: unfinished.append(queries.unfinished_targets(con)),
        )
        assert unfinished == [["promoter"], []]
    finally:
        con.close()


def test_a_training_stored_in_between_is_not_overwritten(demo_env, model):
    """An analyst retrains while the background run fits its segments: theirs stays."""
    con = duckdb.connect(str(demo_env / "warehouse.duckdb"))
    newer: list[int] = []

    def analyst_trains(stage: str) -> None:
        if stage == "company":
            train_drivers(con, model, targets=["promoter"], config=QUICK)
            newer.append(int(queries.driver_runs(con).filter(pl.col("target") == "promoter")["run_id"][0]))

    try:
        assert train_in_stages(con, model, ["promoter"], config=QUICK, on_stored=analyst_trains) is None
        runs = queries.driver_runs(con).filter(pl.col("target") == "promoter")
        assert int(runs["run_id"][0]) == newer[0]
        assert TRAINING not in _statuses(con, "promoter").values()
    finally:
        con.close()
