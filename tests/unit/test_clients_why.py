"""The clients list's Why column: every combination of warning signs gets its short names, in the
order of the rules, and the column is wide enough for the longest text on the page (the grid does
not wrap a cell, so a narrower column cut long reasons off)."""

from __future__ import annotations

import polars as pl

from app.analytics.client_risk import REASONS
from app.ui.i18n import t
from app.ui.views.clients import WHY_PX_PER_CHAR, _reasons_text, _reasons_width


def test_every_combination_of_reasons_is_named_in_full_and_fits_its_column():
    combinations = [[r for i, r in enumerate(REASONS) if c >> i & 1] for c in range(1 << len(REASONS))]
    frame = pl.DataFrame({"reasons": combinations}, schema={"reasons": pl.List(pl.String)})
    texts = frame.select(_reasons_text(pl.col("reasons")).alias("reasons_text"))
    for reasons, text in zip(combinations, texts["reasons_text"].to_list(), strict=True):
        assert text == ", ".join(t(f"clients.reason_short.{r}") for r in reasons)
    longest = max(len(text) for text in texts["reasons_text"])
    assert _reasons_width(texts) >= WHY_PX_PER_CHAR * longest
    assert _reasons_width(texts.head(2)) < _reasons_width(texts)  # a page of short reasons: a narrow column
