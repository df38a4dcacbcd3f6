"""Voice of the customer: complaint topics, their frequency across the journey, client groups, comments."""

from app.ui.filters import current_filters
from app.ui.views.voc import render

render(current_filters())
