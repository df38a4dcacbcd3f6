"""The demo company generator: deterministic, in the import formats, valid, and telling its story."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

import numpy as np
import polars as pl
import pytest

from app.service_model import ServiceModel, load_service_model
from pipelines import demo_story as st
from pipelines.demo_data import DemoFiles, generate_demo
from pipelines.sources import SOURCES, source_spec

MODEL_PATH = Path(__file__).resolve().parents[2] / "data" / "service_model.yaml"
NOT_AFTER = datetime(2026, 11, 22)
SCALE = 0.3


@pytest.fixture(scope="module")
def demo_model() -> ServiceModel:
    return load_service_model(MODEL_PATH)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory, demo_model: ServiceModel) -> DemoFiles:
    return generate_demo(tmp_path_factory.mktemp("demo"), demo_model, seed=7, scale=SCALE)


def read(source: str, path: Path, model: ServiceModel) -> pl.DataFrame:
    """A generated file read back the way an analyst's tool would, typed by the spec's kinds."""
    fmt = "%Y-%m-%d %H:%M:%S"
    if path.suffix == ".xlsx":
        df = pl.read_excel(path, read_options={"header_row": 1})
    else:
        try:
            path.read_bytes().decode("utf-8")
            df = pl.read_csv(path, infer_schema_length=0)
        except UnicodeDecodeError:
            df = pl.read_csv(path, separator=";", encoding="cp1251", decimal_comma=True, infer_schema_length=0)
            fmt = "%d.%m.%Y %H:%M"
    casts = []
    for c in source_spec(source, model).columns:
        col, is_text = pl.col(c.name), df.schema[c.name] == pl.String
        if c.kind == "datetime":
            casts.append(col.str.to_datetime(fmt, strict=True) if is_text else col.cast(pl.Datetime("us")))
        elif c.kind in ("int", "float"):
            col = col.str.replace(",", ".", literal=True) if is_text else col
            casts.append(col.cast(pl.Int64 if c.kind == "int" else pl.Float64, strict=True))
        else:
            casts.append(col.cast(pl.String))
    return df.select(casts)


@pytest.fixture(scope="module")
def tables(demo: DemoFiles, demo_model: ServiceModel) -> dict[str, pl.DataFrame]:
    out: dict[str, list[pl.DataFrame]] = {}
    for source, path in demo.files:
        out.setdefault(source, []).append(read(source, path, demo_model))
    return {source: pl.concat(frames) for source, frames in out.items()}


def with_quarter(df: pl.DataFrame, column: str) -> pl.DataFrame:
    return df.with_columns(quarter=pl.col(column).dt.year() * 10 + pl.col(column).dt.quarter())


def rule_problems(source: str, df: pl.DataFrame, model: ServiceModel) -> list[str]:
    spec, problems = source_spec(source, model), []
    special = {"touchpoints": [t.id for t in model.touchpoints], "processes": [p.id for p in model.processes],
               "kpis": [k.id for k in model.kpis]}
    for c in spec.columns:
        s = df[c.name].drop_nulls()
        if c.required and df[c.name].null_count():
            problems.append(f"{source}.{c.name}: {df[c.name].null_count()} empty")
        if c.min is not None and (s < c.min).any():
            problems.append(f"{source}.{c.name}: below {c.min}")
        if c.max is not None and (s > c.max).any():
            problems.append(f"{source}.{c.name}: above {c.max}")
        if c.allowed:
            allowed = special.get(c.allowed) or model.option_ids(c.allowed)
            unknown = set(s.unique()) - set(allowed)
            if unknown:
                problems.append(f"{source}.{c.name}: unknown {sorted(unknown)[:5]}")
        if c.kind == "datetime" and not c.future_ok and (s > NOT_AFTER).any():
            problems.append(f"{source}.{c.name}: in the future")
    for rule in spec.order_rules:
        n = df.filter(pl.col(rule.later) < pl.col(rule.earlier)).height
        if n:
            problems.append(f"{source}: {n} rows with {rule.later} before {rule.earlier}")
    if df.select(spec.key).is_duplicated().any():
        problems.append(f"{source}: duplicate key {spec.key}")
    return problems


def test_same_seed_gives_byte_identical_files(demo: DemoFiles, demo_model, tmp_path: Path) -> None:
    again = generate_demo(tmp_path / "again", demo_model, seed=7, scale=SCALE)

    def digest(files: DemoFiles) -> dict[str, str]:
        paths = [p for _, p in files.files] + [files.ground_truth]
        return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}

    assert digest(again) == digest(demo)
    other = generate_demo(tmp_path / "other", demo_model, seed=8, scale=SCALE)
    assert digest(other)["orders.csv"] != digest(demo)["orders.csv"]


def test_files_come_in_load_order_with_one_survey_file_per_wave(demo: DemoFiles) -> None:
    sources = [s for s, _ in demo.files]
    assert sources == ["clients"] + ["surveys"] * 8 + ["orders", "events", "tickets", "kpi_actuals"]
    assert set(sources) == set(SOURCES)
    names = [p.name for s, p in demo.files if s == "surveys"]
    assert names[0] == "surveys_2024Q4.csv" and names[-1] == "surveys_2026Q3.csv"
    assert "surveys_2025Q2.xlsx" in names
    assert all(p.exists() and p.parent == demo.ground_truth.parent for _, p in demo.files)
    assert demo.ground_truth.name == "ground_truth.json"


def test_every_file_has_exactly_the_spec_columns(demo: DemoFiles, demo_model) -> None:
    for source, path in demo.files:
        if path.suffix == ".xlsx":
            header = pl.read_excel(path, read_options={"header_row": 1}).columns
        else:
            sep, enc = (";", "cp1251") if b";" in path.read_bytes()[:200] else (",", "utf8")
            header = pl.read_csv(path, separator=sep, encoding=enc, n_rows=1).columns
        assert header == source_spec(source, demo_model).column_names, path.name


def test_values_pass_the_import_rules(tables, demo_model) -> None:
    problems = [p for source, df in tables.items() for p in rule_problems(source, df, demo_model)]
    assert problems == []


def test_rows_refer_to_known_clients_and_process_steps(tables, demo_model) -> None:
    clients = set(tables["clients"]["client_id"])
    for source in ("surveys", "orders", "events", "tickets"):
        assert set(tables[source]["client_id"].drop_nulls()) <= clients, source
    for process in demo_model.processes:
        acts = set(tables["events"].filter(pl.col("process") == process.id)["activity"])
        assert acts == {s.activity for s in process.steps}
    orders = set(tables["orders"]["order_id"])
    order_cases = set(tables["events"].filter(pl.col("process") == "order_fulfilment")["case_id"])
    assert order_cases == orders
    assert tables["events"].filter(pl.col("process") == "commercial_proposal")["case_id"].str.contains(
        r"^P-\d{6}$").all()


def test_sizes_at_small_scale(tables) -> None:
    assert tables["clients"].height == round(600 * SCALE)
    assert 6000 * SCALE * 0.7 <= tables["surveys"].height <= 9000 * SCALE * 1.3
    assert 15000 * SCALE * 0.7 <= tables["orders"].height <= 25000 * SCALE * 1.3
    assert tables["events"].height < 200_000 * SCALE
    assert 3000 * SCALE * 0.6 <= tables["tickets"].height <= 3000 * SCALE * 1.5


def test_scale_one_is_the_full_company_and_fast(tmp_path: Path, demo_model) -> None:
    import time

    start = time.perf_counter()
    files = generate_demo(tmp_path, demo_model, seed=7, scale=1.0)
    assert time.perf_counter() - start < 10
    truth = json.loads(files.ground_truth.read_text(encoding="utf-8"))
    assert 10 <= truth["nps"]["overall"] <= 35
    assert truth["nps"]["by_unit"]["machinery"] > truth["nps"]["by_unit"]["energy"]
    rows = truth["rows"]
    assert rows["clients.csv"] == 600
    assert 6000 <= sum(v for k, v in rows.items() if k.startswith("surveys_")) <= 9000
    assert 15000 <= rows["orders.csv"] <= 25000
    assert rows["events.csv"] < 200_000
    assert 2500 <= rows["tickets.csv"] <= 3500


def test_tiny_scale_stays_valid(tmp_path: Path, demo_model) -> None:
    files = generate_demo(tmp_path, demo_model, seed=3, scale=0.02)
    for source, path in files.files:
        assert rule_problems(source, read(source, path, demo_model), demo_model) == [], path.name


def test_client_base_mixes_statuses_grades_and_names(tables, demo_model) -> None:
    clients = tables["clients"]
    assert set(clients["status"]) == set(demo_model.option_ids("statuses"))
    grades = clients["grade"].value_counts().sort("grade")
    assert grades["count"][0] < grades["count"][1] and grades["count"][0] < grades["count"][2]  # fewer A
    assert (clients["status"] == "current").mean() > 0.5
    never = clients.filter(pl.col("status").is_in(["potential", "lost_lead", "competitor_client"]))
    assert never["first_order_at"].null_count() == never.height
    assert not set(never["client_id"]) & set(tables["orders"]["client_id"])
    former = clients.filter(pl.col("status") == "former")
    assert former["churned_at"].null_count() == 0
    assert clients.filter(pl.col("status") != "former")["churned_at"].null_count() == clients.height - former.height
    assert clients["name"].str.contains("«").any() and clients["name"].str.contains(r"^[A-Za-z]").any()
    for column in demo_model.client_importance_columns():
        assert clients[column].drop_nulls().is_between(1, 5).all()


def test_survey_waves_look_like_real_answers(tables, demo_model) -> None:
    s = tables["surveys"]
    assert s["response_id"].is_unique().all()
    assert 0.3 <= s["comment"].is_not_null().mean() <= 0.5
    assert s["comment"].drop_nulls().str.contains("[а-яА-Я]").any()
    assert s["comment"].drop_nulls().str.contains("^[A-Z][a-z]").any()
    assert s["ces"].is_not_null().mean() > 0.8
    assert 0 < s["email"].is_not_null().mean() < 0.6
    assert set(s["respondent_role"]) == set(demo_model.option_ids("respondent_roles"))
    per_client_wave = with_quarter(s, "submitted_at").group_by("client_id", "quarter").len()
    assert per_client_wave["len"].max() > 1
    rated = s.select([pl.col(t.rating_column).is_not_null().sum() for t in demo_model.touchpoints]).row(0)
    assert all(0 < n < s.height for n in rated)  # everyone rates some touchpoints, nobody all


def test_cp1251_wave_reads_back_with_decimal_commas_and_russian_dates(demo: DemoFiles) -> None:
    path = next(p for _, p in demo.files if p.name == "surveys_2025Q1.csv")
    raw = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    df = pl.read_csv(path, separator=";", encoding="cp1251", decimal_comma=True)
    assert df["ces"].dtype == pl.Float64
    assert (df["ces"].drop_nulls() % 1 == 0.5).any()  # half points came through the decimal comma
    assert df["submitted_at"].str.contains(r"^\d{2}\.\d{2}\.2025 \d{2}:\d{2}$").all()
    dates = df["submitted_at"].str.to_datetime("%d.%m.%Y %H:%M")
    assert dates.dt.quarter().unique().to_list() == [1]
    assert df["respondent_name"].drop_nulls().str.contains("[а-яА-Я]").all()


def test_xlsx_wave_has_a_title_row_above_the_header(demo: DemoFiles, demo_model) -> None:
    path = next(p for _, p in demo.files if p.suffix == ".xlsx")
    raw = pl.read_excel(path, has_header=False)
    assert raw.row(0)[0] == "Survey export — wave 2025-Q2"
    df = pl.read_excel(path, read_options={"header_row": 1})
    assert df.columns == source_spec("surveys", demo_model).column_names
    assert df["submitted_at"].dtype == pl.Datetime("ms") or df["submitted_at"].dtype.is_temporal()
    assert df["submitted_at"].dt.quarter().unique().to_list() == [2]
    assert df["nps"].is_between(0, 10).all()


def test_orders_have_late_and_open_ones(tables) -> None:
    o = tables["orders"]
    delivered = o.filter(pl.col("delivered_at").is_not_null())
    late = (delivered["delivered_at"] > delivered["promised_at"]).mean()
    assert 0.12 <= late <= 0.28
    assert 0 < o["delivered_at"].null_count() < 0.05 * o.height
    e = tables["events"]
    assert e["ended_at"].null_count() > 0
    steps = e.filter(pl.col("process") == "order_fulfilment").group_by("case_id").agg(
        repeated=pl.col("activity").is_duplicated().any())
    assert steps["repeated"].any()  # rework: a step repeated in a case


def test_late_orders_lower_delivery_rating_that_quarter(tables, demo_model) -> None:
    rating = demo_model.touchpoint("delivery").rating_column
    late = (with_quarter(tables["orders"].filter(pl.col("delivered_at").is_not_null()), "delivered_at")
            .group_by("client_id", "quarter").agg(late=(pl.col("delivered_at") > pl.col("promised_at")).any()))
    s = with_quarter(tables["surveys"], "submitted_at").join(late, on=["client_id", "quarter"], how="left")
    means = s.filter(pl.col(rating).is_not_null()).group_by(pl.col("late").fill_null(False)).agg(pl.col(rating).mean())
    by = dict(zip(means["late"], means[rating], strict=True))
    assert by[True] < by[False] - 0.3


def test_energy_waits_longest_before_proposal_approval(tables) -> None:
    e = (tables["events"].filter(pl.col("process") == "commercial_proposal").sort("case_id", "started_at")
         .with_columns(wait=(pl.col("started_at") - pl.col("ended_at").shift().over("case_id")).dt.total_hours())
         .join(tables["clients"].select("client_id", "business_unit"), on="client_id"))
    waits = e.filter(pl.col("activity") == "proposal_approval").group_by("business_unit").agg(pl.col("wait").median())
    by = dict(zip(waits["business_unit"], waits["wait"], strict=True))
    assert by["energy"] > 3 * max(v for u, v in by.items() if u != "energy")
    rating = "csat_proposal"
    s = tables["surveys"].join(tables["clients"].select("client_id", "business_unit"), on="client_id")
    csat = s.group_by("business_unit").agg(pl.col(rating).mean())
    by = dict(zip(csat["business_unit"], csat[rating], strict=True))
    assert by["energy"] < min(v for u, v in by.items() if u != "energy") - 0.3


def test_nps_follows_the_true_driver_weights(tables, demo_model, demo: DemoFiles) -> None:
    s = tables["surveys"]
    corr = {}
    for t in demo_model.touchpoints:
        both = s.select("nps", t.rating_column).drop_nulls()
        corr[t.id] = float(np.corrcoef(both["nps"], both[t.rating_column])[0, 1])
    ranked = sorted(corr, key=corr.get, reverse=True)
    assert ranked[0] == "delivery"
    assert "product_quality" in ranked[:3]
    truth = json.loads(demo.ground_truth.read_text(encoding="utf-8"))
    assert truth["driver_ranking"][:4] == ["delivery", "product_quality", "proposal", "service_request"]


def test_nps_is_moderate_and_differs_by_unit(tables, demo: DemoFiles) -> None:
    s = tables["surveys"].join(tables["clients"].select("client_id", "business_unit"), on="client_id")
    nps = (100 * ((pl.col("nps") >= 9).mean() - (pl.col("nps") <= 6).mean())).alias("nps")
    overall = s.select(nps).item()
    assert 0 <= overall <= 40
    by = dict(s.group_by("business_unit").agg(nps).iter_rows())
    assert max(by.values()) - min(by.values()) > 5
    truth = json.loads(demo.ground_truth.read_text(encoding="utf-8"))
    assert truth["nps"]["overall"] == pytest.approx(overall, abs=0.1)
    assert truth["nps"]["by_unit"]["energy"] == pytest.approx(by["energy"], abs=0.1)


def test_clients_who_recommend_less_leave_more_and_are_worth_less(tables) -> None:
    c = tables["clients"].filter(pl.col("status").is_in(["current", "former"]))
    mean_nps = tables["surveys"].group_by("client_id").agg(pl.col("nps").mean())
    c = c.join(mean_nps, on="client_id")
    by = dict(c.group_by("status").agg(pl.col("nps").mean()).iter_rows())
    assert by["former"] < by["current"] - 0.5
    # LTV = margin × revenue × (years so far + years ahead); the years ahead follow the NPS
    tenure = (pl.lit(datetime(2026, 10, 15)) - pl.col("first_order_at")).dt.total_days() / 365.25
    ahead = (pl.col("ltv") / (pl.col("revenue") * st.MARGIN) - tenure).alias("ahead")
    current = c.filter(pl.col("status") == "current").with_columns(ahead)
    promoters, detractors = current.filter(pl.col("nps") >= 9), current.filter(pl.col("nps") <= 6)
    assert promoters["ahead"].min() > detractors["ahead"].max()
    assert current.select(pl.corr("nps", "ahead", method="spearman")).item() > 0.9


def test_tickets_carry_recurring_themes_in_two_languages(tables, demo_model, demo: DemoFiles) -> None:
    t = tables["tickets"]
    truth = json.loads(demo.ground_truth.read_text(encoding="utf-8"))
    themes = truth["complaint_themes"]
    assert len(themes) >= 5
    assert set(t["category"]) >= {th["category"] for th in themes}
    assert set(t["severity"]) == {"low", "medium", "high", "critical"}
    text = t["text"].str.to_lowercase()
    for th in themes:
        assert text.str.contains(th["keywords"]["ru"][0].lower(), literal=True).any(), th["id"]
        assert text.str.contains(th["keywords"]["en"][0].lower(), literal=True).any(), th["id"]
    assert 0 < t["closed_at"].null_count() < 0.1 * t.height


def test_kpi_actuals_cover_every_actuals_kpi_and_tell_the_story(tables, demo_model) -> None:
    k = tables["kpi_actuals"]
    ids = [x.id for x in demo_model.kpis if x.compute.kind == "actuals"]
    units = demo_model.option_ids("business_units")
    assert set(k["kpi_id"]) == set(ids)
    assert k.height == len(ids) * 8 * (len(units) + 1)
    assert k["period"].unique().sort().to_list()[0] == "2024-Q4" and k["period"].max() == "2026-Q3"
    mean = dict(k.filter(pl.col("kpi_id") == "ex_approval_delegation").group_by("business_unit")
                .agg(pl.col("value").mean()).iter_rows())
    assert mean["energy"] < min(mean["machinery"], mean["construction"]) - 20
    churn = k.filter(pl.col("kpi_id") == "tx_churn_rate")
    assert churn["value"].is_between(0, 100).all() and churn["value"].max() > 0


def test_ground_truth_names_what_was_planted(demo: DemoFiles, demo_model) -> None:
    truth = json.loads(demo.ground_truth.read_text(encoding="utf-8"))
    assert truth["seed"] == 7 and truth["scale"] == SCALE
    assert set(truth["driver_weights"]) == {t.id for t in demo_model.touchpoints}
    b = truth["bottleneck"]
    assert (b["process"], b["activity"], b["business_unit"]) == ("commercial_proposal", "proposal_approval", "energy")
    assert truth["late_delivery_effect"]["difference"] < -0.3
    assert {th["touchpoint"] for th in truth["complaint_themes"]} <= {t.id for t in demo_model.touchpoints}
    assert set(truth["nps"]["by_unit"]) == set(demo_model.option_ids("business_units"))
