"""Bottleneck page, tab 3: as-is against to-be — each step's time against its target, and for chained
processes the backward deadline chain: which link breaks first, and how often the customer's
requirement is still met."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.bottleneck_report import ChainReport, ProcessReport
from app.analytics.deadline_chain import NO_BREAK
from app.service_model import ServiceModel
from app.ui.charts.process_steps import broken_links_chart, chain_chart, step_time_chart
from app.ui.components import chart_with_table
from app.ui.i18n import format_number, t
from app.ui.safe_text import escape_markdown
from app.ui.views import bottlenecks_data as data
from app.ui.views.bottlenecks_frames import step_time_frame

OUTCOMES = {"met": "n_met", "missed": "n_missed", "pending": "n_pending"}


def _offset_text(hours: float, clock: str | None, lang: str) -> str:
    if clock is not None:
        return t("bottlenecks.by_clock", clock=clock)
    if hours == 0:
        return t("bottlenecks.at_due")
    return t("bottlenecks.before_due", duration=data.duration(abs(hours), lang))


def chain_text(links: pl.DataFrame, labels: dict[str, str], clocks: dict[str, str] | None, lang: str) -> str:
    """'On the shelf by 18:00 → Delivered to shop by 17:00 → …' — backwards from the customer."""
    parts = []
    for activity, offset in links.sort("step_order", descending=True).select("activity", "deadline_offset_hours").iter_rows():
        clock = clocks.get(activity) if clocks else None
        parts.append(f"{labels.get(activity, activity)} {_offset_text(offset, clock, lang)}")
    return " → ".join(parts)


def _chain_frame(chain: ChainReport, labels: dict[str, str], lang: str, days: bool) -> pl.DataFrame:
    scale = 24.0 if days else 1.0
    frame = chain.performance.with_columns(
        pl.col("activity").replace_strict(labels, default=pl.col("activity")).alias("label")
    )
    clocks = chain.clock_labels or {}
    texts = [
        t("bottlenecks.chain_point_text", deadline=_offset_text(d, clocks.get(a), lang),
          pct=format_number(h, 0, lang))
        for a, d, h in frame.select("activity", "deadline_offset_hours", "held_pct").iter_rows()
    ]
    return frame.select(
        "label", "activity",
        (pl.col("deadline_offset_hours") / scale).alias("deadline"),
        (pl.col("end_median_hours") / scale).alias("median"),
        (pl.col("end_p10_hours") / scale).alias("p10"),
        (pl.col("end_p90_hours") / scale).alias("p90"),
        "held_pct", "n_held", "n_broken", "n_pending",
        pl.Series("value_text", texts, dtype=pl.String),
    )


def _broken_frame(chain: ChainReport, labels: dict[str, str]) -> pl.DataFrame:
    outcome_names = {k: t(f"bottlenecks.outcome_{k}") for k in OUTCOMES}
    rows = []
    for row in chain.broken.iter_rows(named=True):
        label = t("bottlenecks.chain_held") if row["first_broken"] == NO_BREAK else labels.get(row["first_broken"])
        for order, (outcome, column) in enumerate(OUTCOMES.items()):
            rows.append({"label": label, "order": row["step_order"], "outcome": outcome,
                         "outcome_label": outcome_names[outcome], "outcome_order": order, "n": row[column]})
    return pl.DataFrame(rows)


def _chain_summary(chain: ChainReport, labels: dict[str, str], lang: str) -> str:
    """'81 % of cases met the customer's requirement; the link that breaks first most often is …'."""
    text = t("bottlenecks.chain_met", pct=format_number(chain.met_pct, 0, lang))
    broken = chain.broken.filter((pl.col("first_broken") != NO_BREAK) & (pl.col("n_cases") > 0))
    if broken.height:
        top = broken.sort("n_cases", descending=True).row(0, named=True)
        text += " " + t("bottlenecks.chain_first_broken", link=escape_markdown(labels.get(top["first_broken"])),
                        pct=format_number(top["pct_cases"], 0, lang),
                        met=format_number(top["n_met"], 0, lang), n=format_number(top["n_cases"], 0, lang))
    return text


def _render_chain(model: ServiceModel, report: ProcessReport, lang: str, days: bool) -> None:
    chain = report.chain
    labels = {a: lbl for (p, a), lbl in data.step_labels(lang).items() if p == report.process}
    st.subheader(t("bottlenecks.chain_title"), anchor=False)
    st.markdown(t("bottlenecks.chain_intro", chain=escape_markdown(chain_text(chain.links, labels,
                                                                                 chain.clock_labels, lang))))
    st.markdown(_chain_summary(chain, labels, lang))
    unit = t("bottlenecks.unit_days") if days else t("bottlenecks.unit_hours")
    st.markdown(f"**{t('bottlenecks.chain_links_title')}**")
    frame = _chain_frame(chain, labels, lang, days)
    chart_with_table(chain_chart(frame, axis_title=t("bottlenecks.chain_axis", unit=unit)),
                     frame.drop("value_text"), key="bn_chain", file_stem=f"{report.process}_deadline_chain")
    st.caption(t("bottlenecks.chain_note"))
    st.markdown(f"**{t('bottlenecks.broken_title')}**")
    broken = _broken_frame(chain, labels)
    outcomes = {k: t(f"bottlenecks.outcome_{k}") for k in OUTCOMES}
    chart_with_table(broken_links_chart(broken, axis_title=t("bottlenecks.col_cases"), outcomes=outcomes),
                     chain.broken, key="bn_broken", file_stem=f"{report.process}_first_broken_link")
    st.caption(t("bottlenecks.broken_note"))


def render_targets(model: ServiceModel, report: ProcessReport, lang: str) -> None:
    days = data.uses_days(report.steps)
    unit = t("bottlenecks.unit_days") if days else t("bottlenecks.unit_hours")
    st.markdown(f"**{t('bottlenecks.asis_title')}**")
    frame = step_time_frame(report.steps, data.step_labels(lang), lang, days)
    legend = {"over": t("bottlenecks.legend_over"), "within": t("bottlenecks.legend_within")}
    chart = step_time_chart(frame, axis_title=t("bottlenecks.asis_axis", unit=unit), legend=legend)
    chart_with_table(chart, frame.drop("value_text"), key="bn_asis", file_stem=f"{report.process}_as_is_to_be")
    st.caption(t("bottlenecks.asis_note"))
    if report.chain is None:
        st.caption(t("bottlenecks.no_chain"))
        return
    _render_chain(model, report, lang, days)
