"""Source detection from headers: canonical exports, Russian 1C/CRM exports, ambiguity and nonsense."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipelines.detect import CONFIDENT, FILE_NAME_BONUS, detect_source, score_sources
from pipelines.readers import read_table
from pipelines.sources import SOURCES, source_spec

DATA = Path(__file__).resolve().parent.parent / "data"


@pytest.mark.parametrize("source", SOURCES)
def test_canonical_headers_of_every_source_are_detected_with_full_confidence(model, source):
    headers = source_spec(source, model).column_names
    assert detect_source(headers, model) == (source, 1.0)


@pytest.mark.parametrize("source", SOURCES)
def test_required_columns_alone_are_enough(model, source):
    detected, confidence = detect_source(source_spec(source, model).required, model)
    assert detected == source
    assert confidence >= CONFIDENT


@pytest.mark.parametrize(
    ("file_name", "source"),
    [
        ("surveys_russian_headers.csv", "surveys"),
        ("surveys_messy_headers.csv", "surveys"),
        ("surveys_cp1251_semicolon.csv", "surveys"),
        ("surveys_title_row.xlsx", "surveys"),
        ("clients_small.csv", "clients"),
    ],
)
def test_fixture_files_are_detected_from_their_read_headers(model, file_name, source):
    read = read_table(DATA / file_name)
    detected, confidence = detect_source(read.frame.columns, model)
    assert (detected, confidence >= CONFIDENT) == (source, True)


RUSSIAN_EXPORTS = {
    "orders": [
        "Номер заказа",
        "Контрагент",
        "Дата заказа",
        "Плановая дата поставки",
        "Дата отгрузки",
        "Дата доставки",
        "Сумма с НДС",
        "Вид номенклатуры",
    ],
    "tickets": [
        "Номер обращения",
        "Клиент",
        "Дата обращения",
        "Дата закрытия",
        "Категория",
        "Текст обращения",
    ],
    "events": ["Номер заявки", "Процесс", "Этап", "Дата начала", "Дата окончания", "Исполнитель", "Отдел"],
    "clients": ["Код клиента", "Наименование", "Дивизион", "Сегмент", "Грейд", "Статус", "Регион", "Выручка"],
    "kpi_actuals": ["Код показателя", "Квартал", "Значение"],
    "surveys": ["Номер анкеты", "ИНН клиента", "Роль респондента", "Дата опроса", "Оценка NPS", "Отзыв"],
}


@pytest.mark.parametrize("source", sorted(RUSSIAN_EXPORTS))
def test_russian_exports_are_detected(model, source):
    detected, confidence = detect_source(RUSSIAN_EXPORTS[source], model)
    assert detected == source
    assert confidence >= CONFIDENT


def test_headers_that_fit_no_format_give_no_source(model):
    assert detect_source(["Артикул", "Остаток на складе", "Цена"], model) == (None, 0.0)
    assert detect_source([], model) == (None, 0.0)


def test_ambiguous_headers_lower_the_confidence(model):
    """'Client' and 'Date' alone could be a survey without its score, an order or a ticket."""
    source, confidence = detect_source(["Клиент", "Дата", "Канал"], model)
    assert source is not None
    assert confidence < CONFIDENT


def test_file_name_breaks_a_near_tie(model):
    """Client, date, channel and amount fit tickets a little better than orders; the name decides."""
    headers = ["Клиент", "Дата", "Канал", "Сумма"]
    scores = {s.source: s.score for s in score_sources(headers, model)}
    assert 0 < scores["tickets"] - scores["orders"] < FILE_NAME_BONUS
    assert detect_source(headers, model)[0] == "tickets"
    assert detect_source(headers, model, "заказы_март.csv")[0] == "orders"
    assert detect_source(headers, model, "Orders export.xlsx")[0] == "orders"


def test_scores_list_every_source_best_first(model):
    scores = score_sources(source_spec("orders", model).column_names, model)
    assert [s.source for s in scores][0] == "orders"
    assert sorted(s.source for s in scores) == sorted(SOURCES)
    assert [s.score for s in scores] == sorted((s.score for s in scores), reverse=True)
