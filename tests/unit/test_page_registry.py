"""The page registry is the single list of pages: every entry exists, addresses are unique, and
no `pages/` folder sits next to the entry script (it would switch Streamlit to its legacy mode)."""

from __future__ import annotations

from app.ui.pages import GROUPS, PAGES, PROJECT_ROOT, page_entry, pages_by_group


def test_every_registered_page_file_exists_under_app_pages():
    for page in PAGES:
        assert page.path.is_file(), f"{page.file} is registered but missing"
        assert page.file.startswith("app_pages/"), f"{page.file}: pages live in app_pages/"


def test_url_paths_are_unique_and_groups_known():
    paths = [p.url_path for p in PAGES]
    assert len(paths) == len(set(paths))
    assert {p.group for p in PAGES} <= set(GROUPS)


def test_no_legacy_pages_folder():
    assert not (PROJECT_ROOT / "pages").exists(), (
        "A `pages/` folder next to streamlit_app.py makes Streamlit run its legacy multipage mode: "
        "deep links skip the shell. Put pages in app_pages/ and register them in app/ui/pages.py."
    )


def test_lookup_and_grouping():
    assert page_entry("overview").file == "app_pages/overview.py"
    assert page_entry("no_such_page") is None
    assert list(pages_by_group())[0] == "explore"
