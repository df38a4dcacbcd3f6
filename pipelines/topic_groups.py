"""Grouping clients by their complaint profile: which kinds of unhappy clients exist.

Each client with at least one complaint text gets a profile: the share of its complaints in each
topic. k-means on those profiles (k chosen by the silhouette score, 2 … 8) finds clients who
complain about the same mix of things; a group is then described by its mean profile. Pure
functions: pipelines/topics.py stores the result with the topics of the same run.
"""

from __future__ import annotations

import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.metrics import silhouette_score

MIN_GROUPS = 3  # two groups are always "one theme vs the rest": too coarse to act on
MAX_GROUPS = 8
MIN_CLIENTS_PER_GROUP = 10


def complaint_profiles(assignments: pl.DataFrame) -> tuple[list[str], list[int], np.ndarray, np.ndarray]:
    """(client ids, topic ids, shares matrix clients × topics, complaint counts) from doc → topic rows.

    `assignments` has client_id and topic_id (rows without either are ignored).
    """
    known = assignments.drop_nulls(["client_id", "topic_id"])
    if known.is_empty():
        return [], [], np.zeros((0, 0)), np.zeros(0)
    counts = known.group_by("client_id", "topic_id").len().sort("client_id", "topic_id")
    wide = counts.pivot(on="topic_id", index="client_id", values="len").fill_null(0).sort("client_id")
    topic_ids = sorted(int(c) for c in wide.columns if c != "client_id")
    matrix = wide.select([str(t) for t in topic_ids]).to_numpy().astype(float)
    totals = matrix.sum(axis=1)
    return wide["client_id"].to_list(), topic_ids, matrix / totals[:, None], totals


def _choose_k(shares: np.ndarray, seed: int) -> tuple[int, np.ndarray]:
    n = shares.shape[0]
    best: tuple[float, int, np.ndarray] | None = None
    for k in range(MIN_GROUPS, min(MAX_GROUPS, n // MIN_CLIENTS_PER_GROUP) + 1):
        labels = KMeans(n_clusters=k, n_init=4, random_state=seed).fit_predict(shares)
        if len(set(labels.tolist())) < 2:
            continue
        score = silhouette_score(shares, labels, sample_size=min(n, 3000), random_state=seed)
        if best is None or score > best[0] + 1e-9:
            best = (score, k, labels)
    if best is None:
        return 1, np.zeros(n, dtype=int)
    return best[1], best[2]


def group_clients(assignments: pl.DataFrame, seed: int = 7) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(client_id, group_id, n_docs) and (group_id, topic_id, share); groups numbered by size."""
    clients, topic_ids, shares, totals = complaint_profiles(assignments)
    members_schema = {"client_id": pl.String, "group_id": pl.Int64, "n_docs": pl.Int64}
    profile_schema = {"group_id": pl.Int64, "topic_id": pl.Int64, "share": pl.Float64}
    if not clients:
        return pl.DataFrame(schema=members_schema), pl.DataFrame(schema=profile_schema)
    _, labels = _choose_k(shares, seed)
    sizes = np.bincount(labels)
    order = {old: new for new, old in enumerate(np.argsort(-sizes, kind="stable"), start=1)}
    group_ids = np.array([order[label] for label in labels])
    members = pl.DataFrame(
        {"client_id": clients, "group_id": group_ids, "n_docs": totals.astype(int)}, schema=members_schema
    )
    rows = []
    for group in sorted(set(group_ids.tolist())):
        mean = shares[group_ids == group].mean(axis=0)
        rows += [
            (group, topic, float(share)) for topic, share in zip(topic_ids, mean, strict=True) if share > 0
        ]
    return members, pl.DataFrame(rows, schema=profile_schema, orient="row")
