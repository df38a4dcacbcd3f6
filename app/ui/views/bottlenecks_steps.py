"""Bottleneck page, tabs 1 and 2: step analytics (heat-map by segment + the full step table) and the
process map (directly-follows graph) with the Pareto of delay and the most frequent paths."""

from __future__ import annotations

import polars as pl
import streamlit as st

from app.analytics.bottleneck_report import ProcessReport
from app.analytics.process_map import END, START
from app.analytics.process_summary import UNATTRIBUTED
from app.service_model import ServiceModel
from app.ui.charts.process_map import layout, pareto_chart, process_map_chart
from app.ui.charts.process_steps import step_heatmap
from app.ui.components import chart_with_table, data_table, download_buttons
from app.ui.i18n import format_number, t
from app.ui.url_widgets import url_segmented
from app.ui.views import bottlenecks_data as data
from app.ui.views.bottlenecks_frames import HEATMAP_METRICS, heatmap_frame
from app.warehouse.filters import Filters

BREAKDOWN_TABLE = (
    "n_cases", "n_events", "n_open", "throughput_per_week", "wait_median_hours", "wait_p90_hours",
    "processing_median_hours", "processing_p90_hours", "rework_pct", "over_target_pct", "lateness_pct",
)
BOX_CHARS = 34  # characters of a step name that fit a process-map box at 13 px


def _step_table(report: ProcessReport, lang: str) -> pl.DataFrame:
    columns = {
        "label": t("bottlenecks.col_step"), "n_cases": t("bottlenecks.col_cases"),
        "n_open": t("bottlenecks.col_open"), "throughput_per_week": t("bottlenecks.col_throughput"),
        "wait_median_hours": t("bottlenecks.col_wait_median"), "wait_p90_hours": t("bottlenecks.col_wait_p90"),
        "processing_median_hours": t("bottlenecks.col_processing_median"),
        "processing_p90_hours": t("bottlenecks.col_processing_p90"), "rework_pct": t("bottlenecks.col_rework"),
        "over_target_pct": t("bottlenecks.col_over_target"), "target_hours": t("bottlenecks.col_target"),
        "lateness_pct": t("bottlenecks.col_lateness"),
    }
    return data.with_step_label(report.steps, lang).select([pl.col(c).alias(name) for c, name in columns.items()])


def render_steps(model: ServiceModel, report: ProcessReport, lang: str, min_n: int, filters: Filters) -> None:
    if report.breakdown_columns:
        by_col, metric_col = st.columns(2)
        with by_col:
            by = url_segmented(t("bottlenecks.breakdown"), list(report.breakdown_columns), key="bn_by", param="by",
                               default=report.breakdown_columns[0], format_func=lambda c: t(f"bottlenecks.by_{c}"))
        with metric_col:
            metric = url_segmented(t("bottlenecks.metric"), HEATMAP_METRICS, key="bn_metric", param="metric",
                                   default="wait", format_func=lambda m: t(f"bottlenecks.metric_{m}"))
        frame = heatmap_frame(data.breakdown(filters, report, by), by, metric, model, lang, min_n,
                              data.step_labels(lang))
        legend = t("bottlenecks.heatmap_wait_legend") if metric == "wait" else t(f"bottlenecks.metric_{metric}")
        chart = step_heatmap(frame, column_title=t(f"bottlenecks.by_{by}"), value_title=legend)
        table = frame.select("label", "column_label", "activity", by, *BREAKDOWN_TABLE)
        chart_with_table(chart, table, key="bn_heatmap",
                         file_stem=f"{report.process}_steps_by_{by}")
        st.caption(t("bottlenecks.heatmap_note", min_n=min_n))
    st.markdown(f"**{t('bottlenecks.step_table')}**")
    table = _step_table(report, lang)
    formats = {c: st.column_config.NumberColumn(format="localized") for c in table.columns[1:3]}
    formats |= {c: st.column_config.NumberColumn(format="%.1f") for c in table.columns[3:]}
    st.dataframe(table, hide_index=True, column_config=formats, key="bn_step_table")
    download_buttons(table, f"{report.process}_steps", key="bn_step_table")
    st.caption(t("bottlenecks.step_table_note"))


def _fit(label: str, limit: int = BOX_CHARS) -> str:
    """A step name that fits its box; the full name stays in the tooltip."""
    return label if len(label) <= limit else label[: limit - 1].rstrip() + "…"


