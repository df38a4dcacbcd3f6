"""Key-driver speed: training plus SHAP for 100,000 responses × 30 features (target: under 60 s on
2 cores), with LightGBM's own pred_contrib and shap's TreeExplainer side by side.

    python -m benchmarks.bench_drivers [--rows 100000] [--features 30] [--threads 2] [--repeat 3]

Each step runs in its own process (benchmarks/bench_drivers_step.py); the table shows medians of
`--repeat` runs and each step's ratio to the native SHAP of all rows measured in the same run.
"""

from __future__ import annotations

import argparse
import os

from benchmarks.common import Measurement, machine, print_table, run_step

STEPS = (
    ("fit", "one model (100 trees, depth 3), all rows"),
    ("shap_native", "SHAP of every row: LightGBM pred_contrib"),
    ("shap_explainer", "SHAP of every row: shap.TreeExplainer"),
    ("pipeline", "whole pipeline for one model (CV, SHAP sample, bootstrap, JRW, what-if)"),
)
TARGET_SECONDS = 60.0


def _median(runs: list[Measurement]) -> Measurement:
    ordered = sorted(runs, key=lambda m: m.seconds)
    return ordered[len(ordered) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--features", type=int, default=30)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    print(
        f"Key drivers, {args.rows:,} responses × {args.features} features, {args.threads} threads — {machine()}, "
        f"load average {os.getloadavg()[0]:.1f} at the start (wall times stretch when other work shares the "
        "cores; CPU times do not)\n"
    )
    results = {}
    for step, _ in STEPS:
        runs = [
            run_step(
                "benchmarks.bench_drivers_step", step, str(args.rows), str(args.features), str(args.threads)
            )
            for _ in range(args.repeat)
        ]
        results[step] = _median(runs)
    baseline = results["shap_native"].seconds
    rows = []
    for step, label in STEPS:
        m = results[step]
        agree = f"{m.detail['max_abs_diff']:.1e}" if "max_abs_diff" in m.detail else ""
        rows.append(
            [
                label,
                f"{m.seconds:.2f}",
                f"{m.detail['cpu_seconds']:.2f}",
                f"{m.seconds / baseline:.2f}×",
                f"{m.peak_mb:,.0f}",
                agree,
            ]
        )
    print_table(
        rows, ["step", "wall s (median)", "CPU s", "wall vs native SHAP", "peak MB", "max |Δ| vs native"]
    )
    fit, native, explainer = (results[s].seconds for s in ("fit", "shap_native", "shap_explainer"))
    total = fit + min(native, explainer)
    print(
        f"\ntraining + SHAP of all rows: {total:.1f} s wall (target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if total < TARGET_SECONDS else 'NOT met'}); the pipeline explains a stratified sample "
        f"instead, so one whole model of the pipeline takes {results['pipeline'].seconds:.1f} s."
    )
    faster = "LightGBM pred_contrib" if native <= explainer else "shap.TreeExplainer"
    print(
        f"faster SHAP here: {faster} ({native:.2f} s vs {explainer:.2f} s); both give the same values "
        "(last column), so the pipeline uses pred_contrib and needs no shap at run time."
    )


if __name__ == "__main__":
    main()
