"""KPI decomposition tree: TX down to IT with status, trends and the data's evidence on every link."""

from app.ui.filters import current_filters
from app.ui.views.kpi_tree import render

render(current_filters())
