"""The example file of each import format (data/examples/, linked from the README) loads cleanly."""

from __future__ import annotations

from app.settings import DATA_DIR
from pipelines.formats_doc import formats_markdown
from pipelines.load import load_file
from pipelines.sources import SOURCES


def test_every_example_loads_without_problems(empty_con, model, tmp_path):
    for source in SOURCES:  # clients first: the others refer to them
        result = load_file(empty_con, model, source, DATA_DIR / "examples" / f"{source}.csv",
                           archive_dir=tmp_path / "archive")
        assert result.status == "loaded", f"{source}: {result.message}\n{result.problems}"
        assert result.rows_rejected == 0


def test_formats_doc_lists_every_source_and_column(model):
    text = formats_markdown(model)
    for source in SOURCES:
        assert f"#### `{source}`" in text
    assert "| `nps` | yes | whole number | 0–10" in text
    assert "| `csat_quality` |  | whole number | 1–10" in text
