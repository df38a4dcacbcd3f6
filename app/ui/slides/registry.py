"""Which function draws the slide of which page: url path -> "module:function".

Add ONE line per page (keep the file sorted by menu order). Modules are imported only when a slide
of that page is drawn, so this registry stays cheap to import and a broken slide module cannot
break the other pages.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping

import duckdb

from app.service_model import ServiceModel
from app.ui.i18n import translate
from app.ui.pages import page_entry
from app.ui.slides.protocol import SlideContent, SlideFunction

log = logging.getLogger(__name__)

SLIDE_FUNCTIONS: dict[str, str] = {
    "overview": "app.ui.views.overview_slide:slide_content",
    "journey_map": "app.ui.views.journey_slide:slide_content",
    "drivers": "app.ui.views.drivers_slide:slide_content",
    "kpi_tree": "app.ui.views.kpi_slide:slide_content",
    "clients": "app.ui.views.clients_slide:slide_content",
    "bottlenecks": "app.ui.views.bottlenecks_slide:slide_content",
    "voice_of_customer": "app.ui.views.voc_slide:slide_content",
    "follow_ups": "app.ui.views.follow_ups_slide:slide_content",
}


def slide_function(page: str) -> SlideFunction | None:
    """The registered slide function of a page, or None when the page has none."""
    target = SLIDE_FUNCTIONS.get(page)
    if target is None:
        return None
    module, _, name = target.partition(":")
    return getattr(importlib.import_module(module), name)


def has_slide(page: str) -> bool:
    return page in SLIDE_FUNCTIONS


def page_title(page: str, lang: str) -> str:
    entry = page_entry(page)
    return translate(entry.title_key, lang) if entry else page


def build_slide(
    con: duckdb.DuckDBPyConnection,
    model: ServiceModel,
    page: str,
    params: Mapping[str, tuple[str, ...]],
    lang: str,
) -> SlideContent:
    """The slide of a saved view. Never raises: in front of a board a broken slide shows a message
    (and the log gets the traceback) while the rest of the storyline keeps working."""
    function = None
    try:
        function = slide_function(page)
        if function is None:
            return SlideContent(
                page_title(page, lang),
                None,
                None,
                message=translate("present.no_slide_function", lang, page=page_title(page, lang)),
            )
        return function(con, model, params, lang)
    except Exception:  # noqa: BLE001 - a live presentation must survive a bug in one slide
        log.exception("slide of page %r failed (params %r)", page, dict(params))
        return SlideContent(
            page_title(page, lang), None, None, message=translate("present.slide_failed", lang)
        )
