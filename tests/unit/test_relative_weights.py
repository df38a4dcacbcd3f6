"""Johnson's relative weights on cases small enough to work out by hand, and against OLS."""

from __future__ import annotations

import numpy as np
import pytest

from app.analytics.relative_weights import (
    consistent,
    grouped_relative_weights,
    pairwise_correlations,
    relative_weights,
)


def test_uncorrelated_predictors_get_their_squared_correlation():
    result = relative_weights(np.eye(2), np.array([0.6, 0.3]))
    assert result.weights == pytest.approx([0.36, 0.09])
    assert result.r2 == pytest.approx(0.45)
    assert result.shares == pytest.approx([0.8, 0.2])


def test_two_equal_correlated_predictors_split_r2_evenly():
    # r12 = .5, r1y = r2y = .5: R² = r'R⁻¹r = 1/3 by hand, and symmetry gives each 1/6.
    result = relative_weights(np.array([[1.0, 0.5], [0.5, 1.0]]), np.array([0.5, 0.5]))
    assert result.r2 == pytest.approx(1 / 3)
    assert result.weights == pytest.approx([1 / 6, 1 / 6])


def test_weights_add_up_to_the_r2_of_ordinary_least_squares():
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2000, 4))
    x[:, 1] += 0.8 * x[:, 0]  # collinear pair
    y = x @ np.array([1.0, 0.5, 0.0, -0.7]) + rng.normal(size=2000)
    design = np.column_stack([np.ones(2000), x])
    fitted = design @ np.linalg.lstsq(design, y, rcond=None)[0]
    ols_r2 = 1 - ((y - fitted) ** 2).sum() / ((y - y.mean()) ** 2).sum()
    result = relative_weights(*pairwise_correlations(x, y))
    assert result.r2 == pytest.approx(ols_r2, rel=1e-6)
    assert np.argmin(result.weights) == 2  # the predictor with no effect gets the least


def test_pairwise_correlations_use_the_rows_where_both_values_exist():
    x = np.array([[1.0, 2.0], [2.0, np.nan], [3.0, 1.0], [4.0, 5.0], [np.nan, 3.0]])
    y = np.array([1.0, 2.0, 2.0, 5.0, 3.0])
    corr_xx, corr_xy = pairwise_correlations(x, y, min_pairs=2)
    both = np.array([0, 2, 3])
    assert corr_xx[0, 1] == pytest.approx(np.corrcoef(x[both, 0], x[both, 1])[0, 1])
    first = np.array([0, 1, 2, 3])
    assert corr_xy[0] == pytest.approx(np.corrcoef(x[first, 0], y[first])[0, 1])


def test_too_few_pairs_count_as_no_correlation():
    x = np.array([[1.0, np.nan], [2.0, np.nan], [3.0, 1.0]])
    corr_xx, _ = pairwise_correlations(x, np.array([1.0, 2.0, 3.0]), min_pairs=2)
    assert corr_xx[0, 1] == 0.0


def test_impossible_pairwise_correlations_are_repaired_below_r2_of_one():
    # Each pair alone is possible, together they are not (x1 ≈ y, x2 ≈ y, but x1 ⟂ x2).
    corr_xx = np.array([[1.0, 0.0], [0.0, 1.0]])
    corr_xy = np.array([0.95, 0.95])
    assert relative_weights(corr_xx, corr_xy).r2 > 1
    repaired = relative_weights(*consistent(corr_xx, corr_xy))
    assert 0 < repaired.r2 < 1
    assert repaired.weights[0] == pytest.approx(repaired.weights[1])


def test_dummies_of_one_categorical_are_summed_into_one_weight():
    rng = np.random.default_rng(5)
    level = rng.integers(0, 3, 600)
    dummies = np.column_stack([(level == 1).astype(float), (level == 2).astype(float)])
    rating = rng.normal(size=600)
    y = 2.0 * (level == 2) + rating + rng.normal(size=600)
    x = np.column_stack([rating, dummies])
    grouped = grouped_relative_weights(x, y, [0, 1, 1], 2)
    per_column = relative_weights(*consistent(*pairwise_correlations(x, y)))
    assert grouped.weights == pytest.approx([per_column.weights[0], per_column.weights[1:].sum()])
    assert grouped.r2 == pytest.approx(per_column.r2)
