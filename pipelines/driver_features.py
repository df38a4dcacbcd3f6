"""The key-driver feature frame: one row per survey response, read from the marts.

Three kinds of feature, so a driver can be a touchpoint, an operational fact or a client attribute:

- touchpoint ratings — `mart_ratings` pivoted per response (`rating_<touchpoint>`; empty when the
  respondent did not rate it, which LightGBM handles natively);
- operational facts of the respondent's client in the survey quarter — deliveries from `mart_orders`
  (on-time share, average delay; by the quarter the delivery arrived), tickets from `mart_tickets`
  (count, mean first-response time) and the lead time of every process in the service model from
  `mart_process_cases`;
- client attributes — business unit, segment, grade, status (from the client card), the respondent's
  role, and the years since the client's first order.

Everything structural comes from the service model; the generic facts are defined here once, with
their labels in both languages, because they exist for every company that loads orders and tickets.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from app.service_model import ServiceModel
from app.warehouse.connection import query

CLIENT_ATTRIBUTES: tuple[tuple[str, str, str], ...] = (
    ("business_unit", "Business unit", "Бизнес-единица"),
    ("segment", "Segment", "Сегмент"),
    ("grade", "Client grade", "Грейд клиента"),
    ("status", "Client status", "Статус клиента"),
    ("respondent_role", "Respondent role", "Роль респондента"),
)


@dataclass(frozen=True)
class FeatureSpec:
    """One model input. `step` is the what-if unit (one rating point, 10 pp, one day); None = no what-if."""

    id: str
    kind: str  # touchpoint | operational | client
    label_en: str
    label_ru: str
    unit: str = ""
    touchpoint_id: str | None = None
    is_categorical: bool = False
    monotone: int = 0  # +1: a higher value never lowers the prediction
    scale_min: float | None = None
    scale_max: float | None = None
    step: float | None = None


def _touchpoint_measured_by(model: ServiceModel, mart: str, mention: str | None = None) -> str | None:
    """The touchpoint of the first operational KPI computed from `mart` (and naming `mention`).

    The KPI tree already says which touchpoint an operational fact belongs to (on-time delivery →
    the delivery touchpoint), so the drivers page can put a fact next to its touchpoint.
    """
    for kpi in model.kpis:
        sql = kpi.compute.sql or ""
        if kpi.layer == "OX" and kpi.touchpoint and mart in sql and (mention is None or mention in sql):
            return kpi.touchpoint
    return None


def _operational_specs(model: ServiceModel) -> list[FeatureSpec]:
    """Generic facts plus one lead-time feature per process of the service model."""
    delivery = _touchpoint_measured_by(model, "mart_orders")
    tickets = _touchpoint_measured_by(model, "mart_tickets")
    specs = [
        FeatureSpec(
            "ops_on_time_pct",
            "operational",
            "Deliveries on time in the quarter",
            "Поставки в срок за квартал",
            "%",
            delivery,
            scale_min=0,
            scale_max=100,
            step=10.0,
        ),
        FeatureSpec(
            "ops_delay_days",
            "operational",
            "Average delivery delay",
            "Средняя задержка поставки",
            "days",
            delivery,
            scale_min=0,
            step=1.0,
        ),
        FeatureSpec(
            "ops_tickets",
            "operational",
            "Tickets raised in the quarter",
            "Обращения за квартал",
            "count",
            tickets,
            scale_min=0,
        ),
        FeatureSpec(
            "ops_first_response_hours",
            "operational",
            "Ticket first-response time",
            "Время первого ответа на обращение",
            "hours",
            tickets,
            scale_min=0,
            step=1.0,
        ),
    ]
    for process in model.processes:
        steps = [s.touchpoint for s in process.steps if s.touchpoint]
        touchpoint = _touchpoint_measured_by(model, "mart_process_cases", f"'{process.id}'") or (
            steps[-1] if steps else None
        )
        specs.append(
            FeatureSpec(
                f"ops_lead_days_{process.id}",
                "operational",
                f"Lead time: {process.name.en}",
                f"Срок: {process.name.get('ru')}",
                "days",
                touchpoint,
                scale_min=0,
                step=1.0,
            )
        )
    return specs


def feature_specs(model: ServiceModel) -> list[FeatureSpec]:
    """Every candidate feature, in display order: touchpoints (journey order), operations, client."""
    ratings = [
        FeatureSpec(
            f"rating_{t.id}",
            "touchpoint",
            t.label.en,
            t.label.get("ru"),
            "rating",
            t.id,
            monotone=1,
            scale_min=float(t.scale.min),
            scale_max=float(t.scale.max),
            step=1.0,
        )
        for t in model.touchpoints
    ]
    client = [FeatureSpec(c, "client", en, ru, is_categorical=True) for c, en, ru in CLIENT_ATTRIBUTES]
    client.append(
        FeatureSpec("tenure_years", "client", "Years as a client", "Лет сотрудничества", "years", scale_min=0)
    )
    return [*ratings, *_operational_specs(model), *client]


_RESPONSES_SQL = """
select r.response_id, r.client_id, r.client_name, r.period, r.submitted_at, r.nps,
       r.is_promoter, r.is_detractor, r.nps_class, r.business_unit, r.segment, r.grade, r.status,
       r.respondent_role,
       greatest(0, date_diff('day', c.first_order_at, r.submitted_at) / 365.25) as tenure_years
