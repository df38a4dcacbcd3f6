"""Rebuilds the SQL models (staging views and mart tables) and the dimension tables of the model.

Each model is one SQL file in sql/ that states its grain. Models are rebuilt inside the caller's
transaction after every load and rollback, so marts never disagree with the raw tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from string import Template
from typing import Literal

import duckdb
import polars as pl

from app.service_model import ServiceModel, Touchpoint
from app.warehouse.index_sql import index_sql_parts
from app.warehouse.process_report_queries import STEP_SUMS
from app.warehouse.wait_cost_sql import wait_cost_sql_parts

SQL_DIR = Path(__file__).parent / "sql"

# (name, materialisation, raw sources it reads) in dependency order. Views cost nothing to rebuild
# and are read through the additive aggregate tables by pages; tables are rebuilt only when one of
# their sources changed, so a survey load does not recompute the process marts.
MODELS: tuple[tuple[str, str, frozenset[str]], ...] = (
    ("stg_clients", "view", frozenset({"clients"})),
    ("mart_clients", "table", frozenset({"clients", "orders"})),
    ("mart_responses", "view", frozenset({"surveys", "clients"})),
    ("mart_respondent_contacts", "view", frozenset({"surveys"})),
    ("mart_ratings", "view", frozenset({"surveys", "clients"})),
    ("mart_answer_ratings", "view", frozenset({"surveys"})),
    ("stg_survey_batch_cube", "table", frozenset({"surveys", "clients"})),
    ("stg_survey_cube", "view", frozenset({"surveys", "clients"})),
    ("mart_touchpoint_scores", "table", frozenset({"surveys", "clients"})),
    ("mart_nps", "table", frozenset({"surveys", "clients"})),
    ("mart_touchpoint_pairs", "table", frozenset({"surveys", "clients"})),
    ("mart_survey_coverage", "table", frozenset({"surveys"})),
    ("mart_survey_summary", "table", frozenset({"surveys"})),
    ("mart_orders", "table", frozenset({"orders", "clients"})),
    ("mart_process_steps", "table", frozenset({"events", "orders", "clients"})),
    ("mart_process_cases", "table", frozenset({"events", "orders", "clients"})),
    ("mart_process_links", "table", frozenset({"events", "orders", "clients"})),
    ("mart_process_step_cube", "table", frozenset({"events", "orders", "clients"})),
    ("stg_client_step_waits", "table", frozenset({"events", "orders", "clients"})),
    ("mart_wait_cost_group_roles", "table", frozenset({"surveys", "events", "orders", "clients"})),
    ("mart_wait_cost_groups", "table", frozenset({"surveys", "events", "orders", "clients"})),
    ("mart_wait_cost_slot_roles", "table", frozenset({"surveys", "events", "orders", "clients"})),
    ("mart_wait_cost_slots", "table", frozenset({"surveys", "events", "orders", "clients"})),
    ("mart_wait_cost_counts", "table", frozenset({"surveys", "events", "orders", "clients"})),
    ("mart_wait_cost_role_counts", "table", frozenset({"surveys", "events", "orders", "clients"})),
    ("mart_tickets", "table", frozenset({"tickets", "clients"})),
    ("stg_client_answers", "table", frozenset({"clients", "surveys"})),
    ("stg_client_service", "table", frozenset({"clients", "orders", "tickets"})),
    ("mart_client_facts", "view", frozenset({"clients", "orders", "tickets", "surveys"})),
    ("mart_client_index", "table", frozenset({"clients", "orders", "tickets", "surveys"})),
    ("mart_client_list_quarters", "table", frozenset({"clients", "orders", "tickets", "surveys"})),
    ("mart_client_list", "table", frozenset({"clients", "orders", "tickets", "surveys"})),
    ("mart_client_cases", "table", frozenset({"follow_ups"})),
    ("mart_response_focus", "view", frozenset({"surveys"})),
    ("mart_feedback", "table", frozenset({"surveys", "clients", "tickets"})),
    # follow_up_cases changes through the app (source "follow_ups") and with survey loads
    ("stg_follow_up_cases", "view", frozenset({"surveys", "follow_ups"})),
    ("mart_follow_ups", "view", frozenset({"surveys", "clients", "follow_ups"})),
)
MART_SOURCES: dict[str, frozenset[str]] = {name: sources for name, _, sources in MODELS}

# Tables kept per survey batch: each row carries the batch_id of the answers it came from, and the
# SQL reads raw_surveys only where ${survey_batch_filter} holds. Loading or rolling back one survey
# batch then inserts or deletes that batch's rows instead of recomputing the whole table, so a load
# costs what its own rows cost, not what the warehouse holds (a change of clients rebuilds them all).
PER_SURVEY_BATCH: frozenset[str] = frozenset({
    "stg_survey_batch_cube", "mart_survey_coverage", "mart_feedback",
    "mart_wait_cost_group_roles", "mart_wait_cost_groups", "mart_wait_cost_slot_roles", "mart_wait_cost_slots",
})


@dataclass(frozen=True)
class SurveyBatchChange:
    """One survey batch added ("append") or rolled back ("remove")."""

    batch_id: int
    op: Literal["append", "remove"]


class ModelBuildError(RuntimeError):
    """A SQL model (often a KPI's compute.sql from the service model) failed to build."""


def dimension_frames(model: ServiceModel) -> dict[str, pl.DataFrame]:
    stage_order = model.stage_order()
    stages = pl.DataFrame(
        {
            "stage_id": [s.id for s in model.stages],
            "stage_order": list(range(len(model.stages))),
            "label_en": [s.label.en for s in model.stages],
            "label_ru": [s.label.get("ru") for s in model.stages],
            "phase": [s.phase for s in model.stages],
        }
    )
    tps = model.touchpoints
    touchpoints = pl.DataFrame(
        {
            "touchpoint_id": [t.id for t in tps],
            "touchpoint_order": list(range(len(tps))),
            "stage_id": [t.stage for t in tps],
            "stage_order": [stage_order[t.stage] for t in tps],
            "label_en": [t.label.en for t in tps],
            "label_ru": [t.label.get("ru") for t in tps],
            "channel": [t.channel for t in tps],
            "department": [t.department for t in tps],
            "is_moment_of_truth": [t.moment_of_truth for t in tps],
            "rating_column": [t.rating_column for t in tps],
            "importance_column": [t.importance_column for t in tps],
            "scale_min": [t.scale.min for t in tps],
            "scale_max": [t.scale.max for t in tps],
            "top2_min": [t.scale.top2_threshold for t in tps],
            "target": [t.target for t in tps],
            "block": [t.block for t in tps],
        },
        schema_overrides={"target": pl.Float64, "importance_column": pl.String},
    )
    kpis = pl.DataFrame(
        {
            "kpi_id": [k.id for k in model.kpis],
            "kpi_order": list(range(len(model.kpis))),
            "name_en": [k.name.en for k in model.kpis],
            "name_ru": [k.name.get("ru") for k in model.kpis],
            "layer": [k.layer for k in model.kpis],
            "unit": [k.unit for k in model.kpis],
            "direction": [k.direction for k in model.kpis],
            "target": [k.target for k in model.kpis],
            "indicator": [k.indicator for k in model.kpis],
            "touchpoint_id": [k.touchpoint for k in model.kpis],
            "owner": [k.owner for k in model.kpis],
            "compute_kind": [k.compute.kind for k in model.kpis],
        },
        schema_overrides={"target": pl.Float64, "touchpoint_id": pl.String, "owner": pl.String},
    )
    links = pl.DataFrame(
        [(p, k.id) for k in model.kpis for p in k.parents],
        schema={"parent_id": pl.String, "child_id": pl.String},
        orient="row",
    )
    steps = pl.DataFrame(
        [
            (p.id, s.activity, i, s.label.en, s.label.get("ru"), s.department, s.target_hours,
             s.deadline_offset_hours, s.touchpoint)
            for p in model.processes
            for i, s in enumerate(p.steps)
        ],
        schema={
            "process": pl.String, "activity": pl.String, "step_order": pl.Int64,
            "label_en": pl.String, "label_ru": pl.String, "department": pl.String,
            "target_hours": pl.Float64, "deadline_offset_hours": pl.Float64,
            "touchpoint_id": pl.String,
        },
        orient="row",
    )
    return {
        "dim_stages": stages,
        "dim_touchpoints": touchpoints,
        "dim_kpis": kpis,
        "dim_kpi_links": links,
        "dim_process_steps": steps,
    }


def _rating_union(model: ServiceModel) -> str:
    parts = []
    for tp in model.touchpoints:
        importance = tp.importance_column or "null::double"
        parts.append(
            f"select response_id, '{tp.id}' as touchpoint_id, {tp.rating_column} as rating, "
            f"{importance}::double as importance from raw_surveys where {tp.rating_column} is not null"
        )
    return "\n    union all\n    ".join(parts)


# Every touchpoint's columns in the survey cube, suffixed _<touchpoint index>: (column, its aggregate over
# one batch's answers, SQL type of its sum over batches). {r} is the rating column, {lo}/{span}/{top}
# its scale, {imp} its importance where it was rated.
TOUCHPOINT_SUMS: tuple[tuple[str, str, str], ...] = (
    ("n", "count({r})", "bigint"),
    ("sum_rating", "sum({r})", "bigint"),
    ("sum_rating_sq", "sum({r} * {r})", "bigint"),
    ("sum_score_100", "sum(100.0 * ({r} - {lo}) / {span})", "double"),
    ("n_top2", "count_if({r} >= {top})", "bigint"),
    ("n_promoters", "count_if({r} is not null and is_promoter)", "bigint"),
    ("n_detractors", "count_if({r} is not null and is_detractor)", "bigint"),
    ("sum_importance", "sum({imp})", "double"),
    ("n_importance", "count({imp})", "bigint"),
)
# Sums that pair a touchpoint's rating with another answer of the same response (mart_touchpoint_pairs):
# the rating–NPS correlation over answers with both, and the CES of the touchpoint's raters.
# (cube column, mart column, aggregate, type). CASE inside the sum, not FILTER: with ~200 aggregates
# in one pass FILTER was 3× slower (DuckDB 2.0).
PAIR_SUMS: tuple[tuple[str, str, str, str], ...] = (
    ("pair_n", "n_pairs", "count({r} * nps)", "bigint"),
    ("pair_sx", "sum_rating", "sum(case when nps is not null then {r} end)", "bigint"),
    ("pair_sy", "sum_nps", "sum(case when {r} is not null then nps end)", "bigint"),
    ("pair_sxy", "sum_rating_nps", "sum({r} * nps)", "bigint"),
    ("pair_sxx", "sum_rating_sq", "sum(case when nps is not null then {r} * {r} end)", "bigint"),
    ("pair_syy", "sum_nps_sq", "sum(case when {r} is not null then nps * nps end)", "bigint"),
    ("pair_nc", "n_ces", "count(case when {r} is not null then ces end)", "bigint"),
    ("pair_sc", "sum_ces", "sum(case when {r} is not null then ces end)", "double"),
    ("pair_scc", "sum_ces_sq", "sum(case when {r} is not null then ces * ces end)", "double"),
)
# The response-level columns of the cube (aggregated in stg_survey_batch_cube.sql) and their sums' types.
RESPONSE_SUMS: tuple[tuple[str, str], ...] = (
    ("n", "bigint"), ("n_promoters", "bigint"), ("n_passives", "bigint"), ("n_detractors", "bigint"),
    ("sum_ces", "double"), ("n_ces", "bigint"),
)


# Cube columns that follow from others, so the load's one scan of the answers does not aggregate
# them (a quarter of the ~270 aggregates): NPS is required in every answer (pipelines/sources.py),
# so a rated touchpoint always pairs with an NPS, and the 0–100 score is linear in the rating.
# stg_survey_cube computes them from the summed columns; {i} is the touchpoint's index.
DERIVED_CUBE_SUMS: dict[str, str] = {
    "sum_score_100": "100.0 * (sum(sum_rating_{i}) - {lo} * sum(n_{i})) / {span}",
    "pair_n": "sum(n_{i})",
    "pair_sx": "sum(sum_rating_{i})",
    "pair_sxx": "sum(sum_rating_sq_{i})",
}
# A touchpoint without an importance column has no importance sums to aggregate either.
NO_IMPORTANCE_SUMS: dict[str, str] = {"sum_importance": "null", "n_importance": "0"}


def _aggregated_per_batch(tp: Touchpoint, column: str) -> bool:
    return column not in DERIVED_CUBE_SUMS and (tp.importance_column is not None or column not in NO_IMPORTANCE_SUMS)


def _touchpoint_aggregates(model: ServiceModel) -> str:
    parts = []
    for i, tp in enumerate(model.touchpoints):
        rated_importance = f"case when {tp.rating_column} is not null then {tp.importance_column} end"
        values = {"r": tp.rating_column, "lo": tp.scale.min, "span": tp.scale.max - tp.scale.min,
                  "top": tp.scale.top2_threshold, "imp": rated_importance}
        aggregates = [(c, sql) for c, sql, _ in TOUCHPOINT_SUMS] + [(c, sql) for c, _, sql, _ in PAIR_SUMS]
        parts += [f"{sql.format(**values)} as {column}_{i}" for column, sql in aggregates
                  if _aggregated_per_batch(tp, column)]
    return ",\n        ".join(parts)


def _pairs_unpivot(model: ServiceModel) -> str:
    parts = []
    for i, tp in enumerate(model.touchpoints):
        values = ", ".join(f"coalesce({cube}_{i}, 0)::{kind} as {column}" for cube, column, _, kind in PAIR_SUMS)
        parts.append(
            f"select period, business_unit, segment, grade, status, respondent_role, '{tp.stage}' as stage_id, "
            f"'{tp.id}' as touchpoint_id, n_{i}::bigint as n, {values} from stg_survey_cube where n_{i} > 0"
        )
    return "\nunion all\n".join(parts)


def _touchpoint_unpivot(model: ServiceModel) -> str:
    parts = []
    for i, tp in enumerate(model.touchpoints):
        values = ", ".join(f"{column}_{i} as {column}" for column, _, _ in TOUCHPOINT_SUMS)
        parts.append(
            f"select period, business_unit, segment, grade, status, respondent_role, '{tp.stage}' as stage_id, "
            f"'{tp.id}' as touchpoint_id, {values} from stg_survey_cube where n_{i} > 0"
        )
    return "\nunion all\n".join(parts)


def _focus_parts(model: ServiceModel) -> dict[str, str]:
    """Lists of mart_response_focus, in tie-break order: each touchpoint's 0–100 score, raw rating, id, stage."""
    stage_order = model.stage_order()
    tie_order = sorted(
        enumerate(model.touchpoints), key=lambda it: (not it[1].moment_of_truth, stage_order[it[1].stage], it[0])
    )
    tps = [tp for _, tp in tie_order]
    return {
        "focus_scores": ", ".join(
            f"100.0 * ({tp.rating_column} - {tp.scale.min}) / ({tp.scale.max} - {tp.scale.min})" for tp in tps
        ),
        "focus_ratings": ", ".join(f"{tp.rating_column}::integer" for tp in tps),
        "focus_touchpoints": ", ".join(f"'{tp.id}'" for tp in tps),
        "focus_stages": ", ".join(f"'{tp.stage}'" for tp in tps),
    }


def _client_rating_aggregates(model: ServiceModel) -> str:
    return ",\n           ".join(
        f"avg({tp.rating_column}) as rating_{i}, count({tp.rating_column}) as n_{i}"
        for i, tp in enumerate(model.touchpoints)
    )


def _answer_rating_columns(model: ServiceModel) -> str:
    """mart_answer_ratings: each touchpoint's raw rating column as rating_<touchpoint id>."""
    return ",\n    ".join(f"r.{tp.rating_column} as rating_{tp.id}" for tp in model.touchpoints)


def _client_rating_unpivot(model: ServiceModel) -> str:
    return "\nunion all\n".join(
        f"select client_id, period, business_unit, segment, grade, status, 'touchpoint_rating', "
        f"'{tp.id}', rating_{i}::double, n_{i}::integer from stg_client_answers where n_{i} > 0"
        for i, tp in enumerate(model.touchpoints)
    )


def _computed_kpis_union(model: ServiceModel) -> str:
    parts = []
    for kpi in model.kpis:
        if kpi.compute.kind == "sql":
            body = kpi.compute.sql.strip().rstrip(";")
            parts.append(
                f"union all\nselect '{kpi.id}' as kpi_id, period, business_unit, null::varchar as segment, "
                f"value::double as value, 'sql' as value_source from (\n{body}\n)"
            )
    return "\n".join(parts)


def _cube_sums(model: ServiceModel) -> str:
    """stg_survey_cube's columns: the batch cubes' sums, counts as BIGINT, sums of scores as DOUBLE."""
    parts = [f"sum({column})::{kind} as {column}" for column, kind in RESPONSE_SUMS]
    for i, tp in enumerate(model.touchpoints):
        values = {"i": i, "lo": tp.scale.min, "span": tp.scale.max - tp.scale.min}
        for column, kind in [(c, k) for c, _, k in TOUCHPOINT_SUMS] + [(c, k) for c, _, _, k in PAIR_SUMS]:
            if column in DERIVED_CUBE_SUMS:
                value = DERIVED_CUBE_SUMS[column].format(**values)
            elif not _aggregated_per_batch(tp, column):
                value = NO_IMPORTANCE_SUMS[column]
            else:
                value = f"sum({column}_{i})"
            parts.append(f"({value})::{kind} as {column}_{i}")
    return ",\n    ".join(parts)


def render_model_sql(name: str, model: ServiceModel, survey_batch: int | None = None,
                     focus_rows: str = "true") -> str:
    """The model's SQL; with survey_batch, only the rows that one survey batch adds (PER_SURVEY_BATCH).

    focus_rows: which answers mart_response_focus's SQL reads, for models that embed it."""
    template = Template((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))
    batch_filter = "true" if survey_batch is None else f"batch_id = {int(survey_batch)}"
    commented = f"{batch_filter} and nullif(trim(comment), '') is not null"
    return template.substitute(
        survey_batch_filter=batch_filter,
        focus_rows=focus_rows,
        commented_focus=render_model_sql("mart_response_focus", model, focus_rows=commented)
        if name == "mart_feedback" else "",
        other_sources="true" if survey_batch is None else "false",
        cube_sums=_cube_sums(model),
        rating_union=_rating_union(model),
        computed_union=_computed_kpis_union(model),
        touchpoint_aggregates=_touchpoint_aggregates(model),
        touchpoint_unpivot=_touchpoint_unpivot(model),
        pairs_unpivot=_pairs_unpivot(model),
        **_focus_parts(model),
        client_rating_aggregates=_client_rating_aggregates(model),
        client_rating_unpivot=_client_rating_unpivot(model),
        answer_rating_columns=_answer_rating_columns(model),
        n_touchpoints=len(model.touchpoints),
        step_sums=STEP_SUMS.strip(),
        **index_sql_parts(model),
        **wait_cost_sql_parts(model),
    )


def _check_kpi_sql(con: duckdb.DuckDBPyConnection, model: ServiceModel) -> None:
    problems = []
    for i, kpi in enumerate(model.kpis):
        if kpi.compute.kind != "sql":
            continue
        try:
            con.execute(f"describe select period, business_unit, value from ({kpi.compute.sql.strip().rstrip(';')})")
        except duckdb.Error as exc:
            problems.append(f"kpis[{i}].compute.sql (KPI '{kpi.id}'): {str(exc).splitlines()[0]}")
    if problems:
        raise ModelBuildError(
            "The service model's KPI queries do not run against the marts:\n  " + "\n  ".join(problems)
        )


def kpis_affected(model: ServiceModel, changed: set[str] | None) -> list[str]:
    """KPI ids whose values can move when these raw sources change (all when changed is None)."""
    if changed is None:
        return [k.id for k in model.kpis]
    affected = []
    for kpi in model.kpis:
        if kpi.compute.kind == "actuals":
            if "kpi_actuals" in changed:
                affected.append(kpi.id)
            continue
        marts = set(re.findall(r"\b(?:mart|stg)_[a-z_]+", kpi.compute.sql or ""))
        if any(MART_SOURCES.get(m, frozenset(changed)) & changed for m in marts):
            affected.append(kpi.id)
    return affected


def _rebuild_kpi_values(con: duckdb.DuckDBPyConnection, model: ServiceModel, changed: set[str] | None) -> None:
    affected = kpis_affected(model, changed)
    exists = con.execute(
        "select count(*) from information_schema.tables where table_name = 'mart_kpi_values'"
    ).fetchall()[0][0]
    sql = render_model_sql("mart_kpi_values", model)
    if changed is None or not exists:
        con.execute(f"create or replace table mart_kpi_values as\n{sql}")
        return
    if not affected:
        return
    con.execute("delete from mart_kpi_values where kpi_id in (select unnest($ids))", {"ids": affected})
    con.execute(f"insert into mart_kpi_values select * from ({sql}) where kpi_id in (select unnest($ids))",
                {"ids": affected})


def rebuild_models(con: duckdb.DuckDBPyConnection, model: ServiceModel, changed: set[str] | None = None,
                   survey_change: SurveyBatchChange | None = None) -> None:
    """Recreate dimension tables and the SQL models that read the changed sources (all if None).

    With survey_change (and only surveys changed), the PER_SURVEY_BATCH tables take in or drop that
    batch's rows instead. Call inside the load's transaction, so marts never disagree with the raw tables.
    """
    for table, frame in dimension_frames(model).items():
        con.register("_dim_frame", frame)
        con.execute(f"create or replace table {table} as select * from _dim_frame")
        con.unregister("_dim_frame")
    per_batch = survey_change if changed == {"surveys"} else None
    for name, kind, sources in MODELS:
        if kind == "table" and changed is not None and not (sources & changed) and _exists(con, name):
            continue
        try:
            if per_batch is not None and name in PER_SURVEY_BATCH and _has_batch_column(con, name):
                _apply_survey_change(con, model, name, per_batch)
                continue
            _drop_if_other_kind(con, name, kind)
            con.execute(f"create or replace {kind} {name} as\n{render_model_sql(name, model)}")
        except duckdb.Error as exc:
            raise ModelBuildError(f"SQL model {name} failed: {exc}") from exc
    _check_kpi_sql(con, model)
    try:
        _rebuild_kpi_values(con, model, changed)
    except duckdb.Error as exc:
        raise ModelBuildError(f"SQL model mart_kpi_values failed: {exc}") from exc


def _apply_survey_change(con: duckdb.DuckDBPyConnection, model: ServiceModel, name: str,
                         change: SurveyBatchChange) -> None:
    if change.op == "remove":
        con.execute(f"delete from {name} where batch_id = ?", [change.batch_id])
    else:
        sql = render_model_sql(name, model, survey_batch=change.batch_id)
        con.execute(f"insert into {name} by name select * from (\n{sql}\n)")


def _has_batch_column(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """False for a table built by an older version without batch_id: it is rebuilt whole once."""
    return bool(con.execute(
        "select count(*) from information_schema.columns where table_name = ? and column_name = 'batch_id'",
        [name],
    ).fetchall()[0][0])


def _drop_if_other_kind(con: duckdb.DuckDBPyConnection, name: str, kind: str) -> None:
    """A model that changed from table to view (or back) in a newer version replaces the old one."""
    rows = con.execute("select table_type from information_schema.tables where table_name = ?", [name]).fetchall()
    if rows and (rows[0][0] == "VIEW") != (kind == "view"):
        con.execute(f"drop {'view' if rows[0][0] == 'VIEW' else 'table'} {name}")


def _exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_name = ?", [name]
    ).fetchall()[0][0])
