"""Validation on small all-string frames: each problem a row with file, row, column, value, expected."""

from __future__ import annotations

from datetime import datetime

import polars as pl
import pytest

from pipelines.sources import source_spec
from pipelines.validate import validate_frame

NOW = datetime(2026, 11, 22, 12, 0)


def survey_frame(**overrides: list) -> pl.DataFrame:
    base = {
        "response_id": ["R1", "R2", "R3"],
        "client_id": ["C1", "C1", "C2"],
        "respondent_role": ["decision_maker", "Procurement", "ЛПР"],
        "submitted_at": ["2025-03-31 10:00:00", "31.03.2025 14:30", "2025-04-01"],
        "nps": ["9", "6", "10"],
        "csat_delivery": ["5", "2", None],
        "ces": ["2,5", None, "3"],
        "comment": ["=HYPERLINK(\"x\")", "+7 late", "@all"],
    }
    base.update(overrides)
    return pl.DataFrame(base, schema={k: pl.String for k in base})


def run(frame: pl.DataFrame, model, source: str = "surveys", clients=frozenset({"C1", "C2"})):
    spec = source_spec(source, model)
    return validate_frame(frame, header_row=1, file_name="wave.csv", spec=spec, model=model,
                          known_clients=set(clients), now=NOW)


def problems_as_tuples(result) -> list[tuple]:
    return [tuple(r.values()) for r in result.problems.drop("file").to_dicts()]


def test_clean_file_types_and_normalises_values(model):
    result = run(survey_frame(), model)
    assert result.problems.is_empty()
    good = result.good
    assert good["respondent_role"].to_list() == ["decision_maker", "procurement", "decision_maker"]
    assert good["submitted_at"].to_list() == [
        datetime(2025, 3, 31, 10), datetime(2025, 3, 31, 14, 30), datetime(2025, 4, 1)
    ]
    assert good["nps"].dtype == pl.Int32
    assert good["ces"].to_list() == [2.5, None, 3.0]
    assert good["source_row"].to_list() == [2, 3, 4]


def test_formula_like_comments_are_kept_verbatim(model):
    result = run(survey_frame(), model)
    assert result.good["comment"].to_list() == ['=HYPERLINK("x")', "+7 late", "@all"]


def test_nps_of_11_names_row_column_value_and_range(model):
    result = run(survey_frame(nps=["9", "11", "10"]), model)
    assert problems_as_tuples(result) == [(3, "nps", "11", "between 0 and 10")]
    assert result.good["response_id"].to_list() == ["R1", "R3"]


def test_rating_outside_touchpoint_scale(model):
    result = run(survey_frame(csat_delivery=["0", "5", "6"]), model)
    assert problems_as_tuples(result) == [
        (2, "csat_delivery", "0", "between 1 and 5"),
        (4, "csat_delivery", "6", "between 1 and 5"),
    ]


def test_type_errors_say_what_was_expected(model):
    result = run(survey_frame(nps=["nine", "7.5", "8"], submitted_at=["yesterday", "2025-01-01", "2025-01-02"]), model)
    rows = problems_as_tuples(result)
    assert (2, "nps", "nine", "a whole number") in rows
    assert (3, "nps", "7.5", "a whole number") in rows
    assert (2, "submitted_at", "yesterday",
            "a date such as 2025-03-31, 2025-03-31 14:30, 31.03.2025 or 31.03.2025 14:30") in rows


def test_duplicate_ids_within_file_point_at_first_row(model):
    result = run(survey_frame(response_id=["R1", "R2", "R1"]), model)
    assert problems_as_tuples(result) == [(4, "response_id", "R1", "a unique response_id; the same value is on row 2")]


def test_unknown_client_and_unknown_role(model):
    result = run(survey_frame(client_id=["C1", "C9", "C2"], respondent_role=["decision_maker", "ceo", "finance"]), model)
    rows = problems_as_tuples(result)
    assert (3, "client_id", "C9", "a client_id from the client list (load or update the clients first)") in rows
    assert any(r[:3] == (3, "respondent_role", "ceo") and r[3].startswith("one of: ") for r in rows)


def test_future_dates_are_rejected(model):
    result = run(survey_frame(submitted_at=["2025-01-01", "2027-01-01", "2025-01-02"]), model)
    assert problems_as_tuples(result) == [(3, "submitted_at", "2027-01-01", "a date not in the future (today is 2026-11-22)")]


def test_dates_out_of_order_in_orders(model):
    frame = pl.DataFrame({
        "order_id": ["O1", "O2"], "client_id": ["C1", "C1"],
        "ordered_at": ["2025-01-10", "2025-01-10"], "promised_at": ["2025-02-01", "2025-02-01"],
        "shipped_at": ["2025-01-20", "2025-01-05"], "delivered_at": ["2025-01-25", "2025-01-25"],
        "amount": ["1 234,50", "100"],
    })
    result = run(frame, model, "orders")
    assert problems_as_tuples(result) == [(3, "shipped_at", "2025-01-05", "not before ordered_at")]
    assert result.good["amount"].to_list() == [1234.5]


def test_missing_required_column_is_fatal_and_lists_each(model):
    frame = survey_frame().drop("nps", "client_id")
    result = run(frame, model)
    assert result.fatal
    assert sorted(problems_as_tuples(result)) == sorted([
        (None, "client_id", None, "a column 'client_id' (required for surveys)"),
        (None, "nps", None, "a column 'nps' (required for surveys)"),
    ])


def test_header_only_is_fatal(model):
    result = run(survey_frame().head(0), model)
    assert result.fatal
    assert problems_as_tuples(result) == [(None, None, None, "at least one data row below the header (the file has none)")]


def test_required_value_missing(model):
    result = run(survey_frame(nps=["9", None, "8"]), model)
    assert problems_as_tuples(result) == [(3, "nps", None, "a value (this column is required)")]


def test_event_activity_must_belong_to_process(model):
    frame = pl.DataFrame({
        "case_id": ["K1", "K1"], "process": ["order_fulfilment", "order_fulfilment"],
        "activity": ["order_entry", "teleport"],
        "started_at": ["2025-01-01 09:00", "2025-01-02 09:00"], "ended_at": ["2025-01-01 10:00", "2025-01-01 08:00"],
    })
    result = run(frame, model, "events")
    rows = problems_as_tuples(result)
    assert (3, "activity", "teleport", "a step of process 'order_fulfilment' in the service model") in rows
    assert (3, "ended_at", "2025-01-01 08:00", "not before started_at") in rows


@pytest.mark.parametrize("text,expected", [("2025-Q1", "2025-Q1"), ("2025q3", "2025-Q3"), ("Q4 2024", "2024-Q4")])
def test_kpi_periods_normalise(model, text, expected):
    frame = pl.DataFrame({"kpi_id": ["tx_ltv"], "period": [text], "value": ["12,5"]})
    result = run(frame, model, "kpi_actuals")
    assert result.problems.is_empty()
    assert result.good["period"].to_list() == [expected]


def test_unknown_kpi_is_named(model):
    frame = pl.DataFrame({"kpi_id": ["tx_magic"], "period": ["2025-Q1"], "value": ["1"]})
    result = run(frame, model, "kpi_actuals")
    assert problems_as_tuples(result)[0][:3] == (2, "kpi_id", "tx_magic")
