"""Pipelines: read exports, map and validate columns, load batches into DuckDB, build the demo."""
