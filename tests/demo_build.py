"""The test session's demo warehouses, built one after the other in a child process that tests/conftest.py
starts as the session starts: the builds (~40 CPU-s for the full company, mostly one thread) run on the
other core while the test modules that need no demo run.

    python -m tests.demo_build FOLDER=SCALE …   # each FOLDER gets warehouse.duckdb, archive/, ground_truth.json
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.processes import stop

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def build_demo(folder: Path, scale: float = 1.0) -> None:
    """The demo company through the real pipeline: generated files, loads, topics, key drivers."""
    from app.service_model import load_service_model
    from app.settings import DATA_DIR
    from app.warehouse.connection import connect
    from pipelines.demo import load_demo

    model = load_service_model(DATA_DIR / "service_model.yaml")
    con = connect(folder / "warehouse.duckdb")
    try:
        load_demo(con, model, folder / "archive", folder / "ground_truth.json", scale=scale)
    finally:
        con.close()


@contextmanager
def demo_copy(demo_dir: Path, tmp_path_factory, name: str) -> Iterator[Path]:
    """A private copy of a demo folder for a module- or session-scoped fixture, deleted when the fixture
    ends: a run makes dozens of 65 MB copies, and pytest would otherwise keep them all to the end."""
    folder = tmp_path_factory.mktemp(name)
    shutil.copytree(demo_dir, folder, dirs_exist_ok=True)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _done_marker(folder: Path) -> Path:
    return folder.with_name(folder.name + ".done")  # beside the folder: tests copy the folder


def _failed_marker(folder: Path) -> Path:
    return folder.with_name(folder.name + ".failed")  # the traceback, for processes that did not start the build


def wait_for_build(folder: Path, build_ended: Callable[[], bool] = lambda: False, log: Path | None = None) -> Path:
    """The folder once its build has finished; an error with the build's traceback if it failed, or
    with the tail of its `log` if `build_ended` says the building process is gone without finishing it."""
    while not _done_marker(folder).exists():
        failed = _failed_marker(folder)
        if failed.exists() or (build_ended() and not _done_marker(folder).exists()):
            detail = (failed.read_text() if failed.exists() else log.read_text() if log is not None
                      else "the build process ended without finishing it")
            raise RuntimeError(f"building the demo warehouse {folder} failed:\n{detail[-3000:]}")
        time.sleep(0.2)
    return folder


class DemoBuilds:
    """The child process building each (folder, scale) in order; `wait(folder)` blocks until that one is done."""

    def __init__(self, jobs: list[tuple[Path, float]]):
        self.log = jobs[0][0].with_name("demo_builds.log")
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.demo_build", *(f"{folder}={scale}" for folder, scale in jobs)],
                cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT,
            )

    def wait(self, folder: Path) -> Path:
        """The folder once its build has finished; an error with the build's traceback if it failed."""
        wait_for_build(folder, lambda: self.process.poll() is not None, self.log)
        self.process.poll()  # reaps the child if it has ended (no zombie until the session ends)
        return folder

    def stop(self) -> None:
        stop(self.process)  # a no-op once it has ended; an interrupted session leaves no build running


if __name__ == "__main__":
    for job in sys.argv[1:]:
        target, _, scale = job.rpartition("=")
        try:
            build_demo(Path(target), float(scale))
        except BaseException:
            _failed_marker(Path(target)).write_text(traceback.format_exc())
            raise
        _done_marker(Path(target)).touch()


class BuiltElsewhere:
    """`DemoBuilds` for a pytest-xdist worker: the controller's child builds the folders."""

    def wait(self, folder: Path) -> Path:
        return wait_for_build(folder)

    def stop(self) -> None:
        pass
