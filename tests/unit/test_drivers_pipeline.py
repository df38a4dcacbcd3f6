"""The drivers pipeline against the demo warehouse: what the demo trains on load, what is stored, the
query functions other pages use, staleness, one-transaction writes and the CLI."""

from __future__ import annotations

import json

import duckdb
import lightgbm as lgb
import numpy as np
import polars as pl
import pytest

from app.warehouse import drivers as queries
from app.warehouse.filters import Filters
from app.warehouse.schema import bump_data_version
from pipelines.driver_design import build_design
from pipelines.driver_features import feature_frame, feature_specs
from pipelines.driver_model import TrainConfig
from pipelines.driver_segments import segment_definitions
from pipelines.driver_store import TABLES, write_results
from pipelines.drivers import NoAnswersError, train_drivers

QUICK = TrainConfig(
    n_estimators=20,
    learning_rate=0.3,
    folds=3,
    bootstrap=3,
    eval_rows=500,
    store_rows=100,
    bootstrap_rows=100,
    whatif_rows=200,
    min_n=3000,
)


def test_the_demo_trains_score_models_for_every_segment_when_it_loads(demo_con, model):
    runs = queries.driver_runs(demo_con)
    assert runs["target"].to_list() == ["score"]
    assert not runs["is_stale"][0]
    stored = queries.models(demo_con, "score", int(runs["run_id"][0]))
    assert stored.height == len(segment_definitions(model))
    assert stored["segment_id"][0] == "all"
    ok = stored.filter(pl.col("status") == "ok")
    assert ok.height == stored.height  # every demo segment has at least 100 answers
    company = ok.row(0, named=True)
    assert company["cv_value"] > company["baseline_value"] + 0.3 and company["quality"] == "strong"
    # A model no better than the average is labelled too weak (the page then warns instead of ranking)
    assert ok.filter(
        (pl.col("cv_value") <= pl.col("baseline_value")) & (pl.col("quality") != "too_weak")
    ).is_empty()


def test_stored_shap_adds_up_to_the_stored_model_on_the_real_answers(demo_con, model):
    run_id = int(queries.driver_runs(demo_con)["run_id"][0])
    booster = lgb.Booster(model_str=queries.model_text(demo_con, "score|all", run_id))
    rows = queries.sample_rows(demo_con, "score|all", run_id)
    design = build_design(feature_frame(demo_con, model), feature_specs(model), "score")
    position = {rid: i for i, rid in enumerate(design.rows["response_id"].to_list())}
    x = design.x[[position[r] for r in rows["response_id"]]]
    assert np.allclose(booster.predict(x, raw_score=True), rows["prediction"].to_numpy(), atol=1e-6)
    shap_sum = queries.shap_sample(demo_con, "score|all", run_id).group_by("row_id").agg(pl.col("shap").sum())
    totals = rows.join(shap_sum, on="row_id")
    assert np.allclose(totals["base_value"] + totals["shap"], totals["prediction"], atol=1e-9)


def test_driver_importance_for_other_pages(demo_con):
    company = queries.driver_importance(demo_con)
    assert company.columns == ["touchpoint_id", "mean_abs_shap", "share", "direction", "is_significant"]
    assert company["mean_abs_shap"].is_sorted(descending=True)
    assert 0 < company["share"].sum() < 1  # operational facts and client attributes hold the rest
    energy = queries.driver_importance(demo_con, "business_unit=energy;respondent_role=decision_maker")
    assert energy.height and not energy.equals(company)
    assert queries.driver_importance(demo_con, "business_unit=atlantis").is_empty()
    assert queries.driver_importance(demo_con, target="promoter").is_empty()  # not trained on load
    # the view the journey map and overview read before this function existed
    view = demo_con.sql("select touchpoint_id, importance from driver_importance").pl()
    assert set(view["touchpoint_id"]) == set(company["touchpoint_id"])


def test_driver_importance_on_an_empty_warehouse(empty_con):
    assert queries.driver_importance(empty_con).is_empty()
    assert queries.driver_runs(empty_con).is_empty()


