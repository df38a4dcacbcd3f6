"""Query functions over the stored complaint topics: the topic list, counts by journey and segment
keys, the score mix of each topic and the client groups.

Counts come from `mart_feedback` (every comment and ticket, with the client's keys as they are now)
left-joined to the newest run's `topic_documents`, so texts loaded after the last training show
up as "no topic yet" instead of vanishing. Functions take a `TopicsKey` so the data-version cache
also refreshes after a retrain or a rename (neither changes the data version).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

import duckdb
import polars as pl

from app.warehouse.connection import fetch_scalar, query, table_exists
from app.warehouse.filters import DIMENSION_COLUMNS, Filters, filter_sql

FEEDBACK_COLUMNS = frozenset(("period", *DIMENSION_COLUMNS.values()))
BREAKDOWN_COLUMNS: tuple[str, ...] = (
    "period",
    "stage_id",
    "touchpoint_id",
    "block",
    "business_unit",
    "segment",
    "grade",
    "status",
)
SOURCES: tuple[str, ...] = ("survey", "ticket")


@dataclass(frozen=True)
class TopicsKey:
    """Which stored topics a query reads: the run, and a stamp of the analysts' names."""

    run_id: int | None
    labels_stamp: str = ""


@dataclass(frozen=True)
class TopicStatus:
    """The newest run and whether the texts changed since (shown on the page, used by the CLI)."""

    run_id: int | None
    built_at: datetime | None
    n_topics: int
    n_documents: int
    corpus_key: str | None
    current_corpus_key: str
    n_new_documents: int

    @property
    def exists(self) -> bool:
        return self.run_id is not None

    @property
    def is_stale(self) -> bool:
        return self.run_id is None or self.corpus_key != self.current_corpus_key


def corpus_key(con: duckdb.DuckDBPyConnection) -> str:
    """The loaded survey and ticket batches: the texts change exactly when this changes."""
    ids = con.execute(
        "select coalesce(string_agg(batch_id::varchar, ',' order by batch_id), '') from batches "
        "where status = 'loaded' and source in ('surveys', 'tickets')"
    ).fetchall()[0][0]
    return ids or "none"


def topic_status(con: duckdb.DuckDBPyConnection, key: TopicsKey | None = None) -> TopicStatus:
    """The newest run against the texts now loaded (`key` only keys the page cache to the run)."""
    current = corpus_key(con)
    rows = con.execute(
        "select run_id, built_at, n_topics, n_documents, corpus_key from topic_runs order by run_id desc limit 1"
    ).fetchall()
    n_docs = (
        int(fetch_scalar(con, "select count(*) from mart_feedback") or 0)
        if table_exists(con, "mart_feedback")
        else 0
    )
    if not rows:
        return TopicStatus(None, None, 0, 0, None, current, n_docs)
    run_id, built_at, n_topics, n_documents, key = rows[0]
    new = int(
        fetch_scalar(
            con,
            "select count(*) from mart_feedback f where not exists "
            "(select 1 from topic_documents d where d.run_id = ? and d.doc_id = f.doc_id and d.source = f.source)",
            [run_id],
        )
        or 0
    )
    return TopicStatus(int(run_id), built_at, int(n_topics), int(n_documents), key, current, new)


class UnknownBreakdownError(ValueError):
    """A breakdown column outside the allow-list (column names go into SQL text, so they are checked)."""


def topics_key(con: duckdb.DuckDBPyConnection) -> TopicsKey:
    rows = con.execute(
        "select (select max(run_id) from topic_runs), "
        "(select count(*)::varchar || '|' || coalesce(max(updated_at)::varchar, '') from topic_labels)"
    ).fetchall()
    run_id, stamp = rows[0]
    return TopicsKey(int(run_id) if run_id is not None else None, stamp or "")


def feedback_scope(
    filters: Filters, sources: Sequence[str], complaints_only: bool
) -> tuple[str, dict[str, object]]:
    where, params = filter_sql(filters, FEEDBACK_COLUMNS, alias="f")
    chosen = [s for s in SOURCES if s in sources] or list(SOURCES)
    params["sources"] = chosen
    where += " and f.source in (select unnest($sources))"
    if complaints_only:
        where += " and f.is_complaint"
    return where, params


def topic_list(con: duckdb.DuckDBPyConnection, key: TopicsKey) -> pl.DataFrame:
    """The run's topics with the analyst's name (null when none) and the automatic names."""
    return query(
        con,
        """
        select t.topic_id, l.label, t.auto_label_en, t.auto_label_ru, t.n_docs, t.n_survey, t.n_ticket,
               t.signature, t.label_signature
        from topics t left join topic_labels l on l.signature = t.label_signature
        where t.run_id = $run_id order by t.topic_id
        """,
        {"run_id": key.run_id or -1},
    )


