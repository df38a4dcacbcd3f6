"""Storylines: ordered lists of saved views (page + URL parameters + title + takeaway) that a
facilitator presents and exports.

They live in the warehouse file beside the data, but they are user content, not derived data: the
tables are created by the schema setup (`ensure_schema`), never touched by the mart rebuild, and
survive every load and rollback. A view is stored as its page's url path and its URL query
parameters (plain strings, validated here on the way in and by the page's slide function on the way
out), so a saved view is exactly the link the page would show.

No Streamlit here: the app, the exports and the tests share these functions.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import duckdb

ViewParams = dict[str, tuple[str, ...]]

STORYLINES_DDL = """
create sequence if not exists storyline_id_seq start 1;
create sequence if not exists storyline_slide_id_seq start 1;
create table if not exists storylines (
    storyline_id integer primary key default nextval('storyline_id_seq'),
    title varchar not null,
    created_at timestamp not null default current_localtimestamp(),
    updated_at timestamp not null default current_localtimestamp()
);
create table if not exists storyline_slides (
    slide_id integer primary key default nextval('storyline_slide_id_seq'),
    storyline_id integer not null,
    position integer not null,        -- 0-based, dense within a storyline
    page varchar not null,            -- the page's url path (app/ui/pages.py)
    params_json varchar not null,     -- {"param": ["value", ...]} as in the page's URL
    title varchar not null default '',
    takeaway varchar not null default '',
    created_at timestamp not null default current_localtimestamp()
);
"""

MAX_TITLE = 200
MAX_TAKEAWAY = 1000
MAX_VALUES = 50
MAX_VALUE_LENGTH = 200
_PARAM_NAME = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_PAGE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,59}$")


class StorylineError(ValueError):
    """A request the storyline tables cannot honour (unknown id, bad page name); shown to the user."""


@dataclass(frozen=True)
class Slide:
    slide_id: int
    storyline_id: int
    position: int
    page: str
    params: ViewParams
    title: str
    takeaway: str


@dataclass(frozen=True)
class Storyline:
    storyline_id: int
    title: str
    updated_at: datetime
    slides: tuple[Slide, ...] = field(default=())


def ensure_storyline_schema(con: duckdb.DuckDBPyConnection) -> None:
    """Create the storyline tables if missing (idempotent; never drops anything)."""
    con.execute(STORYLINES_DDL)


def clean_params(params: Mapping[str, object]) -> ViewParams:
    """Keep only plain URL parameters: lower-case names, string values, bounded in number and size.

    URL values are user input; anything else (nested objects, huge lists) is dropped, not stored.
    """
    cleaned: ViewParams = {}
    for name, raw in params.items():
        if not isinstance(name, str) or not _PARAM_NAME.match(name):
            continue
        values = [raw] if isinstance(raw, str) else list(raw) if isinstance(raw, list | tuple) else []
        kept = tuple(v for v in values if isinstance(v, str) and 0 < len(v) <= MAX_VALUE_LENGTH)[:MAX_VALUES]
        if kept:
            cleaned[name] = kept
    return dict(sorted(cleaned.items()))


def _params_from_json(text: str) -> ViewParams:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError:
        return {}
    return clean_params(raw) if isinstance(raw, dict) else {}


def _params_json(params: Mapping[str, object]) -> str:
    return json.dumps({k: list(v) for k, v in clean_params(params).items()}, ensure_ascii=False)


def _title(text: str, limit: int = MAX_TITLE) -> str:
    return " ".join(str(text or "").split())[:limit]


def _takeaway(text: str) -> str:
    return str(text or "").strip()[:MAX_TAKEAWAY]


def list_storylines(con: duckdb.DuckDBPyConnection) -> list[tuple[int, str, int]]:
    """(storyline_id, title, number of slides), most recently changed first."""
    rows = con.execute(
        """
        select s.storyline_id, s.title, count(v.slide_id)
        from storylines s left join storyline_slides v using (storyline_id)
        group by s.storyline_id, s.title, s.updated_at
        order by s.updated_at desc, s.storyline_id desc
        """
    ).fetchall()
    return [(int(r[0]), str(r[1]), int(r[2])) for r in rows]


def create_storyline(con: duckdb.DuckDBPyConnection, title: str) -> int:
    title = _title(title)
    if not title:
        raise StorylineError("A storyline needs a title.")
    return int(con.execute("insert into storylines (title) values (?) returning storyline_id", [title]).fetchall()[0][0])


def get_storyline(con: duckdb.DuckDBPyConnection, storyline_id: int) -> Storyline | None:
    rows = con.execute(
        "select storyline_id, title, updated_at from storylines where storyline_id = ?", [storyline_id]
    ).fetchall()
    if not rows:
        return None
    slides = con.execute(
        """
        select slide_id, storyline_id, position, page, params_json, title, takeaway
        from storyline_slides where storyline_id = ? order by position, slide_id
        """,
        [storyline_id],
    ).fetchall()
    return Storyline(
        storyline_id=int(rows[0][0]), title=str(rows[0][1]), updated_at=rows[0][2],
        slides=tuple(
            Slide(int(r[0]), int(r[1]), int(r[2]), str(r[3]), _params_from_json(r[4]), str(r[5]), str(r[6]))
            for r in slides
        ),
    )


def _touch(con: duckdb.DuckDBPyConnection, storyline_id: int) -> None:
    con.execute("update storylines set updated_at = current_localtimestamp() where storyline_id = ?", [storyline_id])


def _require(con: duckdb.DuckDBPyConnection, storyline_id: int) -> None:
    if not con.execute("select 1 from storylines where storyline_id = ?", [storyline_id]).fetchall():
        raise StorylineError(f"Storyline {storyline_id} does not exist.")


def rename_storyline(con: duckdb.DuckDBPyConnection, storyline_id: int, title: str) -> None:
    title = _title(title)
    if not title:
        raise StorylineError("A storyline needs a title.")
    _require(con, storyline_id)
    con.execute("update storylines set title = ?, updated_at = current_localtimestamp() where storyline_id = ?",
                [title, storyline_id])


def delete_storyline(con: duckdb.DuckDBPyConnection, storyline_id: int) -> None:
    with _transaction(con):
        con.execute("delete from storyline_slides where storyline_id = ?", [storyline_id])
        con.execute("delete from storylines where storyline_id = ?", [storyline_id])


def add_slide(
    con: duckdb.DuckDBPyConnection, storyline_id: int, page: str, params: Mapping[str, object],
    title: str = "", takeaway: str = "",
) -> int:
    """Append a view to the end of a storyline; returns the new slide's id."""
    if not _PAGE_NAME.match(page or ""):
        raise StorylineError(f"'{page}' is not a page address.")
    with _transaction(con):
        _require(con, storyline_id)
        position = con.execute(
            "select coalesce(max(position) + 1, 0) from storyline_slides where storyline_id = ?", [storyline_id]
        ).fetchall()[0][0]
        slide_id = con.execute(
            """
            insert into storyline_slides (storyline_id, position, page, params_json, title, takeaway)
            values (?, ?, ?, ?, ?, ?) returning slide_id
            """,
            [storyline_id, position, page, _params_json(params), _title(title), _takeaway(takeaway)],
        ).fetchall()[0][0]
        _touch(con, storyline_id)
    return int(slide_id)


