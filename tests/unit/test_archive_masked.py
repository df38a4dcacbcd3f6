"""The archived copy of an uploaded survey file holds its respondent columns the way the warehouse
stores them (masked / keyed hash / emptied), in the upload's format, with every row and header; the
batch keeps the original file's sha256, so the same file again is still a no-op."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import xlsxwriter

from pipelines.load import list_batches, load_file
from pipelines.readers import read_table
from tests.unit.test_personal_data_keyed import DATA, EMAIL, HEADER, new_warehouse, with_policies

PLAIN = ("ivan.petrov@alfa.ru", "ivan.petrov", "Иван", "Петров", "345-67-89", "9123456789",
         "anna.smirnova@beta.ru", "Анна", "Смирнова", "111-22-33")
ROWS = [
    ["S1", "C1", "decision_maker", "2025-03-20 10:00:00", "9", "5", "9", "4", "2", "email", "Всё отлично",
     "Иван Петров", EMAIL, "+7 912 345-67-89"],
    # nps 11: a rejected row, loaded with accept_good_rows; the archive still holds (and masks) it
    ["S2", "C2", "procurement", "2025-03-21 11:00:00", "11", "2", "7", "3", "5", "phone", "Поздно",
     "Анна Смирнова", "anna.smirnova@beta.ru", "+7 900 111-22-33"],
]


def archived(con) -> tuple[Path, dict]:
    batch = list_batches(con).filter(source="surveys").row(-1, named=True)
    return Path(batch["archive_path"]), batch


def assert_no_plain_personal_data(data: bytes) -> None:
    text = data.decode("utf-8", "ignore")
    for plain in PLAIN:
        assert plain not in text, plain


def load(con, model, path: Path, folder: Path):
    result = load_file(con, model, "surveys", path, archive_dir=folder / "archive", accept_good_rows=True)
    assert result.status == "loaded", result.message
    return result


def test_csv_archive_is_masked_like_the_warehouse_and_keeps_the_rest(tmp_path, model, clients_warehouse):
    source = tmp_path / "surveys.csv"
    source.write_text(HEADER + "\n" + "\n".join(",".join(r) for r in ROWS) + "\n", encoding="utf-8")
    con = new_warehouse(tmp_path / "w", clients_warehouse)
    load(con, model, source, tmp_path)
    path, batch = archived(con)
    data = path.read_bytes()
    assert_no_plain_personal_data(data)
    assert batch["sha256"] == hashlib.sha256(source.read_bytes()).hexdigest() != hashlib.sha256(data).hexdigest()
    copy, original = read_table(data, path.name), read_table(source)
    assert copy.original_headers == original.original_headers and copy.separator == ","
    stored = con.execute("select respondent_name, email, phone from raw_surveys where response_id = 'S1'").fetchall()
    assert copy.frame.select("respondent_name", "email", "phone").row(0) == stored[0]  # same masking, same hash
    assert copy.frame.row(1, named=True)["respondent_name"] == "А*** С***"  # the rejected row too
    others = [c for c in original.frame.columns if c not in ("respondent_name", "email", "phone")]
    assert copy.frame.select(others).equals(original.frame.select(others))
    again = load_file(con, model, "surveys", source, archive_dir=tmp_path / "archive", accept_good_rows=True)
    assert again.status == "already_loaded"  # recognised by the ORIGINAL bytes' sha256
    con.close()


def test_cp1251_semicolon_file_with_russian_headers_is_archived_masked_with_its_separator(tmp_path, model, clients_warehouse):
    header = "ID ответа;Клиент;Роль;Дата;Оценка;ФИО;Эл. почта;Телефон"
    lines = [header, f"R1;C1;decision_maker;20.03.2025 10:00;9;Иван Петров;{EMAIL};+7 912 345-67-89"]
    source = tmp_path / "опрос.csv"
    source.write_bytes(("\r\n".join(lines) + "\r\n").encode("cp1251"))
    con = new_warehouse(tmp_path / "w", clients_warehouse)
    load(con, model, source, tmp_path)
    path, _ = archived(con)
    data = path.read_bytes()
    assert_no_plain_personal_data(data)
    copy = read_table(data, path.name)
    assert copy.separator == ";" and copy.original_headers == header.split(";")
    assert copy.frame.row(0)[:5] == ("R1", "C1", "decision_maker", "20.03.2025 10:00", "9")
    assert copy.frame.row(0)[5] == "И*** П***" and copy.frame.row(0)[6].startswith("hmac:")
    con.close()


def _xlsx(rows: list[list[str]]) -> bytes:
    buffer = io.BytesIO()
    with xlsxwriter.Workbook(buffer, {"in_memory": True}) as book:
        sheet = book.add_worksheet("Опрос")
        sheet.write_row(0, 0, HEADER.split(","))
        for i, row in enumerate(rows, start=1):
            sheet.write_row(i, 0, [int(v) if v.isdigit() else v for v in row])
    return buffer.getvalue()


def test_xlsx_archive_is_a_workbook_with_masked_personal_columns(tmp_path, model, clients_warehouse):
    source = tmp_path / "surveys.xlsx"
    source.write_bytes(_xlsx(ROWS))
    con = new_warehouse(tmp_path / "w", clients_warehouse)
    load(con, model, source, tmp_path)
    path, _ = archived(con)
    data = path.read_bytes()
    assert path.suffix == ".xlsx" and data[:2] == b"PK"
    copy, original = read_table(data, path.name), read_table(source)
    for column in ("respondent_name", "email", "phone"):
        assert not set(copy.frame[column].to_list()) & set(original.frame[column].to_list()), column
    cells = "\n".join(str(v) for row in copy.frame.iter_rows() for v in row)  # the zip hides bytes
    assert_no_plain_personal_data(cells.encode())
    others = [c for c in original.frame.columns if c not in ("respondent_name", "email", "phone")]
    assert copy.frame.select(others).equals(original.frame.select(others))
    con.close()


def test_archive_original_setting_keeps_the_upload_byte_for_byte(tmp_path, model, clients_warehouse):
    keep_original = with_policies(model, archive="original")
    con = new_warehouse(tmp_path / "w", clients_warehouse)
    load(con, keep_original, DATA / "surveys_small.csv", tmp_path)
    assert archived(con)[0].read_bytes() == (DATA / "surveys_small.csv").read_bytes()
    con.close()


def test_nothing_to_mask_keeps_the_upload_byte_for_byte(tmp_path, model, clients_warehouse):
    keep_all = with_policies(model, respondent_name="keep", email="keep", phone="keep")
    con = new_warehouse(tmp_path / "w", clients_warehouse)
    load(con, keep_all, DATA / "surveys_small.csv", tmp_path)
    assert archived(con)[0].read_bytes() == (DATA / "surveys_small.csv").read_bytes()
    clients = list_batches(con).filter(source="clients").row(0, named=True)
    assert Path(clients["archive_path"]).read_bytes() == (DATA / "clients_small.csv").read_bytes()
    con.close()


def test_drop_policy_empties_the_column_in_the_archive(tmp_path, model, clients_warehouse):
    dropping = with_policies(model, respondent_name="drop", email="drop", phone="drop")
    con = new_warehouse(tmp_path / "w", clients_warehouse)
    load(con, dropping, DATA / "surveys_small.csv", tmp_path)
    copy = read_table(archived(con)[0].read_bytes(), "copy.csv")
    assert copy.frame.select("respondent_name", "email", "phone").null_count().row(0) == (4, 4, 4)
    con.close()
