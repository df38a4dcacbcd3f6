"""The verdict at the top of the bottleneck page: per process, the bottleneck named with its evidence
in one sentence, what its waiting costs in NPS, and links to the KPI-tree nodes it feeds.

`verdict_sentence` is plain text building (no Streamlit calls) so tests and exports can reuse it.
"""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.bottleneck_pick import Bottleneck
from app.analytics.bottleneck_report import ProcessReport, kpis_fed
from app.service_model import ServiceModel
from app.ui.components import page_link
from app.ui.i18n import format_number, t
from app.ui.pages import page_entry
from app.ui.safe_text import escape_markdown
from app.ui.views import bottlenecks_data as data

KPI_PAGE = "kpi_tree"
KPI_PARAM = "kpi"  # the KPI tree page's focus parameter


def _step_name(model: ServiceModel, found: Bottleneck, lang: str) -> str:
    step = data.step_labels(lang).get((found.process, found.activity), found.activity)
    if found.business_unit is None:
        return escape_markdown(step)
    unit = data.option_label(model, "business_unit", found.business_unit, lang)
    return t("bottlenecks.step_in_unit", step=escape_markdown(step), unit=escape_markdown(unit))


def _evidence(model: ServiceModel, found: Bottleneck, target_hours: float | None, lang: str) -> str:
    share_key = "bottlenecks.evidence_lateness" if found.measure == "lateness" else "bottlenecks.evidence_excess"
    share = t(share_key, pct=format_number(found.delay_pct, 0, lang))
    if found.business_unit is None and found.top_unit is not None and found.top_unit_pct is not None:
        unit = data.option_label(model, "business_unit", found.top_unit, lang)
        share += " " + t("bottlenecks.evidence_top_unit", unit=escape_markdown(unit),
                         pct=format_number(found.top_unit_pct, 0, lang))
    parts = [share]
    wait = t("bottlenecks.evidence_wait", wait=data.duration(found.wait_median_hours, lang))
    if found.wait_median_hours_elsewhere is not None:
        wait += " " + t("bottlenecks.evidence_elsewhere", wait=data.duration(found.wait_median_hours_elsewhere, lang))
    parts.append(wait)
    if found.over_target_pct is not None:
        parts.append(t("bottlenecks.evidence_over", pct=format_number(found.over_target_pct, 0, lang),
                       target=data.duration(target_hours, lang)))
    return ", ".join(parts)


def _cost_clause(report: ProcessReport, activity: str, lang: str) -> str | None:
    cost = report.wait_cost.filter(pl.col("activity") == activity) if report.wait_cost.height else pl.DataFrame()
    if cost.is_empty():
        return None
    row = cost.row(0, named=True)
    if not row["is_nps_significant"] or row["nps_per_day"] is None or row["nps_per_day"] >= 0:
        return None
    return t("bottlenecks.verdict_cost", points=format_number(-row["nps_per_day"], 1, lang),
             moe=format_number(row["nps_per_day_moe"], 1, lang))


def verdict_sentence(model: ServiceModel, report: ProcessReport, lang: str, min_cases: int) -> str:
    """'**Commercial proposal** — the bottleneck is **Proposal approval in Energy**: 86 % of …'."""
    name = escape_markdown(data.process_name(model, report.process, lang))
    found = report.bottleneck
    if report.steps.is_empty():
        return t("bottlenecks.verdict_no_cases", process=name)
    if found is None:
        most = report.steps["n_cases"].max() or 0
        if most < min_cases:
            return t("bottlenecks.verdict_too_few", process=name, n=format_number(most, 0, lang), min_n=min_cases)
        return t("bottlenecks.verdict_none", process=name)
    target = report.steps.filter(pl.col("activity") == found.activity)["target_hours"].first()
    sentence = t("bottlenecks.verdict", process=name, step=_step_name(model, found, lang),
                 evidence=_evidence(model, found, target, lang))
    if found.product_class is not None and found.product_class_pct is not None:
        cls = data.option_label(model, "product_class", found.product_class, lang)
        sentence += " " + t("bottlenecks.verdict_class", cls=escape_markdown(cls),
                            pct=format_number(found.product_class_pct, 0, lang),
                            cases=format_number(found.product_class_cases_pct, 0, lang))
    cost = _cost_clause(report, found.activity, lang)
    return sentence + (" " + cost if cost else "")


def _kpi_links(model: ServiceModel, found: Bottleneck, lang: str) -> None:
    ids = kpis_fed(model, found.process, found.activity)
    if not ids:
        return
    names = {k.id: k.name.get(lang) for k in model.kpis}
    if page_entry(KPI_PAGE) is None:
        st.caption(t("bottlenecks.feeds", kpis=", ".join(escape_markdown(names[i]) for i in ids)))
        return
    st.caption(t("bottlenecks.feeds_links"))
    columns = st.columns(min(len(ids), 4))
    for i, kpi_id in enumerate(ids):
        with columns[i % len(columns)]:
            page_link(KPI_PAGE, names[kpi_id], {KPI_PARAM: kpi_id})


def render_verdicts(model: ServiceModel, reports: dict[str, ProcessReport], lang: str) -> None:
    """One bordered block per process: the sentence, then the KPI nodes its bottleneck feeds."""
    for process, report in reports.items():
        with st.container(border=True, key=f"bn_verdict_{process}"):
            st.markdown(verdict_sentence(model, report, lang, model.settings.min_n))
            if report.bottleneck is not None:
                _kpi_links(model, report.bottleneck, lang)