def _node_frame(report: ProcessReport, lang: str) -> pl.DataFrame:
    nodes = data.with_step_label(report.nodes, lang)
    rows = []
    for node in nodes.iter_rows(named=True):
        terminal = node["activity"] in (START, END)
        if terminal:
            key = "bottlenecks.map_start" if node["activity"] == START else "bottlenecks.map_end"
            text = t(key, n=format_number(node["n_cases"], 0, lang))
            label = text
        else:
            label = node["label"]
            figures = t("bottlenecks.map_box", n=format_number(node["n_cases"], 0, lang),
                        wait=data.duration(node["wait_mean_hours"], lang))
            if node["n_open"]:
                figures += " · " + t("bottlenecks.map_open", n=format_number(node["n_open"], 0, lang))
            text = f"{_fit(label)}\n{figures}"
        rows.append({"box_text": text, "is_terminal": terminal, f"tip_{t('bottlenecks.col_step')}": label,
                     f"tip_{t('bottlenecks.map_mean_wait')}": data.duration(node["wait_mean_hours"], lang),
                     f"tip_{t('bottlenecks.metric_wait')}": data.duration(node["wait_median_hours"], lang)})
    extra = pl.DataFrame(rows)
    top = report.nodes["wait_mean_hours"].max() or 0.0
    return pl.concat([report.nodes, extra], how="horizontal").with_columns(
        (pl.col("wait_mean_hours") > 0.55 * top).fill_null(False).alias("text_light")
    )


def _edge_frame(report: ProcessReport, labels: dict[str, str], lang: str) -> pl.DataFrame:
    edges = report.edges
    names = [f"{labels.get(s, s)} → {labels.get(e, e)}" for s, e in edges.select("source", "target").iter_rows()]
    return edges.with_columns(
        pl.Series("count_text", [format_number(n, 0, lang) for n in edges["n_transitions"]], dtype=pl.String),
        pl.Series(f"tip_{t('bottlenecks.map_transition')}", names, dtype=pl.String),
        pl.Series(f"tip_{t('bottlenecks.map_mean_wait')}",
                  [data.duration(w, lang) for w in edges["wait_mean_hours"]], dtype=pl.String),
    )


def _pareto_frame(report: ProcessReport, lang: str) -> pl.DataFrame:
    pareto = data.with_step_label(report.pareto, lang).with_columns(
        pl.when(pl.col("activity") == UNATTRIBUTED).then(pl.lit(t("bottlenecks.unattributed")))
        .otherwise(pl.col("label")).alias("label")
    )
    texts = [f"{format_number(p, 0, lang)} %" for p in pareto["delay_pct"]]
    cumulative = [f"Σ {format_number(c, 0, lang)} %" for c in pareto["cumulative_pct"]]
    return pareto.with_columns(pl.Series("value_text", texts, dtype=pl.String),
                               pl.Series("cumulative_text", cumulative, dtype=pl.String))


def render_map(model: ServiceModel, report: ProcessReport, lang: str) -> None:
    nodes = _node_frame(report, lang)
    labels = {a: (b.split("\n")[0]) for a, b in nodes.select("activity", "box_text").iter_rows()}
    edges = _edge_frame(report, labels, lang)
    row_px = 84 if nodes.height <= 12 else 64
    max_wait = float(report.nodes["wait_mean_hours"].max() or 0.0)
    boxes, points, ends = layout(nodes, edges, row_px, max_wait)
    left, right = st.columns([11, 9], gap="large")
    with left:
        st.markdown(f"**{t('bottlenecks.map_title')}**")
        chart = process_map_chart(boxes, points, ends, row_px=row_px, wait_title=t("bottlenecks.map_legend"),
                                  max_wait=max_wait)
        st.altair_chart(chart, theme=None, width="content", key="bn_map")
        table = edges.select(
            pl.col("source").replace_strict(labels, default=pl.col("source")).alias(t("bottlenecks.map_from")),
            pl.col("target").replace_strict(labels, default=pl.col("target")).alias(t("bottlenecks.map_to")),
            "source", "target", "n_transitions", "n_cases", "wait_median_hours", "wait_mean_hours",
        )
        data_table(table, f"{report.process}_process_map", key="bn_map_edges")
        st.caption(t("bottlenecks.map_note"))
    with right:
        pareto = _pareto_frame(report, lang)
        measure = pareto["measure"][0] if pareto.height else "lateness"
        st.markdown(f"**{t(f'bottlenecks.pareto_title_{measure}')}**")
        if pareto.is_empty():
            st.caption(t("bottlenecks.pareto_empty"))
        else:
            chart_with_table(pareto_chart(pareto, title=t("bottlenecks.pareto_axis")),
                             pareto.select("label", "delay_hours", "delay_pct", "cumulative_pct"),
                             key="bn_pareto", file_stem=f"{report.process}_delay_pareto")
            st.caption(t(f"bottlenecks.pareto_note_{measure}"))
        _variants(report, lang)


def _variants(report: ProcessReport, lang: str) -> None:
    if report.variants.is_empty():
        return
    labels = data.step_labels(lang)
    paths = [" → ".join(labels.get((report.process, a), a) for a in path.split(" → "))
             for path in report.variants["path"]]
    # a static table wraps the long paths (a dataframe cuts them off at the column's edge); the figures
    # as text in the page's language (19,084 and 94.8; 19 084 and 94,8), not 94.8000
    table = pl.DataFrame({t("bottlenecks.col_path"): paths,
                          t("bottlenecks.col_cases"): [format_number(n, 0, lang) for n in report.variants["n_cases"]],
                          t("bottlenecks.col_share"): [format_number(x, 1, lang) for x in report.variants["pct_cases"]]})
    st.markdown(f"**{t('bottlenecks.variants_title')}**")
    st.table(table)
