"""`python -m pipelines drivers [--json] [--target score|promoter]`: train, store, print the ranking.

The text output is for a person at a terminal (the company's drivers, then one line per segment);
`--json` prints the same results for scripts: every model with its quality and its drivers ranked by
mean |SHAP|, with direction, share, bootstrap rank range and Johnson's relative weight.
"""

from __future__ import annotations

import argparse
import json
import sys

import duckdb
import polars as pl

from app.analytics.drivers import MIN_RESPONSES, TARGETS
from app.warehouse import drivers as queries
from pipelines.cli_progress import progress_bar

TARGET_NAMES = {
    "score": "0–10 recommendation score (regression, R²)",
    "promoter": "promoter vs detractor (classification, AUC)",
}


def register(sub: argparse._SubParsersAction) -> None:
    parser = sub.add_parser("drivers", help="train the key-driver models (LightGBM + SHAP) and store them")
    parser.add_argument(
        "--target", choices=TARGETS, action="append", help="which target to train (repeatable; default: both)"
    )
    parser.add_argument("--json", action="store_true", help="print the ranked drivers as JSON")
    parser.add_argument(
        "--min-n",
        type=int,
        default=MIN_RESPONSES,
        help=f"answers a segment needs for a model (default {MIN_RESPONSES})",
    )
    parser.add_argument("--workers", type=int, default=2, help="models trained at the same time")
    parser.set_defaults(func=cmd_drivers)


def _driver_dicts(frame: pl.DataFrame) -> list[dict]:
    out = []
    for row in frame.to_dicts():
        out.append(
            {
                "rank": row["rank"],
                "feature": row["feature_id"],
                "label": row["label_en"],
                "kind": row["kind"],
                "touchpoint": row["touchpoint_id"],
                "mean_abs_shap": round(row["importance"], 5),
                "share": round(row["share"], 4),
                "direction": row["direction"],
                "significant": row["is_significant"],
                "rank_range": [row["rank_low"], row["rank_high"]],
                "relative_weight_share": round(row["rw_share"], 4),
                "agreement": row["agreement"],
            }
        )
    return out


def report(con: duckdb.DuckDBPyConnection, targets: list[str]) -> dict:
    """Everything the run stored, as plain data."""
    runs = queries.driver_runs(con).filter(pl.col("target").is_in(targets))
    out: dict = {"data_version": int(runs["current_version"][0]) if runs.height else None, "targets": {}}
    for run in runs.to_dicts():
        models = []
        for m in queries.models(con, run["target"], run["run_id"]).to_dicts():
            entry = {
                "segment": m["segment_id"],
                "label": m["segment_label_en"],
                "status": m["status"],
                "n": m["n_rows"],
                "n_total": m["n_total"],
            }
            if m["status"] == "ok":
                entry["quality"] = {
                    "metric": m["metric"],
                    "cv": round(m["cv_value"], 4),
                    "cv_sd": round(m["cv_sd"], 4),
                    "baseline": round(m["baseline_value"], 4),
                    "band": m["quality"],
                }
                entry["drivers"] = _driver_dicts(queries.features(con, m["model_id"], run["run_id"]))
            models.append(entry)
        out["targets"][run["target"]] = {
            "run_id": run["run_id"],
            "seconds": round(run["seconds"], 1),
            "data_version": run["data_version"],
            "models": models,
        }
    return out


def _print_text(data: dict, min_n: int) -> None:
    for target, run in data["targets"].items():
        models = run["models"]
        ok = [m for m in models if m["status"] == "ok"]
        print(
            f"\n{TARGET_NAMES[target]} — data version {run['data_version']}, {len(ok)} models, "
            f"{len(models) - len(ok)} segments below {min_n} answers, {run['seconds']} s"
        )
        company = next((m for m in ok if m["segment"] == "all"), None)
        if company:
            q = company["quality"]
            print(
                f"All respondents (n = {company['n']:,}): {q['metric'].upper()} {q['cv']:.3f} "
                f"(baseline {q['baseline']:.3f}) — {q['band'].replace('_', ' ')}"
            )
            for d in company["drivers"]:
                rank = f"{d['rank']:>3}" if d["rank"] else "  –"
                print(
                    f"  {rank}  {d['label'][:44]:<44} {d['mean_abs_shap']:>8.3f}  {d['share']:>6.1%}  "
                    f"{d['direction']:<8} ranks {d['rank_range'][0]}–{d['rank_range'][1]:<3} "
                    f"JRW {d['relative_weight_share']:>6.1%}  {d['agreement'] or 'not significant'}"
                )
        for m in models:
            if m["segment"] == "all":
                continue
            if m["status"] != "ok":
                print(f"  {m['label'][:48]:<48} n = {m['n']:>5,}  no model (fewer than {min_n} answers)")
                continue
            top = ", ".join(d["label"] for d in m["drivers"] if d["rank"])[:70]
            print(
                f"  {m['label'][:48]:<48} n = {m['n']:>5,}  {m['quality']['metric']} {m['quality']['cv']:.2f}  {top}"
            )


def cmd_drivers(args, con, model, settings) -> int:
    from pipelines.driver_model import TrainConfig  # LightGBM and scikit-learn load only when needed
    from pipelines.drivers import NoAnswersError, train_drivers

    targets = list(dict.fromkeys(args.target or TARGETS))
    config = TrainConfig(min_n=args.min_n)
    try:
        train_drivers(con, model, targets=targets, config=config, progress=progress_bar, workers=args.workers)
    except NoAnswersError as exc:
        print(exc, file=sys.stderr)
        return 1
    data = report(con, targets)
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        _print_text(data, args.min_n)
    return 0