def topic_terms(con: duckdb.DuckDBPyConnection, key: TopicsKey) -> pl.DataFrame:
    return query(
        con,
        "select topic_id, language, rank, stem, term, weight from topic_terms where run_id = $run_id "
        "order by topic_id, language, rank",
        {"run_id": key.run_id or -1},
    )


def topic_examples(con: duckdb.DuckDBPyConnection, key: TopicsKey) -> pl.DataFrame:
    return query(
        con,
        "select topic_id, language, rank, doc_id, source, text from topic_examples "
        "where run_id = $run_id order by topic_id, language, rank",
        {"run_id": key.run_id or -1},
    )


def topic_counts(
    con: duckdb.DuckDBPyConnection,
    key: TopicsKey,
    filters: Filters,
    by: Sequence[str] = (),
    sources: Sequence[str] = SOURCES,
) -> pl.DataFrame:
    """Complaint texts per topic (null = no topic) × `by`, under the filters."""
    unknown = [c for c in by if c not in BREAKDOWN_COLUMNS]
    if unknown:
        raise UnknownBreakdownError(f"cannot break down by {unknown}; allowed: {BREAKDOWN_COLUMNS}")
    where, params = feedback_scope(filters, sources, complaints_only=True)
    params["run_id"] = key.run_id or -1
    group = ", ".join([*(f"f.{c}" for c in by), "d.topic_id"])
    return query(
        con,
        f"""
        select {group}, count(*) as n
        from mart_feedback f
        left join topic_documents d on d.run_id = $run_id and d.doc_id = f.doc_id and d.source = f.source
        where {where}
        group by {group} order by {group}
        """,
        params,
    )


def topic_score_mix(con: duckdb.DuckDBPyConnection, key: TopicsKey, filters: Filters) -> pl.DataFrame:
    """Per topic: survey comments, how many came from detractors / passives, and their mean score."""
    where, params = feedback_scope(filters, ("survey",), complaints_only=True)
    params["run_id"] = key.run_id or -1
    return query(
        con,
        f"""
        select d.topic_id, count(*) as n, count(*) filter (where f.nps <= 6) as n_detractors,
               count(*) filter (where f.nps between 7 and 8) as n_passives, avg(f.nps) as avg_nps
        from mart_feedback f
        join topic_documents d on d.run_id = $run_id and d.doc_id = f.doc_id and d.source = f.source
        where {where} and f.nps is not null
        group by d.topic_id order by d.topic_id
        """,
        params,
    )


def client_groups(con: duckdb.DuckDBPyConnection, key: TopicsKey, filters: Filters) -> pl.DataFrame:
    """Per client group: clients (under the segment filters), their answers and money.

    NPS counts are the group's survey answers in the filtered periods; revenue and LTV are the client
    cards' figures (mart_clients), as on the overview.
    """
    client_where, params = filter_sql(
        filters, frozenset(("business_unit", "segment", "grade", "status")), alias="c"
    )
    answer_where, answer_params = filter_sql(filters, FEEDBACK_COLUMNS, alias="r", prefix="a")
    params.update(answer_params, run_id=key.run_id or -1)
    return query(
        con,
        f"""
        with members as (
            select g.group_id, g.client_id, g.n_docs, c.revenue, c.ltv
            from topic_client_groups g join mart_clients c using (client_id)
            where g.run_id = $run_id and {client_where}
        ), answers as (
            select m.group_id, count(*) as n, count(*) filter (where r.is_promoter) as n_promoters,
                   count(*) filter (where r.is_detractor) as n_detractors
            from members m join mart_responses r using (client_id)
            where {answer_where} and r.nps is not null
            group by m.group_id
        )
        select m.group_id, count(*) as n_clients, sum(m.n_docs) as n_complaints,
               coalesce(sum(m.revenue), 0)::double as revenue, coalesce(sum(m.ltv), 0)::double as ltv,
               coalesce(any_value(a.n), 0) as n, coalesce(any_value(a.n_promoters), 0) as n_promoters,
               coalesce(any_value(a.n_detractors), 0) as n_detractors
        from members m left join answers a using (group_id)
        group by m.group_id order by m.group_id
        """,
        params,
    )


def group_profiles(con: duckdb.DuckDBPyConnection, key: TopicsKey) -> pl.DataFrame:
    return query(
        con,
        "select group_id, topic_id, share from topic_group_profiles where run_id = $run_id "
        "order by group_id, share desc",
        {"run_id": key.run_id or -1},
    )
