"""Customer-journey map: stage × touchpoint heat-map, difference map, emotion curve, touchpoint detail."""

from app.ui.filters import current_filters
from app.ui.views.journey import render

render(current_filters())
