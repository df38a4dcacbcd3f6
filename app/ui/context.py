"""Per-process resources (the DuckDB connection, the service model) and the cached-query pattern.

DuckDB allows one writing process, and one connection shared by threads fails under load, so the
app opens ONE connection per process (`st.cache_resource`) and each script run works on its own
`cursor()`. Query results are cached with `st.cache_data` under a key that includes the warehouse's
data version, which grows with every load and rollback: an upload shows on every page at once and
nothing stale survives it.

Usage in a page or a view module:

    from app.ui.context import cached_query, service_model
    frame = cached_query(scores.nps_totals, filters, by=("period",))
"""

from __future__ import annotations

import contextlib
import importlib
import logging
import threading
from collections.abc import Callable
from typing import TypeVar

import duckdb
import streamlit as st

from app.service_model import ServiceModel, load_service_model
from app.settings import get_settings
from app.ui.i18n import t
from app.warehouse.connection import WarehouseLockedError, connect
from app.warehouse.query_timer import timed
from app.warehouse.schema import data_version as _warehouse_version
from app.warehouse.schema import ensure_schema

T = TypeVar("T")
log = logging.getLogger(__name__)
_CURSOR_STATE_KEY = "_cx_cursor"
_DATA_READY_KEY = "_cx_data_ready"


@st.cache_resource(show_spinner=False)
def _load_model(path: str, mtime_ns: int) -> ServiceModel:
    return load_service_model(path)


def service_model() -> ServiceModel:
    """The validated service model; reloaded when the YAML file changes on disk."""
    path = get_settings().service_model_path
    return _load_model(str(path), path.stat().st_mtime_ns)


@st.cache_resource(show_spinner=False)
def _open_warehouse(db_path: str) -> duckdb.DuckDBPyConnection:
    con = connect(db_path)
    ensure_schema(con, service_model())
    return con


@st.cache_resource(show_spinner=False)
def _ensure_demo_loaded(db_path: str) -> bool:
    """First start on an empty warehouse loads the demo company, once per process; then the process's
    background jobs start (key drivers after a first start, the daily follow-up KPIs: app/ui/startup.py)."""
    from app.ui.startup import start_background_jobs
    from pipelines.demo import load_demo, warehouse_is_empty

    con = _open_warehouse(db_path)
    cur = con.cursor()
    try:
        loaded = warehouse_is_empty(cur)
        if loaded:  # the key-driver models train in the background: the dashboards open meanwhile
            settings = get_settings()
            load_demo(cur, service_model(), settings.archive_dir, settings.ground_truth_path, train_drivers=False)
    finally:
        cur.close()
    start_background_jobs(con, service_model(), db_path, demo_loaded=loaded)
    return loaded


def connection() -> duckdb.DuckDBPyConnection:
    """The process's warehouse connection; stops the page with a clear message if it is locked."""
    db_path = str(get_settings().db_path)
    try:
        con = _open_warehouse(db_path)
    except WarehouseLockedError:
        st.error(t("shell.warehouse_locked", path=db_path), icon=":material/lock:")
        st.stop()
    if not st.session_state.get(_DATA_READY_KEY):
        st.session_state[_DATA_READY_KEY] = True
        try:
            with st.spinner(t("shell.loading_demo"), show_time=True):
                _ensure_demo_loaded(db_path)
        except Exception as exc:  # noqa: BLE001 — the app must still open, so real data can be loaded
            log.exception("loading the demo company failed")
            st.error(t("shell.demo_failed", error=str(exc).splitlines()[0] if str(exc) else type(exc).__name__))
    return con


def cursor() -> duckdb.DuckDBPyConnection:
    """A cursor for the current script run (one per thread: DuckDB connections are not thread safe)."""
    con = connection()
    owner = (threading.get_ident(), id(con))
    held = st.session_state.get(_CURSOR_STATE_KEY)
    if held is not None and held[0] == owner:
        return held[1]
    if held is not None:
        with contextlib.suppress(duckdb.Error):
            held[1].close()
    cur = con.cursor()
    st.session_state[_CURSOR_STATE_KEY] = (owner, cur)
    return cur


def data_version() -> int:
    """The warehouse's data version: part of every cache key."""
    return _warehouse_version(cursor())


@st.cache_data(max_entries=2000, show_spinner=False)
def _cached_call(db_path: str, version: int, module: str, qualname: str, args: tuple, kwargs: tuple):
    function = importlib.import_module(module)
    for part in qualname.split("."):
        function = getattr(function, part)
    with timed("cached", f"{module}.{qualname}"):
        return function(cursor(), *args, **dict(kwargs))


def cached_query(function: Callable[..., T], *args: object, **kwargs: object) -> T:
    """Call `function(cursor, *args, **kwargs)` through a cache keyed by the data version.

    `function` must be a module-level function whose first parameter is the DuckDB connection and
    whose other arguments hash (strings, numbers, tuples, frozen dataclasses such as Filters).
    """
    db_path = str(get_settings().db_path)
    return _cached_call(
        db_path, data_version(), function.__module__, function.__qualname__, args, tuple(sorted(kwargs.items()))
    )
