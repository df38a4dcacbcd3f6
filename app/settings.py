"""Paths and environment knobs, read once from the environment so tests can point elsewhere."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DATA_DIR = PROJECT_ROOT / "data"


@dataclass(frozen=True)
class Settings:
    db_path: Path
    service_model_path: Path
    archive_dir: Path
    ground_truth_path: Path

    @property
    def data_dir(self) -> Path:
        return self.db_path.parent


def get_settings() -> Settings:
    """Settings from the environment; re-read on each call so a test's monkeypatched env applies."""
    db_path = Path(os.environ.get("CXLENS_DB", DATA_DIR / "warehouse.duckdb")).resolve()
    model = Path(os.environ.get("CXLENS_SERVICE_MODEL", DATA_DIR / "service_model.yaml")).resolve()
    archive = Path(os.environ.get("CXLENS_ARCHIVE", db_path.parent / "archive")).resolve()
    truth = Path(
        os.environ.get("CXLENS_GROUND_TRUTH", db_path.parent / "ground_truth.json")
    ).resolve()
    return Settings(
        db_path=db_path, service_model_path=model, archive_dir=archive, ground_truth_path=truth
    )
