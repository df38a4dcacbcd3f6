"""CX Lens — Streamlit entry point. The shell (navigation, filters, language) lives in app/ui/shell.py;
pages are listed in app/ui/pages.py."""

from app.ui.shell import run

run()
