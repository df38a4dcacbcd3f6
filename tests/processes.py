"""Child processes that tests start (Streamlit servers, loaders): stopped the same way everywhere."""

from __future__ import annotations

import subprocess


def stop(process: subprocess.Popen) -> None:
    """SIGTERM (Streamlit's own clean stop), then SIGKILL if it has not ended within 15 s."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