def test_segments_map_to_and_from_global_filters():
    filters = Filters(business_units=("energy",), respondent_roles=("decision_maker",))
    assert queries.segment_for_filters(filters) == "business_unit=energy;respondent_role=decision_maker"
    assert queries.segment_for_filters(Filters(business_units=("energy", "machinery"))) == "all"
    back = queries.segment_filters("business_unit=energy;respondent_role=decision_maker", "2025-Q1")
    assert back.business_units == ("energy",) and back.respondent_roles == ("decision_maker",)
    assert back.period_from == "2025-Q1"


def _version_and_runs(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return queries.driver_runs(con).select("target", "is_stale")


def test_training_a_target_keeps_the_other_and_staleness_follows_inputs(demo_env, model):
    con = duckdb.connect(str(demo_env / "warehouse.duckdb"))
    try:
        summary = train_drivers(con, model, targets=["promoter"], config=QUICK)
        assert summary.n_models >= 1 and summary.n_too_small >= 1  # min_n 3000 leaves most segments out
        runs = _version_and_runs(con)
        assert runs.sort("target").to_dicts() == [
            {"target": "promoter", "is_stale": False},
            {"target": "score", "is_stale": False},
        ]
        assert queries.driver_importance(con, target="promoter").height
        bump_data_version(con, "follow-up case 12 updated")  # case work does not touch the inputs
        assert not _version_and_runs(con)["is_stale"].any()
        kpi_batch = con.execute("select max(batch_id) from batches where source = 'kpi_actuals'").fetchall()[
            0
        ][0]
        bump_data_version(con, f"rollback batch {kpi_batch}")
        assert not _version_and_runs(con)["is_stale"].any()
        survey_batch = con.execute("select max(batch_id) from batches where source = 'surveys'").fetchall()[
            0
        ][0]
        bump_data_version(con, f"load batch {survey_batch}")
        assert _version_and_runs(con)["is_stale"].all()
    finally:
        con.close()


def test_a_failed_write_leaves_the_previous_results(demo_env, model):
    con = duckdb.connect(str(demo_env / "warehouse.duckdb"))
    try:
        before = {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES}
        broken = {"driver_runs": pl.DataFrame({"run_id": [99], "target": ["score"]})}  # the rest is missing
        with pytest.raises(KeyError):
            write_results(con, ["score"], broken)
        after = {t: con.execute(f"select count(*) from {t}").fetchall()[0][0] for t in TABLES}
        assert after == before
    finally:
        con.close()


def test_cli_prints_ranked_drivers_as_json(demo_env, capsys):
    from pipelines.__main__ import main

    assert main(["drivers", "--target", "score", "--min-n", "3000", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    models = data["targets"]["score"]["models"]
    company = next(m for m in models if m["segment"] == "all")
    assert company["quality"]["metric"] == "r2" and company["quality"]["cv"] > company["quality"]["baseline"]
    first = company["drivers"][0]
    assert first["rank"] == 1 and first["direction"] == "positive" and first["mean_abs_shap"] > 0
    assert {"share", "rank_range", "relative_weight_share", "agreement"} <= set(first)
    assert any(m["status"] == "too_small" for m in models)


def test_cli_text_output_names_the_top_driver(demo_env, capsys):
    from pipelines.__main__ import main

    assert main(["drivers", "--target", "score", "--min-n", "5000"]) == 0
    out = capsys.readouterr().out
    assert "All respondents (n = 6," in out and "no model (fewer than 5000 answers)" in out


def test_an_empty_warehouse_has_nothing_to_learn_from_and_says_so(
    empty_con, model, capsys, tmp_path, monkeypatch
):
    with pytest.raises(NoAnswersError, match="load surveys first"):
        train_drivers(empty_con, model, targets=["score"], config=QUICK)
    assert queries.driver_runs(empty_con).is_empty() and queries.driver_importance(empty_con).is_empty()
    from pipelines.__main__ import main

    monkeypatch.setenv("CXLENS_DB", str(tmp_path / "cli" / "warehouse.duckdb"))
    assert main(["drivers"]) == 1
    assert "No survey answers in the warehouse yet" in capsys.readouterr().err
