"""Slides: how any page's saved view becomes a presentation slide and an exported deck page.

The protocol (read this before adding a page to presentation mode):

    def slide_content(con, model, params, lang) -> SlideContent

- `con`: a DuckDB connection or cursor on the warehouse (call query functions with it directly;
  no Streamlit, so exports and tests run the same code);
- `model`: the ServiceModel; `lang`: "en" or "ru" (translate with `translate(key, lang)`, not `t`);
- `params`: the saved view's URL parameters, `{"bu": ("energy",), "metric": ("csat",)}` — plain
  strings from a link, so parse them with `app.ui.slides.params` (`filters_from_params`,
  `choice`), which drops unknown values instead of failing;
- returns `SlideContent(title, key_figure, chart, caption)`: the default title (the facilitator's
  own title wins), one `KeyFigure`, one Altair chart built by the page's own chart builder (so the
  slide draws what the page draws), and a caption (filters, n, how to read the chart).

Register it with ONE line in `app/ui/slides/registry.py` (`SLIDE_FUNCTIONS`, url path ->
"module:function"); put the function next to the page's view code (`app/ui/views/<page>_slide.py`).
A page without a slide function can still be added to a storyline: its slide shows the title,
takeaway and a link to the live page instead of a chart.
"""

from app.ui.slides.protocol import KeyFigure, SlideContent, SlideFunction

__all__ = ["KeyFigure", "SlideContent", "SlideFunction"]
