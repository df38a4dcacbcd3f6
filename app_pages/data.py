"""Data: upload exports, map their columns, check them, load the good rows, undo a batch."""

from app.ui.views.data import render

render()
