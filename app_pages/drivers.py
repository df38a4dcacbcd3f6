"""Key drivers: what moves NPS for a segment and by how much, how far to trust it, and what if."""

from app.ui.filters import current_filters
from app.ui.views.drivers import render

render(current_filters())