from mart_responses r left join mart_clients c using (client_id)
where r.nps is not null
"""

_OPERATIONS_SQL = """
with deliveries as (
    select client_id, quarter_of(delivered_at) as period,
           100.0 * avg(is_on_time::integer) as ops_on_time_pct, avg(delay_days)::double as ops_delay_days
    from mart_orders where delivered_at is not null group by all
), tickets as (
    select client_id, period, count(*)::double as ops_tickets,
           avg(first_response_hours)::double as ops_first_response_hours
    from mart_tickets group by all
), keys as (
    select client_id, period from deliveries union select client_id, period from tickets
)
select k.client_id, k.period, d.ops_on_time_pct, d.ops_delay_days, t.ops_tickets, t.ops_first_response_hours
from keys k
left join deliveries d using (client_id, period)
left join tickets t using (client_id, period)
"""

_LEAD_TIMES_SQL = """
select client_id, period, process, avg(lead_time_hours) / 24.0 as lead_days
from mart_process_cases where is_complete and client_id is not null group by all
"""


def _ratings_wide(con: duckdb.DuckDBPyConnection, model: ServiceModel) -> pl.DataFrame:
    long = query(con, "select response_id, touchpoint_id, rating::double as rating from mart_ratings")
    columns = [f"rating_{t.id}" for t in model.touchpoints]
    if long.is_empty():
        return pl.DataFrame(schema={"response_id": pl.String, **dict.fromkeys(columns, pl.Float64)})
    wide = long.with_columns(pl.format("rating_{}", "touchpoint_id").alias("feature")).pivot(
        on="feature", index="response_id", values="rating", aggregate_function="first"
    )
    missing = [pl.lit(None, pl.Float64).alias(c) for c in columns if c not in wide.columns]
    return wide.with_columns(missing).select("response_id", *columns)


def _lead_times_wide(con: duckdb.DuckDBPyConnection, model: ServiceModel) -> pl.DataFrame | None:
    if not model.processes:
        return None
    long = query(con, _LEAD_TIMES_SQL)
    columns = [f"ops_lead_days_{p.id}" for p in model.processes]
    if long.is_empty():
        return pl.DataFrame(
            schema={"client_id": pl.String, "period": pl.String, **dict.fromkeys(columns, pl.Float64)}
        )
    wide = long.with_columns(pl.format("ops_lead_days_{}", "process").alias("feature")).pivot(
        on="feature", index=["client_id", "period"], values="lead_days", aggregate_function="first"
    )
    missing = [pl.lit(None, pl.Float64).alias(c) for c in columns if c not in wide.columns]
    return wide.with_columns(missing).select("client_id", "period", *columns)


def feature_frame(con: duckdb.DuckDBPyConnection, model: ServiceModel) -> pl.DataFrame:
    """One row per response with its NPS answer, segment keys and every feature of `feature_specs`."""
    frame = query(con, _RESPONSES_SQL).join(_ratings_wide(con, model), on="response_id", how="left")
    operations = query(con, _OPERATIONS_SQL)
    frame = frame.join(operations, on=["client_id", "period"], how="left")
    leads = _lead_times_wide(con, model)
    if leads is not None:
        frame = frame.join(leads, on=["client_id", "period"], how="left")
    # No ticket in a quarter is a fact (zero), unlike a missing rating; prospects have no tenure.
    frame = frame.with_columns(pl.col("ops_tickets").fill_null(0.0))
    ids = [s.id for s in feature_specs(model)]
    float_ids = [s.id for s in feature_specs(model) if not s.is_categorical]
    return (
        frame.with_columns(pl.col(float_ids).cast(pl.Float64))
        .sort("response_id")
        .select(
            "response_id",
            "client_id",
            "client_name",
            "period",
            "nps",
            "is_promoter",
            "is_detractor",
            "nps_class",
            *ids,
        )
    )
