"""Stop a Streamlit server that was started, bypassing `python -m app`, where it must not serve.

Streamlit runs no project code when it starts, only when a visitor's session runs the script, so
a bare `streamlit run streamlit_app.py --server.address 0.0.0.0` with no users configured can only
be caught at its first script run. Then, before anything reads the warehouse, the shell shows the
refusal page (app/ui/access.py) and calls `stop_refused_server`, which logs one sentence and, a
moment later (so the refusal reaches the visitor's browser first), sends this process SIGTERM:
Streamlit's own handler for it stops the web server and the runtime the way Ctrl-C does (stopping
only the Runtime would leave the web server listening). The process then exits with status 78
(EX_CONFIG), like the launcher, so a supervisor can tell a refusal from a clean stop.

Under AppTest (the script runs in the test process, with a mock Runtime) nothing is stopped: the
refusal page alone is the last line of defence there, and for any server this cannot stop.
"""

from __future__ import annotations

import atexit
import logging
import os
import signal
import sys
import threading

log = logging.getLogger(__name__)
EXIT_REFUSED = 78  # sysexits.h EX_CONFIG, the launcher's status too
GRACE_SECONDS = 5.0  # lets the whole refusal page reach the browser before the socket closes, also on a busy
# machine (with 1.5 s a browser at load average ~10 got the heading but not the "stopping now" line)
_stopping = threading.Event()


def _exit_refused() -> None:
    """Last atexit handler to be registered, so the first to run: the process ends with 78."""
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(EXIT_REFUSED)


def _stop() -> None:
    atexit.register(_exit_refused)
    os.kill(os.getpid(), signal.SIGTERM)


def _in_a_streamlit_server() -> bool:
    """True only in a process a Streamlit server runs, where SIGTERM stops that server gracefully.

    AppTest installs a MagicMock as the Runtime (so `Runtime.exists()` alone is not enough), and in
    a test process SIGTERM would end the test run: both the real Runtime class and Streamlit's (or,
    for ASGI mode, uvicorn's) SIGTERM handler must be in place.
    """
    from streamlit.runtime import Runtime

    if not Runtime.exists() or type(Runtime.instance()) is not Runtime:
        return False
    handler = signal.getsignal(signal.SIGTERM)
    return (getattr(handler, "__module__", None) or "").startswith(("streamlit.", "uvicorn."))


def stop_refused_server(sentence: str) -> bool:
    """Ask the running server to stop; True if a stop is (or already was) on its way."""
    if not _in_a_streamlit_server():
        return False
    if _stopping.is_set():
        return True
    _stopping.set()
    log.critical("%s Stopping this server.", sentence)
    timer = threading.Timer(GRACE_SECONDS, _stop)
    timer.daemon = True
    timer.start()
    return True
