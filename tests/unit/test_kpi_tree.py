"""The KPI tree's shape (paths, outline, chain), status against target in both directions, the
snapshot of values, and the evidence on links — on small hand-built trees and series."""

from __future__ import annotations

import math

import polars as pl
import pytest
from scipy import stats

from app.analytics.kpi_evidence import correlation_test, expected_sign, link_evidence, shap_shares
from app.analytics.kpi_tree import KpiTree, kpi_snapshot, status_of

# tx ── cx_a ── ox_1 ── it_1
#   └── cx_b ──┘  (ox_1 feeds both CX KPIs)      tx2 ── cx_b
TREE = KpiTree(
    ids=("tx", "tx2", "cx_a", "cx_b", "ox_1", "it_1"),
    layers={"tx": "TX", "tx2": "TX", "cx_a": "CX", "cx_b": "CX", "ox_1": "OX", "it_1": "IT"},
    parents={
        "tx": (),
        "tx2": (),
        "cx_a": ("tx",),
        "cx_b": ("tx", "tx2"),
        "ox_1": ("cx_a", "cx_b"),
        "it_1": ("ox_1",),
    },
    children={
        "tx": ("cx_a", "cx_b"),
        "tx2": ("cx_b",),
        "cx_a": ("ox_1",),
        "cx_b": ("ox_1",),
        "ox_1": ("it_1",),
        "it_1": (),
    },
)


def test_roots_descendants_and_paths():
    assert TREE.roots == ("tx", "tx2")
    assert TREE.descendants("tx") == ["cx_a", "ox_1", "it_1", "cx_b"]
    assert TREE.path_to("it_1") == ["tx", "cx_a", "ox_1", "it_1"]
    assert TREE.path_to("it_1", root="tx2") == ["tx2", "cx_b", "ox_1", "it_1"]
    assert TREE.path_to("cx_a", root="tx2") == ["tx", "cx_a"]  # not under tx2: the first path instead


def test_outline_lists_each_kpi_once_and_names_its_other_parents():
    rows = TREE.outline()
    assert [r.kpi_id for r in rows] == ["tx", "cx_a", "ox_1", "it_1", "cx_b", "tx2"]
    assert [r.depth for r in rows] == [0, 1, 2, 3, 1, 0]
    ox = next(r for r in rows if r.kpi_id == "ox_1")
    assert ox.parent_id == "cx_a" and ox.other_parents == ("cx_b",)
    assert [r.kpi_id for r in TREE.outline("cx_b", deepest_layer="OX")] == ["cx_b", "ox_1"]


def test_chain_edges_cover_the_whole_subgraph_down_to_it():
    assert set(TREE.chain_edges("tx2")) == {("tx2", "cx_b"), ("cx_b", "ox_1"), ("ox_1", "it_1")}
    assert ("cx_a", "ox_1") in TREE.chain_edges("tx")


def test_demo_tree_reaches_it_from_every_tx_root(model):
    tree = KpiTree.from_model(model)
    for root in tree.roots:
        layers = {tree.layers[k] for k in tree.descendants(root)}
        assert "IT" in layers, f"{root} has no path down to the IT layer"
    assert len(tree.outline()) == len(model.kpis)


@pytest.mark.parametrize(
    ("value", "target", "direction", "status"),
    [
        (96.0, 95.0, "higher", "on"),
        (92.0, 95.0, "higher", "near"),  # 3 below 95: within 5 % of the target
        (80.0, 95.0, "higher", "off"),
        (1.8, 2.0, "lower", "on"),
        (2.05, 2.0, "lower", "near"),
        (4.8, 2.0, "lower", "off"),
        (5.0, None, "higher", "no_target"),
        (None, 3.0, "lower", "no_data"),
    ],
)
def test_status_reads_the_kpis_own_direction(value, target, direction, status):
    assert status_of(value, target, direction) == status


def test_snapshot_takes_the_newest_value_in_range_with_its_change_and_series():
    values = pl.DataFrame(
        {
            "kpi_id": ["a", "a", "a", "b"],
            "period": ["2025-Q1", "2025-Q2", "2025-Q4", "2025-Q1"],
            "value": [10.0, 12.0, 9.0, 3.0],
        }
    )
    kpis = pl.DataFrame(
        {"kpi_id": ["a", "b", "c"], "target": [11.0, 2.0, None], "direction": ["higher", "lower", "higher"]}
    )
    snap = kpi_snapshot(values, kpis, ["2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4"]).sort("kpi_id")
    a, b, c = snap.to_dicts()
    assert (a["period"], a["value"], a["previous_value"], a["previous_period"], a["change"]) == (
        "2025-Q4",
        9.0,
        12.0,
        "2025-Q2",
        -3.0,
    )
    assert a["series"] == [10.0, 12.0, None, 9.0] and a["status"] == "off"
    assert b["previous_value"] is None and b["change"] is None and b["status"] == "off"
    assert c["value"] is None and c["status"] == "no_data"


