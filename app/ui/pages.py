"""The page registry: every page of the app, in menu order, grouped for the three kinds of user.

To add a page: create `app_pages/<name>.py` (thin: read filters -> call app -> render), add ONE line
to `PAGES`, add its title key to your area's translation file (app/ui/translations/<area>.yaml). The
navigation, the AppTest smoke test and the browser tests all read this list, so a new page is
covered by them automatically. The page's address is its file stem: app_pages/drivers.py -> /drivers.

Why `app_pages/` and not `pages/`: Streamlit checks for a folder named `pages` next to the entry
script when the server starts and, if it exists, runs in its legacy multipage mode for good: a deep
link such as /journey_map then runs the page file WITHOUT the shell (no filters, no language, no
navigation), and AppTest loses the sidebar after the first rerun. tests/unit/test_page_registry.py
fails if a `pages/` folder appears.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from app.auth.roles import Role

PROJECT_ROOT = Path(__file__).resolve().parents[2]

# Navigation sections in menu order: executives explore, analysts manage data, facilitators present.
GROUPS: tuple[str, ...] = ("explore", "data", "present")


@dataclass(frozen=True)
class PageEntry:
    group: str  # one of GROUPS
    file: str  # path relative to the project root, under app_pages/
    title_key: str  # translation key of the menu title
    icon: str  # a Material symbol (":material/name:") or an emoji
    # The lowest role that may open the page: "viewer" < "analyst" < "admin" (app/auth/roles.py).
    # The shell hides the page from lower roles and refuses its URL; see app/ui/access.py.
    min_role: Role = "viewer"

    @property
    def url_path(self) -> str:
        return Path(self.file).stem

    @property
    def path(self) -> Path:
        return PROJECT_ROOT / self.file


PAGES: tuple[PageEntry, ...] = (
    PageEntry("explore", "app_pages/overview.py", "page.overview", ":material/dashboard:"),
    PageEntry("explore", "app_pages/journey_map.py", "page.journey_map", ":material/route:"),
    PageEntry("explore", "app_pages/drivers.py", "page.drivers", ":material/insights:"),
    PageEntry("explore", "app_pages/kpi_tree.py", "page.kpi_tree", ":material/account_tree:"),
    PageEntry("explore", "app_pages/clients.py", "page.clients", ":material/groups:"),
    PageEntry("explore", "app_pages/bottlenecks.py", "page.bottlenecks", ":material/hourglass_bottom:"),
    PageEntry("explore", "app_pages/voice_of_customer.py", "page.voice_of_customer", ":material/forum:"),
    PageEntry("explore", "app_pages/follow_ups.py", "page.follow_ups", ":material/call:"),
    PageEntry("data", "app_pages/data.py", "page.data", ":material/upload_file:", min_role="analyst"),
    PageEntry("data", "app_pages/users.py", "page.users", ":material/manage_accounts:", min_role="admin"),
    PageEntry("present", "app_pages/storylines.py", "page.storylines", ":material/slideshow:"),
    PageEntry("present", "app_pages/present.py", "page.present", ":material/present_to_all:"),
)


def page_entry(url_path: str) -> PageEntry | None:
    """The registered page with that url path, or None when that page has not been built yet."""
    return next((p for p in PAGES if p.url_path == url_path), None)


def pages_by_group() -> dict[str, list[PageEntry]]:
    grouped: dict[str, list[PageEntry]] = {g: [] for g in GROUPS}
    for page in PAGES:
        grouped[page.group].append(page)
    return {g: pages for g, pages in grouped.items() if pages}
