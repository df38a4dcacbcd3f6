"""Every CSV/XLSX the app hands out comes from app/spreadsheet.py, and no user text is rendered as
HTML: a scan of the source, so a new page cannot add a raw download or unsafe HTML unnoticed."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from app.settings import PROJECT_ROOT

SOURCES = sorted([*(PROJECT_ROOT / "app").rglob("*.py"), *(PROJECT_ROOT / "app_pages").rglob("*.py")])
# Files that may call st.download_button with a spreadsheet directly, and why.
SPREADSHEET_DOWNLOAD_OWNERS = {
    "app/ui/components.py": "download_buttons(): csv_bytes / xlsx_bytes from app.spreadsheet",
    "app/ui/views/data_history.py": "the analyst's uploaded file as archived (personal columns masked: pipelines/archive.py)",
    "app/ui/views/data_formats.py": "the committed example files in data/examples/",
}
SPREADSHEET_HINTS = ("csv", "xlsx", "spreadsheet", "excel", "tab-separated")


def _calls(tree: ast.AST, name: str):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            called = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
            if called == name:
                yield node


def _keyword_text(call: ast.Call, keyword: str) -> str:
    for kw in call.keywords:
        if kw.arg == keyword:
            return ast.unparse(kw.value).lower()
    return ""


def _relative(path: Path) -> str:
    return path.relative_to(PROJECT_ROOT).as_posix()


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_spreadsheet_downloads_go_through_app_spreadsheet(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for call in _calls(tree, "download_button"):
        described = _keyword_text(call, "mime") + " " + _keyword_text(call, "file_name")
        if any(hint in described for hint in SPREADSHEET_HINTS):
            assert _relative(path) in SPREADSHEET_DOWNLOAD_OWNERS, (
                f"{_relative(path)}:{call.lineno} offers a spreadsheet without app.spreadsheet: "
                "use app.ui.components.download_buttons"
            )


@pytest.mark.parametrize("path", SOURCES, ids=_relative)
def test_no_unsafe_html_and_st_html_only_with_constants(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for call in ast.walk(tree):
        if not isinstance(call, ast.Call):
            continue
        for kw in call.keywords:
            if kw.arg in ("unsafe_allow_html", "unsafe_allow_javascript"):
                assert isinstance(kw.value, ast.Constant) and kw.value.value is False, (
                    f"{_relative(path)}:{call.lineno}: {kw.arg} — render user text as text"
                )
    for call in _calls(tree, "html"):
        if call.args:
            assert _html_is_safe(call.args[0]), (
                f"{_relative(path)}:{call.lineno}: st.html with text that is not escaped; use "
                "html.escape() on every value, or st.markdown / st.text instead"
            )


NUMERIC_NAME = re.compile(r"^(n|i|index|total|count|width|height|size|\w+_(n|count|px|pct|index))$")


def _html_is_safe(node: ast.expr) -> bool:
    """st.html's argument: a constant, an UPPER_CASE module constant (CSS), a helper named *_html,
    or an f-string whose every value is escaped (a call to *escape*), arithmetic, or a number-named
    variable. Catches the usual slip: st.html(f"<div>{row['comment']}</div>")."""
    if isinstance(node, ast.Constant) or (isinstance(node, ast.Name) and node.id.isupper()):
        return True
    if isinstance(node, ast.Call):
        return _function_name(node).endswith("_html")
    if isinstance(node, ast.JoinedStr):
        return all(
            _formatted_value_is_safe(part.value)
            for part in node.values
            if isinstance(part, ast.FormattedValue)
        )
    return False


def _function_name(call: ast.Call) -> str:
    func = call.func
    return (func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")) or ""


def _formatted_value_is_safe(value: ast.expr) -> bool:
    if isinstance(value, ast.Call):
        return "escape" in _function_name(value)
    if isinstance(value, ast.BinOp | ast.Constant):
        return True
    return isinstance(value, ast.Name) and bool(NUMERIC_NAME.match(value.id))
