"""Column mapping: suggest which canonical column each header of an upload is, apply and save it.

Suggestions go in three passes, each only over headers and columns not yet taken, so no two
headers ever map to the same column: exact normalised match, the built-in synonyms (English and
Russian, plus the caller's), then string similarity of normalised, transliterated forms.
Saved mappings live in the DuckDB table `column_mappings`, keyed by source and normalised header.
"""

from __future__ import annotations

from datetime import datetime
from difflib import SequenceMatcher

import polars as pl

from app.service_model import ServiceModel
from pipelines.readers import normalise_header

SIMILARITY_THRESHOLD = 0.8

# Canonical column -> other names seen in exports (any case/spacing; normalised before matching).
SYNONYMS: dict[str, list[str]] = {
    # surveys
    "response_id": ["ID ответа", "Номер ответа", "Код ответа", "Номер анкеты", "№ анкеты", "ID анкеты",
                    "response", "answer id", "survey id", "survey response id"],
    "client_id": ["Клиент", "ИНН клиента", "Код клиента", "ID клиента", "ИНН", "Контрагент",
                  "Код контрагента", "client", "customer", "customer id", "account id", "account", "inn"],
    "respondent_role": ["Роль", "Роль респондента", "Роль в закупке", "role", "respondent type"],
    "submitted_at": ["Дата", "Дата ответа", "Дата опроса", "Дата заполнения", "Дата анкеты",
                     "date", "response date", "submitted", "submission date", "timestamp", "survey date"],
    "nps": ["Оценка", "Оценка NPS", "NPS оценка", "Вероятность рекомендации", "Готовность рекомендовать",
            "nps score", "score", "likelihood to recommend", "recommend", "recommendation score"],
    "ces": ["CES оценка", "Усилия клиента", "Оценка усилий", "Легкость взаимодействия",
            "customer effort", "customer effort score", "effort", "effort score"],
    "channel": ["Канал", "Канал связи", "Канал опроса", "Источник", "source channel"],
    "comment": ["Комментарий", "Комментарии", "Отзыв", "Текст отзыва", "Пожелания", "comments",
                "feedback", "verbatim", "remarks", "open answer"],
    "respondent_name": ["ФИО", "Имя", "Респондент", "ФИО респондента", "Контактное лицо",
                        "name", "respondent", "full name", "contact name"],
    "email": ["Email", "E-mail", "Эл. почта", "Электронная почта", "Почта", "mail", "e mail"],
    "phone": ["Телефон", "Мобильный", "Номер телефона", "Тел", "telephone", "mobile", "phone number"],
    # clients
    "name": ["Наименование", "Название", "Наименование клиента", "Компания", "Организация",
             "client name", "customer name", "company", "company name"],
    "business_unit": ["Бизнес-единица", "Бизнес единица", "Дивизион", "Направление", "БЕ",
                      "division", "bu", "business"],
    "segment": ["Сегмент", "Сегмент клиента", "customer segment", "client segment"],
    "grade": ["Грейд", "Категория клиента", "Категория", "ABC", "ABC класс", "tier", "class"],
    "status": ["Статус", "Статус клиента", "client status", "customer status", "state"],
    "region": ["Регион", "Область", "Округ", "Город", "territory", "area"],
    "revenue": ["Выручка", "Оборот", "Выручка за год", "Объем продаж", "sales", "annual revenue", "turnover"],
    "ltv": ["LTV", "Пожизненная ценность", "Ценность клиента", "lifetime value", "customer lifetime value", "clv"],
    "first_order_at": ["Дата первого заказа", "Первый заказ", "Первая покупка", "first order",
                       "first order date", "first purchase"],
    "churned_at": ["Дата ухода", "Дата оттока", "Ушел", "churn date", "churned", "lost at", "lost date"],
    # orders
    "order_id": ["Номер заказа", "Заказ", "№ заказа", "ID заказа", "Номер документа", "Документ",
                 "order", "order number", "order no", "document number"],
    "ordered_at": ["Дата заказа", "Дата документа", "Дата", "order date", "date", "ordered", "created"],
    "promised_at": ["Плановая дата поставки", "Обещанная дата", "Срок поставки", "Срок по договору",
                    "Плановая дата", "promised date", "promise date", "due date", "planned delivery"],
    "shipped_at": ["Дата отгрузки", "Отгрузка", "Отгружено", "ship date", "shipped", "shipment date"],
    "delivered_at": ["Дата доставки", "Дата поставки", "Доставлено", "Фактическая дата поставки",
                     "delivery date", "delivered", "actual delivery"],
    "amount": ["Сумма", "Сумма заказа", "Сумма документа", "Стоимость", "Сумма с НДС",
               "total", "order amount", "value", "sum"],
    "product_class": ["Класс продукции", "Тип продукции", "Вид номенклатуры", "Тип заказа",
                      "product type", "product category", "product"],
    # events
    "case_id": ["Номер кейса", "Кейс", "ID кейса", "Номер заявки", "Заявка", "Номер случая",
                "case", "case number", "case no"],
    "process": ["Процесс", "Бизнес-процесс", "process name", "business process"],
    "activity": ["Этап", "Операция", "Шаг", "Активность", "Действие", "step", "stage", "task", "operation"],
    "started_at": ["Начало", "Дата начала", "Время начала", "Старт", "start", "start time", "started",
                   "start date"],
    "ended_at": ["Окончание", "Дата окончания", "Время окончания", "Завершение", "Конец", "end",
                 "end time", "ended", "finish", "finished", "completed"],
    "resource": ["Исполнитель", "Ресурс", "Ответственный", "Сотрудник", "assignee", "owner", "employee",
                 "performer"],
    "department": ["Отдел", "Подразделение", "Служба", "department name", "dept", "unit"],
    "due_at": ["Срок", "Крайний срок", "Дедлайн", "Требуемая дата", "deadline", "due", "due date",
               "required by"],
    # tickets
    "ticket_id": ["Номер обращения", "Обращение", "ID обращения", "Номер тикета", "Тикет",
                  "ticket", "ticket number", "ticket no", "complaint id", "request id"],
    "opened_at": ["Дата обращения", "Дата создания", "Создано", "Открыто", "Дата открытия", "Дата",
                  "created", "created at", "opened", "open date", "date"],
    "first_response_at": ["Первый ответ", "Дата первого ответа", "Время первого ответа",
                          "first response", "first reply", "responded at", "first response time"],
    "closed_at": ["Дата закрытия", "Закрыто", "Решено", "Дата решения", "closed", "resolved",
                  "resolved at", "close date", "closed date"],
    "touchpoint": ["Точка контакта", "Точка взаимодействия", "touch point", "contact point"],
    "category": ["Категория", "Тема", "Тип обращения", "Категория обращения", "topic", "type", "subject"],
    "severity": ["Критичность", "Приоритет", "Важность", "Серьезность", "priority", "urgency", "impact"],
    "text": ["Текст", "Текст обращения", "Описание", "Суть обращения", "Содержание", "description",
             "body", "message", "details"],
    # kpi_actuals
    "kpi_id": ["KPI", "Показатель", "Код показателя", "ID KPI", "Код KPI", "kpi", "metric", "indicator"],
    "period": ["Период", "Квартал", "Отчетный период", "quarter", "reporting period"],
    "value": ["Значение", "Факт", "Фактическое значение", "Значение показателя", "actual", "actual value",
              "amount", "fact"],
}

