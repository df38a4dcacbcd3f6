"""Bottlenecks: which process step makes customers wait, as-is vs to-be, and what waiting costs in NPS."""

from app.ui.filters import current_filters
from app.ui.views.bottlenecks import render

render(current_filters())
