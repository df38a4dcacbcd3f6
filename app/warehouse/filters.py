"""The global filters every page shares, and the parameterised SQL that applies them.

Filters arrive from the URL, so every value is user input: values travel only as bound parameters,
and the only identifiers placed into SQL text come from the fixed `DIMENSION_COLUMNS` table below.
No Streamlit import here: pipelines, exports and tests build the same WHERE clauses.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass, fields, replace

# Filter field (a service-model dimension) -> the mart column it restricts.
DIMENSION_COLUMNS: dict[str, str] = {
    "business_units": "business_unit",
    "segments": "segment",
    "statuses": "status",
    "grades": "grade",
    "respondent_roles": "respondent_role",
}
DIMENSIONS: tuple[str, ...] = tuple(DIMENSION_COLUMNS)


@dataclass(frozen=True)
class Filters:
    """What the user narrowed the data to. An empty tuple means "all"; None periods mean open ends.

    Frozen and made of tuples so it hashes: `st.cache_data` keys include it.
    """

    period_from: str | None = None
    period_to: str | None = None
    business_units: tuple[str, ...] = ()
    segments: tuple[str, ...] = ()
    statuses: tuple[str, ...] = ()
    grades: tuple[str, ...] = ()
    respondent_roles: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # Accept lists from callers but store sorted, de-duplicated tuples: equal filters hash equally.
        for name in DIMENSIONS:
            object.__setattr__(self, name, tuple(sorted(set(getattr(self, name)))))
        if self.period_from and self.period_to and self.period_from > self.period_to:
            earlier, later = self.period_to, self.period_from
            object.__setattr__(self, "period_from", earlier)
            object.__setattr__(self, "period_to", later)

    def selected(self, dimension: str) -> tuple[str, ...]:
        return getattr(self, dimension)

    def with_values(self, **changes: object) -> Filters:
        """A copy with some fields changed (e.g. one segment for a comparison)."""
        return replace(self, **changes)

    def active_dimensions(self) -> list[str]:
        return [d for d in DIMENSIONS if getattr(self, d)]

    def as_dict(self) -> dict[str, object]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _column(name: str, alias: str | None) -> str:
    return f"{alias}.{name}" if alias else name


def filter_sql(
    filters: Filters,
    columns_available: Collection[str],
    *,
    alias: str | None = None,
    prefix: str = "f",
) -> tuple[str, dict[str, object]]:
    """A boolean SQL expression (never empty: "true" when nothing applies) and its named parameters.

    Only conditions whose column exists in `columns_available` are emitted, so the same Filters work
    on marts without, say, respondent_role (orders, clients). `prefix` keeps parameter names apart
    when one query applies two filter sets (a difference map of two segments).
    """
    clauses: list[str] = []
    params: dict[str, object] = {}
    if "period" in columns_available:
        column = _column("period", alias)
        if filters.period_from:
            params[f"{prefix}_period_from"] = filters.period_from
            clauses.append(f"{column} >= ${prefix}_period_from")
        if filters.period_to:
            params[f"{prefix}_period_to"] = filters.period_to
            clauses.append(f"{column} <= ${prefix}_period_to")
    for dimension, column_name in DIMENSION_COLUMNS.items():
        values = filters.selected(dimension)
        if not values or column_name not in columns_available:
            continue
        names = [f"{prefix}_{column_name}_{i}" for i in range(len(values))]
        params.update(zip(names, values, strict=True))
        placeholders = ", ".join(f"${n}" for n in names)
        clauses.append(f"{_column(column_name, alias)} in ({placeholders})")
    return (" and ".join(clauses) if clauses else "true"), params


def unapplied_dimensions(filters: Filters, columns_available: Collection[str]) -> list[str]:
    """Active filters a mart cannot honour (e.g. respondent role on orders): pages say so."""
    return [d for d in filters.active_dimensions() if DIMENSION_COLUMNS[d] not in columns_available]


def sanitize_values(values: Iterable[str], allowed: Collection[str]) -> tuple[list[str], list[str]]:
    """Split raw (URL) values into the allowed ones, in order and de-duplicated, and the rejected ones."""
    kept: list[str] = []
    rejected: list[str] = []
    for value in values:
        if value in allowed:
            if value not in kept:
                kept.append(value)
        elif value not in rejected:
            rejected.append(value)
    return kept, rejected
