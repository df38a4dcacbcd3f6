"""Command line: python -m pipelines demo | load SOURCE FILE… | batches | rollback ID | rebuild | drivers."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import polars as pl

from app.service_model import ServiceModelError, load_service_model
from app.settings import get_settings
from app.warehouse.connection import WarehouseLockedError, connect
from app.warehouse.models import ModelBuildError
from app.warehouse.schema import ensure_schema
from pipelines.cli_progress import progress_bar as _progress
from pipelines.drivers_cli import register as add_drivers_parser
from pipelines.load import list_batches, load_file, rebuild, rollback_batch
from pipelines.sources import SOURCES
from pipelines.users import add_users_parser
from pipelines.voc_cli import add_voc_parser

EXIT_OK, EXIT_REJECTED, EXIT_USAGE, EXIT_LOCKED, EXIT_FAILED = 0, 1, 2, 3, 4


def print_problems(problems: pl.DataFrame, limit: int = 50) -> None:
    if problems.is_empty():
        return
    with pl.Config(tbl_rows=limit, fmt_str_lengths=80, tbl_width_chars=200, tbl_hide_dataframe_shape=True,
                   tbl_hide_column_data_types=True):
        print(problems.head(limit))
    if problems.height > limit:
        print(f"… and {problems.height - limit:,} more problems")


def cmd_load(args, con, model, settings) -> int:
    worst = EXIT_OK
    for file in args.files:
        path = Path(file)
        if not path.is_file():
            print(f"{file}: no such file", file=sys.stderr)
            worst = max(worst, EXIT_REJECTED)
            continue
        result = load_file(con, model, args.source, path, archive_dir=settings.archive_dir,
                           accept_good_rows=args.accept_good_rows, encoding=args.encoding,
                           separator=args.separator, progress=_progress if not args.quiet else _quiet)
        print(result.message)
        for notice in result.notices:
            print(f"note: {notice}")
        print_problems(result.problems)
        if result.status == "rejected":
            worst = max(worst, EXIT_REJECTED)
        elif result.status == "failed":
            worst = max(worst, EXIT_FAILED)
    return worst


def _quiet(fraction: float, message: str) -> None:
    return None


def cmd_batches(args, con, model, settings) -> int:
    frame = list_batches(con)
    if args.json:
        print(json.dumps(frame.drop("archive_path").to_dicts(), default=str, indent=2))
    else:
        with pl.Config(tbl_rows=200, tbl_width_chars=200, fmt_str_lengths=40, tbl_hide_dataframe_shape=True):
            print(frame.drop("sha256", "archive_path") if frame.height else "No batches loaded yet.")
    return EXIT_OK


def cmd_rollback(args, con, model, settings) -> int:
    try:
        print(rollback_batch(con, model, args.batch_id))
    except LookupError as exc:
        print(f"Cannot roll back: {exc}", file=sys.stderr)
        return EXIT_REJECTED
    return EXIT_OK


def cmd_rebuild(args, con, model, settings) -> int:
    rebuild(con, model)
    print("Marts rebuilt.")
    return EXIT_OK


def cmd_demo(args, con, model, settings) -> int:
    from pipelines.demo import load_demo, warehouse_is_empty

    if not warehouse_is_empty(con) and not args.force:
        print(f"The warehouse {settings.db_path} already holds data; the demo loads only into an "
              "empty one (use --force to add it anyway, or point CXLENS_DB at a new file).")
        return EXIT_OK
    results = load_demo(con, model, settings.archive_dir, settings.ground_truth_path,
                        seed=args.seed, scale=args.scale, progress=_progress)
    for result in results:
        print(result.message)
    return EXIT_OK


def cmd_formats(args, con, model, settings) -> int:
    from pipelines.formats_doc import formats_markdown

    print(formats_markdown(model))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description="CX Lens data pipelines. "
                                     "The warehouse is CXLENS_DB (default data/warehouse.duckdb).")
    sub = parser.add_subparsers(dest="command", required=True)
    demo = sub.add_parser("demo", help="load the demo company into an empty warehouse")
    demo.add_argument("--seed", type=int, default=7)
    demo.add_argument("--scale", type=float, default=1.0)
    demo.add_argument("--force", action="store_true")
    demo.set_defaults(func=cmd_demo)
    load = sub.add_parser("load", help="validate and load files of one source as batches")
    load.add_argument("source", choices=SOURCES)
    load.add_argument("files", nargs="+")
    load.add_argument("--accept-good-rows", action="store_true",
                      help="load the valid rows and leave out the rows with problems")
    load.add_argument("--encoding", choices=["utf-8", "utf-8-sig", "cp1251"])
    load.add_argument("--separator", choices=[",", ";", "tab"])
    load.add_argument("--quiet", action="store_true", help="no progress bar")
    load.set_defaults(func=cmd_load)
    batches = sub.add_parser("batches", help="list loaded and rolled-back batches")
    batches.add_argument("--json", action="store_true")
    batches.set_defaults(func=cmd_batches)
    rollback = sub.add_parser("rollback", help="remove a batch completely")
    rollback.add_argument("batch_id", type=int)
    rollback.set_defaults(func=cmd_rollback)
    sub.add_parser("rebuild", help="rebuild the marts from the raw tables").set_defaults(func=cmd_rebuild)
    sub.add_parser("formats", help="print the import formats (Markdown)").set_defaults(func=cmd_formats)
    add_users_parser(sub)
    add_voc_parser(sub)
    add_drivers_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if getattr(args, "users_main", None):  # the users file only: works while the app holds the warehouse
        return args.users_main(args)
    if getattr(args, "separator", None) == "tab":
        args.separator = "\t"
    settings = get_settings()
    try:
        model = load_service_model(settings.service_model_path)
    except ServiceModelError as exc:
        print(exc, file=sys.stderr)
        return EXIT_USAGE
    if args.func is cmd_formats:  # documentation only: no need to open (or wait for) the warehouse
        return cmd_formats(args, None, model, settings)
    try:
        con = connect(settings.db_path)
    except WarehouseLockedError as exc:
        print(exc, file=sys.stderr)
        return EXIT_LOCKED
    try:
        ensure_schema(con, model)
        return args.func(args, con, model, settings)
    except ModelBuildError as exc:
        print(exc, file=sys.stderr)
        return EXIT_FAILED
    finally:
        con.close()


if __name__ == "__main__":
    sys.exit(main())