_TRANSLIT = str.maketrans({
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "e", "ж": "zh", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "kh", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
})

_TABLE_SQL = """CREATE TABLE IF NOT EXISTS column_mappings (
    source VARCHAR, header VARCHAR, column_name VARCHAR, saved_at TIMESTAMP,
    PRIMARY KEY (source, header))"""


def model_synonyms(model: ServiceModel) -> dict[str, list[str]]:
    """Synonyms of the model's touchpoint rating/importance columns from their labels."""
    out: dict[str, list[str]] = {}
    for tp in model.touchpoints:
        names = [n for n in (tp.label.en, tp.label.ru, tp.id) if n]
        out[tp.rating_column] = names + [f"Оценка: {n}" for n in names] + [f"CSAT {n}" for n in names]
        if tp.importance_column:
            out[tp.importance_column] = [f"Важность: {n}" for n in names] + \
                                        [f"importance {n}" for n in names]
    for f in model.satisfaction_index.factors:
        names = [n for n in (f.label.en, f.label.ru, f.id) if n]
        out.setdefault(f.importance_column, []).extend(
            [f"Важность: {n}" for n in names] + [f"importance {n}" for n in names])
    return out


def _form(text: str) -> str:
    return normalise_header(text).translate(_TRANSLIT)


def suggest_mapping(headers: list[str], canonical: list[str],
                    synonyms: dict[str, list[str]] | None = None) -> dict[str, str | None]:
    """Header -> canonical column (or None); headers are compared in normalised form."""
    result: dict[str, str | None] = dict.fromkeys(headers)
    free = list(canonical)

    def assign(header: str, column: str) -> None:
        result[header] = column
        free.remove(column)

    for h in headers:  # 1: exact
        n = normalise_header(h)
        if n in free:
            assign(h, n)
    names: dict[str, list[str]] = {c: [c] + SYNONYMS.get(c, []) + (synonyms or {}).get(c, [])
                                   for c in canonical}
    for h in headers:  # 2: synonyms, the first canonical column in order wins
        if result[h] is None:
            n = normalise_header(h)
            hit = next((c for c in free if any(normalise_header(s) == n for s in names[c])), None)
            if hit:
                assign(h, hit)
    forms = {c: {_form(s) for s in names[c]} for c in free}
    pairs = []  # 3: similarity, best pairs first
    for h in headers:
        if result[h] is None:
            form = _form(h)
            for c in free:
                score = max(SequenceMatcher(None, form, f).ratio() for f in forms[c])
                if score >= SIMILARITY_THRESHOLD:
                    pairs.append((-score, headers.index(h), h, c))
    for _, _, h, c in sorted(pairs):
        if result[h] is None and c in free:
            assign(h, c)
    return result


