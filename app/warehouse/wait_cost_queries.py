"""The sums behind the bottleneck page's wait cost (app/analytics/wait_cost.py), computed in DuckDB so
that no survey answer and no event leaves it: per step of one process and waiting bin, the least-
squares sums of the answers joined to their client's mean wait — a few dozen rows at any size.

In three steps of one query:
1. **waits**: per step × client × quarter, the mean waiting before the step (days) over the client's
   cases that started in the quarter (mart_process_steps under the filters that apply to it);
2. **groups**: per client × quarter that waited, its answers' count, sum and sum of squares of the
   NPS code (+100 / 0 / −100) and of the rating of the touchpoint each step serves
   (mart_answer_ratings under every global filter, respondent role included), joined to the waits;
3. **bins**: a step's groups ordered by waiting (then client and quarter) go to `n_bins` bins of
   about equal answer counts, each whole, in the bin where its cumulative answer-count midpoint falls;
   per bin the sums the slope needs (Σn, Σn·x, Σn·x², Σy, Σx·y, Σy² for NPS and rating), waiting
   range, answers and client-quarters.
Summing a step's bins gives its whole sums, so the bins carry both the figures and the chart.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from app.warehouse.connection import query
from app.warehouse.filters import Filters, filter_sql
from app.warehouse.process_queries import process_filter_columns
from app.warehouse.scores import NPS_COLUMNS

# The per-bin sums of a measure m (nps, rating): raw (uncentred) sums over its answers, y the NPS code
# or the rating, x the answer's wait in days (its client's in that quarter).
MEASURE_SUMS: tuple[tuple[str, str], ...] = (
    ("{m}_n", "sum(n_{m})"),  # answers with a value
    ("{m}_sx", "sum(n_{m} * x)"),
    ("{m}_sxx", "sum(n_{m} * x * x)"),
    ("{m}_sy", "sum(s_{m})"),
    ("{m}_sxy", "sum(x * s_{m})"),
    ("{m}_syy", "sum(q_{m})"),
)

WAIT_COST_SQL = """
with waits as (
    select activity, client_id, period, avg(wait_hours) / 24.0 as x
    from mart_process_steps
    where process = $process and client_id is not null and wait_hours is not null and {step_where}
      and activity in ({activities})
    group by activity, client_id, period
), answers as (
    select client_id, period, count(*) as n_answers,
           count(nps_code) as n_nps, sum(nps_code)::double as s_nps, sum(nps_code * nps_code)::double as q_nps
           {rating_sums}
    from mart_answer_ratings
    where {answer_where} and client_id is not null
      and (client_id, period) in (select client_id, period from waits)
    group by client_id, period
), groups as (
    select w.activity, w.client_id, w.period, w.x, a.n_answers, a.n_nps, a.s_nps, a.q_nps,
           {served_rating}
    from waits w
    join answers a using (client_id, period)
), placed as (
    select *,
           sum(n_answers) over (partition by activity order by x, client_id, period
                                rows between unbounded preceding and current row) - n_answers / 2.0 as midpoint,
           sum(n_answers) over (partition by activity) as total,
           least($n_bins, sum(n_answers) over (partition by activity)) as k
    from groups
)
select $process as process, activity,
       least(floor(midpoint * k / total), k - 1)::bigint as bin,
       min(x) as wait_days_from, max(x) as wait_days_to,
       count(*) as n_client_periods, sum(n_answers)::bigint as n_answers, sum(n_answers * x) as answers_sx,
       {measure_sums}
from placed
group by activity, bin
order by activity, bin
"""


def _rating_columns(con: duckdb.DuckDBPyConnection, touchpoint_ids: Sequence[str]) -> dict[str, str]:
    """touchpoint id → its rating column in mart_answer_ratings. Column names go into SQL text, so
    only columns the view really has are used (an unknown touchpoint raises)."""
    rows = con.execute(
        "select column_name from information_schema.columns where table_name = 'mart_answer_ratings'"
    ).fetchall()
    present = {r[0] for r in rows}
    columns = {tp: f"rating_{tp}" for tp in dict.fromkeys(touchpoint_ids)}
    unknown = [c for c in columns.values() if c not in present]
    if unknown:
        raise ValueError(f"mart_answer_ratings has no {unknown}")
    return columns


def wait_cost_sums(
    con: duckdb.DuckDBPyConnection, filters: Filters, process: str, served: pl.DataFrame, n_bins: int = 5
) -> pl.DataFrame:
    """Per step × waiting bin of one process: process, activity, bin, wait_days_from/to, n_client_periods,
    n_answers, answers_sx (Σ wait over all answers) and, for m in (nps, rating), `MEASURE_SUMS`.

    served: process, activity, touchpoint_id (app.analytics.wait_cost.served_touchpoints); steps that
    serve no touchpoint are left out. Empty when no step serves one or no client both waited and
    answered."""
    steps = served.filter((pl.col("process") == process) & pl.col("touchpoint_id").is_not_null())
    if steps.is_empty():
        return pl.DataFrame()
    pairs = list(steps.select("activity", "touchpoint_id").iter_rows())
    columns = _rating_columns(con, [tp for _, tp in pairs])
    index = {tp: i for i, tp in enumerate(columns)}
    step_where, params = filter_sql(filters, process_filter_columns(con), prefix="p")
    answer_where, answer_params = filter_sql(filters, NPS_COLUMNS)
    params |= answer_params | {"process": process, "n_bins": max(1, int(n_bins))}
    params |= {f"act_{j}": activity for j, (activity, _) in enumerate(pairs)}
    rating_sums = "".join(
        f", count({c}) as n_r{i}, sum({c})::double as s_r{i}, sum({c} * {c})::double as q_r{i}"
        for i, c in enumerate(columns.values())
    )

    def by_step(part: str) -> str:
        cases = " ".join(f"when $act_{j} then a.{part}{index[tp]}" for j, (_, tp) in enumerate(pairs))
        return f"case w.activity {cases} end"

    served_rating = ", ".join(
        f"{by_step(part)} as {name}" for part, name in (("n_r", "n_rating"), ("s_r", "s_rating"), ("q_r", "q_rating"))
    )
    measure_sums = ",\n       ".join(
        f"{sql.format(m=m)}::double as {name.format(m=m)}" for m in ("nps", "rating") for name, sql in MEASURE_SUMS
    )
    sql = WAIT_COST_SQL.format(
        step_where=step_where,
        activities=", ".join(f"$act_{j}" for j in range(len(pairs))),
        answer_where=answer_where,
        rating_sums=rating_sums,
        served_rating=served_rating,
        measure_sums=measure_sums,
    )
    return query(con, sql, params)