def test_correlation_and_p_value_agree_with_scipy():
    x = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0]
    y = [2.1, 1.9, 3.5, 3.9, 5.2, 4.8, 7.1, 7.4]
    r, p = correlation_test(x, y)
    expected = stats.pearsonr(x, y)
    assert r == pytest.approx(expected.statistic) and p == pytest.approx(expected.pvalue)


def test_within_group_correlation_removes_each_units_level():
    # Within each unit y rises with x; unit B sits higher on x and lower on y, so pooled r is negative.
    x = [1.0, 2.0, 3.0, 4.0, 11.0, 12.0, 13.0, 14.0]
    y = [10.0, 11.0, 12.5, 13.0, 1.0, 2.0, 3.2, 4.0]
    groups = ["A"] * 4 + ["B"] * 4
    pooled, _ = correlation_test(x, y)
    within, p = correlation_test(x, y, groups)
    assert pooled < -0.5 and within > 0.95 and p < 0.01
    centred_x = [v - 2.5 for v in x[:4]] + [v - 12.5 for v in x[4:]]
    centred_y = [v - 11.625 for v in y[:4]] + [v - 2.55 for v in y[4:]]
    assert within == pytest.approx(stats.pearsonr(centred_x, centred_y).statistic)


def test_constant_or_short_series_have_no_correlation():
    assert correlation_test([1.0, 2.0], [3.0, 4.0]) == (None, None)
    assert correlation_test([1.0, 2.0, 3.0, 4.0], [5.0, 5.0, 5.0, 5.0]) == (None, None)


def test_expected_sign_follows_the_directions():
    assert expected_sign("higher", "higher") == 1 and expected_sign("lower", "lower") == 1
    assert expected_sign("lower", "higher") == -1  # more on-time deliveries, less churn


def _unit_values(kpi: str, series: dict[str, list[float]]) -> list[tuple]:
    return [
        (kpi, f"2025-Q{i + 1}" if i < 4 else f"2026-Q{i - 3}", unit, v)
        for unit, values in series.items()
        for i, v in enumerate(values)
    ]


def _frame(rows: list[tuple]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"kpi_id": pl.String, "period": pl.String, "business_unit": pl.String, "value": pl.Float64},
        orient="row",
    )


def test_link_verdicts_supported_contradicted_not_shown_mixed_too_few():
    rising = {"u1": [1, 2, 3, 4, 5, 6], "u2": [2, 3, 4, 5, 6, 7]}
    rows = _unit_values("parent", {u: [float(v) for v in s] for u, s in rising.items()})
    rows += _unit_values(
        "follows",
        {u: [v * 2.0 + (0.3 if i % 2 else 0.0) for i, v in enumerate(s)] for u, s in rising.items()},
    )
    rows += _unit_values(
        "against",
        {u: [10.0 - v + (0.2 if i % 2 else 0.0) for i, v in enumerate(s)] for u, s in rising.items()},
    )
    rows += _unit_values(
        "noise", {"u1": [5.0, 1.0, 4.0, 2.0, 5.0, 1.0], "u2": [3.0, 4.0, 1.0, 5.0, 2.0, 4.0]}
    )
    # within each unit it follows the parent; across units its level runs the other way
    rows += _unit_values(
        "paradox", {"u1": [20.0, 21.0, 22.0, 23.0, 24.0, 25.0], "u2": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}
    )
    rows += [("short", "2025-Q1", "u1", 1.0), ("short", "2025-Q2", "u1", 2.0)]
    parent_shift = _frame(rows).with_columns(
        pl.when((pl.col("kpi_id") == "parent") & (pl.col("business_unit") == "u2"))
        .then(pl.col("value") + 30.0)
        .otherwise(pl.col("value"))
        .alias("value")
    )  # u2: higher parent, lower child
    links = pl.DataFrame(
        {"parent_id": ["parent"] * 5, "child_id": ["follows", "against", "noise", "paradox", "short"]}
    )
    directions = dict.fromkeys(["parent", "follows", "against", "noise", "paradox", "short"], "higher")
    evidence = link_evidence(_frame(rows), links, directions)
    verdicts = dict(zip(evidence["child_id"].to_list(), evidence["verdict"].to_list(), strict=True))
    assert verdicts["follows"] == "supported"
    assert verdicts["against"] == "contradicted"
    assert verdicts["noise"] == "not_shown"
    assert verdicts["short"] == "too_few"
    mixed = link_evidence(parent_shift, links.filter(pl.col("child_id") == "paradox"), directions)
    assert mixed["verdict"][0] == "mixed", mixed.to_dicts()
    row = evidence.filter(pl.col("child_id") == "follows").to_dicts()[0]
    assert row["n"] == 12 and row["n_units"] == 2 and row["r"] > 0.95 and row["r_within"] > 0.95


