"""Storylines: the views prepared for a strategy session — order, titles, takeaways; present; export."""

from app.ui.views.storylines import render

render()
