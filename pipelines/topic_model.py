"""Complaint topics from short feedback texts: TF-IDF → k-means phrasings → merged topics.

Why k-means and not NMF: a survey comment or a ticket is one or two sentences about one problem.
k-means gives each text exactly one topic, so topic counts add up to the number of texts and shares
per stage, segment or quarter are honest; NMF spreads a text over several topics and needs a
threshold to count it. On the demo corpus NMF's deterministic start (NNDSVD) also missed a small,
clearly separate theme (quality defects) at every k up to 12, because splitting a large theme
lowers the reconstruction error more than finding a small one.

Why two stages: k-means with a small k merges small themes into large ones for the same reason, so
the texts are first cut into many "phrasings" (k ≈ √n / 2 per language), then phrasings are joined:
  1. within a language, when their centroids share vocabulary (average-linkage cosine distance
     below TEXT_MERGE_DISTANCE);
  2. across languages (and wordings with no word in common), when both point at the same place in
     the journey: the same dominant touchpoint, nearly the same touchpoint profile. A Russian and an
     English complaint about late delivery share no word, but they share the touchpoint.
Pure functions: no warehouse, no Streamlit; pipelines/topics.py reads and writes the tables.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy import sparse
from sklearn.cluster import AgglomerativeClustering, KMeans
from sklearn.exceptions import ConvergenceWarning
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.preprocessing import normalize

from pipelines.text import LANGUAGES, Tokenizer, detect_language
from pipelines.topic_describe import auto_label, similarities, top_terms, typical_texts

MIN_DOCS_PER_LANGUAGE = 10
TEXT_MERGE_DISTANCE = 0.9  # cosine distance between phrasing centroids (1 = no shared term)
PROFILE_MIN_SHARE = 0.5  # a phrasing "points at" a touchpoint when at least half its texts do
PROFILE_MIN_SIMILARITY = 0.85
PROFILE_MIN_DOCS = 5
SIGNATURE_STEMS = 6


@dataclass(frozen=True)
class TopicModel:
    """What one training run produced (frames ready to write to the warehouse)."""

    topics: pl.DataFrame  # topic_id, n_docs, n_survey, n_ticket, signature, auto_label_en, auto_label_ru
    terms: pl.DataFrame  # topic_id, language, rank, stem, term, weight
    assignments: pl.DataFrame  # doc_id, source, language, topic_id (null = no topic), similarity
    examples: pl.DataFrame  # topic_id, language, rank, doc_id, source, text
    n_phrasings: int


@dataclass
class _Phrasing:
    language: str
    rows: np.ndarray  # indices into that language's document list
    centroid: np.ndarray
    profile: dict[str, int]


def _fine_k(n_docs: int) -> int:
    return max(2, min(40, round(math.sqrt(n_docs) / 2), n_docs // 3))


def _cluster_language(texts: list[str], tokenizer: Tokenizer, seed: int):
    """TF-IDF matrix, vocabulary and phrasing labels (-1 for texts without a single term)."""
    vectorizer = TfidfVectorizer(analyzer=tokenizer, min_df=2, max_df=0.5, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform(texts)
    except ValueError:  # no term survives min_df / max_df
        return None, None, np.full(len(texts), -1)
    has_terms = np.asarray(matrix.getnnz(axis=1) > 0)
    labels = np.full(len(texts), -1)
    rows = np.flatnonzero(has_terms)
    if len(rows) < 2:
        return matrix, vectorizer.get_feature_names_out(), labels
    k = min(_fine_k(len(rows)), len(rows))
    with warnings.catch_warnings():  # short texts repeat word for word: fewer distinct points than k is fine
        warnings.simplefilter("ignore", ConvergenceWarning)
        fine = KMeans(n_clusters=k, n_init=3, random_state=seed).fit(matrix[rows])
    labels[rows] = fine.labels_
    return matrix, vectorizer.get_feature_names_out(), labels


def _text_groups(matrix: sparse.csr_matrix, labels: np.ndarray) -> np.ndarray:
    """Phrasing label → text group (phrasings that share vocabulary), as an array over labels."""
    ids = sorted(set(labels.tolist()) - {-1})
    if len(ids) < 2:
        return np.zeros(max(ids, default=0) + 1, dtype=int)
    centroids = normalize(np.vstack([np.asarray(matrix[labels == i].mean(axis=0)).ravel() for i in ids]))
    merge = AgglomerativeClustering(
        n_clusters=None, distance_threshold=TEXT_MERGE_DISTANCE, metric="cosine", linkage="average"
    ).fit(centroids)
    mapping = np.zeros(max(ids) + 1, dtype=int)
    mapping[ids] = merge.labels_
    return mapping


def _profile_vector(profile: dict[str, int], keys: list[str]) -> np.ndarray:
    return np.array([profile.get(k, 0) for k in keys], dtype=float)


def _points_at(profile: dict[str, int]) -> str | None:
    total = sum(profile.values())
    if total < PROFILE_MIN_DOCS:
        return None
    key, count = max(profile.items(), key=lambda kv: (kv[1], kv[0]))
    return key if count / total >= PROFILE_MIN_SHARE else None


def _merge_by_journey(groups: list[_Phrasing]) -> list[int]:
    """Union of groups that point at the same touchpoint with nearly the same profile."""
    parent = list(range(len(groups)))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    keys = sorted({k for g in groups for k in g.profile})
    vectors = normalize(np.vstack([_profile_vector(g.profile, keys) for g in groups])) if keys else None
    targets = [_points_at(g.profile) for g in groups]
    for i in range(len(groups)):
        for j in range(i + 1, len(groups)):
            if (
                targets[i]
                and targets[i] == targets[j]
                and float(vectors[i] @ vectors[j]) >= PROFILE_MIN_SIMILARITY
            ):
                parent[find(j)] = find(i)
    return [find(i) for i in range(len(groups))]


def _language_groups(docs: pl.DataFrame, lang: str, tokenizer: Tokenizer, seed: int):
    """(matrix, vocabulary, [phrasing groups]) for the complaint texts of one language."""
    texts = docs["text"].to_list()
    matrix, vocabulary, labels = _cluster_language(texts, tokenizer, seed)
    if vocabulary is None or (labels < 0).all():
        return matrix, vocabulary, []
    mapping = _text_groups(matrix, labels)
    grouped = np.where(labels >= 0, mapping[np.maximum(labels, 0)], -1)
    touchpoints = docs["touchpoint_id"].to_list()
    groups = []
    for g in sorted(set(grouped.tolist()) - {-1}):
        rows = np.flatnonzero(grouped == g)
        centroid = normalize(np.asarray(matrix[rows].mean(axis=0))).ravel()
        profile: dict[str, int] = {}
        for r in rows:
            if touchpoints[r]:
                profile[touchpoints[r]] = profile.get(touchpoints[r], 0) + 1
        groups.append(_Phrasing(lang, rows, centroid, profile))
    return matrix, vocabulary, groups


def _min_topic_docs(n_docs: int) -> int:
    """Topics smaller than this are noise (a handful of odd texts): their texts get no topic."""
    return max(3, math.ceil(0.005 * n_docs))


@dataclass
class _Rows:
    topics: list[tuple]
    terms: list[tuple]
    assignments: list[tuple]
    examples: list[tuple]


def _phrasings(
    docs: pl.DataFrame, tokenizer: Tokenizer, seed: int
) -> tuple[dict[str, tuple], list[_Phrasing]]:
    """Per language with enough complaint texts: (texts, matrix, vocabulary) and its phrasing groups."""
    per_language: dict[str, tuple] = {}
    groups: list[_Phrasing] = []
    for lang in LANGUAGES:
        subset = docs.filter(pl.col("is_complaint") & (pl.col("language") == lang))
        if subset.height < MIN_DOCS_PER_LANGUAGE:
            continue
        matrix, vocabulary, found = _language_groups(subset, lang, tokenizer, seed)
        per_language[lang] = (subset, matrix, vocabulary)
        groups.extend(found)
    return per_language, groups


def _merged(groups: list[_Phrasing], n_complaints: int) -> list[list[_Phrasing]]:
    """Phrasing groups joined by journey, the noise-sized ones dropped, largest first."""
    members: dict[int, list[_Phrasing]] = {}
    for group, root in zip(groups, _merge_by_journey(groups) if groups else [], strict=True):
        members.setdefault(root, []).append(group)
    minimum = _min_topic_docs(n_complaints)
    kept = [m for m in members.values() if sum(len(g.rows) for g in m) >= minimum]
    return sorted(kept, key=lambda m: (-sum(len(g.rows) for g in m), m[0].language, int(m[0].rows[0])))


def _describe(
    topic_id: int, member: list[_Phrasing], per_language: dict[str, tuple], tokenizer: Tokenizer, out: _Rows
) -> None:
    """Terms, assignments (with similarity to the centre) and examples of one topic, per language."""
    counts = {"survey": 0, "ticket": 0}
    stems: dict[str, list[str]] = {}
    for lang in sorted({g.language for g in member}):
        subset, matrix, vocabulary = per_language[lang]
        rows = np.concatenate([g.rows for g in member if g.language == lang])
        terms = top_terms(matrix, vocabulary, rows, tokenizer)
        stems[lang] = [s for s, _, _ in terms]
        out.terms.extend((topic_id, lang, r, s, w, wt) for r, (s, w, wt) in enumerate(terms, start=1))
        centroid = normalize(np.asarray(matrix[rows].mean(axis=0))).ravel()
        sims = similarities(matrix, rows, centroid)
        ids, sources, texts = (subset[c].to_list() for c in ("doc_id", "source", "text"))
        for r, sim in zip(rows, sims, strict=True):
            out.assignments.append((ids[r], sources[r], lang, topic_id, float(sim)))
            counts[sources[r]] = counts.get(sources[r], 0) + 1
        out.examples.extend(typical_texts(topic_id, lang, rows, sims, matrix, ids, sources, texts))
    signature = " ".join(sorted({s for lang_stems in stems.values() for s in lang_stems[:SIGNATURE_STEMS]}))
    labels = {lang: auto_label(out.terms, topic_id, lang) for lang in LANGUAGES}
    fallback = labels["en"] or labels["ru"]
    out.topics.append(
        (
            topic_id,
            counts["survey"] + counts["ticket"],
            counts["survey"],
            counts["ticket"],
            signature,
            labels["en"] or fallback,
            labels["ru"] or fallback,
        )
    )


def train_topics(docs: pl.DataFrame, seed: int = 7) -> TopicModel:
    """Topics of the complaint texts in `docs` (doc_id, source, text, touchpoint_id, is_complaint).

    Texts that are not complaints (promoters' praise) are not modelled and get no topic.
    """
    docs = docs.with_columns(
        pl.col("text").map_elements(detect_language, return_dtype=pl.String).alias("language")
    )
    tokenizer = Tokenizer()
    per_language, groups = _phrasings(docs, tokenizer, seed)
    out = _Rows([], [], [], [])
    n_complaints = sum(s.height for s, _, _ in per_language.values())
    for topic_id, member in enumerate(_merged(groups, n_complaints), start=1):
        _describe(topic_id, member, per_language, tokenizer, out)
    assigned = {(a[0], a[1]) for a in out.assignments}
    for doc_id, source, lang in docs.select("doc_id", "source", "language").iter_rows():
        if (doc_id, source) not in assigned:
            out.assignments.append((doc_id, source, lang, None, None))
    return TopicModel(
        topics=pl.DataFrame(out.topics, schema=TOPIC_SCHEMA, orient="row"),
        terms=pl.DataFrame(out.terms, schema=TERM_SCHEMA, orient="row"),
        assignments=pl.DataFrame(out.assignments, schema=ASSIGNMENT_SCHEMA, orient="row"),
        examples=pl.DataFrame(out.examples, schema=EXAMPLE_SCHEMA, orient="row"),
        n_phrasings=len(groups),
    )


TOPIC_SCHEMA = {
    "topic_id": pl.Int64,
    "n_docs": pl.Int64,
    "n_survey": pl.Int64,
    "n_ticket": pl.Int64,
    "signature": pl.String,
    "auto_label_en": pl.String,
    "auto_label_ru": pl.String,
}
TERM_SCHEMA = {
    "topic_id": pl.Int64,
    "language": pl.String,
    "rank": pl.Int64,
    "stem": pl.String,
    "term": pl.String,
    "weight": pl.Float64,
}
ASSIGNMENT_SCHEMA = {
    "doc_id": pl.String,
    "source": pl.String,
    "language": pl.String,
    "topic_id": pl.Int64,
    "similarity": pl.Float64,
}
EXAMPLE_SCHEMA = {
    "topic_id": pl.Int64,
    "language": pl.String,
    "rank": pl.Int64,
    "doc_id": pl.String,
    "source": pl.String,
    "text": pl.String,
}
