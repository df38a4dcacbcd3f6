"""The client satisfaction index ("TO BE" scoring system of DOMAIN.md), one score per client and quarter.

Every client gets a score, not only respondents, because the TX block comes from accounting and
service data (deliveries, delays, ticket response times) and the CX block from surveys:

1. Each factor of `satisfaction_index` in the service model reads one fact of the client's quarter
   (mart_client_facts) and is normalised to 0–100:
   - on_time_share: 100 × share of delivered orders that arrived on time
   - avg_delay_days, first_response_hours: 100 × (1 − min(value, worst) / worst) — `worst` scores 0
   - touchpoint_rating: 100 × (mean rating − scale min) / (scale max − scale min)
   - nps: (client NPS + 100) / 2, the client's answers' −100…+100 mapped to 0–100
2. Within a block (TX, CX) the factor scores are averaged, each weighted by that client's own
   importance of the factor (a 1–5 column of the client list). A client whose list row leaves an
   importance empty gets the average importance all clients gave that factor.
3. The blocks are combined with `block_weights`. Factors without data that quarter (no tickets, no
   rating of that touchpoint) drop out and the rest are re-weighted; a block without any factor
   drops out the same way and the overall score is flagged partial (`is_partial`): a client with no
   survey answer gets its TX block, and an overall score that says it rests on TX only.

Pure Polars, no Streamlit: the clients page, the overview tile and the tests call the same code.
"""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from app.service_model import IndexFactor, SatisfactionIndex

BLOCKS: tuple[str, ...] = ("TX", "CX")
# metric kind of a factor -> the fact in mart_client_facts it reads
METRIC_FACTS: dict[str, str] = {
    "on_time_share": "on_time_share",
    "avg_delay_days": "avg_delay_days",
    "first_response_hours": "first_response_hours",
    "touchpoint_rating": "touchpoint_rating",
    "nps": "nps",
}
FACTOR_SCHEMA: dict[str, pl.DataType] = {
    "client_id": pl.String,
    "period": pl.String,
    "factor_id": pl.String,
    "block": pl.String,
    "metric": pl.String,
    "value": pl.Float64,
    "n": pl.Int64,
    "score": pl.Float64,
    "importance": pl.Float64,
    "is_default_importance": pl.Boolean,
}
INDEX_SCHEMA: dict[str, pl.DataType] = {
    "client_id": pl.String,
    "period": pl.String,
    "tx_score": pl.Float64,
    "cx_score": pl.Float64,
    "index": pl.Float64,
    "n_factors": pl.Int64,
    "is_partial": pl.Boolean,
}


def normalise(
    metric: str, value: float, *, worst: float | None = None, scale: tuple[float, float] | None = None
) -> float:
    """One raw value on the 0–100 scale (the scalar form of `score_expr`, for explanations and tests)."""
    if metric == "on_time_share":
        score = 100.0 * value
    elif metric in ("avg_delay_days", "first_response_hours"):
        if not worst:
            raise ValueError(f"metric '{metric}' needs 'worst'")
        score = 100.0 * (1.0 - min(max(value, 0.0), worst) / worst)
    elif metric == "touchpoint_rating":
        if scale is None:
            raise ValueError("metric 'touchpoint_rating' needs the touchpoint's scale")
        low, high = scale
        score = 100.0 * (value - low) / (high - low)
    elif metric == "nps":
        score = (value + 100.0) / 2.0
    else:
        raise ValueError(f"unknown metric '{metric}'")
    return min(max(score, 0.0), 100.0)


def score_expr(factor: IndexFactor, scales: Mapping[str, tuple[float, float]]) -> pl.Expr:
    """The 0–100 score of a factor's raw `value` column (same formulas as `normalise`)."""
    value = pl.col("value")
    if factor.metric == "on_time_share":
        score = 100.0 * value
    elif factor.metric in ("avg_delay_days", "first_response_hours"):
        worst = float(factor.worst or 0)
        score = 100.0 * (1.0 - value.clip(0.0, worst) / worst)
    elif factor.metric == "touchpoint_rating":
        low, high = scales[factor.touchpoint or ""]
        score = 100.0 * (value - low) / (high - low)
    else:  # nps
        score = (value + 100.0) / 2.0
    return score.clip(0.0, 100.0)