def update_slide(
    con: duckdb.DuckDBPyConnection, slide_id: int, *, title: str | None = None, takeaway: str | None = None,
    params: Mapping[str, object] | None = None,
) -> None:
    """Change a slide's title, takeaway or saved parameters (None leaves a field as it is)."""
    storyline_id = _storyline_of(con, slide_id)
    with _transaction(con):
        if title is not None:
            con.execute("update storyline_slides set title = ? where slide_id = ?", [_title(title), slide_id])
        if takeaway is not None:
            con.execute("update storyline_slides set takeaway = ? where slide_id = ?", [_takeaway(takeaway), slide_id])
        if params is not None:
            con.execute("update storyline_slides set params_json = ? where slide_id = ?",
                        [_params_json(params), slide_id])
        _touch(con, storyline_id)


def delete_slide(con: duckdb.DuckDBPyConnection, slide_id: int) -> None:
    storyline_id = _storyline_of(con, slide_id)
    with _transaction(con):
        con.execute("delete from storyline_slides where slide_id = ?", [slide_id])
        _renumber(con, storyline_id)
        _touch(con, storyline_id)


def move_slide(con: duckdb.DuckDBPyConnection, slide_id: int, offset: int) -> None:
    """Move a slide `offset` places (−1 = earlier, +1 = later); clamped at both ends."""
    storyline_id = _storyline_of(con, slide_id)
    order = [r[0] for r in con.execute(
        "select slide_id from storyline_slides where storyline_id = ? order by position, slide_id", [storyline_id]
    ).fetchall()]
    current = order.index(slide_id)
    target = max(0, min(len(order) - 1, current + offset))
    if target == current:
        return
    order.insert(target, order.pop(current))
    with _transaction(con):
        _write_order(con, order)
        _touch(con, storyline_id)


def reorder_slides(con: duckdb.DuckDBPyConnection, storyline_id: int, slide_ids: Sequence[int]) -> None:
    """Set the whole order at once; the ids must be exactly the storyline's slides."""
    current = {r[0] for r in con.execute(
        "select slide_id from storyline_slides where storyline_id = ?", [storyline_id]
    ).fetchall()}
    if set(slide_ids) != current or len(slide_ids) != len(current):
        raise StorylineError("The new order must list every slide of the storyline once.")
    with _transaction(con):
        _write_order(con, list(slide_ids))
        _touch(con, storyline_id)


def _write_order(con: duckdb.DuckDBPyConnection, order: list[int]) -> None:
    for position, slide_id in enumerate(order):
        con.execute("update storyline_slides set position = ? where slide_id = ?", [position, slide_id])


def _renumber(con: duckdb.DuckDBPyConnection, storyline_id: int) -> None:
    order = [r[0] for r in con.execute(
        "select slide_id from storyline_slides where storyline_id = ? order by position, slide_id", [storyline_id]
    ).fetchall()]
    _write_order(con, order)


def _storyline_of(con: duckdb.DuckDBPyConnection, slide_id: int) -> int:
    rows = con.execute("select storyline_id from storyline_slides where slide_id = ?", [slide_id]).fetchall()
    if not rows:
        raise StorylineError(f"Slide {slide_id} does not exist.")
    return int(rows[0][0])


class _transaction:
    """One transaction around several statements, unless the caller already opened one."""

    def __init__(self, con: duckdb.DuckDBPyConnection) -> None:
        self.con = con
        self.owned = False

    def __enter__(self) -> None:
        try:
            self.con.execute("begin transaction")
            self.owned = True
        except duckdb.TransactionException:
            self.owned = False  # already inside the caller's transaction

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.owned:
            return
        self.con.execute("rollback" if exc_type else "commit")
