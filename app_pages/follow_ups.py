"""Follow-ups: the closed loop — a case for every detractor answer, tracked to the end."""

from app.ui.filters import current_filters
from app.ui.views.follow_ups import render

render(current_filters())
