"""Full-text search over comments and tickets for the comment explorer.

Every word the user types becomes its own bound ILIKE parameter (all words must occur, any case,
ё and е alike); LIKE's wildcards in the input are escaped, so "100%" finds "100%" and "_" finds an
underscore. Nothing typed by the user is ever formatted into the SQL text.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb
import polars as pl

from app.warehouse.connection import query
from app.warehouse.filters import Filters
from app.warehouse.voc_queries import SOURCES, TopicsKey, feedback_scope

MAX_SEARCH_WORDS = 8
NO_TOPIC = -1  # "texts without a topic" in a topic filter


@dataclass(frozen=True)
class CommentQuery:
    """The explorer's own filters (the global ones come as Filters)."""

    text: str = ""
    topic_ids: tuple[int, ...] = ()
    touchpoint_ids: tuple[str, ...] = ()
    nps_min: int = 0
    nps_max: int = 10
    sources: tuple[str, ...] = SOURCES
    limit: int = 500

    @property
    def filters_scores(self) -> bool:
        return (self.nps_min, self.nps_max) != (0, 10)


def like_pattern(word: str) -> str:
    """'%word%' with LIKE's special characters escaped (ESCAPE '\\')."""
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_words(text: str) -> list[str]:
    words = [w for w in (text or "").replace("ё", "е").replace("Ё", "Е").split() if w][:MAX_SEARCH_WORDS]
    return list(dict.fromkeys(words))


def _conditions(spec: CommentQuery, params: dict[str, object]) -> list[str]:
    clauses = []
    for i, word in enumerate(search_words(spec.text)):
        params[f"w{i}"] = like_pattern(word)
        clauses.append(f"replace(f.text, 'ё', 'е') ilike $w{i} escape '\\'")
    topics = [t for t in spec.topic_ids if t != NO_TOPIC]
    if spec.topic_ids:
        params["topic_ids"] = topics or [NO_TOPIC]
        with_none = " or d.topic_id is null" if NO_TOPIC in spec.topic_ids else ""
        clauses.append(f"(d.topic_id in (select unnest($topic_ids)){with_none})")
    if spec.touchpoint_ids:
        params["touchpoint_ids"] = list(spec.touchpoint_ids)
        clauses.append("f.touchpoint_id in (select unnest($touchpoint_ids))")
    if spec.filters_scores:
        params.update(nps_min=spec.nps_min, nps_max=spec.nps_max)
        clauses.append("f.nps between $nps_min and $nps_max")  # tickets have no score: left out
    return clauses


def search_feedback(
    con: duckdb.DuckDBPyConnection, key: TopicsKey, filters: Filters, spec: CommentQuery
) -> pl.DataFrame:
    """Matching texts, newest first, at most `spec.limit`; `n_matches` holds the full count."""
    where, params = feedback_scope(filters, spec.sources, complaints_only=False)
    clauses = [where, *_conditions(spec, params)]
    params.update(run_id=key.run_id or -1, limit=spec.limit)
    return query(
        con,
        f"""
        select f.created_at, f.period, f.source, f.doc_id, f.response_id, f.client_id, f.client_name,
               f.business_unit, f.segment, f.grade, f.nps, f.nps_class, f.touchpoint_id, f.stage_id,
               d.topic_id, f.text, count(*) over () as n_matches
        from mart_feedback f
        left join topic_documents d on d.run_id = $run_id and d.doc_id = f.doc_id and d.source = f.source
        where {" and ".join(clauses)}
        order by f.created_at desc nulls last, f.doc_id
        limit $limit
        """,
        params,
    )
