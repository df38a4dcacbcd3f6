"""The parts of mart_client_index that come from the service model's `satisfaction_index`: the factor
table (which fact each factor reads and how it is normalised), the block weights, and each client's
importance weights with the gaps filled. Values are written as SQL literals from the validated model
(ids match ^[a-z][a-z0-9_]*$, numbers are floats), never from user input.

app/analytics/satisfaction_index.py is the reference definition; tests check that the mart agrees.
"""

from __future__ import annotations

from app.service_model import ServiceModel

# metric kind -> the fact of mart_client_facts it reads (as in app.analytics.satisfaction_index)
_METRIC_FACTS = {
    "on_time_share": "on_time_share",
    "avg_delay_days": "avg_delay_days",
    "first_response_hours": "first_response_hours",
    "touchpoint_rating": "touchpoint_rating",
    "nps": "nps",
}


def _literal(value: object) -> str:
    if value is None:
        return "null"
    if isinstance(value, int | float):
        return f"{float(value)!r}::double"
    return "'" + str(value).replace("'", "''") + "'"


def index_factor_rows(model: ServiceModel) -> str:
    """VALUES rows: factor_id, block, metric, fact, touchpoint_id, worst, scale_min, scale_max."""
    rows = []
    for factor in model.satisfaction_index.factors:
        scale = model.touchpoint(factor.touchpoint).scale if factor.touchpoint else None
        values = (
            factor.id,
            factor.block,
            factor.metric,
            _METRIC_FACTS[factor.metric],
            factor.touchpoint,
            factor.worst,
            scale.min if scale else None,
            scale.max if scale else None,
        )
        rows.append("(" + ", ".join(_literal(v) for v in values) + ")")
    return ",\n        ".join(rows)


def index_block_rows(model: ServiceModel) -> str:
    """VALUES rows: block, weight (a block the YAML leaves out weighs 0)."""
    weights = model.satisfaction_index.block_weights
    return ", ".join(f"({_literal(b)}, {_literal(float(weights.get(b, 0.0)))})" for b in ("TX", "CX"))


def index_weight_union(model: ServiceModel) -> str:
    """client_id, factor_id, importance: the client's own weight, else the mean all clients gave, else 1."""
    parts = [
        f"select client_id, {_literal(f.id)} as factor_id, coalesce({f.importance_column}::double, "
        f"avg({f.importance_column}::double) over (), 1.0) as importance from stg_clients"
        for f in model.satisfaction_index.factors
    ]
    return "\n        union all\n        ".join(parts)


def index_sql_parts(model: ServiceModel) -> dict[str, str]:
    """Template values for sql/mart_client_index.sql."""
    return {
        "index_factor_rows": index_factor_rows(model),
        "index_block_rows": index_block_rows(model),
        "index_weight_union": index_weight_union(model),
    }
