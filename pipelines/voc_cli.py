"""CLI for the voice of the customer: `python -m pipelines topics` and `python -m pipelines follow-ups`.

    python -m pipelines topics              train complaint topics on every comment and ticket
    python -m pipelines topics --if-stale   only when survey/ticket batches changed since the last run
    python -m pipelines follow-ups          the cases' figures per owner
    python -m pipelines follow-ups --refresh-kpis   recompute the past-due KPIs now (the running app
                                                    does it itself at start and after midnight)

Like every write, these need the warehouse file to themselves: stop the app first, or use the
"Rebuild topics" button on the Voice of the customer page.
"""

from __future__ import annotations

import argparse
from datetime import date

import polars as pl

from app.warehouse.connection import query
from app.warehouse.voc_queries import topic_status
from pipelines.cli_progress import progress_bar


def cmd_topics(args, con, model, settings) -> int:
    from pipelines.topics import build_topics

    status = topic_status(con)
    if args.if_stale and not status.is_stale:
        print(f"Topics are up to date (run {status.run_id}, built {status.built_at:%Y-%m-%d %H:%M}).")
        return 0
    run_id = build_topics(con, model, seed=args.seed, progress=progress_bar)
    topics = query(
        con,
        "select t.topic_id, coalesce(l.label, t.auto_label_en) as topic, t.n_docs, t.n_survey, t.n_ticket "
        "from topics t left join topic_labels l on l.signature = t.label_signature where t.run_id = ? "
        "order by t.topic_id",
        [run_id],
    )
    with pl.Config(
        tbl_rows=100, fmt_str_lengths=60, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True
    ):
        print(f"Run {run_id}: {topics.height} topics")
        print(topics)
    return 0


def cmd_follow_ups(args, con, model, settings) -> int:
    if args.refresh_kpis:
        from pipelines.follow_up_actions import refresh_follow_up_kpis, refresh_reason

        refresh_follow_up_kpis(con, model, refresh_reason(date.today()))
        print("Follow-up KPIs recomputed.")
    summary = query(
        con,
        "select coalesce(owner_department, '(none)') as owner, count(*) filter (where is_open) as open, "
        "count(*) filter (where is_overdue) as overdue, count(*) filter (where is_closed) as closed, "
        "round(median(days_to_close) filter (where is_closed), 1) as median_days_to_close "
        "from mart_follow_ups where not is_withdrawn group by all order by open desc, owner",
    )
    with pl.Config(tbl_rows=100, tbl_hide_dataframe_shape=True, tbl_hide_column_data_types=True):
        print(summary if summary.height else "No follow-up cases yet.")
    return 0


def add_voc_parser(sub: argparse._SubParsersAction) -> None:
    topics = sub.add_parser(
        "topics", help="train the complaint topics (and client groups) on comments and tickets"
    )
    topics.add_argument(
        "--if-stale",
        action="store_true",
        help="do nothing when no survey or ticket batch changed since the last run",
    )
    topics.add_argument("--seed", type=int, default=7)
    topics.set_defaults(func=cmd_topics)
    follow = sub.add_parser("follow-ups", help="detractor follow-up cases per owner")
    follow.add_argument(
        "--refresh-kpis",
        action="store_true",
        help="recompute the past-due KPIs (overdue moves with the calendar)",
    )
    follow.set_defaults(func=cmd_follow_ups)
