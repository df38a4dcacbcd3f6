"""Data typed by outsiders is shown as text and personal data never reaches a viewer, on every page.

A survey batch with markup and formula payloads in its comments, a client whose name is markup,
and respondents with names, e-mails and phones is loaded by the real pipeline into a private demo
copy; then a viewer opens every page a viewer may open (AppTest on the real shell) and the test
reads everything the page produced: no Markdown element carries the payload unescaped (it would
render an image, a link or formatting), and no element or table shows a respondent's name, e-mail
or phone in any form (raw, masked or hashed).
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl
import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import AlertBase, Caption, Dataframe, HeadingBase, Markdown

from app.auth.users import set_user
from app.ui.pages import PAGES, PROJECT_ROOT
from app.warehouse.connection import connect, query
from pipelines.load import load_file
from tests.upload_files import latest_quarter_day, survey_frame

ENTRY = str(PROJECT_ROOT / "streamlit_app.py")
MARKUP = (
    "![pixel](http://evil.example/p.png) [click](http://evil.example) **Loud** <img src=x onerror=alert(1)>"
)
FORMULA = '=HYPERLINK("http://evil.example","open")'
MARKERS = ("![pixel](", "](http://evil.example)", "**Loud**", "<img src=x")
PERSONAL = {
    "respondent_name": "Ivan Petrov",
    "email": "ivan.petrov@alfa.example",
    "phone": "+7 912 345-67-89",
}
PERSONAL_COLUMNS = set(PERSONAL)
VIEWER_PAGES = [p for p in PAGES if p.min_role == "viewer" and p.path.exists()]


@pytest.fixture(scope="module")
def hostile_files(demo_db, tmp_path_factory):
    """A client list with one client named in markup, and 40 answers carrying the payloads."""
    folder = tmp_path_factory.mktemp("hostile")
    import duckdb

    con = duckdb.connect(str(demo_db), read_only=True)
    try:
        client = query(con, "select * exclude (batch_id, source_row) from raw_clients limit 1")
        existing = [r[0] for r in con.execute("select client_id from mart_clients limit 5").fetchall()]
    finally:
        con.close()
    client = client.with_columns(
        pl.lit("EVIL-1").alias("client_id"), pl.lit(f"{MARKUP} {FORMULA}").alias("name")
    )
    client.write_csv(folder / "clients_hostile.csv")
    day = latest_quarter_day(demo_db) - timedelta(days=3)
    answers = survey_frame(["EVIL-1", *existing], 40, day, "HOSTILE").with_columns(
        pl.lit(f"{MARKUP} {FORMULA}").alias("comment"),
        pl.lit("0").alias("nps"),  # detractors: they reach follow-ups and complaint lists
        *(pl.lit(value).alias(column) for column, value in PERSONAL.items()),
    )
    answers.write_csv(folder / "surveys_hostile.csv")
    return folder


@pytest.fixture
def viewer_app(demo_env, hostile_files, model, monkeypatch):
    con = connect(demo_env / "warehouse.duckdb")
    try:
        for source, name in (("clients", "clients_hostile.csv"), ("surveys", "surveys_hostile.csv")):
            result = load_file(con, model, source, hostile_files / name, archive_dir=demo_env / "archive")
            assert result.status == "loaded", result.message
    finally:
        con.close()
    set_user(demo_env / "users.yaml", "vic", "viewer", "viewer secret", rounds=4)
    monkeypatch.setenv("CXLENS_USERS", str(demo_env / "users.yaml"))
    at = AppTest.from_file(ENTRY, default_timeout=90).run()
    at.text_input(key="cx_sign_in_name").input("vic")
    at.text_input(key="cx_sign_in_password").input("viewer secret")
    return at.button(key="FormSubmitter:cx_sign_in-Sign in").click().run()


def walk(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from walk(child)


def rendered(at: AppTest) -> tuple[list[str], list[str], list]:
    """(Markdown sources, every other text, every table) of the last run."""
    markdown, other, tables = [], [], []
    for node in walk(at._tree):
        if isinstance(node, Markdown | Caption | HeadingBase | AlertBase):
            markdown.append(str(node.value))
        elif isinstance(node, Dataframe):
            tables.append(node.value)
        for attribute in ("label", "help", "placeholder"):
            text = getattr(node, attribute, None)
            if isinstance(text, str) and text:
                markdown.append(text)  # labels and tooltips render Markdown too
        value = getattr(node, "value", None)
        if isinstance(value, str):
            other.append(value)
    return markdown, other, tables


def test_no_page_renders_markup_or_shows_personal_data_to_a_viewer(viewer_app):
    at = viewer_app
    seen_payload = False
    for page in VIEWER_PAGES:
        at.switch_page(page.file).run()
        assert not at.exception, (page.url_path, [e.message for e in at.exception])
        markdown, other, tables = rendered(at)
        for text in markdown:
            assert not any(marker in text for marker in MARKERS), (page.url_path, text[:200])
        for frame in tables:
            assert not PERSONAL_COLUMNS & {str(c) for c in frame.columns}, (
                page.url_path,
                list(frame.columns),
            )
            cells = [str(v) for v in frame.to_numpy().ravel()] + [str(c) for c in frame.columns]
            other.extend(cells)
            seen_payload |= any("evil.example" in cell for cell in cells)
        everything = " ".join(markdown + other)
        for personal in ("Ivan", "Petrov", "alfa.example", "345-67", "sha256:", "hmac:", "I*** P***", "***89"):
            assert personal not in everything, (page.url_path, personal)
    assert seen_payload, "no page showed the hostile comment or client at all: the test proves nothing"
