"""PNG download of a single chart, next to every chart that goes through the shared
`chart_with_table` component: the same projector-size picture the decks use, rendered offline
(vl-convert) only when the button is clicked."""

from __future__ import annotations

import altair as alt
import streamlit as st

from app.ui.charts.projector import chart_png
from app.ui.i18n import t


def chart_png_button(chart: alt.TopLevelMixin, file_stem: str, key: str) -> None:
    st.download_button(
        t("charts.download_png"), data=lambda: chart_png(chart), file_name=f"{file_stem}.png", mime="image/png",
        key=f"{key}_png", icon=":material/image:", on_click="ignore", help=t("charts.download_png_help"),
    )
