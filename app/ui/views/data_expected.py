"""Validation's "expected" texts in the reader's language.

pipelines.validate writes each problem's expectation as an English phrase with the values in it
("between 0 and 10", "a unique response_id; the same value is on row 4"): the CLI prints it as is.
The page matches each known phrase, keeps its values and says it again in the reader's language;
a phrase it does not know is shown as it came, so a new check is never hidden.
"""

from __future__ import annotations

import re

import polars as pl

from app.ui.i18n import translate
from pipelines.validate import EXPECTED_DATE

# (pattern over the English phrase, translation key; named groups become the key's placeholders)
_PHRASES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p), k)
    for p, k in (
        (r"^between (?P<low>\S+) and (?P<high>\S+)$", "data.exp.between"),
        (r"^at least (?P<low>\S+)$", "data.exp.at_least"),
        (r"^a whole number$", "data.exp.whole_number"),
        (r"^a number$", "data.exp.number"),
        (rf"^{re.escape(EXPECTED_DATE)}$", "data.exp.date"),
        (r"^a quarter such as .*$", "data.exp.quarter"),
        (r"^one of: (?P<values>.*)$", "data.exp.one_of"),
        (r"^a value \(this column is required\)$", "data.exp.required"),
        (r"^a date not in the future \(today is (?P<today>[\d-]+)\)$", "data.exp.not_future"),
        (r"^not before (?P<column>\S+)$", "data.exp.not_before"),
        (r"^a unique (?P<columns>.+); the same value is on row (?P<row>\d+)$", "data.exp.unique"),
        (
            r"^a (?P<columns>.+) not loaded before; it is already in batch (?P<batch>\d+)$",
            "data.exp.not_loaded_before",
        ),
        (r"^a client_id from the client list .*$", "data.exp.known_client"),
        (r"^a step of process '(?P<process>.+)' in the service model$", "data.exp.process_step"),
        (r"^a column '(?P<column>.+)' \(required for (?P<source>.+)\)$", "data.exp.column_required"),
        (r"^at least one data row below the header .*$", "data.exp.no_rows"),
    )
)


def expected_in(text: str | None, lang: str) -> str | None:
    """One expectation in `lang` (English comes back unchanged)."""
    if text is None or lang == "en":
        return text
    for pattern, key in _PHRASES:
        match = pattern.match(text)
        if match:
            return translate(key, lang, **match.groupdict())
    return text


def with_expected_in(problems: pl.DataFrame, lang: str) -> pl.DataFrame:
    """The problems table with its `expected` column in `lang` (each distinct phrase translated once)."""
    if lang == "en" or problems.is_empty():
        return problems
    phrases = problems["expected"].unique().to_list()
    mapping = {p: expected_in(p, lang) for p in phrases if p is not None}
    return problems.with_columns(pl.col("expected").replace(mapping))
