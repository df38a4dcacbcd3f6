"""The parts of mart_wait_groups.sql that come from the service model: which touchpoint each process
step serves (its own, else the next one down the process — as app.analytics.wait_cost.
served_touchpoints) and so which rating column its rows sum. Ids are validated by the service model
(^[a-z][a-z0-9_]*$) and quoted as SQL literals.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from string import Template

from app.service_model import ServiceModel

MART = "mart_wait_groups"
SQL_FILE = Path(__file__).parent / "sql" / f"{MART}.sql"


def served_steps(model: ServiceModel) -> list[tuple[str, str, str]]:
    """(process, activity, touchpoint it serves): its own touchpoint, else the next one down the
    process (as app.analytics.wait_cost.served_touchpoints); steps after the last one serve none."""
    served: list[tuple[str, str, str]] = []
    for process in model.processes:
        touchpoint = None
        for step in reversed(process.steps):
            touchpoint = step.touchpoint or touchpoint
            if touchpoint:
                served.append((process.id, step.activity, touchpoint))
    return served


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def wait_groups_parts(served: Sequence[tuple[str, str, str]]) -> dict[str, str]:
    """Template parts of mart_wait_groups.sql for these (process, activity, touchpoint) triples."""
    touchpoints = list(dict.fromkeys(tp for _, _, tp in served))
    index = {tp: i for i, tp in enumerate(touchpoints)}
    step = [(f"w.process = {_quoted(p)} and w.activity = {_quoted(a)}", index[tp]) for p, a, tp in served]
    sums = [
        f"count(rating_{tp})::integer as n_r{i}, sum(rating_{tp})::double as s_r{i}, "
        f"sum(rating_{tp} * rating_{tp})::double as q_r{i}"
        for tp, i in index.items()
    ]

    def picked(part: str, kind: str, name: str) -> str:
        cases = " ".join(f"when {cond} then a.{part}{i}" for cond, i in step)
        return f"(case {cases} end)::{kind} as {name}" if step else f"null::{kind} as {name}"

    return {
        "wait_served_steps": " or ".join(
            f"(process = {_quoted(p)} and activity = {_quoted(a)})" for p, a, _ in served
        ) or "false",
        "wait_rating_sums": ",\n           ".join(sums) or "0 as no_ratings",
        "wait_served_rating": ", ".join(
            picked(part, kind, name)
            for part, kind, name in (("n_r", "integer", "n_rating"), ("s_r", "double", "s_rating"),
                                     ("q_r", "double", "q_rating"))
        ),
    }


def wait_cost_sql_parts(model: ServiceModel) -> dict[str, str]:
    """models.render_model_sql's parts for mart_wait_groups."""
    return wait_groups_parts(served_steps(model))


def render_wait_groups_sql(served: Sequence[tuple[str, str, str]]) -> str:
    """mart_wait_groups' SQL for these served steps (tests build the mart over hand-made marts)."""
    template = Template(SQL_FILE.read_text(encoding="utf-8"))
    return template.substitute(wait_groups_parts(served))
