"""Static exports of storylines: PPTX (python-pptx) and PDF (fpdf2) decks, one slide per saved view,
with charts rendered offline by vl-convert (app.ui.charts.projector). No Streamlit, no browser."""
