"""Validation's expectations in Russian: every phrase the validator writes is recognised, its values
kept; an unknown phrase is shown unchanged rather than hidden."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from app.ui.views.data_expected import expected_in, with_expected_in
from pipelines.load import prepare_read
from pipelines.readers import read_table
from pipelines.sources import source_spec
from pipelines.validate import validate_frame

EVERY_CHECK = (
    "response_id,client_id,respondent_role,submitted_at,nps,ces,channel\n"
    "R1,C1,ceo,2025-03-01,11,0.5,pigeon\n"  # unknown role, NPS too high, CES too low, unknown channel
    "R1,C9,finance,01.01.2099,x,,email\n"  # duplicate id, unknown client, future date, NPS not a number
    "R3,C1,,32.13.2025,7,,\n"  # missing role, impossible date
)


def _all_expectations(model) -> list[str]:
    read = read_table(EVERY_CHECK.encode(), "every_check.csv")
    surveys = prepare_read(None, model, "surveys", read, known_clients={"C1"})
    orders = validate_frame(
        pl.DataFrame(
            {
                "order_id": ["O1"],
                "client_id": ["C1"],
                "ordered_at": ["2025-03-02"],
                "promised_at": ["2025-03-01"],
                "amount": ["-5"],
            }
        ),
        1,
        "orders.csv",
        source_spec("orders", model),
        model,
        known_clients={"C1"},
        now=datetime(2026, 1, 1),
    )
    kpis = validate_frame(
        pl.DataFrame({"kpi_id": ["nps"], "period": ["2025 Q5"], "value": ["1"]}),
        1,
        "k.csv",
        source_spec("kpi_actuals", model),
        model,
    )
    missing = validate_frame(
        pl.DataFrame({"response_id": ["R1"]}), 1, "m.csv", source_spec("surveys", model), model
    )
    frames = [surveys.problems, orders.problems, kpis.problems, missing.problems]
    return sorted({e for f in frames for e in f["expected"].to_list()})


def test_every_phrase_the_validator_writes_is_translated(model):
    phrases = _all_expectations(model)
    assert len(phrases) >= 12, phrases
    untranslated = [p for p in phrases if expected_in(p, "ru") == p]
    assert not untranslated


def test_values_inside_a_phrase_are_kept():
    assert expected_in("between 0 and 10", "ru") == "от 0 до 10"
    assert (
        expected_in("a unique response_id; the same value is on row 4", "ru")
        == "уникальный response_id; такое же значение в строке 4"
    )
    assert (
        expected_in("a response_id not loaded before; it is already in batch 12", "ru")
        == "response_id, которого ещё нет в хранилище; он уже загружен пакетом №12"
    )
    assert expected_in("one of: a, b, c", "ru") == "одно из: a, b, c"


def test_english_and_unknown_phrases_pass_through():
    assert expected_in("between 0 and 10", "en") == "between 0 and 10"
    assert expected_in("a brand-new check nobody translated", "ru") == "a brand-new check nobody translated"
    assert expected_in(None, "ru") is None


def test_the_problems_table_is_translated_column_wise():
    problems = pl.DataFrame(
        {"row": [2, 3], "column": ["nps", "nps"], "expected": ["between 0 and 10", "a number"]}
    )
    assert with_expected_in(problems, "ru")["expected"].to_list() == ["от 0 до 10", "число"]
    assert with_expected_in(problems, "en").equals(problems)
