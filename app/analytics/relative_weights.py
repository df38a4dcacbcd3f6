"""Johnson's relative weights: how much of R² each (correlated) predictor accounts for.

Why it is here: CX ratings are collinear (a client in a good mood rates everything higher), and a tree
model's SHAP values may hand the credit of a correlated group to an arbitrary member. Relative weights
(Johnson 2000, "A heuristic method for estimating the relative weight of predictor variables in
multiple regression") split R² fairly among correlated predictors; commercial CX tools default to
them. The drivers page shows them beside SHAP as a second opinion.

The method, on correlations only (so it works on pairwise-complete data with missing ratings):

    R_xx = V Λ Vᵀ                      eigen-decomposition of the predictor correlation matrix
    Λ½   = V diag(√λ) Vᵀ               correlations of the predictors X with their closest orthogonal Z
    β    = Λ½⁻¹ r_xy                   standardised regression of y on Z
    ε_j  = Σ_k (Λ½)_jk² β_k²           relative weight of predictor j;  Σ_j ε_j = R²

No Streamlit and no warehouse here: numpy in, numpy out.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

EIGEN_FLOOR = 1e-6  # eigenvalues below this (collinear dummies, pairwise-deletion artefacts) are lifted
JOINT_FLOOR = 1e-3  # the joint (x, y) matrix keeps at least this much unexplained variance


@dataclass(frozen=True)
class RelativeWeights:
    weights: np.ndarray  # ε_j per predictor, in R² units
    r2: float  # Σ ε_j: the R² of the linear model on all predictors

    @property
    def shares(self) -> np.ndarray:
        """Each predictor's share of R² (0–1); zeros when nothing is explained."""
        return self.weights / self.r2 if self.r2 > 0 else np.zeros_like(self.weights)


def relative_weights(corr_xx: np.ndarray, corr_xy: np.ndarray) -> RelativeWeights:
    """Johnson's relative weights from the predictors' correlation matrix and their correlations with y."""
    corr_xx = np.asarray(corr_xx, dtype=float)
    corr_xy = np.asarray(corr_xy, dtype=float)
    eigenvalues, vectors = np.linalg.eigh(nearest_correlation(corr_xx))
    eigenvalues = np.clip(eigenvalues, EIGEN_FLOOR, None)
    root = (vectors * np.sqrt(eigenvalues)) @ vectors.T
    beta = (vectors * (1.0 / np.sqrt(eigenvalues))) @ vectors.T @ corr_xy
    weights = (root**2) @ (beta**2)
    return RelativeWeights(weights=weights, r2=float(weights.sum()))


def nearest_correlation(matrix: np.ndarray, floor: float = EIGEN_FLOOR) -> np.ndarray:
    """Symmetrise, lift negative eigenvalues and rescale to a unit diagonal.

    Pairwise-complete correlations (each pair on the rows where both were answered) need not form a
    positive semi-definite matrix; this small repair keeps the decomposition meaningful.
    """
    sym = (matrix + matrix.T) / 2.0
    eigenvalues, vectors = np.linalg.eigh(sym)
    if eigenvalues.min() >= floor:
        return sym
    fixed = (vectors * np.clip(eigenvalues, floor, None)) @ vectors.T
    scale = np.sqrt(np.diag(fixed))
    return fixed / np.outer(scale, scale)


def consistent(corr_xx: np.ndarray, corr_xy: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Repair the joint correlation matrix of (x, y) so that R² cannot exceed 1.

    Pairwise-complete coefficients come from different subsets of answers; together they can describe
    an impossible dataset (R² above 1). Repairing x and y jointly keeps them mutually consistent.
    """
    k = len(corr_xy)
    joint = np.eye(k + 1)
    joint[:k, :k], joint[:k, k], joint[k, :k] = corr_xx, corr_xy, corr_xy
    fixed = nearest_correlation(joint, floor=JOINT_FLOOR)
    return fixed[:k, :k], fixed[:k, k]


def pairwise_correlations(x: np.ndarray, y: np.ndarray, min_pairs: int = 10) -> tuple[np.ndarray, np.ndarray]:
    """Pearson correlations among the columns of x (NaN = missing) and with y, pair by pair.

    Each coefficient uses the rows where both values exist (sums over those rows come from matrix
    products of the presence masks, so there is no loop over pairs); pairs with fewer than
    `min_pairs` rows or no variance count as uncorrelated (0), which is what "no evidence" means for
    a weight.
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    joint = np.column_stack([x, y])
    present = np.isfinite(joint).astype(float)
    values = np.where(present > 0, joint, 0.0)
    n = present.T @ present  # rows where both i and j exist
    sum_i = values.T @ present  # Σ x_i over rows where j exists too
    sum_sq = (values**2).T @ present
    cross = values.T @ values
    with np.errstate(invalid="ignore", divide="ignore"):
        covariance = cross - sum_i * sum_i.T / n
        var_i = sum_sq - sum_i**2 / n
        corr = covariance / np.sqrt(var_i * var_i.T)
    corr = np.where((n >= min_pairs) & np.isfinite(corr), corr, 0.0)
    corr = np.clip(corr, -1.0, 1.0)
    np.fill_diagonal(corr, 1.0)
    k = x.shape[1]
    return corr[:k, :k], corr[:k, k]


def grouped_relative_weights(
    x: np.ndarray, y: np.ndarray, groups: list[int], n_groups: int
) -> RelativeWeights:
    """Relative weights summed per group: the dummies of one categorical count as one predictor.

    `groups[j]` is the group index of column j of x. Relative weights are additive, so a group's
    weight is the sum of its members' weights.
    """
    corr_xx, corr_xy = consistent(*pairwise_correlations(x, y))
    per_column = relative_weights(corr_xx, corr_xy)
    totals = np.bincount(np.asarray(groups, dtype=int), weights=per_column.weights, minlength=n_groups)
    return RelativeWeights(weights=totals, r2=per_column.r2)
