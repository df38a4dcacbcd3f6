"""Browser-test fixtures: the real app (`streamlit run`) on a free port against a private copy of the
demo warehouse, driven by Debian's headless chromium through pytest-playwright.

Reuse them: `app_url` (session: base URL of the running app), pytest-playwright's `page`
(1440×900 viewport), `open_page(page, path, query)` and `wait_for_app(page)` from helpers.py.
A failing test leaves a screenshot in tests/browser/artifacts/ (git-ignored).
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.demo_build import demo_copy
from tests.processes import stop

PROJECT_ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
VIEWPORT = {"width": 1440, "height": 900}
START_TIMEOUT_S = 90


# Modules whose tests load and undo batches on the session app: they run after the other browser tests,
# since every data change starts the app's caches (keyed by the data version) cold again.
CHANGE_THE_SHARED_DATA = ("test_data_browser.py",)


def pytest_collection_modifyitems(items):
    positions = [i for i, item in enumerate(items) if "tests/browser/" in str(item.fspath).replace(os.sep, "/")]
    browser = [items[i] for i in positions]
    for item in browser:
        item.add_marker(pytest.mark.browser)
    writers_last = sorted(browser, key=lambda item: item.path.name in CHANGE_THE_SHARED_DATA)  # stable
    for i, item in zip(positions, writers_last, strict=True):
        items[i] = item


@pytest.fixture(scope="session")
def browser_type_launch_args():
    """pytest-playwright: drive the system chromium (Playwright's own download needs the internet)."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} missing: apt-get install -y chromium (make test does it)")
    return {"executable_path": CHROMIUM, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": VIEWPORT, "locale": "en-US"}


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def _start_server(folder: Path, log_path: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {
        **os.environ,
        "CXLENS_DB": str(folder / "warehouse.duckdb"),
        "CXLENS_GROUND_TRUTH": str(folder / "ground_truth.json"),
        "CXLENS_ARCHIVE": str(folder / "archive"),
    }
    command = [
        sys.executable, "-m", "streamlit", "run", "streamlit_app.py",
        "--server.port", str(port), "--server.address", "127.0.0.1", "--server.headless", "true",
        "--server.fileWatcherType", "none", "--browser.gatherUsageStats", "false",
    ]
    log = log_path.open("w")
    process = subprocess.Popen(command, cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    return process, f"http://127.0.0.1:{port}"


def start_app(folder: Path, what: str, extra_env: dict[str, str] | None = None) -> tuple[subprocess.Popen, str]:
    """Start the app on the demo copy in `folder` and wait until it answers; fail the test with the
    log's tail if it does not. Up to three tries: a free port can be taken between choosing and binding it."""
    log_path = folder / "streamlit.log"
    for _attempt in range(3):
        with pytest.MonkeyPatch.context() as env:
            for name, value in (extra_env or {}).items():
                env.setitem(os.environ, name, value)
            process, url = _start_server(folder, log_path)
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline and process.poll() is None and not _healthy(url):
            time.sleep(0.3)
        if process.poll() is None and _healthy(url):
            return process, url
        process.kill()
        process.wait()
    pytest.fail(f"{what} did not start:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="session")
def app_url(demo_dir: Path, tmp_path_factory: pytest.TempPathFactory):
    """Start the app once per session on a port nobody else uses; stop it (and only it) at the end."""
    with demo_copy(demo_dir, tmp_path_factory, "browser_app") as folder:
        process, url = start_app(folder, "streamlit")
        yield url
        stop(process)


@pytest.hookimpl(tryfirst=True, hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"cx_report_{report.when}", report)


@pytest.fixture(autouse=True)
def screenshot_on_failure(request, page):
    """After a failed test, save what the browser showed to tests/browser/artifacts/<test>.png.

    Depends on `page`, so it is torn down first, while the page is still open."""
    yield
    report = getattr(request.node, "cx_report_call", None)
    if report is None or not report.failed:
        return
    ARTIFACTS.mkdir(exist_ok=True)
    name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.name)
    try:
        page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    except Exception as exc:  # the browser may be gone; the test already failed for its own reason
        print(f"could not save a failure screenshot: {exc}")
