"""The frame around every page: page config, navigation from the registry, language, global
filters, the data-freshness line and URL notices. streamlit_app.py only calls `run()`.
"""

from __future__ import annotations

from pathlib import Path

# Imported here, fully, before any session draws a chart. Sessions run in threads of one process,
# and Altair looks pandas and numpy up in sys.modules: while another session's first lazy
# `import pandas` is still running, a chart gets the half-initialised module and fails with
# "partially initialized module 'pandas' has no attribute 'Timestamp'" (seen with 8 sessions at
# once, tests/browser/test_concurrency.py). This module is imported under its import lock by the
# first run, so every later run finds these complete.
import numpy  # noqa: F401
import pandas  # noqa: F401
import pyarrow  # noqa: F401
import streamlit as st

from app.auth.guard import Access
from app.ui.access import admit, default_entry, page_visibility, render_account, run_page
from app.ui.add_view import is_full_screen, render_add_view
from app.ui.context import cached_query, connection, service_model
from app.ui.filters import (
    render_global_filters,
    render_language_selector,
    render_url_notices,
    seed_global_state,
)
from app.ui.i18n import current_language, format_number, t
from app.ui.pages import PageEntry, pages_by_group
from app.warehouse.freshness import Freshness, freshness
from app.warehouse.scores import available_periods

LOGO = Path(__file__).parent / "assets" / "logo.svg"
GROUP_TITLE_KEYS = {"explore": "nav.group.explore", "data": "nav.group.data", "present": "nav.group.present"}


def _navigation(access: Access) -> tuple[st.navigation, PageEntry | None]:
    """The menu (pages above the session's role are hidden, not left out, so that their URL gets
    a refusal from run_page instead of silently showing the start page) and the selected entry."""
    sections: dict[str, list[st.Page]] = {}
    entries_by_page: dict[int, PageEntry] = {}
    default = default_entry(access)
    for group, entries in pages_by_group().items():
        pages = []
        for e in entries:
            if not e.path.exists():
                continue
            page = st.Page(str(e.path), title=t(e.title_key), icon=e.icon, url_path=e.url_path,
                           default=e is default, visibility=page_visibility(e, access))
            entries_by_page[id(page)] = e
            pages.append(page)
        if pages:
            sections[t(GROUP_TITLE_KEYS[group])] = pages
    selected = st.navigation(sections, position="sidebar", expanded=True)
    return selected, entries_by_page.get(id(selected))


def _freshness_line(info: Freshness) -> None:
    if info.is_empty:
        st.info(t("shell.freshness_empty"), icon=":material/database:")
        return
    loaded = info.latest_batch_at.strftime("%Y-%m-%d %H:%M") if info.latest_batch_at else "–"
    text = t(
        "shell.freshness",
        batch=info.latest_batch_id if info.latest_batch_id is not None else "–",
        loaded=loaded,
        responses=format_number(info.n_responses),
        clients=format_number(info.n_clients),
        first=info.period_first or "–",
        last=info.period_last or "–",
    )
    help_text = t("shell.freshness_help", file=info.latest_batch_file or "–", source=info.latest_batch_source or "–",
                  batches=info.n_batches)
    st.caption(f":material/database: {text}", help=help_text)


# Streamlit leaves ~6rem above the first element; dashboards need the screen for data.
_CSS = """
<style>
[data-testid="stMainBlockContainer"] { padding-top: 2.2rem; padding-bottom: 3rem; }
[data-testid="stMetricValue"] { font-size: 2rem; }
/* Tile labels wrap to a second line instead of ending in "…" on a 1440 px screen. */
[data-testid="stMetricLabel"], [data-testid="stMetricLabel"] * { white-space: normal !important; overflow: visible !important; }
</style>
"""


def run() -> None:
    st.set_page_config(page_title="CX Lens", page_icon=":material/insights:", layout="wide",
                       initial_sidebar_state="expanded")
    st.html(_CSS)
    access = admit()  # stops here with a refusal or the sign-in form until the session may see data
    model = service_model()
    connection()  # opens the warehouse (and loads the demo company into an empty one)
    periods = cached_query(available_periods)
    seed_global_state(model, periods)
    if LOGO.exists():
        st.logo(str(LOGO), size="large")
    navigation, entry = _navigation(access)
    if is_full_screen(entry):  # presentation mode: the page alone, no sidebar, filters or notices
        run_page(navigation, entry, access)
        return
    with st.sidebar:
        render_account(access)
        render_language_selector(model.settings.language)
        render_add_view(entry)  # "Add this view" to a storyline, for every page
        render_global_filters(model, periods)
        st.caption(model.company.name.get(current_language()))
    _freshness_line(cached_query(freshness))
    render_url_notices()
    run_page(navigation, entry, access)  # refuses pages and write actions above the session's role
