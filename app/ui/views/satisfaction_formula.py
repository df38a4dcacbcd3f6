"""How the satisfaction index is computed, in words and one table, built from the service model's
`satisfaction_index` — so what the page explains is always what the code computes.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.service_model import IndexFactor, ServiceModel
from app.ui.i18n import format_number, t


def normalisation_text(factor: IndexFactor, model: ServiceModel, lang: str) -> str:
    """The factor's 0–100 rule in words: '100 × (1 − delay / 30 days)'."""
    if factor.metric in ("avg_delay_days", "first_response_hours"):
        return t(f"clients.norm.{factor.metric}", worst=format_number(factor.worst, 0, lang))
    if factor.metric == "touchpoint_rating":
        scale = model.touchpoint(factor.touchpoint or "").scale
        return t("clients.norm.touchpoint_rating", low=scale.min, high=scale.max)
    return t(f"clients.norm.{factor.metric}")


def factors_frame(model: ServiceModel, lang: str) -> pl.DataFrame:
    """One row per factor: label, block, source, how it is normalised, the client-list weight column."""
    rows = []
    for factor in model.satisfaction_index.factors:
        source = model.touchpoint(factor.touchpoint).label.get(lang) if factor.touchpoint else ""
        rows.append(
            {
                t("clients.col_factor"): factor.label.get(lang),
                t("clients.col_block"): factor.block,
                t("clients.col_measure"): t(f"clients.metric.{factor.metric}")
                + (f" · {source}" if source else ""),
                t("clients.col_normalised"): normalisation_text(factor, model, lang),
                t("clients.col_weight_column"): factor.importance_column,
            }
        )
    return pl.DataFrame(rows)


def formula_text(model: ServiceModel, lang: str) -> str:
    weights = model.satisfaction_index.block_weights
    tx, cx = float(weights.get("TX", 0.0)), float(weights.get("CX", 0.0))
    return t("clients.formula", tx=format_number(tx, 2, lang), cx=format_number(cx, 2, lang))


def render_formula(model: ServiceModel, lang: str, expanded: bool = False) -> None:
    """An expander with the formula, the block weights and the factor table."""
    with st.expander(t("clients.formula_title"), icon=":material/function:", expanded=expanded):
        st.markdown(formula_text(model, lang) + " " + t("clients.formula_scores"))
        st.dataframe(factors_frame(model, lang), hide_index=True, key="clients_formula_factors")
        st.caption(t("clients.formula_notes"))
