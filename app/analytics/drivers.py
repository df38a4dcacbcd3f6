"""Key-driver arithmetic that the pipeline and the page share: no LightGBM, no Streamlit.

- How strong a model is, in plain words, from its cross-validated quality and the trivial baseline.
- Which way a driver pushes (the sign of the relation between a feature's value and its SHAP value).
- Whether two rankings (SHAP and Johnson's relative weights) agree on a driver.
- Rank stability and "distinguishable from zero" from bootstrap resamples.
- The NPS a what-if implies: a model predicts a change in each respondent's 0–10 answer (score
  target) or in the probability of being a promoter rather than a detractor (promoter target); these
  functions turn that into NPS points.
"""

from __future__ import annotations

from typing import Literal

import numpy as np

Target = Literal["score", "promoter"]
TARGETS: tuple[Target, ...] = ("score", "promoter")
MIN_RESPONSES = 100  # a segment with fewer answers gets no model, only a message saying so
# Cross-validated quality bands. R² of a 0–10 answer from survey ratings rarely exceeds 0.6; AUC of
# promoter vs detractor is easier. Below the last band the page warns that the model is too weak.
QUALITY_BANDS: dict[str, tuple[tuple[float, str], ...]] = {
    "r2": ((0.45, "strong"), (0.25, "moderate"), (0.10, "weak")),
    "auc": ((0.85, "strong"), (0.75, "moderate"), (0.65, "weak")),
}
Quality = Literal["strong", "moderate", "weak", "too_weak"]
DIRECTION_THRESHOLD = 0.1  # |correlation of value and SHAP| below this: the effect has no single direction
AGREE_RANKS, CLOSE_RANKS = 1, 3
SIGNIFICANCE_SHARE = 0.9  # beats the noise column in at least 90 % of bootstrap resamples


def quality_band(metric: str, value: float | None) -> Quality:
    """strong / moderate / weak / too_weak for a cross-validated R² or AUC."""
    if value is None or not np.isfinite(value):
        return "too_weak"
    for floor, band in QUALITY_BANDS[metric]:
        if value >= floor:
            return band  # type: ignore[return-value]
    return "too_weak"


def direction(values: np.ndarray, shap: np.ndarray) -> tuple[str, float]:
    """'positive' (a higher value raises the prediction), 'negative', or 'mixed', and the correlation.

    Rows where the value is missing are left out: their SHAP value is the effect of not answering.
    """
    values = np.asarray(values, dtype=float)
    shap = np.asarray(shap, dtype=float)
    mask = np.isfinite(values)
    if mask.sum() < 3 or np.std(values[mask]) == 0 or np.std(shap[mask]) == 0:
        return "mixed", 0.0
    corr = float(np.corrcoef(values[mask], shap[mask])[0, 1])
    if corr >= DIRECTION_THRESHOLD:
        return "positive", corr
    if corr <= -DIRECTION_THRESHOLD:
        return "negative", corr
    return "mixed", corr


def agreement(rank_shap: int | None, rank_other: int | None) -> str | None:
    """'agree' (ranks at most 1 apart), 'close' (at most 3), 'differ' — None when either is unranked."""
    if rank_shap is None or rank_other is None:
        return None
    gap = abs(rank_shap - rank_other)
    if gap <= AGREE_RANKS:
        return "agree"
    return "close" if gap <= CLOSE_RANKS else "differ"


def ranks_desc(values: np.ndarray) -> np.ndarray:
    """1 = largest; ties share the better rank order of appearance (stable)."""
    order = np.argsort(-np.asarray(values, dtype=float), kind="stable")
    ranks = np.empty(len(order), dtype=int)
    ranks[order] = np.arange(1, len(order) + 1)
    return ranks


def bootstrap_summary(importances: np.ndarray, noise: np.ndarray) -> dict[str, np.ndarray]:
    """From B × k bootstrap importances and the B importances of a pure-noise column:

    rank_low / rank_high (5th and 95th percentile of each driver's rank among the k drivers),
    beats_noise (share of resamples in which the driver outranked the noise column), and
    is_significant (beats noise in at least SIGNIFICANCE_SHARE of resamples).
    """
    importances = np.asarray(importances, dtype=float)
    noise = np.asarray(noise, dtype=float)
    ranks = np.vstack([ranks_desc(row) for row in importances])
    beats = (importances > noise[:, None]).mean(axis=0)
    return {
        "rank_low": np.floor(np.percentile(ranks, 5, axis=0)).astype(int),
        "rank_high": np.ceil(np.percentile(ranks, 95, axis=0)).astype(int),
        "beats_noise": beats,
        "is_significant": beats >= SIGNIFICANCE_SHARE,
    }


def expected_classes(answers: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Expected promoter and detractor indicators of (possibly fractional) 0–10 answers.

    An answer between two whole numbers rounds to either with the matching probability, so 8.3 is a
    promoter with probability 0.3 and 6.6 a detractor with probability 0.4; whole answers give the
    ordinary classes (9–10 promoter, 0–6 detractor).
    """
    answers = np.asarray(answers, dtype=float)
    promoter = np.clip(answers - 8.0, 0.0, 1.0)
    detractor = np.clip(7.0 - answers, 0.0, 1.0)
    return promoter, detractor


def nps_change_from_scores(answers: np.ndarray, shift: np.ndarray) -> float:
    """NPS points gained when each respondent's 0–10 answer moves by `shift` (the model's predicted change)."""
    answers = np.asarray(answers, dtype=float)
    if answers.size == 0:
        return 0.0
    moved = np.clip(answers + np.asarray(shift, dtype=float), 0.0, 10.0)
    p0, d0 = expected_classes(answers)
    p1, d1 = expected_classes(moved)
    return float(100.0 * ((p1 - d1).mean() - (p0 - d0).mean()))


def nps_change_from_promoter_odds(
    p_before: np.ndarray, p_after: np.ndarray, non_passive_share: float
) -> float:
    """NPS points gained when promoter-vs-detractor probabilities move, passives held constant.

    Among promoters and detractors (a share q of all answers) NPS contributes q·(2·p̄ − 1)·100, so a
    change Δp̄ in the mean probability of being a promoter moves NPS by 200·q·Δp̄.
    """
    p_before = np.asarray(p_before, dtype=float)
    if p_before.size == 0:
        return 0.0
    delta = float(np.mean(np.asarray(p_after, dtype=float) - p_before))
    return 200.0 * non_passive_share * delta


def shares(values: np.ndarray) -> np.ndarray:
    """Each value's share of the total (zeros when the total is zero)."""
    values = np.asarray(values, dtype=float)
    total = values.sum()
    return values / total if total > 0 else np.zeros_like(values)
