"""Which clients are at risk this quarter, and why — the clients page's flag with its reasons.

Four warning signs are checked in the current quarter (thresholds in `RiskRules`, shown on the page):
- falling_index: its satisfaction index fell by `index_drop` points or more since the previous quarter;
- detractor_answers: at least `detractor_share` of its answers were detractors (0–6);
- late_deliveries: `late_orders` or more of its deliveries arrived after the promised date;
- ticket_spike: it opened `ticket_spike_min` or more tickets, at least `ticket_spike_ratio` times its
  usual quarter (mean over the earlier quarters of the range, quarters without tickets counting 0).
One sign alone is common (a quarter of B2B clients have a detractor among a handful of answers), so
a client is flagged `at_risk` when `min_reasons` signs (default 2) coincide and put on `watch` with
one; every flag lists its reasons, so the page can show the single-sign clients too.
Pure Polars over mart_client_facts rows and the satisfaction index; no Streamlit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import polars as pl

REASONS: tuple[str, ...] = ("falling_index", "detractor_answers", "late_deliveries", "ticket_spike")
COUNT_FACTS: tuple[str, ...] = ("n_detractor_answers", "n_late_orders", "n_tickets")
RISK_SCHEMA: dict[str, pl.DataType] = {
    "client_id": pl.String,
    "n_answers": pl.Int64,
    "n_detractor_answers": pl.Int64,
    "n_late_orders": pl.Int64,
    "n_tickets": pl.Int64,
    "usual_tickets": pl.Float64,
    "index_change": pl.Float64,
    "reasons": pl.List(pl.String),
    "risk_level": pl.String,
    "is_at_risk": pl.Boolean,
}
RISK_LEVELS: tuple[str, ...] = ("at_risk", "watch", "ok")


@dataclass(frozen=True)
class RiskRules:
    index_drop: float = 10.0
    detractor_share: float = 0.5
    late_orders: int = 2
    ticket_spike_min: int = 3
    ticket_spike_ratio: float = 2.0
    min_reasons: int = 2


def _counts(facts: pl.DataFrame, period: str) -> pl.DataFrame:
    """client_id with the quarter's counts (zeros where the client had none of that fact)."""
    rows = facts.filter(pl.col("period") == period, pl.col("fact").is_in(COUNT_FACTS))
    wide = (
        rows.pivot(on="fact", index="client_id", values="value", aggregate_function="sum")
        if rows.height
        else pl.DataFrame(schema={"client_id": pl.String})
    )
    answers = facts.filter(pl.col("period") == period, pl.col("fact") == "nps").select(
        "client_id", pl.col("n").cast(pl.Int64).alias("n_answers")
    )
    for fact in COUNT_FACTS:
        if fact not in wide.columns:
            wide = wide.with_columns(pl.lit(None, dtype=pl.Float64).alias(fact))
    wide = wide.join(answers, on="client_id", how="full", coalesce=True)
    return wide.with_columns(
        *(pl.col(f).fill_null(0).cast(pl.Int64) for f in COUNT_FACTS),
        pl.col("n_answers").fill_null(0),
    )


def _usual_tickets(facts: pl.DataFrame, earlier: Sequence[str]) -> pl.DataFrame:
    if not earlier:
        return pl.DataFrame(schema={"client_id": pl.String, "usual_tickets": pl.Float64})
    tickets = facts.filter(pl.col("fact") == "n_tickets", pl.col("period").is_in(list(earlier)))
    return tickets.group_by("client_id").agg((pl.col("value").sum() / len(earlier)).alias("usual_tickets"))


def risk_flags(
    facts: pl.DataFrame,
    index: pl.DataFrame,
    periods: Sequence[str],
    current: str,
    previous: str | None,
    rules: RiskRules = RiskRules(),
) -> pl.DataFrame:
    """Per client with any activity in `current`: the counts behind the rules, reasons, risk level.

    `facts`: mart_client_facts rows (client_id, period, fact, value, n); `index`: client_id, period,
    index (app.analytics.satisfaction_index); `periods`: the quarters of the selected range.
    """
    counts = _counts(facts, current)
    earlier = sorted(p for p in periods if p < current)
    usual = _usual_tickets(facts, earlier)
    now = index.filter(pl.col("period") == current).select("client_id", pl.col("index").alias("_now"))
    before = (
        index.filter(pl.col("period") == previous).select("client_id", pl.col("index").alias("_before"))
        if previous
        else pl.DataFrame(schema={"client_id": pl.String, "_before": pl.Float64})
    )
    frame = (
        counts.join(usual, on="client_id", how="left")
        .join(now, on="client_id", how="full", coalesce=True)
        .join(before, on="client_id", how="left")
        .with_columns(
            *(pl.col(c).fill_null(0) for c in (*COUNT_FACTS, "n_answers")),
            pl.col("usual_tickets").fill_null(0.0) if earlier else pl.col("usual_tickets"),
            (pl.col("_now") - pl.col("_before")).alias("index_change"),
        )
    )
    return classify_risk(frame, rules)


def classify_risk(frame: pl.DataFrame, rules: RiskRules = RiskRules()) -> pl.DataFrame:
    """The reasons and risk level of each client from the counts behind the rules (RISK_SCHEMA's
    columns up to index_change: nulls already filled where a count is a zero)."""
    checks = {
        "falling_index": pl.col("index_change") <= -rules.index_drop,
        "detractor_answers": (pl.col("n_answers") > 0)
        & (pl.col("n_detractor_answers") >= rules.detractor_share * pl.col("n_answers")),
        "late_deliveries": pl.col("n_late_orders") >= rules.late_orders,
        "ticket_spike": (pl.col("n_tickets") >= rules.ticket_spike_min)
        & (pl.col("n_tickets") >= rules.ticket_spike_ratio * pl.col("usual_tickets")),
    }
    # Each client's checks as bits of one number, then that number's list of reasons: building the
    # lists element by element took 0.1–0.2 s for 50,000 clients, the lookup of 16 combinations ~3 ms.
    code = pl.sum_horizontal([check.fill_null(False).cast(pl.Int32) * (1 << i) for i, check in enumerate(checks.values())])
    combinations = {c: [name for i, name in enumerate(checks) if c >> i & 1] for c in range(1 << len(checks))}
    reasons = code.replace_strict(combinations, return_dtype=pl.List(pl.String))
    n_reasons = pl.col("reasons").list.len()
    frame = frame.with_columns(reasons.alias("reasons")).with_columns(
        pl.when(n_reasons >= rules.min_reasons)
        .then(pl.lit("at_risk"))
        .when(n_reasons > 0)
        .then(pl.lit("watch"))
        .otherwise(pl.lit("ok"))
        .alias("risk_level"),
        (n_reasons >= rules.min_reasons).alias("is_at_risk"),
    )
    return frame.select(pl.col(c).cast(t) for c, t in RISK_SCHEMA.items())
