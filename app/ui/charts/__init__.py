"""Chart builders shared by pages, exports and presentation mode: frame in, Altair chart out.

No Streamlit here: `chart.save(buf, format="png")` (vl-convert) renders the same chart for a deck.
Importing this package registers the CX Lens theme (colour-blind-safe, projector-friendly); in a
page, render through `app.ui.components.chart_with_table`, which passes `theme=None` so Streamlit
does not override it.
"""

from app.ui.charts.theme import BAD, GOOD, PALETTE, register_theme

register_theme()

__all__ = ["BAD", "GOOD", "PALETTE", "register_theme"]
