"""Respondents' contact details for follow-ups — the one reader of mart_respondent_contacts.

Personal data is stored masked/hashed per the service model (pipelines/load.py) and kept out of
every dashboard mart. A page that needs it (a follow-up owner calling a detractor back) must call
`require_role("analyst")` before this function: the warehouse layer has no session to check.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import polars as pl

from app.warehouse.connection import query


def respondent_contacts(con: duckdb.DuckDBPyConnection, response_ids: Sequence[str]) -> pl.DataFrame:
    """response_id, client_id, respondent_name, email, phone for the given responses (as stored)."""
    return query(
        con,
        "select response_id, client_id, respondent_name, email, phone from mart_respondent_contacts "
        "where response_id in (select unnest($ids)) order by response_id",
        {"ids": list(response_ids)},
    )
