"""Shared page pieces: page header, metric tiles with n and margin of error, "chart + its numbers
as a table + CSV/XLSX download", empty states, and links to other pages that only appear once
those pages exist.
"""

from __future__ import annotations

from collections.abc import Mapping

import altair as alt
import polars as pl
import streamlit as st
from streamlit.errors import StreamlitAPIException

from app.spreadsheet import csv_bytes, xlsx_bytes
from app.ui import url_state
from app.ui.access import can_open
from app.ui.chart_download import chart_png_button
from app.ui.i18n import format_number, t
from app.ui.pages import page_entry


def page_header(title: str, subtitle: str | None = None) -> None:
    st.title(title, anchor=False)
    if subtitle:
        st.caption(subtitle)


def metric_tile(
    label: str,
    value: str,
    *,
    delta: str | None = None,
    delta_color: str = "normal",
    n: int | None = None,
    moe: str | None = None,
    low_n: bool = False,
    note: str | None = None,
    help: str | None = None,
    link_page: str | None = None,
    link_label: str | None = None,
    link_params: Mapping[str, str] | None = None,
) -> None:
    """A bordered figure: value, change since the previous period, "±moe · n = …", and a link to the
    page that explains it (only when that page is registered)."""
    with st.container(border=True):
        st.metric(label, value, delta=delta, delta_color=delta_color, help=help, border=False)
        parts = []
        if moe:
            parts.append(f"±{moe}")
        if n is not None:
            parts.append(t("common.n_equals", n=format_number(n)))
        if note:
            parts.append(note)
        if low_n:
            parts.append(f":orange[{t('common.low_n_short')}]")
        st.caption(" · ".join(parts) if parts else "\u00a0")
        page_link(link_page, link_label, link_params)


def page_link(url_path: str | None, label: str | None, params: Mapping[str, str] | None = None) -> None:
    """A link to another page, or nothing while that page is not built yet (never a placeholder)."""
    entry = page_entry(url_path) if url_path else None
    if entry is None or not entry.path.exists() or not can_open(entry):  # not built yet, or above the role
        return
    # Carry the global filters along, so the target page's address is a complete link at once.
    query = {**url_state.published_params(), **(params or {})}
    try:
        st.page_link(entry.file, label=label or t(entry.title_key), icon=":material/arrow_forward:",
                     query_params=query or None)
    except StreamlitAPIException:  # not in this session's navigation: no link rather than a crash
        return


def download_buttons(frame: pl.DataFrame, file_stem: str, key: str) -> None:
    """CSV and XLSX of `frame`, formula-safe (app.spreadsheet), generated only when clicked."""
    left, right, _ = st.columns([1, 1, 4])
    left.download_button(
        t("common.download_csv"), data=lambda: csv_bytes(frame), file_name=f"{file_stem}.csv", mime="text/csv",
        key=f"{key}_csv", icon=":material/download:", on_click="ignore",
    )
    right.download_button(
        t("common.download_xlsx"), data=lambda: xlsx_bytes(frame, sheet_name=file_stem),
        file_name=f"{file_stem}.xlsx", key=f"{key}_xlsx", icon=":material/download:", on_click="ignore",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def data_table(frame: pl.DataFrame, file_stem: str, key: str, *, column_config: dict | None = None) -> None:
    """The numbers behind a chart, in an expander, with downloads."""
    with st.expander(t("common.table_and_download"), icon=":material/table:"):
        st.dataframe(frame, hide_index=True, column_config=column_config, key=f"{key}_table")
        download_buttons(frame, file_stem, key)


def chart_with_table(
    chart: alt.TopLevelMixin,
    table: pl.DataFrame,
    *,
    key: str,
    file_stem: str,
    column_config: dict | None = None,
    selection: str | None = None,
) -> object:
    """Render a chart in the CX Lens theme with its numbers underneath.

    With `selection` (the name of a selection parameter in the chart), clicking reruns the page and
    the selection state is returned.
    """
    kwargs: dict[str, object] = {"theme": None, "width": "stretch", "key": key}
    if selection:
        kwargs.update(on_select="rerun", selection_mode=[selection])
    state = st.altair_chart(chart, **kwargs)
    with st.container(horizontal=True, vertical_alignment="top", gap="small"):
        data_table(table, file_stem, key, column_config=column_config)
        chart_png_button(chart, file_stem, key)  # the chart as a picture, for decks and documents
    return state


def empty_state(message: str, hint: str | None = None) -> None:
    st.info(message + (f"\n\n{hint}" if hint else ""), icon=":material/info:")


def low_n_note(min_n: int) -> None:
    st.caption(t("common.low_n_note", min_n=min_n))
