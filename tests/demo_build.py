"""The test session's demo warehouse, built in a child process (tests/conftest.py starts it as the session
starts): the ~25 s build runs on the other core while the test modules that do not need it run.

    python -m tests.demo_build FOLDER   # FOLDER/warehouse.duckdb, FOLDER/archive/, FOLDER/ground_truth.json
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.processes import stop

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def build_demo(folder: Path) -> None:
    """The full demo company through the real pipeline: generated files, loads, topics, key drivers."""
    from app.service_model import load_service_model
    from app.settings import DATA_DIR
    from app.warehouse.connection import connect
    from pipelines.demo import load_demo

    model = load_service_model(DATA_DIR / "service_model.yaml")
    con = connect(folder / "warehouse.duckdb")
    try:
        load_demo(con, model, folder / "archive", folder / "ground_truth.json")
    finally:
        con.close()


class DemoBuild:
    """The child process building the demo into `folder`."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.log = folder.with_name(folder.name + ".log")  # beside the folder: tests copy the folder
        with self.log.open("w") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "tests.demo_build", str(folder)],
                cwd=PROJECT_ROOT, stdout=out, stderr=subprocess.STDOUT,
            )

    def wait(self) -> Path:
        """The folder once the build has finished; an error with the log's tail if it failed."""
        code = self.process.wait()
        if code != 0:
            raise RuntimeError(f"building the demo warehouse failed (exit {code}):\n{self.log.read_text()[-3000:]}")
        return self.folder

    def stop(self) -> None:
        stop(self.process)  # a no-op once it has ended; an interrupted session leaves no build running


if __name__ == "__main__":
    build_demo(Path(sys.argv[1]))