def _factor_facts(facts: pl.DataFrame, factor: IndexFactor) -> pl.DataFrame:
    rows = facts.filter(pl.col("fact") == METRIC_FACTS[factor.metric], pl.col("value").is_not_null())
    if factor.metric == "touchpoint_rating":
        rows = rows.filter(pl.col("touchpoint_id") == factor.touchpoint)
    return rows


def importance_weights(
    clients: pl.DataFrame, config: SatisfactionIndex, means: Mapping[str, float | None] | None = None
) -> pl.DataFrame:
    """client_id, factor_id, importance, is_default_importance — the client card's weights, gaps filled.

    An empty importance takes the mean all clients gave that factor (equal weights if nobody did):
    the mean of `clients`, or `means` (importance column -> mean over all clients) when `clients`
    holds only some of them (the client card reads one client's row).
    """
    frames = []
    for factor in config.factors:
        column = factor.importance_column
        raw = (
            clients[column].cast(pl.Float64)
            if column in clients.columns
            else pl.Series([None] * clients.height, dtype=pl.Float64)
        )
        fallback = raw.mean() if means is None else means.get(column)
        fallback = 1.0 if fallback is None else float(fallback)
        frames.append(
            pl.DataFrame(
                {
                    "client_id": clients["client_id"],
                    "factor_id": [factor.id] * clients.height,
                    "importance": raw.fill_null(fallback),
                    "is_default_importance": raw.is_null(),
                },
                schema={
                    "client_id": pl.String,
                    "factor_id": pl.String,
                    "importance": pl.Float64,
                    "is_default_importance": pl.Boolean,
                },
            )
        )
    return (
        pl.concat(frames)
        if frames
        else pl.DataFrame(
            schema={
                "client_id": pl.String,
                "factor_id": pl.String,
                "importance": pl.Float64,
                "is_default_importance": pl.Boolean,
            }
        )
    )


def factor_scores(
    facts: pl.DataFrame,
    clients: pl.DataFrame,
    config: SatisfactionIndex,
    scales: Mapping[str, tuple[float, float]],
    means: Mapping[str, float | None] | None = None,
) -> pl.DataFrame:
    """One row per client × quarter × factor with data: raw value, n, 0–100 score, the client's weight.

    Rows come in no particular order (sorting a million string keys costs more than the rest of the
    index); callers sort what they show.
    `facts` has client_id, period, fact, touchpoint_id, value, n (mart_client_facts); `clients` has
    client_id and the importance columns; `scales` maps touchpoint id -> (scale min, scale max).
    Only clients present in `clients` are scored (so the page's client filters apply).
    """
    weights = importance_weights(clients, config, means)
    parts = []
    for order, factor in enumerate(config.factors):
        factor_weights = weights.filter(pl.col("factor_id") == factor.id).drop("factor_id")
        rows = _factor_facts(facts, factor).join(factor_weights, on="client_id", how="inner")
        parts.append(
            rows.select(
                pl.col("client_id").cast(pl.String),
                pl.col("period").cast(pl.String),
                pl.lit(factor.id).alias("factor_id"),
                pl.lit(factor.block).alias("block"),
                pl.lit(factor.metric).alias("metric"),
                pl.col("value").cast(pl.Float64),
                pl.col("n").cast(pl.Int64),
                score_expr(factor, scales).cast(pl.Float64).alias("score"),
                "importance",
                "is_default_importance",
                pl.lit(order, dtype=pl.Int32).alias("_order"),
            )
        )
    if not parts:
        return pl.DataFrame(schema=FACTOR_SCHEMA)
    return pl.concat(parts).select(list(FACTOR_SCHEMA))


