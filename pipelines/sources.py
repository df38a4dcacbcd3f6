"""The import formats: which columns each source has, their types, and what values are allowed.

Survey and client formats grow columns from the service model (one rating column per touchpoint,
one importance weight per satisfaction-index factor), so the spec is built per model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from app.service_model import ServiceModel

Kind = Literal["id", "text", "int", "float", "datetime", "period"]
SOURCES: tuple[str, ...] = ("clients", "surveys", "orders", "events", "tickets", "kpi_actuals")


@dataclass(frozen=True)
class Column:
    name: str
    kind: Kind
    required: bool = True
    min: float | None = None
    max: float | None = None
    allowed: str | None = None  # a service-model dimension, or "touchpoints"/"processes"/"kpis"
    future_ok: bool = False  # datetimes that may lie ahead (promises, due dates)
    description: str = ""


@dataclass(frozen=True)
class OrderRule:
    """`later` must not be before `earlier` in the same row."""

    earlier: str
    later: str


@dataclass(frozen=True)
class SourceSpec:
    name: str
    table: str
    columns: tuple[Column, ...]
    key: tuple[str, ...]
    key_is_unique_in_warehouse: bool  # False: a newer batch supersedes rows with the same key
    order_rules: tuple[OrderRule, ...] = ()
    client_column: str | None = "client_id"
    description: str = ""
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def required(self) -> list[str]:
        return [c.name for c in self.columns if c.required]

    @property
    def column_names(self) -> list[str]:
        return [c.name for c in self.columns]

    def column(self, name: str) -> Column:
        return next(c for c in self.columns if c.name == name)


def source_spec(source: str, model: ServiceModel) -> SourceSpec:
    if source not in SOURCES:
        raise ValueError(f"unknown source '{source}'; expected one of {', '.join(SOURCES)}")
    return _BUILDERS[source](model)


def _surveys(model: ServiceModel) -> SourceSpec:
    columns = [
        Column("response_id", "id", description="unique id of the answer"),
        Column("client_id", "id", description="client from the client list"),
        Column("respondent_role", "text", allowed="respondent_roles"),
        Column("submitted_at", "datetime"),
        Column("nps", "int", min=0, max=10, description="likelihood to recommend, 0–10"),
        Column("ces", "float", required=False, min=1, max=7, description="customer effort, 1–7"),
        Column("channel", "text", required=False, allowed="channels"),
        Column("comment", "text", required=False),
        Column("respondent_name", "text", required=False, description="personal data"),
        Column("email", "text", required=False, description="personal data"),
        Column("phone", "text", required=False, description="personal data"),
    ]
    for tp in model.touchpoints:
        columns.append(
            Column(
                tp.rating_column, "int", required=False, min=tp.scale.min, max=tp.scale.max,
                description=f"rating of '{tp.label.en}' on {tp.scale.min}–{tp.scale.max}",
            )
        )
        if tp.importance_column:
            columns.append(
                Column(tp.importance_column, "float", required=False, min=1, max=5,
                       description=f"importance of '{tp.label.en}', 1–5")
            )
    return SourceSpec("surveys", "raw_surveys", tuple(columns), key=("response_id",),
                      key_is_unique_in_warehouse=True,
                      description="one row per survey response")


def _clients(model: ServiceModel) -> SourceSpec:
    columns = [
        Column("client_id", "id"),
        Column("name", "text"),
        Column("business_unit", "text", allowed="business_units"),
        Column("segment", "text", allowed="segments"),
        Column("grade", "text", allowed="grades"),
        Column("status", "text", allowed="statuses"),
        Column("region", "text", required=False),
        Column("revenue", "float", required=False, min=0, description="annual revenue, currency"),
        Column("ltv", "float", required=False, min=0, description="lifetime value, currency"),
        Column("first_order_at", "datetime", required=False),
        Column("churned_at", "datetime", required=False),
    ]
    for imp in model.client_importance_columns():
        columns.append(Column(imp, "float", required=False, min=1, max=5,
                              description="the client's importance of a factor, 1–5"))
    return SourceSpec("clients", "raw_clients", tuple(columns), key=("client_id",),
                      key_is_unique_in_warehouse=False,
                      order_rules=(OrderRule("first_order_at", "churned_at"),),
                      client_column=None,
                      description="CRM client list; a newer list updates clients with the same id")


def _orders(model: ServiceModel) -> SourceSpec:
    columns = (
        Column("order_id", "id"),
        Column("client_id", "id"),
        Column("ordered_at", "datetime"),
        Column("promised_at", "datetime", future_ok=True),
        Column("shipped_at", "datetime", required=False),
        Column("delivered_at", "datetime", required=False),
        Column("amount", "float", min=0),
        Column("product_class", "text", required=False, allowed="product_classes"),
    )
    rules = (
        OrderRule("ordered_at", "promised_at"),
        OrderRule("ordered_at", "shipped_at"),
        OrderRule("shipped_at", "delivered_at"),
    )
    return SourceSpec("orders", "raw_orders", columns, key=("order_id",),
                      key_is_unique_in_warehouse=True, order_rules=rules,
                      description="ERP/1C orders with shipments and deliveries")


def _events(model: ServiceModel) -> SourceSpec:
    columns = (
        Column("case_id", "id"),
        Column("process", "text", allowed="processes"),
        Column("activity", "text", description="a step of the process in the service model"),
        Column("started_at", "datetime"),
        Column("ended_at", "datetime", required=False, description="empty while the step runs"),
        Column("resource", "text", required=False),
        Column("department", "text", required=False, allowed="departments"),
        Column("client_id", "id", required=False),
        Column("product_class", "text", required=False, allowed="product_classes"),
        Column("due_at", "datetime", required=False, future_ok=True,
               description="when the customer needs the case done"),
    )
    return SourceSpec("events", "raw_events", columns, key=("case_id", "process", "activity", "started_at"),
                      key_is_unique_in_warehouse=True,
                      order_rules=(OrderRule("started_at", "ended_at"),),
                      description="process event log: one row per executed step")


def _tickets(model: ServiceModel) -> SourceSpec:
    columns = (
        Column("ticket_id", "id"),
        Column("client_id", "id"),
        Column("opened_at", "datetime"),
        Column("first_response_at", "datetime", required=False),
        Column("closed_at", "datetime", required=False),
        Column("channel", "text", required=False, allowed="channels"),
        Column("touchpoint", "text", required=False, allowed="touchpoints"),
        Column("category", "text", required=False),
        Column("severity", "text", required=False),
        Column("text", "text", required=False),
    )
    rules = (OrderRule("opened_at", "first_response_at"), OrderRule("opened_at", "closed_at"))
    return SourceSpec("tickets", "raw_tickets", columns, key=("ticket_id",),
                      key_is_unique_in_warehouse=True, order_rules=rules,
                      description="support tickets and complaints")


def _kpi_actuals(model: ServiceModel) -> SourceSpec:
    columns = (
        Column("kpi_id", "text", allowed="kpis"),
        Column("period", "period", description="quarter: 2025-Q1, 2025Q1 or Q1 2025"),
        Column("business_unit", "text", required=False, allowed="business_units"),
        Column("segment", "text", required=False, allowed="segments"),
        Column("value", "float"),
    )
    return SourceSpec("kpi_actuals", "raw_kpi_actuals", columns,
                      key=("kpi_id", "period", "business_unit", "segment"),
                      key_is_unique_in_warehouse=False, client_column=None,
                      description="KPI values per period; a newer batch supersedes the same key")


_BUILDERS = {
    "surveys": _surveys,
    "clients": _clients,
    "orders": _orders,
    "events": _events,
    "tickets": _tickets,
    "kpi_actuals": _kpi_actuals,
}
