"""Reading a saved view's URL parameters outside a page run (slides, exports, presentation mode).

The same names and the same rule as the live pages (app.ui.filters, app.ui.url_widgets): values
are ids checked against what the service model and the warehouse allow; unknown values are
dropped, never passed to SQL, and never crash a slide.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from app.service_model import ServiceModel
from app.ui.filters import PERIOD_FROM_PARAM, PERIOD_TO_PARAM, URL_PARAMS
from app.warehouse.filters import DIMENSIONS, Filters, sanitize_values

ViewParams = Mapping[str, Sequence[str]]

# Parameters that are global filters (the rest belong to the page: metric=, by=, view=, …).
FILTER_PARAMS: frozenset[str] = frozenset({PERIOD_FROM_PARAM, PERIOD_TO_PARAM, *URL_PARAMS.values()})
# Parameters never saved with a view: the language is the presenter's choice at show time.
SESSION_PARAMS: frozenset[str] = frozenset({"lang"})


def _values(params: ViewParams, name: str) -> list[str]:
    raw = params.get(name) or ()
    return [raw] if isinstance(raw, str) else [v for v in raw if isinstance(v, str)]


def choice(params: ViewParams, name: str, allowed: Collection[str], default: str) -> str:
    """One allowed value of a single-choice parameter (the last one given), else the default."""
    values = [v for v in _values(params, name) if v in allowed]
    return values[-1] if values else default


def filters_from_params(params: ViewParams, model: ServiceModel, periods: Sequence[str]) -> Filters:
    """The global Filters a view's parameters describe; open period ends mean the whole range."""
    selected: dict[str, tuple[str, ...]] = {}
    for dimension in DIMENSIONS:
        kept, _ = sanitize_values(_values(params, URL_PARAMS[dimension]), model.option_ids(dimension))
        selected[dimension] = tuple(kept)
    first = choice(params, PERIOD_FROM_PARAM, periods, periods[0]) if periods else None
    last = choice(params, PERIOD_TO_PARAM, periods, periods[-1]) if periods else None
    return Filters(period_from=first, period_to=last, **selected)


def params_from_filters(filters: Filters, periods: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The URL parameters of `filters`, defaults left out (as the sidebar writes them)."""
    params: dict[str, tuple[str, ...]] = {}
    if periods and filters.period_from and filters.period_from != periods[0]:
        params[PERIOD_FROM_PARAM] = (filters.period_from,)
    if periods and filters.period_to and filters.period_to != periods[-1]:
        params[PERIOD_TO_PARAM] = (filters.period_to,)
    for dimension in DIMENSIONS:
        if filters.selected(dimension):
            params[URL_PARAMS[dimension]] = tuple(filters.selected(dimension))
    return params


def with_filters(params: ViewParams, filters: Filters, periods: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """The view's own parameters (metric=, by=, …) with its filters replaced by `filters`."""
    own = {k: tuple(_values(params, k)) for k in params if k not in FILTER_PARAMS}
    return {**own, **params_from_filters(filters, periods)}


def savable(params: ViewParams) -> dict[str, tuple[str, ...]]:
    """The parameters worth saving with a view (no session-only ones such as the language)."""
    return {k: tuple(_values(params, k)) for k in params if k not in SESSION_PARAMS}
