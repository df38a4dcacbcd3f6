"""Every UI string has English and Russian, and code never asks for a key that does not exist."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from app.ui.i18n import LANGUAGES, format_compact, format_number, translate, translation_table
from app.ui.pages import GROUPS, PAGES
from app.ui.shell import GROUP_TITLE_KEYS

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted([*ROOT.joinpath("app").rglob("*.py"), *ROOT.joinpath("app_pages").rglob("*.py"),
                  ROOT / "streamlit_app.py"])
# A whole key ("journey.metric_help_nps"), not a prefix a page completes at run time ("journey.by_").
KEY_LIKE = re.compile(r"^[a-z_]+(\.[a-z0-9_]*[a-z0-9])+$")


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def _literal_calls(tree: ast.AST) -> list[tuple[str, int]]:
    """Keys passed as a literal first argument to t(...) or translate(...)."""
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and node.args:
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            first = node.args[0]
            if name in ("t", "translate") and isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append((first.value, node.lineno))
    return found


def test_every_key_has_every_language_and_the_same_placeholders():
    problems = []
    for key, texts in translation_table().items():
        missing = [lang for lang in LANGUAGES if not (texts.get(lang) or "").strip()]
        if missing:
            problems.append(f"{key}: no {', '.join(missing)}")
        elif _fields(texts["en"]) != _fields(texts["ru"]):
            problems.append(f"{key}: placeholders differ {_fields(texts['en'])} vs {_fields(texts['ru'])}")
        extra = set(texts) - set(LANGUAGES)
        if extra:
            problems.append(f"{key}: unknown languages {extra} (unquoted comma in a YAML flow mapping?)")
    assert not problems, "\n".join(problems)


def test_code_asks_only_for_keys_that_exist():
    table = translation_table()
    missing = [
        f"{path.relative_to(ROOT)}:{line}: {key}"
        for path in SOURCES
        for key, line in _literal_calls(ast.parse(path.read_text(encoding="utf-8")))
        if key not in table
    ]
    assert not missing, "t() keys without a translation:\n" + "\n".join(missing)


def test_key_literals_in_lookup_tables_exist_too():
    """Keys kept in dicts (METRIC_KEYS = {"nps": "common.metric.nps"}) are checked like t() calls."""
    table = translation_table()
    areas = {key.split(".")[0] for key in table}
    missing = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            is_key = isinstance(node, ast.Constant) and isinstance(node.value, str) and KEY_LIKE.match(node.value)
            if is_key and node.value.split(".")[0] in areas and node.value not in table:
                missing.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value}")
    assert not missing, "\n".join(missing)


def test_navigation_titles_are_translated():
    table = translation_table()
    assert all(p.title_key in table for p in PAGES)
    assert all(GROUP_TITLE_KEYS[g] in table for g in GROUPS)


def test_unknown_key_shows_itself_instead_of_crashing():
    assert translate("no.such.key", "ru") == "no.such.key"


def test_numbers_follow_the_language():
    assert format_number(1234.5, 1, "en") == "1,234.5"
    assert format_number(1234.5, 1, "ru") == "1\u202f234,5"
    assert format_number(-3, 0, "en", signed=True) == "−3"
    assert format_number(-3, 0, "en", signed=True, plain_minus=True) == "-3"
    assert format_number(None, 1, "en") == "–"


@pytest.mark.parametrize(("value", "en", "ru"), [(1.35e9, "1.35 bn", "1,35 млрд"), (352e6, "352.0 mln", "352,0 млн"),
                                                 (999, "999", "999")])
def test_compact_amounts(value, en, ru):
    assert format_compact(value, "en") == en and format_compact(value, "ru") == ru
