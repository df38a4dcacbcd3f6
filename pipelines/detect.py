"""Which import format an uploaded file is, guessed from its headers before the analyst says so.

Every source is tried with the same column-mapping suggestions the load uses (exact names, English
and Russian synonyms, similarity), so "detected as surveys" means "the surveys mapping fits best".
A source scores by how many of its required columns the headers cover (a file without a response
id and an NPS column is not a survey export, however many other columns match) and, less, by how
many of the file's headers it explains. The file name breaks near-ties ("clients_2026.xlsx").

Confidence is the winner's score, halved at most when the runner-up is close: an analyst should
check a guess between "orders" and "tickets" even if both fit well.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.service_model import ServiceModel
from pipelines.mapping import model_synonyms, suggest_mapping
from pipelines.readers import normalise_header
from pipelines.sources import SOURCES, source_spec

REQUIRED_WEIGHT = 0.7  # share of the score from required columns covered; the rest from headers explained
CLEAR_MARGIN = 0.25  # a runner-up this far behind (or further) does not lower the confidence
MIN_SCORE = 0.35  # below this no source is suggested: the analyst chooses
FILE_NAME_BONUS = 0.05
CONFIDENT = 0.8  # the UI asks the analyst to check a detection below this

# Words in file names that exports of each source usually carry (normalised, transliteration-free).
FILE_NAME_HINTS: dict[str, tuple[str, ...]] = {
    "surveys": ("survey", "nps", "response", "опрос", "анкет", "ответ"),
    "clients": ("client", "customer", "crm", "account", "клиент", "контрагент"),
    "orders": ("order", "shipment", "delivery", "erp", "заказ", "отгруз", "постав"),
    "events": ("event", "process", "log", "событ", "процесс", "журнал"),
    "tickets": ("ticket", "complaint", "support", "обращен", "жалоб", "тикет"),
    "kpi_actuals": ("kpi", "metric", "actual", "показател", "факт"),
}


@dataclass(frozen=True)
class SourceScore:
    """How well one source's format fits a file's headers."""

    source: str
    score: float
    required_found: int
    required_total: int
    headers_explained: int


def score_sources(headers: list[str], model: ServiceModel, file_name: str | None = None) -> list[SourceScore]:
    """Every source's fit for these headers, best first (ties keep the order of SOURCES)."""
    synonyms = model_synonyms(model)
    name = normalise_header(file_name or "")
    scores = []
    for source in SOURCES:
        spec = source_spec(source, model)
        mapping = suggest_mapping(headers, spec.column_names, synonyms)
        matched = {c for c in mapping.values() if c}
        required = set(spec.required)
        found = len(matched & required)
        explained = len(matched)
        score = REQUIRED_WEIGHT * found / len(required) + (1 - REQUIRED_WEIGHT) * explained / max(
            len(headers), 1
        )
        if name and any(hint in name for hint in FILE_NAME_HINTS[source]):
            score += FILE_NAME_BONUS
        scores.append(SourceScore(source, min(score, 1.0), found, len(required), explained))
    order = {s: i for i, s in enumerate(SOURCES)}
    return sorted(scores, key=lambda s: (-s.score, -s.required_found, order[s.source]))


def detect_source(
    headers: list[str], model: ServiceModel, file_name: str | None = None
) -> tuple[str | None, float]:
    """(source, confidence 0–1) for a file with these headers; (None, 0.0) when nothing fits."""
    if not headers:
        return None, 0.0
    best, *rest = score_sources(headers, model, file_name)
    if best.score < MIN_SCORE or best.required_found == 0:
        return None, 0.0
    runner_up = rest[0].score if rest else 0.0
    clarity = min(1.0, 0.5 + 0.5 * (best.score - runner_up) / CLEAR_MARGIN)
    return best.source, round(best.score * clarity, 3)
