"""Presentation mode: a storyline full screen, for the projector; keyboard and clicker friendly."""

from app.ui.views.present import render

render()
