"""Key-driver speed: training plus SHAP for 100,000 responses × 30 features (target: under 60 s on
2 cores), with LightGBM's own pred_contrib and shap's TreeExplainer side by side.

    python -m benchmarks.bench_drivers [--rows 100000] [--features 30] [--threads 1] [--repeat 3]

One LightGBM thread per model, as the pipeline runs it (it trains two models at a time instead):
LightGBM's OpenMP threads spin while they wait for each other, and on cores shared with other work
two threads were 14× slower than one (20k rows: 3.3 s vs 0.24 s at load average 15).

Each step runs in its own process (benchmarks/bench_drivers_step.py); the table shows medians of
`--repeat` runs and each step's ratio to the native SHAP of all rows measured in the same run.
"""

from __future__ import annotations

import argparse
import json
import os

from benchmarks.common import Measurement, machine, print_table, run_step

STEPS = (
    ("fit", "one model (100 trees, depth 3), all rows"),
    ("shap", "SHAP of every row: LightGBM pred_contrib"),
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
    parser.add_argument(
        "--threads", type=int, default=1, help="LightGBM threads per model (the pipeline uses 1)"
    )
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", action="store_true", help="print rows for benchmarks.run_all's table")
    args = parser.parse_args()
    if args.json:
        print(json.dumps({"rows": summary_rows(measure(args), args.rows, args.features)}))
        return
    print(
        f"Key drivers, {args.rows:,} responses × {args.features} features, {args.threads} threads — {machine()}, "
        f"load average {os.getloadavg()[0]:.1f} at the start (wall times stretch when other work shares the "
        "cores; CPU times do not)\n"
    )
    results = measure(args)
    shap_m = results["shap"]
    native, explainer = shap_m.seconds, shap_m.detail["explainer_seconds"]
    rows = [
        _row("one model (100 trees, depth 3), all rows", results["fit"], native),
        _row("SHAP of every row: LightGBM pred_contrib", shap_m, native),
        [
            "SHAP of every row: shap.TreeExplainer",
            f"{explainer:.2f}",
            f"{shap_m.detail['explainer_cpu']:.2f}",
            f"{explainer / native:.2f}×",
            "",
            f"{shap_m.detail['max_abs_diff']:.1e}",
        ],
        _row(
            "whole pipeline for one model (5-fold CV, SHAP sample, 10 bootstrap refits, JRW, what-if)",
            results["pipeline"],
            native,
        ),
    ]
    print_table(
        rows, ["step", "wall s (median)", "CPU s", "vs pred_contrib", "peak MB", "max |Δ| vs pred_contrib"]
    )
    total = results["fit"].seconds + min(native, explainer)
    print(
        f"\ntraining + SHAP of all rows: {total:.1f} s (target < {TARGET_SECONDS:.0f} s: "
        f"{'met' if total < TARGET_SECONDS else 'NOT met'}); the pipeline explains a stratified sample "
        f"instead, and one whole model of it takes {results['pipeline'].seconds:.1f} s."
    )
    print(
        f"SHAP: pred_contrib {native:.2f} s, shap.TreeExplainer {explainer:.2f} s "
        f"({100 * (explainer - native) / native:+.0f} %), alternating in one process; same values. TreeExplainer "
        "calls pred_contrib itself, so the pipeline keeps pred_contrib: equal results without importing shap "
        "(peak memory of the SHAP process includes it) and with the thread count under its control."
    )


def measure(args: argparse.Namespace) -> dict[str, Measurement]:
    """Median of each step, each run in its own process."""
    results = {}
    for step, _ in STEPS:
        # OMP_NUM_THREADS: shap.TreeExplainer cannot pass num_threads to LightGBM, so both SHAP paths
        # take the same number of threads from the environment (a fair comparison).
        env = {"OMP_NUM_THREADS": str(args.threads)}
        arguments = (step, str(args.rows), str(args.features), str(args.threads))
        runs = [run_step("benchmarks.bench_drivers_step", *arguments, env=env) for _ in range(args.repeat)]
        results[step] = _median(runs)
    return results


def summary_rows(results: dict[str, Measurement], rows: int, features: int) -> list[list[str]]:
    """[measurement, time, baseline, ratio, peak MB, target, met] rows for run_all's one table."""
    shap_m, fit = results["shap"], results["fit"]
    native, explainer = shap_m.seconds, shap_m.detail["explainer_seconds"]
    total = fit.seconds + native
    size = f"{rows // 1000}k × {features}"
    return [
        [f"drivers {size}: LightGBM training + SHAP of every row (pred_contrib)", f"{total:.2f} s",
         f"{fit.seconds + explainer:.2f} s with shap.TreeExplainer", f"{total / (fit.seconds + explainer):.2f}×",
         f"{max(fit.peak_mb, shap_m.peak_mb):,.0f}", f"< {TARGET_SECONDS:.0f} s", _met(total < TARGET_SECONDS)],
        [f"drivers {size}: SHAP pred_contrib vs shap.TreeExplainer", f"{native:.2f} s", f"{explainer:.2f} s",
         f"{native / explainer:.2f}×", f"{shap_m.peak_mb:,.0f}", "", ""],
        [f"drivers {size}: whole pipeline for one model (CV, bootstrap, JRW, what-if)",
         f"{results['pipeline'].seconds:.2f} s", "", "", f"{results['pipeline'].peak_mb:,.0f}", "", ""],
    ]


def _met(ok: bool) -> str:
    return "met" if ok else "NOT met"


def _row(label: str, m: Measurement, baseline: float) -> list[str]:
    agree = f"{m.detail['max_abs_diff']:.1e}" if "max_abs_diff" in m.detail else ""
    return [
        label,
        f"{m.seconds:.2f}",
        f"{m.detail['cpu_seconds']:.2f}",
        f"{m.seconds / baseline:.2f}×",
        f"{m.peak_mb:,.0f}",
        agree,
    ]


if __name__ == "__main__":
    main()
