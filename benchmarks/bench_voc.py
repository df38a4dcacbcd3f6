"""Voice of the customer, measured: topic training against a one-stage k-means baseline (time and
how well each recovers the demo's planted themes), the follow-up hook's share of a survey load, and
the page queries. Run by hand: `python -m benchmarks.bench_voc [--scales 1 4]`.

Baseline (same run, same texts): TF-IDF + k-means with k = the number of topics the pipeline found,
one model over both languages, no phrasing merge. Theme recovery uses the demo's ground truth on
tickets: coverage = share of a theme's tickets in its biggest topic; purity = share of that topic's
complaint tickets that belong to the theme (both averaged over the planted themes).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl
from sklearn.cluster import KMeans
from sklearn.feature_extraction.text import TfidfVectorizer
from threadpoolctl import threadpool_limits

import pipelines.load as load_module
from app.service_model import load_service_model
from app.settings import DATA_DIR
from app.warehouse.comment_search import CommentQuery, search_feedback
from app.warehouse.connection import connect, query
from app.warehouse.filters import Filters
from app.warehouse.follow_up_queries import CaseQuery, case_list, case_summary
from app.warehouse.voc_queries import topic_counts, topic_score_mix, topics_key
from benchmarks.common import machine, print_table
from pipelines.demo import load_demo
from pipelines.text import Tokenizer
from pipelines.topics import build_topics, feedback_documents


def _recovery(con, assignments: pl.DataFrame, themes: list[str]) -> tuple[float, float]:
    tickets = query(con, "select ticket_id as doc_id, category from mart_tickets")
    joined = assignments.filter(pl.col("source") == "ticket").join(tickets, on="doc_id")
    coverage, purity = [], []
    for category in themes:
        mine = joined.filter(pl.col("category") == category).drop_nulls("topic_id")
        top = mine.group_by("topic_id").len().sort("len", descending=True).row(0)
        coverage.append(top[1] / max(mine.height, 1))
        in_topic = joined.filter((pl.col("topic_id") == top[0]) & pl.col("category").is_in(themes))
        purity.append(in_topic.filter(pl.col("category") == category).height / max(in_topic.height, 1))
    return float(np.mean(coverage)), float(np.mean(purity))


def _baseline(docs: pl.DataFrame, k: int) -> tuple[float, pl.DataFrame]:
    complaints = docs.filter(pl.col("is_complaint"))
    started = time.perf_counter()
    with threadpool_limits(limits=1):
        matrix = TfidfVectorizer(analyzer=Tokenizer(), min_df=2, max_df=0.5, sublinear_tf=True).fit_transform(
            complaints["text"].to_list()
        )
        labels = KMeans(n_clusters=k, n_init=3, random_state=7).fit_predict(matrix)
    seconds = time.perf_counter() - started
    return seconds, complaints.select("doc_id", "source").with_columns(pl.Series("topic_id", labels))


def _timed(function, *args, repeat: int = 5, **kwargs) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        function(*args, **kwargs)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def bench_scale(scale: float, rows: list[list[str]]) -> None:
    model = load_service_model(DATA_DIR / "service_model.yaml")
    hook_seconds: list[float] = []
    original = load_module.after_rebuild

    def timed_hook(*args, **kwargs):
        started = time.perf_counter()
        result = original(*args, **kwargs)
        hook_seconds.append(time.perf_counter() - started)
        return result

    with tempfile.TemporaryDirectory(prefix="cxlens-bench-voc-") as tmp:
        folder = Path(tmp)
        con = connect(folder / "warehouse.duckdb")
        load_module.after_rebuild = timed_hook
        started = time.perf_counter()
        try:
            load_demo(con, model, folder / "archive", folder / "truth.json", scale=scale)
        finally:
            load_module.after_rebuild = original
        load_seconds = time.perf_counter() - started
        themes = ["delivery", "documents", "service", "billing", "sales", "quality"]
        docs = feedback_documents(con)
        started = time.perf_counter()
        run = build_topics(con, model)
        ours = time.perf_counter() - started
        mine = query(con, "select doc_id, source, topic_id from topic_documents where run_id = ?", [run])
        k = int(mine["topic_id"].n_unique()) - 1
        base_seconds, base_assign = _baseline(docs, k)
        ours_cov, ours_pur = _recovery(con, mine, themes)
        base_cov, base_pur = _recovery(con, base_assign, themes)
        n = docs.height
        rows.append(
            [
                f"{scale:g}×",
                f"{n:,}",
                "topics: ours",
                f"{ours:.2f} s",
                f"{ours / base_seconds:.1f}×",
                f"{ours_cov:.0%} / {ours_pur:.0%}",
            ]
        )
        rows.append(
            [
                f"{scale:g}×",
                f"{n:,}",
                f"baseline k-means (k={k})",
                f"{base_seconds:.2f} s",
                "1.0×",
                f"{base_cov:.0%} / {base_pur:.0%}",
            ]
        )
        rows.append(
            [
                f"{scale:g}×",
                f"{n:,}",
                "follow-up hook in all loads",
                f"{sum(hook_seconds):.2f} s",
                f"{sum(hook_seconds) / load_seconds:.0%} of load",
                "",
            ]
        )
        key, filters = topics_key(con), Filters()
        for name, function, args in [
            ("query: topics × touchpoint", topic_counts, (key, filters, ("touchpoint_id",))),
            ("query: detractor mix", topic_score_mix, (key, filters)),
            ("query: search 'поставка'", search_feedback, (key, filters, CommentQuery(text="поставка"))),
            ("query: open cases list", case_list, (filters, CaseQuery(), None)),
            ("query: cases by owner", case_summary, (filters, None, "owner_department")),
        ]:
            rows.append(
                [f"{scale:g}×", f"{n:,}", name, f"{1000 * _timed(function, con, *args):.1f} ms", "", ""]
            )
        con.close()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scales", type=float, nargs="+", default=[1.0, 4.0])
    args = parser.parse_args()
    rows: list[list[str]] = []
    for scale in args.scales:
        bench_scale(scale, rows)
    print(f"Voice of the customer — {machine()}")
    print_table(rows, ["demo scale", "texts", "step", "time", "ratio", "theme coverage / purity"])


if __name__ == "__main__":
    main()
