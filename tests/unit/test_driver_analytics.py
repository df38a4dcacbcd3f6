"""Key-driver arithmetic shared by the pipeline and the page, on hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from app.analytics import drivers as calc


@pytest.mark.parametrize(
    ("metric", "value", "band"),
    [
        ("r2", 0.5, "strong"),
        ("r2", 0.3, "moderate"),
        ("r2", 0.12, "weak"),
        ("r2", 0.02, "too_weak"),
        ("r2", -0.1, "too_weak"),
        ("auc", 0.9, "strong"),
        ("auc", 0.8, "moderate"),
        ("auc", 0.7, "weak"),
        ("auc", 0.55, "too_weak"),
        ("auc", None, "too_weak"),
        ("r2", float("nan"), "too_weak"),
    ],
)
def test_quality_bands_in_plain_words(metric, value, band):
    assert calc.quality_band(metric, value) == band


def test_direction_follows_the_sign_of_value_and_shap_and_ignores_missing_values():
    values = np.array([1.0, 2.0, 3.0, 4.0, np.nan])
    assert calc.direction(values, np.array([-1.0, -0.5, 0.4, 1.0, 5.0]))[0] == "positive"
    assert calc.direction(values, np.array([1.0, 0.5, -0.4, -1.0, -5.0]))[0] == "negative"
    assert calc.direction(values, np.array([0.2, -0.2, -0.2, 0.2, 0.0]))[0] == "mixed"
    assert calc.direction(np.array([3.0, 3.0, 3.0]), np.array([1.0, 2.0, 3.0])) == ("mixed", 0.0)


@pytest.mark.parametrize(
    ("a", "b", "expected"),
    [(1, 1, "agree"), (2, 3, "agree"), (2, 5, "close"), (1, 6, "differ"), (None, 2, None)],
)
def test_agreement_badge_from_rank_gap(a, b, expected):
    assert calc.agreement(a, b) == expected


def test_ranks_are_one_for_the_largest():
    assert calc.ranks_desc(np.array([0.1, 0.5, 0.3])).tolist() == [3, 1, 2]


def test_bootstrap_summary_gives_rank_ranges_and_the_noise_test():
    importances = np.array([[3.0, 1.0, 0.20], [3.0, 2.0, 0.30], [1.5, 2.0, 0.10], [3.0, 1.0, 0.05]] * 5)
    noise = np.full(len(importances), 0.15)
    summary = calc.bootstrap_summary(importances, noise)
    assert summary["rank_low"].tolist() == [1, 1, 3]
    assert summary["rank_high"].tolist() == [2, 2, 3]
    assert summary["beats_noise"].tolist() == [1.0, 1.0, 0.5]
    assert summary["is_significant"].tolist() == [True, True, False]


def test_expected_classes_round_fractional_answers_by_probability():
    promoter, detractor = calc.expected_classes(np.array([10, 9, 8.3, 7, 6.6, 6, 0]))
    assert promoter == pytest.approx([1, 1, 0.3, 0, 0, 0, 0])
    assert detractor == pytest.approx([0, 0, 0, 0, 0.4, 1, 1])


def test_nps_change_from_scores_by_hand():
    # four answers 6, 8, 8, 9 (NPS = (1 - 1) / 4 = 0); +1 each → 7, 9, 9, 10 (NPS = 75)
    answers = np.array([6.0, 8.0, 8.0, 9.0])
    assert calc.nps_change_from_scores(answers, np.ones(4)) == pytest.approx(75.0)
    # +0.5: 6.5 is a detractor half the time, each 8.5 a promoter half the time, 9.5 stays one:
    # promoters (0 + .5 + .5 + 1) / 4 = .5, detractors .5 / 4 = .125 → NPS 37.5
    assert calc.nps_change_from_scores(answers, np.full(4, 0.5)) == pytest.approx(37.5)
    assert calc.nps_change_from_scores(np.array([10.0]), np.array([2.0])) == 0.0  # the top stays the top
    assert calc.nps_change_from_scores(np.array([]), np.array([])) == 0.0


def test_nps_change_from_promoter_probabilities_holds_passives_constant():
    # 60 % of answers are promoters or detractors; their mean P(promoter) rises by 0.1 → +12 points.
    change = calc.nps_change_from_promoter_odds(np.array([0.5, 0.3]), np.array([0.6, 0.4]), 0.6)
    assert change == pytest.approx(12.0)


def test_shares_of_a_zero_total_are_zero():
    assert calc.shares(np.array([1.0, 3.0])) == pytest.approx([0.25, 0.75])
    assert calc.shares(np.zeros(2)).tolist() == [0.0, 0.0]
