"""The service model: one YAML file describes the company (segments, journey, KPI tree, processes).

Nothing about a particular company lives in code; everything reads this model. Loading validates the
shape with pydantic and then the cross-references (stages, parents, cycles, columns) and reports every
problem at once, each with the key path a person can find in the file.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError, model_validator

Identifier = Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$", max_length=63)]
Layer = Literal["TX", "CX", "OX", "EX", "IT"]
LAYERS: tuple[str, ...] = ("TX", "CX", "OX", "EX", "IT")


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Label(Strict):
    """A name in English with an optional Russian form; a plain string in YAML means English."""

    en: str
    ru: str | None = None

    @model_validator(mode="before")
    @classmethod
    def _from_string(cls, value: object) -> object:
        return {"en": value} if isinstance(value, str) else value

    def get(self, lang: str) -> str:
        return (self.ru if lang == "ru" else None) or self.en


class Option(Strict):
    id: Identifier
    label: Label


class Dimensions(Strict):
    business_units: list[Option]
    segments: list[Option]
    statuses: list[Option]
    grades: list[Option]
    respondent_roles: list[Option]
    channels: list[Option]
    departments: list[Option]
    product_classes: list[Option] = Field(default_factory=list)


class Scale(Strict):
    min: int
    max: int
    top2_min: int | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Scale:
        if self.min >= self.max:
            raise ValueError(f"min ({self.min}) must be below max ({self.max})")
        return self

    @property
    def top2_threshold(self) -> int:
        return self.top2_min if self.top2_min is not None else self.max - 1


class Stage(Strict):
    id: Identifier
    label: Label
    phase: Literal["involve", "implement", "improve", "increase"] | None = None


class Touchpoint(Strict):
    id: Identifier
    stage: Identifier
    label: Label
    channel: Identifier
    department: Identifier
    moment_of_truth: bool = False
    rating_column: Identifier
    importance_column: Identifier | None = None
    scale: Scale
    target: float | None = None
    block: Identifier = Field(description="satisfaction block the touchpoint belongs to")


class KpiCompute(Strict):
    """How a KPI gets its values: a SQL query over the marts, or a series in the KPI actuals."""

    kind: Literal["sql", "actuals"]
    sql: str | None = None

    @model_validator(mode="after")
    def _sql_when_sql(self) -> KpiCompute:
        if self.kind == "sql" and not (self.sql or "").strip():
            raise ValueError("kind 'sql' needs a 'sql' query returning period, business_unit, value")
        return self


class Kpi(Strict):
    id: Identifier
    name: Label
    layer: Layer
    parents: list[Identifier] = Field(default_factory=list)
    unit: str
    direction: Literal["higher", "lower"]
    target: float | None = None
    indicator: Literal["lagging", "leading"]
    touchpoint: Identifier | None = None
    owner: Identifier | None = None
    compute: KpiCompute


class ProcessStep(Strict):
    activity: Identifier
    label: Label
    department: Identifier
    target_hours: float = Field(gt=0, description="to-be duration: waiting before plus processing")
    deadline_offset_hours: float | None = Field(
        default=None, description="must end this many hours relative to the case's due time"
    )
    touchpoint: Identifier | None = None
    kpis: list[Identifier] = Field(default_factory=list)


class Process(Strict):
    id: Identifier
    name: Label
    case_label: Label = Label(en="case")
    product_classes: list[Identifier] = Field(default_factory=list)
    steps: list[ProcessStep] = Field(min_length=1)


class IndexFactor(Strict):
    id: Identifier
    label: Label
    block: Literal["TX", "CX"]
    metric: Literal[
        "on_time_share", "avg_delay_days", "first_response_hours", "touchpoint_rating", "nps"
    ]
    touchpoint: Identifier | None = None
    worst: float | None = Field(
        default=None, description="value that scores 0 for linear metrics (days, hours)"
    )
    importance_column: Identifier

    @model_validator(mode="after")
    def _needs(self) -> IndexFactor:
        if self.metric == "touchpoint_rating" and not self.touchpoint:
            raise ValueError("metric 'touchpoint_rating' needs a 'touchpoint'")
        if self.metric in ("avg_delay_days", "first_response_hours") and not self.worst:
            raise ValueError(f"metric '{self.metric}' needs 'worst' (the value scoring 0)")
        return self


class SatisfactionIndex(Strict):
    block_weights: dict[Literal["TX", "CX"], float]
    factors: list[IndexFactor] = Field(min_length=1)


class PersonalData(Strict):
    respondent_name: Literal["keep", "mask", "hash", "drop"] = "mask"
    email: Literal["keep", "mask", "hash", "drop"] = "hash"
    phone: Literal["keep", "mask", "hash", "drop"] = "mask"
    # The archived copy of an uploaded survey file: its personal columns as stored ("masked"), or
    # the upload byte for byte ("original"). See pipelines/archive.py.
    archive: Literal["masked", "original"] = "masked"


class Settings(Strict):
    min_n: int = Field(default=30, ge=1)
    language: Literal["en", "ru"] = "en"
    personal_data: PersonalData = PersonalData()
    follow_up_days_by_grade: dict[Identifier, int] = Field(default_factory=dict)


class Company(Strict):
    name: Label
    currency: str = "RUB"
    description: Label | None = None


class ServiceModel(Strict):
    company: Company
    settings: Settings = Settings()
    dimensions: Dimensions
    stages: list[Stage] = Field(min_length=1)
    touchpoints: list[Touchpoint] = Field(min_length=1)
    kpis: list[Kpi] = Field(min_length=1)
    processes: list[Process] = Field(default_factory=list)
    satisfaction_index: SatisfactionIndex

    # Convenience look-ups; the lists stay the source of truth.
    def touchpoint(self, touchpoint_id: str) -> Touchpoint:
        return next(t for t in self.touchpoints if t.id == touchpoint_id)

    def kpi(self, kpi_id: str) -> Kpi:
        return next(k for k in self.kpis if k.id == kpi_id)

    def stage_order(self) -> dict[str, int]:
        return {s.id: i for i, s in enumerate(self.stages)}

    def option_ids(self, dimension: str) -> list[str]:
        return [o.id for o in getattr(self.dimensions, dimension)]

    def label(self, dimension: str, option_id: str, lang: str = "en") -> str:
        for option in getattr(self.dimensions, dimension):
            if option.id == option_id:
                return option.label.get(lang)
        return option_id

    def client_importance_columns(self) -> list[str]:
        return sorted({f.importance_column for f in self.satisfaction_index.factors})

    def kpi_children(self) -> dict[str, list[str]]:
        children: dict[str, list[str]] = {k.id: [] for k in self.kpis}
        for kpi in self.kpis:
            for parent in kpi.parents:
                children.setdefault(parent, []).append(kpi.id)
        return children


class ServiceModelError(ValueError):
    """Every problem found in a service model file, each as (key path, message)."""

    def __init__(self, source: str, problems: list[tuple[str, str]]):
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {path}: {message}" for path, message in problems)
        super().__init__(f"{source}: the service model has {len(problems)} problem(s):\n{lines}")


def _loc_to_path(loc: Iterable[object]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += ("." if path else "") + str(part)
    return path or "(top level)"


def _duplicates(values: Iterable[str]) -> set[str]:
    seen: set[str] = set()
    dup: set[str] = set()
    for value in values:
        (dup if value in seen else seen).add(value)
    return dup


def _check_unique(problems: list[tuple[str, str]], key: str, items: list, attr: str = "id") -> None:
    for value in sorted(_duplicates(getattr(i, attr) for i in items)):
        problems.append((key, f"'{value}' is defined more than once; {attr}s must be unique"))


def _check_kpi_cycles(model: ServiceModel, problems: list[tuple[str, str]]) -> None:
    parents = {k.id: [p for p in k.parents if p != k.id] for k in model.kpis}
    index = {k.id: i for i, k in enumerate(model.kpis)}
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    reported: set[frozenset[str]] = set()

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for parent in parents.get(node, []):
            if parent not in parents:
                continue
            if state.get(parent) == 1:
                cycle = path[path.index(parent) :] + [parent]
                if frozenset(cycle) not in reported:
                    reported.add(frozenset(cycle))
                    problems.append(
                        (
                            f"kpis[{index[parent]}].parents",
                            "cycle in the KPI tree: " + " -> ".join(cycle),
                        )
                    )
            elif state.get(parent) is None:
                visit(parent, path + [parent])
        state[node] = 2

    for kpi_id in parents:
        if state.get(kpi_id) is None:
            visit(kpi_id, [kpi_id])


def _cross_reference_problems(model: ServiceModel) -> list[tuple[str, str]]:
    problems: list[tuple[str, str]] = []
    dims = model.dimensions
    for name in type(dims).model_fields:
        _check_unique(problems, f"dimensions.{name}", getattr(dims, name))
    _check_unique(problems, "stages", model.stages)
    _check_unique(problems, "touchpoints", model.touchpoints)
    _check_unique(problems, "kpis", model.kpis)
    _check_unique(problems, "processes", model.processes)
    _check_unique(problems, "satisfaction_index.factors", model.satisfaction_index.factors)

    stages = {s.id for s in model.stages}
    channels = set(model.option_ids("channels"))
    departments = set(model.option_ids("departments"))
    touchpoints = {t.id for t in model.touchpoints}
    kpis = {k.id for k in model.kpis}
    reserved = set(SURVEY_CORE_COLUMNS)
    columns_seen: dict[str, str] = {}
    for i, tp in enumerate(model.touchpoints):
        key = f"touchpoints[{i}]"
        if tp.stage not in stages:
            problems.append((f"{key}.stage", f"unknown stage '{tp.stage}'; expected one of {sorted(stages)}"))
        if tp.channel not in channels:
            problems.append((f"{key}.channel", f"unknown channel '{tp.channel}'; expected one of {sorted(channels)}"))
        if tp.department not in departments:
            problems.append(
                (f"{key}.department", f"unknown department '{tp.department}'; expected one of {sorted(departments)}")
            )
        for attr in ("rating_column", "importance_column"):
            column = getattr(tp, attr)
            if column is None:
                continue
            if column in reserved:
                problems.append((f"{key}.{attr}", f"'{column}' is a core survey column; choose another name"))
            elif column in columns_seen:
                problems.append((f"{key}.{attr}", f"column '{column}' is already used by {columns_seen[column]}"))
            columns_seen[column] = f"{key}.{attr}"
    for i, kpi in enumerate(model.kpis):
        key = f"kpis[{i}]"
        for j, parent in enumerate(kpi.parents):
            if parent == kpi.id:
                problems.append((f"{key}.parents[{j}]", f"KPI '{kpi.id}' cannot be its own parent"))
            elif parent not in kpis:
                problems.append((f"{key}.parents[{j}]", f"unknown parent KPI '{parent}'"))
        if kpi.touchpoint and kpi.touchpoint not in touchpoints:
            problems.append((f"{key}.touchpoint", f"unknown touchpoint '{kpi.touchpoint}'"))
        if kpi.owner and kpi.owner not in departments:
            problems.append((f"{key}.owner", f"unknown department '{kpi.owner}'"))
        if kpi.layer == "TX" and kpi.parents:
            problems.append((f"{key}.parents", "a TX KPI is a root of the tree and takes no parents"))
        if kpi.layer != "TX" and not kpi.parents:
            problems.append((f"{key}.parents", f"a {kpi.layer} KPI needs at least one parent"))
    _check_kpi_cycles(model, problems)
    classes = set(model.option_ids("product_classes"))
    for i, process in enumerate(model.processes):
        for j, cls in enumerate(process.product_classes):
            if cls not in classes:
                problems.append((f"processes[{i}].product_classes[{j}]", f"unknown product class '{cls}'"))
        _check_unique(problems, f"processes[{i}].steps", process.steps, attr="activity")
        for j, step in enumerate(process.steps):
            key = f"processes[{i}].steps[{j}]"
            if step.department not in departments:
                problems.append((f"{key}.department", f"unknown department '{step.department}'"))
            if step.touchpoint and step.touchpoint not in touchpoints:
                problems.append((f"{key}.touchpoint", f"unknown touchpoint '{step.touchpoint}'"))
            for k, kpi_id in enumerate(step.kpis):
                if kpi_id not in kpis:
                    problems.append((f"{key}.kpis[{k}]", f"unknown KPI '{kpi_id}'"))
    for i, factor in enumerate(model.satisfaction_index.factors):
        if factor.touchpoint and factor.touchpoint not in touchpoints:
            problems.append(
                (f"satisfaction_index.factors[{i}].touchpoint", f"unknown touchpoint '{factor.touchpoint}'")
            )
    grades = set(model.option_ids("grades"))
    for grade in model.settings.follow_up_days_by_grade:
        if grade not in grades:
            problems.append((f"settings.follow_up_days_by_grade.{grade}", f"unknown grade '{grade}'"))
    return problems


def parse_service_model(data: object, source: str = "service model") -> ServiceModel:
    """Validate already-parsed YAML; raises ServiceModelError listing every problem."""
    if not isinstance(data, dict):
        raise ServiceModelError(source, [("(top level)", "expected a mapping of sections")])
    try:
        model = ServiceModel.model_validate(data)
    except ValidationError as exc:
        problems = [(_loc_to_path(e["loc"]), e["msg"]) for e in exc.errors()]
        raise ServiceModelError(source, problems) from None
    problems = _cross_reference_problems(model)
    if problems:
        raise ServiceModelError(source, problems)
    return model


def load_service_model(path: Path | str) -> ServiceModel:
    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ServiceModelError(str(path), [("(file)", "file not found")]) from None
    except yaml.YAMLError as exc:
        raise ServiceModelError(str(path), [("(file)", f"not valid YAML: {exc}")]) from None
    return parse_service_model(data, source=str(path))


# Columns of the survey import format that every company has; touchpoint columns come on top.
SURVEY_CORE_COLUMNS: tuple[str, ...] = (
    "response_id",
    "client_id",
    "respondent_role",
    "submitted_at",
    "nps",
    "ces",
    "channel",
    "comment",
    "respondent_name",
    "email",
    "phone",
    "batch_id",
)
