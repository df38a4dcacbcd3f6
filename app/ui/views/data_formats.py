"""What each import format expects, read from the spec (pipelines.sources) so it cannot drift from
the validation: columns, required or not, type, allowed values or range, and an example file.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import streamlit as st

from app.service_model import ServiceModel
from app.ui.context import service_model
from app.ui.i18n import current_language, t
from app.ui.views.data_card import source_label
from pipelines.sources import SOURCES, Column, source_spec

KIND_KEYS = {
    "id": "data.kind_id",
    "text": "data.kind_text",
    "int": "data.kind_int",
    "float": "data.kind_float",
    "datetime": "data.kind_datetime",
    "period": "data.kind_period",
}
MAX_LISTED_VALUES = 12


def _allowed_ids(model: ServiceModel, allowed: str) -> list[str]:
    if allowed == "touchpoints":
        return [tp.id for tp in model.touchpoints]
    if allowed == "processes":
        return [p.id for p in model.processes]
    if allowed == "kpis":
        return [k.id for k in model.kpis]
    return model.option_ids(allowed)


def _note(column: Column, model: ServiceModel, lang: str) -> str:
    parts = []
    rated = next((tp for tp in model.touchpoints if tp.rating_column == column.name), None)
    if rated is not None:
        parts.append(t("data.fmt_rating", touchpoint=rated.label.get(lang)))
    elif column.name.startswith("imp_") or any(
        tp.importance_column == column.name for tp in model.touchpoints
    ):
        parts.append(t("data.fmt_importance"))
    if column.allowed:
        ids = _allowed_ids(model, column.allowed)
        listed = ", ".join(ids[:MAX_LISTED_VALUES]) + (" …" if len(ids) > MAX_LISTED_VALUES else "")
        parts.append(t("data.fmt_allowed", values=listed))
    if column.min is not None and column.max is not None:
        parts.append(t("data.fmt_range", low=f"{column.min:g}", high=f"{column.max:g}"))
    elif column.min is not None:
        parts.append(t("data.fmt_at_least", low=f"{column.min:g}"))
    if column.future_ok:
        parts.append(t("data.fmt_future_ok"))
    return "; ".join(parts)


def format_table(source: str, model: ServiceModel, lang: str) -> pl.DataFrame:
    spec = source_spec(source, model)
    return pl.DataFrame(
        {
            "column": [c.name for c in spec.columns],
            "required": [c.required for c in spec.columns],
            "type": [t(KIND_KEYS[c.kind]) for c in spec.columns],
            "notes": [_note(c, model, lang) for c in spec.columns],
        }
    )


def render_formats(examples_dir: Path) -> None:
    model = service_model()
    lang = current_language()
    with st.expander(t("data.formats_title"), icon=":material/menu_book:"):
        st.caption(t("data.formats_help"))
        tabs = st.tabs([source_label(s) for s in SOURCES])
        for source, tab in zip(SOURCES, tabs, strict=True):
            with tab:
                spec = source_spec(source, model)
                st.caption(t("data.formats_key", columns=" + ".join(spec.key)))
                st.dataframe(
                    format_table(source, model, lang),
                    hide_index=True,
                    key=f"data_format_{source}",
                    column_config={
                        "column": st.column_config.TextColumn(t("data.fmt_column")),
                        "required": st.column_config.CheckboxColumn(t("data.fmt_required"), width="small"),
                        "type": st.column_config.TextColumn(t("data.fmt_type")),
                        "notes": st.column_config.TextColumn(t("data.fmt_notes"), width="large"),
                    },
                )
                example = examples_dir / f"{source}.csv"
                if example.is_file():
                    st.download_button(
                        t("data.example_file"),
                        data=lambda p=example: p.read_bytes(),
                        file_name=example.name,
                        mime="text/csv",
                        key=f"data_example_{source}",
                        icon=":material/download:",
                        on_click="ignore",
                    )