def index_scores(factors: pl.DataFrame, config: SatisfactionIndex) -> pl.DataFrame:
    """Per client × quarter (in no particular order): TX and CX block scores, the overall index and
    whether it is partial."""
    if factors.is_empty():
        return pl.DataFrame(schema=INDEX_SCHEMA)
    in_block = {b: pl.col("block") == b for b in BLOCKS}
    sums = factors.group_by("client_id", "period").agg(
        *(
            (pl.col("score") * pl.col("importance")).filter(in_block[b]).sum().alias(f"{b}_num")
            for b in BLOCKS
        ),
        *(pl.col("importance").filter(in_block[b]).sum().alias(f"{b}_den") for b in BLOCKS),
        *(in_block[b].any().alias(f"{b}_any") for b in BLOCKS),
        pl.len().cast(pl.Int64).alias("n_factors"),
    )
    blocks = sums.with_columns(
        pl.when(pl.col(f"{b}_any")).then(pl.col(f"{b}_num") / pl.col(f"{b}_den")).otherwise(None).alias(b)
        for b in BLOCKS
    )
    weights = {b: float(config.block_weights.get(b, 0.0)) for b in BLOCKS}
    used = [b for b in BLOCKS if weights[b] > 0]
    numerator = pl.sum_horizontal([pl.col(b).fill_null(0.0) * weights[b] for b in used])
    denominator = pl.sum_horizontal([pl.col(b).is_not_null().cast(pl.Float64) * weights[b] for b in used])
    return blocks.with_columns(
        pl.when(denominator > 0).then(numerator / denominator).otherwise(None).alias("index"),
        (~pl.all_horizontal([pl.col(b).is_not_null() for b in used])).alias("is_partial"),
    ).select(
        "client_id",
        "period",
        pl.col("TX").alias("tx_score"),
        pl.col("CX").alias("cx_score"),
        "index",
        "n_factors",
        "is_partial",
    )


def satisfaction_index(
    facts: pl.DataFrame,
    clients: pl.DataFrame,
    config: SatisfactionIndex,
    scales: Mapping[str, tuple[float, float]],
    means: Mapping[str, float | None] | None = None,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(factor scores, index per client × quarter) — see the module docstring for the formula;
    `means` as in importance_weights."""
    factors = factor_scores(facts, clients, config, scales, means)
    return factors, index_scores(factors, config)


def latest_with_change(index: pl.DataFrame, current: str, previous: str | None) -> pl.DataFrame:
    """Per client: the index of `current` (or its newest earlier quarter) and the change from `previous`.

    `index_period` says which quarter the shown index is from, so a client without activity this
    quarter is still listed, with its last known score and no change.
    """
    upto = index.filter(pl.col("period") <= current)
    newest = pl.col("period") == pl.col("period").max().over("client_id")
    latest = upto.filter(newest).rename({"period": "index_period"})
    before = (
        index.filter(pl.col("period") == previous).select(
            "client_id", pl.col("index").alias("index_previous")
        )
        if previous
        else pl.DataFrame(schema={"client_id": pl.String, "index_previous": pl.Float64})
    )
    return latest.join(before, on="client_id", how="left").with_columns(
        pl.when(pl.col("index_period") == current)
        .then(pl.col("index") - pl.col("index_previous"))
        .otherwise(None)
        .alias("index_change")
    )


def period_summary(index: pl.DataFrame) -> pl.DataFrame:
    """Per quarter: clients scored, mean index, mean TX and CX blocks, and how many are partial."""
    if index.is_empty():
        return pl.DataFrame(
            schema={
                "period": pl.String,
                "n_clients": pl.Int64,
                "mean_index": pl.Float64,
                "mean_tx": pl.Float64,
                "mean_cx": pl.Float64,
                "n_partial": pl.Int64,
            }
        )
    return (
        index.group_by("period")
        .agg(
            pl.len().cast(pl.Int64).alias("n_clients"),
            pl.col("index").mean().alias("mean_index"),
            pl.col("tx_score").mean().alias("mean_tx"),
            pl.col("cx_score").mean().alias("mean_cx"),
            pl.col("is_partial").sum().cast(pl.Int64).alias("n_partial"),
        )
        .sort("period")
    )
