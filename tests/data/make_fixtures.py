"""Re-make the reader fixtures: `.venv/bin/python tests/data/make_fixtures.py`.

Good files go to tests/data/, bad ones to tests/data/bad/. Each is a few rows; the output is
deterministic (fixed random seed, fixed workbook dates), so re-running changes nothing.
"""

from __future__ import annotations

import csv
import io
import random
from datetime import datetime
from pathlib import Path

import xlsxwriter

HERE = Path(__file__).parent
BAD = HERE / "bad"

HEADER = ["response_id", "client_id", "respondent_role", "submitted_at", "nps", "ces", "channel",
          "comment", "csat_delivery", "csat_quality"]
ROWS = [
    ["R-001", "C-0001", "decision_maker", "2025-03-01 10:15:00", "9", "2.5", "email",
     "Delivered on time, thanks", "5", "9"],
    ["R-002", "C-0002", "procurement", "2025-03-02 16:40:00", "6", "", "phone",
     "Late again.\nSecond line of the comment", "2", "7"],
    ["R-003", "C-0003", "end_user", "2025-03-03 09:05:00", " 10 ", "1", "web",
     '=HYPERLINK("http://example.com")', "4", "10"],
    ["R-004", "C-0004", "finance", "2025-03-04 12:00:00", "3", "5", "email",
     "-5% discount promised; call +7 912 000-00-00 or @sales", "1", ""],
]


def _csv(header: list[str], rows: list[list[str]], sep: str) -> str:
    buf = io.StringIO()
    csv.writer(buf, delimiter=sep, lineterminator="\r\n").writerows([header, *rows])
    return buf.getvalue()


def _workbook(path: Path) -> tuple[xlsxwriter.Workbook, object]:
    wb = xlsxwriter.Workbook(str(path))
    wb.set_properties({"created": datetime(2025, 3, 5, 12, 0, 0)})
    return wb, wb.add_worksheet("Опрос")


def surveys_xlsx(path: Path, titles: list[str], blank_after_titles: bool, date_only: bool) -> None:
    wb, ws = _workbook(path)
    title = wb.add_format({"bold": True, "align": "center"})
    stamp = wb.add_format({"num_format": "dd.mm.yyyy" if date_only else "dd.mm.yyyy hh:mm"})
    for r, text in enumerate(titles):
        ws.merge_range(r, 0, r, len(HEADER) - 1, text, title)
    top = len(titles) + (1 if blank_after_titles else 0)
    ws.write_row(top, 0, HEADER)
    data = [
        ["R-101", "00042", "decision_maker", datetime(2025, 3, 1, 10, 15), 9, 4.5, "email",
         "Всё хорошо, спасибо", 5, 10],
        ["R-102", "00043", "procurement", datetime(2025, 3, 2, 16, 40), "n/a", 2, "phone",
         "=СУММ(A1:A2) — не формула", 3, 8],
        ["R-103", "00044", "end_user", datetime(2025, 3, 3, 9, 5), 7, None, "web", None, 4, 9.5],
    ]
    for i, row in enumerate(data):
        r = top + 1 + i
        for c, value in enumerate(row):
            if isinstance(value, datetime):
                ws.write_datetime(r, c, value.replace(hour=0, minute=0) if date_only else value, stamp)
            elif isinstance(value, str):
                ws.write_string(r, c, value)  # write() would turn "=..." into a formula
            elif value is not None:
                ws.write_number(r, c, value)
    wb.close()


def main() -> None:
    BAD.mkdir(exist_ok=True)
    (HERE / "surveys_utf8_bom.csv").write_bytes(b"\xef\xbb\xbf" + _csv(HEADER, ROWS, ",").encode())
    ru_rows = [
        ["R-201", "C-0101", "decision_maker", "01.03.2025 10:15", "9", "4,5", "email",
         'ООО "Ромашка": всё отлично, № 5 «в срок»', "5", "9"],
        ["R-202", "C-0102", "end_user", "02.03.2025 16:40", "4", "1,5", "phone",
         "Доставка задержалась; ждём ответа. Ёлки!", "2", "6"],
    ]
    (HERE / "surveys_cp1251_semicolon.csv").write_bytes(_csv(HEADER, ru_rows, ";").encode("cp1251"))
    tab_rows = [["R-301", "C-0201", "finance", "2025-03-05 08:00:00", "8", "3", "web",
                 "Fine, mostly; invoices late", "4", "8"]]
    (HERE / "surveys_tab.tsv").write_text(_csv(HEADER, tab_rows, "\t"), encoding="utf-8", newline="")
    surveys_xlsx(HERE / "surveys_title_row.xlsx", ["Опрос клиентов — март 2025"], False, False)
    messy = [" Response_ID ", "Client ID", "respondent-role", "Submitted.At", "NPS ", "CES",
             "\u00a0Channel", "COMMENT", "CSAT  Delivery", "csat_quality"]
    (HERE / "surveys_messy_headers.csv").write_text(_csv(messy, ROWS[:1], ","), encoding="utf-8",
                                                    newline="")
    russian = ["ID ответа", "Клиент", "Роль", "Дата", "Оценка", "Комментарий", "Канал",
               "Своевременность доставки", "Качество продукции"]
    ru_data = [["R-401", "C-0301", "decision_maker", "2025-03-06 11:00:00", "10",
                "Спасибо за работу", "email", "5", "9"]]
    (HERE / "surveys_russian_headers.csv").write_text(_csv(russian, ru_data, ";"), encoding="utf-8",
                                                      newline="")

    rng = random.Random(20250305)
    (BAD / "binary.csv").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00" + rng.randbytes(500))
    (BAD / "empty.csv").write_bytes(b"")
    (BAD / "header_only.csv").write_text(",".join(HEADER) + "\r\n", encoding="utf-8", newline="")
    surveys_xlsx(BAD / "merged_title_rows.xlsx",
                 ["ООО «Уралмаш» — опрос удовлетворённости", "Период: 01.03.2025–31.03.2025"],
                 True, True)
    dos = [["R-501", "C-0401", "end_user", "07.03.2025 10:00", "7", "3", "phone",
            "Привет из DOS: кодировка cp866", "4", "8"]]
    (BAD / "wrong_encoding.csv").write_bytes(_csv(HEADER, dos, ";").encode("cp866"))
    (BAD / "ragged.csv").write_text(
        "response_id,client_id,nps,comment\r\n"
        'R-601,C-0501,9,"two\r\nlines"\r\n'
        "R-602,C-0502,7,ok,extra field\r\n"
        "R-603,C-0503,8,fine\r\n", encoding="utf-8", newline="")


if __name__ == "__main__":
    main()