def test_a_lower_is_better_child_is_expected_to_fall_with_its_parent():
    rows = _unit_values("csat", {"u1": [3.0, 3.2, 3.9, 4.1, 4.4, 4.6]})
    rows += _unit_values("delay", {"u1": [9.0, 8.5, 6.0, 5.5, 4.0, 3.0]})
    links = pl.DataFrame({"parent_id": ["csat"], "child_id": ["delay"]})
    evidence = link_evidence(_frame(rows), links, {"csat": "higher", "delay": "lower"})
    assert evidence["expected_sign"][0] == -1 and evidence["aligned_r"][0] > 0.9
    assert evidence["verdict"][0] == "supported"


def test_company_values_are_used_when_there_are_no_unit_values():
    rows = [
        (k, f"2025-Q{q}", None, v)
        for k, values in (("p", [1.0, 2.0, 3.0, 4.0]), ("c", [1.1, 2.2, 2.9, 4.2]))
        for q, v in zip(range(1, 5), values, strict=True)
    ]
    rows += [
        (k, f"2026-Q{q}", None, v)
        for k, values in (("p", [5.0, 6.0]), ("c", [5.1, 5.8]))
        for q, v in zip(range(1, 3), values, strict=True)
    ]
    evidence = link_evidence(
        _frame(rows), pl.DataFrame({"parent_id": ["p"], "child_id": ["c"]}), {"p": "higher", "c": "higher"}
    )
    assert evidence["n"][0] == 6 and evidence["verdict"][0] == "supported" and evidence["r_within"][0] is None


def test_shap_share_of_the_childs_touchpoint():
    driver = pl.DataFrame(
        {"touchpoint_id": ["delivery", "quality", "proposal"], "mean_abs_shap": [0.5, 0.3, 0.2]}
    )
    assert shap_shares(driver) == pytest.approx({"delivery": 0.5, "quality": 0.3, "proposal": 0.2})
    assert shap_shares(None) == {}
    rows = _unit_values("nps", {"u1": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0]}) + _unit_values(
        "csat_delivery", {"u1": [1.0, 2.5, 2.9, 4.2, 5.0, 6.1]}
    )
    links = pl.DataFrame({"parent_id": ["nps"], "child_id": ["csat_delivery"]})
    with_model = link_evidence(
        _frame(rows), links, {}, touchpoints={"csat_delivery": "delivery"}, driver_shap=driver
    )
    without = link_evidence(_frame(rows), links, {}, touchpoints={"csat_delivery": "delivery"})
    assert math.isclose(with_model["shap_share"][0], 0.5) and without["shap_share"][0] is None


def _kpi_tree_problems(edit) -> list[tuple[str, str]]:
    import copy

    import yaml

    from app.service_model import ServiceModelError, parse_service_model
    from app.settings import DATA_DIR

    data = copy.deepcopy(yaml.safe_load((DATA_DIR / "service_model.yaml").read_text(encoding="utf-8")))
    edit({k["id"]: k for k in data["kpis"]})
    with pytest.raises(ServiceModelError) as info:
        parse_service_model(data)
    return info.value.problems


def test_a_kpi_that_is_its_own_parent_is_rejected_with_its_key_path():
    problems = _kpi_tree_problems(lambda kpis: kpis["ox_defect_rate"]["parents"].append("ox_defect_rate"))
    assert len(problems) == 1 and problems[0][0].endswith("].parents[1]")
    assert "cannot be its own parent" in problems[0][1]


def test_a_long_cycle_through_several_layers_is_rejected_once():
    def edit(kpis: dict) -> None:  # IT -> EX -> OX -> ... and back up: it_tms_tracking drives cx_nps
        kpis["cx_nps"]["parents"].append("it_tms_tracking")

    problems = _kpi_tree_problems(edit)
    cycles = [p for p in problems if p[1].startswith("cycle in the KPI tree")]
    assert len(cycles) == 1 and cycles[0][0].startswith("kpis[") and cycles[0][0].endswith("].parents")
    assert "it_tms_tracking" in cycles[0][1] and "cx_nps" in cycles[0][1]
