"""The complaint-topics pipeline: read the feedback texts, train, store the run; names that persist.

When topics are built: after the demo company is loaded (first start), from the CLI
(`python -m pipelines topics`), and when an analyst presses "Rebuild topics" on the Voice of the
customer page, which offers it once new survey or ticket batches changed the texts (staleness is the
set of loaded survey/ticket batches, not the data version, so a follow-up update does not make the
topics look stale). Never on page render.

Names: an analyst's name for a topic is stored in `topic_labels` under the topic's stem signature.
A retrain matches each new topic to the stored signature it overlaps most (Jaccard ≥ 0.34, one
name per topic), so topics that are still there keep their names; a topic that vanished keeps its
row, ready for when it comes back.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TYPE_CHECKING

import duckdb
import polars as pl

from app.service_model import ServiceModel
from app.warehouse.connection import fetch_scalar, query, write_transaction
from app.warehouse.schema import data_version
from app.warehouse.voc_queries import corpus_key

if TYPE_CHECKING:  # scikit-learn loads in ~1 s: only training pays for it, not the pages
    from pipelines.topic_model import TopicModel

ProgressFn = Callable[[float, str], None]
METHOD = "tfidf-snowball + kmeans phrasings + vocabulary/journey merge"
LABEL_MATCH_MIN_JACCARD = 0.34
DETAIL_TABLES = (
    "topics",
    "topic_terms",
    "topic_documents",
    "topic_examples",
    "topic_client_groups",
    "topic_group_profiles",
)


def _no_progress(fraction: float, message: str) -> None:
    return None


def feedback_documents(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    return query(
        con,
        "select doc_id, source, client_id, text, touchpoint_id, is_complaint from mart_feedback "
        "order by source, doc_id",
    )


def match_labels(topics: pl.DataFrame, labelled: list[str]) -> list[str]:
    """For each topic, the stored signature whose name it inherits, else its own signature."""
    own = topics["signature"].to_list()
    candidates = []
    for i, signature in enumerate(own):
        stems = set(signature.split())
        for stored in labelled:
            other = set(stored.split())
            jaccard = len(stems & other) / len(stems | other) if stems | other else 0.0
            if jaccard >= LABEL_MATCH_MIN_JACCARD:
                candidates.append((jaccard, i, stored))
    chosen: dict[int, str] = {}
    taken: set[str] = set()
    for _, i, stored in sorted(candidates, key=lambda c: (-c[0], c[1], c[2])):
        if i not in chosen and stored not in taken:
            chosen[i] = stored
            taken.add(stored)
    return [chosen.get(i, signature) for i, signature in enumerate(own)]


def _write_run(
    con: duckdb.DuckDBPyConnection,
    result: TopicModel,
    docs: pl.DataFrame,
    groups: tuple[pl.DataFrame, pl.DataFrame],
    seconds: float,
) -> int:
    labelled = [r[0] for r in con.execute("select signature from topic_labels").fetchall()]
    topics = result.topics.with_columns(
        pl.Series("label_signature", match_labels(result.topics, labelled), dtype=pl.String)
    )
    with write_transaction(con):
        run_id = int(fetch_scalar(con, "select coalesce(max(run_id), 0) + 1 from topic_runs"))
        for table in DETAIL_TABLES:
            con.execute(f"delete from {table}")
        frames = {
            "topics": topics.select(
                "topic_id",
                "n_docs",
                "n_survey",
                "n_ticket",
                "signature",
                "label_signature",
                "auto_label_en",
                "auto_label_ru",
            ),
            "topic_terms": result.terms,
            "topic_documents": result.assignments,
            "topic_examples": result.examples,
            "topic_client_groups": groups[0],
            "topic_group_profiles": groups[1],
        }
        for table, frame in frames.items():
            con.register("_topic_frame", frame)
            con.execute(f"insert into {table} select $run_id, * from _topic_frame", {"run_id": run_id})
            con.unregister("_topic_frame")
        con.execute(
            "insert into topic_runs values (?, ?, ?, current_localtimestamp(), ?, ?, ?, ?, ?, ?, ?)",
            [
                run_id,
                data_version(con),
                corpus_key(con),
                METHOD,
                docs.height,
                int(docs["is_complaint"].sum()) if docs.height else 0,
                topics.height,
                result.n_phrasings,
                int(groups[1]["group_id"].n_unique()) if groups[1].height else 0,
                round(seconds, 3),
            ],
        )
    return run_id


def build_topics(
    con: duckdb.DuckDBPyConnection,
    model: ServiceModel | None = None,
    *,
    seed: int = 7,
    progress: ProgressFn = _no_progress,
) -> int:
    """Train topics and client groups on every feedback text; store them as a new run; its id.

    `model` is accepted for symmetry with the other pipelines (the texts carry what is needed).
    """
    from threadpoolctl import threadpool_limits

    from pipelines.topic_groups import group_clients
    from pipelines.topic_model import train_topics

    started = time.perf_counter()
    progress(0.05, "Reading comments and tickets")
    docs = feedback_documents(con)
    progress(0.2, f"Finding topics in {docs.height:,} texts")
    # One thread: the matrices are small, and the app's server must stay responsive while it trains.
    with threadpool_limits(limits=1):
        result = train_topics(docs, seed=seed)
        progress(0.75, "Grouping clients by their complaints")
        with_clients = result.assignments.join(
            docs.select("doc_id", "source", "client_id"), on=["doc_id", "source"], how="left"
        )
        groups = group_clients(with_clients, seed=seed)
    progress(0.9, "Saving")
    run_id = _write_run(con, result, docs, groups, time.perf_counter() - started)
    progress(1.0, f"{result.topics.height} topics from {docs.height:,} texts")
    return run_id


def rename_topic(
    con: duckdb.DuckDBPyConnection, run_id: int, topic_id: int, label: str | None, actor: str | None = None
) -> None:
    """Give a topic a name that later runs inherit; an empty name goes back to the automatic one."""
    rows = con.execute(
        "select label_signature from topics where run_id = ? and topic_id = ?", [run_id, topic_id]
    ).fetchall()
    if not rows:
        raise LookupError(f"topic {topic_id} of run {run_id} does not exist (the topics were rebuilt?)")
    signature = rows[0][0]
    label = " ".join((label or "").split())[:120]
    if not label:
        con.execute("delete from topic_labels where signature = ?", [signature])
        return
    con.execute(
        "insert or replace into topic_labels values (?, ?, current_localtimestamp(), ?)",
        [signature, label, actor],
    )
