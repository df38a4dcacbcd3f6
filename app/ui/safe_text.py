"""Text typed by outsiders (survey comments, client and respondent names, file names) is shown as
text, never as markup.

Streamlit's Markdown does not run raw HTML unless `unsafe_allow_html=True` (never used on data in
this project), but Markdown itself still turns `![x](https://…)` into an image the browser fetches
(a tracking pixel in a survey comment), `[text](url)` into a link, and `**`/`_`/`#` into
formatting. Show such values in st.dataframe / st.text, or pass them through `escape_markdown`
before putting them into a Markdown string (st.markdown, st.caption, st.info, labels).
"""

from __future__ import annotations

import re
import unicodedata

# Everything CommonMark/GFM or Streamlit's extensions (:colour[...], :material/...:, $math$) treat
# as syntax anywhere in a line, plus < > (tags, autolinks) and . (www.… autolinks).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()!|~<>:$&.])")
# Syntax only at the start of a line: headings, list items, setext underlines.
_LINE_START = re.compile(r"^(\s*)([#+\-=])")


def escape_markdown(value: object) -> str:
    """`value` as a string that Markdown renders literally, on one line."""
    text = "" if value is None else str(value)
    # Line breaks become spaces; other control and format characters (NUL, right-to-left override
    # that reverses what follows, zero-width joiners) are dropped: they only disguise text.
    text = text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")
    text = "".join(c for c in text if unicodedata.category(c) not in ("Cc", "Cf"))
    return _LINE_START.sub(r"\1\\\2", _MARKDOWN_SPECIAL.sub(r"\\\1", text))
