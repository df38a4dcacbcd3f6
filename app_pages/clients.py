"""Clients: every client's satisfaction index, its change, NPS history, money, open work and risk; the client card."""

from app.ui.filters import current_filters
from app.ui.views.clients import render

render(current_filters())
