"""How a topic is described: its top terms (in their most frequent surface form), its typical
texts (close to the centre yet different from each other), every text's similarity to the centre,
and an automatic name from the top terms. Used by pipelines/topic_model.py.
"""

from __future__ import annotations

import re

import numpy as np
from sklearn.preprocessing import normalize

from pipelines.text import Tokenizer

N_TERMS = 10
N_EXAMPLES = 3
EXAMPLE_CANDIDATES = 40  # the closest distinct wordings the examples are chosen from
MMR_DIVERSITY = 0.7  # how much being unlike the examples already chosen counts against closeness
_DIGITS = re.compile(r"\d+")


def top_terms(matrix, vocabulary, rows: np.ndarray, tokenizer: Tokenizer) -> list[tuple[str, str, float]]:
    weights = np.asarray(matrix[rows].mean(axis=0)).ravel()
    order = [i for i in np.argsort(-weights, kind="stable")[:N_TERMS] if weights[i] > 0]
    return [
        (str(vocabulary[i]), tokenizer.display_form(str(vocabulary[i])), float(weights[i])) for i in order
    ]


def similarities(matrix, rows: np.ndarray, centroid: np.ndarray) -> np.ndarray:
    return np.asarray(normalize(matrix[rows]) @ centroid).ravel()


def typical_texts(topic_id: int, lang: str, rows, sims, matrix, ids, sources, texts) -> list[tuple]:
    """Typical texts: close to the topic's centre, yet different from each other (maximal marginal
    relevance over the closest distinct wordings), so three examples show three ways of saying it."""
    candidates, seen = [], set()
    for i in np.argsort(-sims, kind="stable"):
        key = " ".join(_DIGITS.sub("#", texts[rows[i]].lower()).split())
        if key not in seen:
            seen.add(key)
            candidates.append(int(i))
        if len(candidates) == EXAMPLE_CANDIDATES:
            break
    if not candidates:
        return []
    vectors = normalize(matrix[rows[candidates]])
    position = {c: k for k, c in enumerate(candidates)}
    picked: list[int] = []

    def overlap(c: int) -> float:
        return max(
            (float(vectors[position[c]].multiply(vectors[position[p]]).sum()) for p in picked), default=0.0
        )

    while len(picked) < min(N_EXAMPLES, len(candidates)):
        rest = (c for c in candidates if c not in picked)
        picked.append(max(rest, key=lambda c: float(sims[c]) - MMR_DIVERSITY * overlap(c)))
    return [
        (topic_id, lang, rank, ids[rows[i]], sources[rows[i]], texts[rows[i]])
        for rank, i in enumerate(picked, start=1)
    ]


def auto_label(term_rows: list[tuple], topic_id: int, lang: str) -> str | None:
    words = [r[4] for r in term_rows if r[0] == topic_id and r[1] == lang][:3]
    if not words:
        return None
    label = ", ".join(words)
    return label[:1].upper() + label[1:]
