"""The follow-up page as a slide: how fast detractor cases close, quarter by quarter (median days to
close and the share past due — the page's trend chart), with the share of due cases past due as the
key figure against the KPI tree's target, and how many cases are open and overdue today.

Figures only, never a person: the slide shows no client names, comments, assignees or single cases
(a saved ?case= is ignored). The page itself is open to every role, viewers included, so the slide
shows no more than any viewer of the page sees — and a deck that leaves the app carries no personal
data. Overdue moves with the calendar, so the caption says on which day the figures were taken.
"""

from __future__ import annotations

from datetime import date

import duckdb

from app.service_model import ServiceModel
from app.ui.charts import follow_ups as charts
from app.ui.i18n import format_number, translate
from app.ui.labels import filters_summary
from app.ui.slides.params import ViewParams, filters_from_params
from app.ui.slides.protocol import KeyFigure, SlideContent
from app.ui.views.follow_ups_data import close_trend, follow_up_kpi, past_due_pct
from app.warehouse.follow_up_queries import case_summary
from app.warehouse.scores import available_periods


def _key_figure(summary: dict, model: ServiceModel, lang: str) -> KeyFigure:
    """The past-due share (the KPI's own definition, with the tree's target); below it the cases open
    and overdue today, red while any is overdue. The open cases alone while none is due yet."""
    n_open, n_overdue = summary.get("n_open") or 0, summary.get("n_overdue") or 0
    now = translate("fu.slide_open_now", lang, open=format_number(n_open, 0, lang),
                    overdue=format_number(n_overdue, 0, lang))
    tone = "bad" if n_overdue else "good"
    pct = past_due_pct(summary.get("n_late"), summary.get("n_due"))
    if pct is None:
        return KeyFigure(format_number(n_open, 0, lang), translate("fu.slide_key_open", lang), now, tone)
    kpi = follow_up_kpi(model, "is_late")
    if kpi is None or kpi.target is None:
        label = translate("fu.slide_key_late_no_target", lang)
    else:
        label = translate("fu.slide_key_late", lang, target=f"{format_number(kpi.target, 0, lang)} %")
    return KeyFigure(f"{format_number(pct, 0, lang)} %", label, now, tone)


def _caption(model: ServiceModel, filters, summary: dict, target: float | None, today: date, lang: str) -> str:
    segment = filters_summary(model, filters.as_dict(), lang, translate("filters.summary_all", lang))
    caption = translate("fu.slide_caption", lang, segment=segment, first=filters.period_from or "–",
                        last=filters.period_to or "–", n=format_number(summary.get("n_cases"), 0, lang),
                        day=today.isoformat())
    how = translate("fu.slide_how_to_read", lang)
    if target is not None:
        how += " " + translate("fu.slide_target_line", lang, value=format_number(target, 0, lang))
    return f"{caption} {how}"


def slide_content(con: duckdb.DuckDBPyConnection, model: ServiceModel, params: ViewParams, lang: str) -> SlideContent:
    title = translate("fu.slide_title", lang)
    filters = filters_from_params(params, model, available_periods(con))
    today = date.today()
    totals = case_summary(con, filters, today)
    summary = totals.row(0, named=True) if totals.height else {}
    if not summary.get("n_cases"):
        return SlideContent(title, None, None, message=translate("fu.no_cases", lang))
    close_kpi = follow_up_kpi(model, "days_to_close")
    target = close_kpi.target if close_kpi else None
    chart = charts.close_times(
        close_trend(case_summary(con, filters, today, by="period")),
        x_title=translate("common.period", lang),
        y_title=translate("fu.median_days", lang),
        late_title=translate("fu.pct_late", lang),
        target=target,
    )
    return SlideContent(title, _key_figure(summary, model, lang), chart,
                        _caption(model, filters, summary, target, today, lang))
