"""The command line's progress bar: one line on stderr, redrawn in place, ended when the work is done.

Every subcommand that reports progress (load, demo, drivers) passes `progress_bar` as the pipeline's
`progress(fraction, message)` callback, so they all look the same and stdout stays clean for --json.
"""

from __future__ import annotations

import sys

BAR_WIDTH = 30
MESSAGE_WIDTH = 50  # longer messages are cut: a wrapped line could not be redrawn with \r


def progress_bar(fraction: float, message: str) -> None:
    filled = int(BAR_WIDTH * min(max(fraction, 0.0), 1.0))
    end = "\n" if fraction >= 1 else ""
    print(
        f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {fraction:4.0%} {message[:MESSAGE_WIDTH]:<{MESSAGE_WIDTH}}",
        end=end,
        file=sys.stderr,
        flush=True,
    )
