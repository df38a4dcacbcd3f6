"""The SQL the wait cost's tables and queries share: the sums a waiting bin carries (`BIN_SUMS`), the
binning both queries end with (`SLOTS_SQL`, `PLACED_SQL`), the mean wait (`MEAN_WAIT_DAYS`), and the
parts of the tables' SQL that come from the service model (`wait_cost_sql_parts`, rendered by
models.render_model_sql): which touchpoints the process steps serve and so which rating columns the
answers are summed over. Ids are validated by the service model (^[a-z][a-z0-9_]*$) and quoted as SQL
literals; no user input goes into this text.
"""

from __future__ import annotations

from app.service_model import ServiceModel

# A bin's columns: (name, the value one client × quarter group adds, how groups' values combine).
# x is the group's wait in days; n_m, s_m, q_m its answers' count, sum and sum of squares of measure m
# (the NPS code or the served touchpoint's rating). The m_ sums are raw (uncentred) per-answer sums.
BIN_SUMS: tuple[tuple[str, str, str], ...] = (
    ("wait_days_from", "x", "min"),
    ("wait_days_to", "x", "max"),
    ("n_client_periods", "1", "sum"),
    ("n_answers", "n_answers", "sum"),
    ("answers_sx", "n_answers * x", "sum"),  # Σ wait over all answers
    *(
        (name.format(m=m), value.format(m=m), "sum")
        for m in ("nps", "rating")
        for name, value in (
            ("{m}_n", "n_{m}"),  # answers with a value
            ("{m}_sx", "n_{m} * x"),
            ("{m}_sxx", "n_{m} * x * x"),
            ("{m}_sy", "s_{m}"),
            ("{m}_sxy", "x * s_{m}"),
            ("{m}_syy", "q_{m}"),
        )
    ),
)
COUNTS = frozenset({"n_client_periods", "n_answers", "nps_n", "rating_n"})
# A client's mean wait before a step in days, over its rows of mart_process_steps, summed in whole
# microseconds: a mean of doubles depends on the order DuckDB's threads add them in, so two runs could
# differ in the last bit, and clients who waited alike could swap places in the wait order (the old
# query's bins did, one run in two on the demo). Integers add up the same in any order.
MEAN_WAIT_DAYS = "sum(round(wait_hours * 3600e6)::bigint)::double / count(wait_hours) / 86400e6"

# The end of both queries, from `slot_sums` (per step × wait slot: BIN_SUMS). SLOTS_SQL: a step's slots
# in wait order, and the few that straddle a bin boundary (`crossing`). Between the two parts each query
# defines `groups`: one row per client × quarter of the crossing slots (at least), with activity, slot,
# x, client_id, period and the answer sums n_answers, n_nps, s_nps, q_nps, n_rating, s_rating, q_rating.
# PLACED_SQL: whole slots go to their bin, the groups of crossing slots one by one to the bin of their
# cumulative answer-count midpoint (ordered by wait, then client and quarter).
SLOTS_SQL = """
slots as (
    select *,
           sum(n_answers) over (partition by activity order by slot rows between unbounded preceding and current row)
               - n_answers as before,
           sum(n_answers) over (partition by activity) as total,
           least($n_bins, sum(n_answers) over (partition by activity)) as k,
           min(wait_days_from) over (partition by activity) = max(wait_days_to) over (partition by activity) as flat
    from slot_sums
), crossing as (
    select activity, slot, before, total, k from slots
    where not flat and (before + n_answers) * k / total > floor(before * k / total) + 1
),
"""
PLACED_SQL = """
placed as (
    select activity, case when flat then 0 else least(floor(before * k / total), k - 1) end as bin,
           {bin_columns}
    from slots
    where flat or (before + n_answers) * k / total <= floor(before * k / total) + 1
    union all
    select g.activity,
           least(floor((c.before + sum(g.n_answers) over (
               partition by g.activity, g.slot order by g.x, g.client_id, g.period
               rows between unbounded preceding and current row) - g.n_answers / 2.0) * c.k / c.total), c.k - 1),
           {group_values}
    from groups g join crossing c using (activity, slot)
)
select $process as process, activity, bin::bigint as bin, {bin_totals}
from placed
group by activity, bin
order by activity, bin
"""


def placed_sql() -> str:
    """PLACED_SQL with its column lists filled in."""
    return PLACED_SQL.format(
        bin_columns=", ".join(name for name, _, _ in BIN_SUMS),
        group_values=", ".join(f"({value})::double" for _, value, _ in BIN_SUMS),
        bin_totals=", ".join(
            f"{how}({name}){'::bigint' if name in COUNTS else ''} as {name}" for name, _, how in BIN_SUMS
        ),
    )


def served_touchpoint_ids(model: ServiceModel) -> list[str]:
    """The touchpoints some process step serves: its own, else the next one down the process (as
    app.analytics.wait_cost.served_touchpoints and stg_client_step_waits.sql)."""
    served: list[str] = []
    for process in model.processes:
        touchpoint = None
        for step in reversed(process.steps):
            touchpoint = step.touchpoint or touchpoint
            if touchpoint and touchpoint not in served:
                served.append(touchpoint)
    return served


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def wait_cost_sql_parts(model: ServiceModel) -> dict[str, str]:
    """models.render_model_sql's parts for stg_client_step_waits and the mart_wait_cost_* tables: the
    mean wait, each served touchpoint's rating count, sum and sum of squares per client × quarter ×
    role (only those: a dozen aggregates instead of one per touchpoint), the served one picked per
    step, and the slot tables' BIN_SUMS over the rows."""
    served = served_touchpoint_ids(model)
    columns = {tp: model.touchpoint(tp).rating_column for tp in served}
    sums = [
        f"count({c}) as n_r{i}, sum({c})::double as s_r{i}, sum({c} * {c})::double as q_r{i}"
        for i, c in enumerate(columns.values())
    ]

    def picked(part: str, name: str) -> str:
        cases = " ".join(f"when {_quoted(tp)} then a.{part}{i}" for i, tp in enumerate(columns))
        return f"case w.touchpoint_id {cases} end as {name}" if columns else f"null::double as {name}"

    return {
        "wait_mean_days": MEAN_WAIT_DAYS,
        "wait_rating_sums": ",\n           ".join(sums) or "0 as no_ratings",
        "wait_served_rating": ", ".join(
            picked(part, name) for part, name in (("n_r", "n_rating"), ("s_r", "s_rating"), ("q_r", "q_rating"))
        ),
        "wait_cube_sums": ",\n       ".join(f"{how}({value})::double as {name}" for name, value, how in BIN_SUMS),
    }
