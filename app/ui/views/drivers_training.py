"""Training key-driver models from the page: only when a user asks (never during an ordinary render),
only for analysts, one training at a time per app process (the background training after the
first start counts as one), with a progress bar.

It runs the same pipeline function as `python -m pipelines drivers`, in this process and on this
session's cursor (the app owns the warehouse while it runs), then clears the cached query results so
every page — the journey map's moment-of-truth suggestion, the KPI tree — sees the new models.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.auth.guard import can, require_role
from app.auth.roles import AccessDenied
from app.ui.context import cursor, service_model
from app.ui.driver_background import training_lock
from app.ui.i18n import current_language, format_number, t

TRAIN_ROLE = "analyst"
_DONE_KEY = "_drivers_trained"


def _train(targets: list[str]) -> None:
    from pipelines.drivers import NoAnswersError, train_drivers  # LightGBM loads only when someone trains

    try:
        require_role(TRAIN_ROLE)
    except AccessDenied:
        st.error(t("drivers.train_refused"), icon=":material/lock:")
        return
    lock = training_lock()  # shared with the background training after the first start
    if not lock.acquire(blocking=False):
        st.warning(t("drivers.training_busy"), icon=":material/hourglass_top:")
        return
    english = current_language() == "en"
    bar = st.progress(0.0, text=t("drivers.training_progress", pct=0))

    def progress(fraction: float, message: str) -> None:
        pct = format_number(100 * fraction, 0)
        bar.progress(
            min(max(fraction, 0.0), 1.0),
            text=t("drivers.training_progress", pct=pct) + (f" — {message}" if english else ""),
        )

    try:
        summary = train_drivers(cursor(), service_model(), targets=targets, progress=progress)
    except NoAnswersError:
        bar.empty()
        st.warning(t("common.no_data"), icon=":material/info:")
        return
    finally:
        lock.release()
    st.cache_data.clear()
    st.session_state[_DONE_KEY] = t(
        "drivers.trained_toast", n=summary.n_models, seconds=format_number(summary.seconds, 0)
    )
    st.rerun()


def show_done() -> None:
    message = st.session_state.pop(_DONE_KEY, None)
    if message:
        st.toast(message, icon=":material/check_circle:")


def train_button(targets: list[str], label: str, key: str) -> None:
    """The button (analysts) or a note saying who can retrain (viewers)."""
    if not can(TRAIN_ROLE):
        st.caption(t("drivers.ask_analyst"))
        return
    if st.button(label, key=key, type="primary", icon=":material/model_training:"):
        _train(targets)


def missing_target(target: str) -> None:
    st.info(t("drivers.not_trained", target=t(f"drivers.target_{target}")), icon=":material/info:")
    train_button(
        [target],
        t("drivers.train_target", target=t(f"drivers.target_{target}")),
        key=f"drivers_train_{target}",
    )


def stale_banner(runs: pl.DataFrame, run: dict) -> None:
    """When the data the models learnt from changed since: say so, offer to retrain every stale target."""
    if not run["is_stale"]:
        return
    with st.container(border=True):
        st.warning(
            t(
                "drivers.stale",
                trained=str(run["trained_at"])[:16],
                version=run["data_version"],
                current=run["current_version"],
            ),
            icon=":material/update:",
        )
        stale = runs.filter(pl.col("is_stale"))["target"].to_list()
        train_button(stale, t("drivers.retrain"), key="drivers_retrain")