def apply_mapping(frame: pl.DataFrame, mapping: dict[str, str | None]) -> pl.DataFrame:
    """Rename mapped columns; unmapped and unknown headers are left alone."""
    renames = {h: c for h, c in mapping.items() if c and h in frame.columns and h != c}
    targets = [c for h, c in mapping.items() if c and h in frame.columns]
    clash = sorted({c for c in targets if targets.count(c) > 1}
                   | {c for c in renames.values() if c in frame.columns and c not in renames})
    if clash:
        raise ValueError(f"mapping gives more than one column the name {', '.join(clash)}")
    return frame.rename(renames)


def load_saved_mapping(con, source: str) -> dict[str, str]:
    con.execute(_TABLE_SQL)
    rows = con.execute("SELECT header, column_name FROM column_mappings WHERE source = ? "
                       "ORDER BY header", [source]).fetchall()
    return {h: c for h, c in rows}


def save_mapping(con, source: str, mapping: dict[str, str]) -> None:
    """Upsert the given headers; a header mapped to None/'' forgets its saved column."""
    con.execute(_TABLE_SQL)
    now = datetime.now().replace(microsecond=0)
    for header, column in mapping.items():
        if column:
            con.execute("INSERT INTO column_mappings VALUES (?, ?, ?, ?) ON CONFLICT (source, header) "
                        "DO UPDATE SET column_name = excluded.column_name, saved_at = excluded.saved_at",
                        [source, header, column, now])
        else:
            con.execute("DELETE FROM column_mappings WHERE source = ? AND header = ?", [source, header])
