"""Storylines are user content in the warehouse: created by the schema setup, ordered densely,
validated on the way in, and kept across data loads and mart rebuilds."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from app.warehouse import storylines as sl
from app.warehouse.storylines import StorylineError

DATA = Path(__file__).resolve().parents[1] / "data"


def _titles(con, storyline_id: int) -> list[str]:
    return [s.title for s in sl.get_storyline(con, storyline_id).slides]


def test_schema_setup_creates_the_tables(empty_con):
    tables = {r[0] for r in empty_con.execute("select table_name from information_schema.tables").fetchall()}
    assert {"storylines", "storyline_slides"} <= tables


def test_slides_are_appended_moved_reordered_and_deleted_with_dense_positions(empty_con):
    story = sl.create_storyline(empty_con, "  Board   session ")
    ids = [sl.add_slide(empty_con, story, "overview", {}, title) for title in ("A", "B", "C", "D")]
    assert sl.get_storyline(empty_con, story).title == "Board session"
    sl.move_slide(empty_con, ids[3], -2)
    assert _titles(empty_con, story) == ["A", "D", "B", "C"]
    sl.move_slide(empty_con, ids[0], -5)  # clamped at the top: nothing moves
    assert _titles(empty_con, story) == ["A", "D", "B", "C"]
    sl.reorder_slides(empty_con, story, [ids[2], ids[1], ids[0], ids[3]])
    assert _titles(empty_con, story) == ["C", "B", "A", "D"]
    sl.delete_slide(empty_con, ids[1])
    slides = sl.get_storyline(empty_con, story).slides
    assert [s.title for s in slides] == ["C", "A", "D"]
    assert [s.position for s in slides] == [0, 1, 2]


def test_several_storylines_are_kept_apart_and_deleting_one_removes_its_slides(empty_con):
    first, second = sl.create_storyline(empty_con, "First"), sl.create_storyline(empty_con, "Second")
    sl.add_slide(empty_con, first, "overview", {}, "one")
    sl.add_slide(empty_con, second, "journey_map", {}, "two")
    sl.delete_storyline(empty_con, first)
    assert sl.get_storyline(empty_con, first) is None
    assert [(t, n) for _, t, n in sl.list_storylines(empty_con)] == [("Second", 1)]
    assert empty_con.execute("select count(*) from storyline_slides").fetchall()[0][0] == 1


def test_only_plain_url_parameters_are_stored(empty_con):
    story = sl.create_storyline(empty_con, "Params")
    raw = {"bu": ["energy", "machinery"], "metric": "csat", "Bad Name": ["x"], "nested": [{"a": 1}],
           "n": [3], "empty": [""], "long": ["x" * 500]}
    slide_id = sl.add_slide(empty_con, story, "journey_map", raw)
    slide = sl.get_storyline(empty_con, story).slides[0]
    assert slide.slide_id == slide_id
    assert slide.params == {"bu": ("energy", "machinery"), "metric": ("csat",)}


def test_edits_change_only_the_given_fields(empty_con):
    story = sl.create_storyline(empty_con, "Edits")
    slide_id = sl.add_slide(empty_con, story, "overview", {"bu": ["energy"]}, "Old", "Keep me")
    sl.update_slide(empty_con, slide_id, title="New")
    sl.update_slide(empty_con, slide_id, params={"bu": ["machinery"]})
    slide = sl.get_storyline(empty_con, story).slides[0]
    assert (slide.title, slide.takeaway, slide.params) == ("New", "Keep me", {"bu": ("machinery",)})
    sl.rename_storyline(empty_con, story, "Renamed")
    assert sl.get_storyline(empty_con, story).title == "Renamed"


@pytest.mark.parametrize("call", [
    lambda con: sl.create_storyline(con, "   "),
    lambda con: sl.add_slide(con, 999, "overview", {}),
    lambda con: sl.add_slide(con, sl.create_storyline(con, "x"), "../etc/passwd", {}),
    lambda con: sl.update_slide(con, 999, title="x"),
    lambda con: sl.reorder_slides(con, sl.create_storyline(con, "y"), [1]),
])
def test_invalid_requests_raise_a_storyline_error(empty_con, call):
    with pytest.raises(StorylineError):
        call(empty_con)


def test_storylines_survive_a_data_load_and_a_rebuild(tmp_path, model):
    from app.warehouse.connection import connect
    from app.warehouse.schema import ensure_schema
    from pipelines.load import load_file, rebuild

    con = connect(tmp_path / "warehouse.duckdb")
    ensure_schema(con, model)
    story = sl.create_storyline(con, "Kept")
    sl.add_slide(con, story, "overview", {"bu": ["energy"]}, "Slide")
    for source, name in (("clients", "clients_small.csv"), ("surveys", "surveys_small.csv")):
        result = load_file(con, model, source, DATA / name, archive_dir=tmp_path / "archive")
        assert result.ok, result.message
    rebuild(con, model)
    con.close()
    again = duckdb.connect(str(tmp_path / "warehouse.duckdb"))
    assert _titles(again, story) == ["Slide"]
    again.close()
