"""Executive overview: NPS, CSAT, clients and money at risk, trends, movers, what hurts most."""

from app.ui.filters import current_filters
from app.ui.views.overview import render

render(current_filters())
