"""The service model is validated on load; every problem is reported with its key path."""

from __future__ import annotations

import copy
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from app.service_model import ServiceModelError, load_service_model, parse_service_model
from app.settings import DATA_DIR, PROJECT_ROOT

RETAIL = Path(__file__).resolve().parent.parent / "data" / "retail"


@pytest.fixture(scope="module")
def raw() -> dict:
    return yaml.safe_load((DATA_DIR / "service_model.yaml").read_text(encoding="utf-8"))


def problems_of(data: dict) -> list[tuple[str, str]]:
    with pytest.raises(ServiceModelError) as info:
        parse_service_model(data)
    return info.value.problems


def test_demo_model_loads(model):
    assert [s.id for s in model.stages][:3] == ["first_contact", "request", "proposal"]
    assert {k.layer for k in model.kpis} == {"TX", "CX", "OX", "EX", "IT"}


def test_unknown_parent_is_named_with_key_path(raw):
    data = copy.deepcopy(raw)
    index = next(i for i, k in enumerate(data["kpis"]) if k["id"] == "ox_on_time_delivery")
    data["kpis"][index]["parents"] = ["cx_csat_delivery", "cx_teleport"]
    assert problems_of(data) == [(f"kpis[{index}].parents[1]", "unknown parent KPI 'cx_teleport'")]


def test_cycle_in_kpi_tree_is_rejected(raw):
    data = copy.deepcopy(raw)
    ids = [k["id"] for k in data["kpis"]]
    data["kpis"][ids.index("cx_csat_delivery")]["parents"] = ["cx_nps", "ox_on_time_delivery"]
    problems = problems_of(data)
    assert len(problems) == 1
    path, message = problems[0]
    assert path.startswith("kpis[") and path.endswith("].parents")
    assert message.startswith("cycle in the KPI tree: ")
    assert "cx_csat_delivery" in message and "ox_on_time_delivery" in message


def test_all_problems_reported_at_once(raw):
    data = copy.deepcopy(raw)
    data["touchpoints"][0]["stage"] = "nowhere"
    data["touchpoints"][1]["scale"] = {"min": 5, "max": 1}
    data["kpis"][0]["layer"] = "ZX"
    problems = dict(problems_of(data))
    assert "touchpoints[1].scale" in problems
    assert "kpis[0].layer" in problems
    # cross-reference problems come once the shapes are right
    data["touchpoints"][1]["scale"] = {"min": 1, "max": 5}
    data["kpis"][0]["layer"] = "TX"
    assert problems_of(data) == [("touchpoints[0].stage", "unknown stage 'nowhere'; expected one of "
                                  + str(sorted(s["id"] for s in raw["stages"])))]


def test_duplicate_ids_and_bad_identifiers(raw):
    data = copy.deepcopy(raw)
    data["stages"].append(dict(data["stages"][0]))
    data["touchpoints"][0]["rating_column"] = "Bad Column"
    problems = problems_of(data)
    assert problems[0][0] == "touchpoints[0].rating_column"


def test_missing_file_and_bad_yaml(tmp_path):
    with pytest.raises(ServiceModelError, match="file not found"):
        load_service_model(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("company: [unclosed", encoding="utf-8")
    with pytest.raises(ServiceModelError, match="not valid YAML"):
        load_service_model(bad)


def test_second_company_loads_end_to_end_with_no_code_change(tmp_path):
    """A retail chain with other stages, scales, KPIs and processes goes through the real CLI."""
    env = {"CXLENS_DB": str(tmp_path / "retail.duckdb"), "CXLENS_SERVICE_MODEL": str(RETAIL / "service_model.yaml"),
           "PATH": "/usr/bin:/bin"}

    def cli(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "pipelines", *args], cwd=PROJECT_ROOT, env=env,
                              capture_output=True, text=True, timeout=120)

    for source, name in [("clients", "clients.csv"), ("surveys", "surveys.csv"), ("events", "events.csv"),
                         ("kpi_actuals", "kpi_actuals.csv")]:
        result = cli("load", source, str(RETAIL / name), "--quiet")
        assert result.returncode == 0, result.stdout + result.stderr
    import duckdb

    con = duckdb.connect(env["CXLENS_DB"], read_only=True)
    try:
        assert con.execute("select touchpoint_id, rating from mart_ratings where response_id = 'Q2' "
                           "order by touchpoint_order").fetchall() == [("shelf", 3), ("checkout", 4), ("click_collect", 2)]
        assert con.execute("select email from raw_surveys order by response_id").fetchall() == [(None,), (None,)]
        nps = con.execute("select value from mart_kpi_values where kpi_id = 'nps' and business_unit is null").fetchall()
        assert nps == [(0.0,)]
        deadline = con.execute("select deadline_at from mart_process_steps where activity = 'shop_delivery'").fetchall()
        assert str(deadline[0][0]) == "2026-05-01 17:00:00"
    finally:
        con.close()
