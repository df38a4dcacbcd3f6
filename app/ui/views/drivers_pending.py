"""What the drivers page says while key-driver models train in the background (after the app's first
start, or when a half-trained run is finished at start): plainly which models are still training, a
progress bar, and a page that reruns by itself as soon as the background job stores new models.
"""

from __future__ import annotations

import streamlit as st

from app.settings import get_settings
from app.ui import driver_background
from app.ui.i18n import format_number, t
from app.ui.views import drivers_data as data
from app.ui.views.drivers_training import train_button

REFRESH_SECONDS = 3
TRAINING = "training"  # driver_models.status of a segment whose model is not stored yet


def _job() -> driver_background.BackgroundTraining | None:
    return driver_background.status(str(get_settings().db_path))


@st.fragment(run_every=REFRESH_SECONDS)
def _watch(db_path: str, stored_seen: int) -> None:
    """Re-checked every few seconds: the whole page reruns once the job stored models or stopped."""
    job = driver_background.status(db_path)
    if job is None or job.stored != stored_seen or not job.running:
        st.rerun()
    if job.phase == "segments":
        st.progress(
            min(job.fraction, 1.0),
            text=t("drivers.segments_progress", pct=format_number(100 * job.fraction, 0)),
        )


def background_training() -> bool:
    """Nothing stored yet and a background training runs (or just failed): say so. True when shown."""
    job = _job()
    if job is None:
        return False
    if job.phase == "failed":
        st.error(t("drivers.background_failed", error=job.error or "–"), icon=":material/error:")
        return False  # the page goes on to offer training
    if not job.running:
        return False
    st.info(
        t("drivers.training_background", seconds=format_number(job.seconds, 0)),
        icon=":material/model_training:",
    )
    _watch(job.db_path, job.stored)
    return True


def segment_training(row: dict, lang: str, target: str) -> None:
    """The chosen segment's model is not stored yet: still training, or left unfinished by a stop."""
    segment = data.segment_label(row, lang)
    job = _job()
    if job is not None and job.running:
        st.info(t("drivers.segment_training", segment=segment), icon=":material/hourglass_top:")
        _watch(job.db_path, job.stored)
        return
    st.warning(t("drivers.segment_unfinished", segment=segment), icon=":material/sync_problem:")
    train_button([target], t("drivers.retrain"), key="drivers_finish_segments")
