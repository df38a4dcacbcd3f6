"""One translation table for the whole UI, assembled from `translations/<area>.yaml`.

Each page area owns one YAML file (key -> {en, ru}) so engineers adding pages never edit the same
file. `t("key", **fmt)` translates into the language of the current session (the `lang` URL
parameter); labels that come from the service model use `label.get(lang)` instead.
tests/unit/test_i18n.py fails when a key lacks a language or code asks for a key that is missing.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import yaml

TRANSLATIONS_DIR = Path(__file__).parent / "translations"
LANGUAGES: tuple[str, ...] = ("en", "ru")
DEFAULT_LANGUAGE = "en"
LANG_KEY = "lang"  # session-state key and URL parameter

log = logging.getLogger(__name__)


class TranslationFileError(ValueError):
    """A translation file is malformed or defines a key another file already defines."""


@functools.cache
def translation_table(directory: Path = TRANSLATIONS_DIR) -> Mapping[str, Mapping[str, str]]:
    """key -> {lang: text}, read once per process (the files ship with the code)."""
    table: dict[str, Mapping[str, str]] = {}
    owner: dict[str, str] = {}
    for path in sorted(directory.glob("*.yaml")):
        entries = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(entries, dict):
            raise TranslationFileError(f"{path.name}: expected a mapping of key -> {{en, ru}}")
        for key, texts in entries.items():
            if key in table:
                raise TranslationFileError(f"{path.name}: key '{key}' is already defined in {owner[key]}")
            if not isinstance(texts, dict):
                raise TranslationFileError(f"{path.name}: key '{key}' must map languages to texts")
            table[key] = MappingProxyType({str(k): str(v) for k, v in texts.items()})
            owner[key] = path.name
    return MappingProxyType(table)


def translate(key: str, lang: str, **fmt: object) -> str:
    """The text for `key` in `lang` (English if that language is missing), formatted with fmt.

    An unknown key returns the key itself, so a typo shows up on screen instead of crashing a page.
    """
    texts = translation_table().get(key)
    if texts is None:
        log.warning("missing translation key %r", key)
        return key
    text = texts.get(lang) or texts.get(DEFAULT_LANGUAGE) or key
    return text.format(**fmt) if fmt else text


def current_language() -> str:
    """The session's language: the selector's state, else the URL, else the model's default."""
    import streamlit as st

    lang = st.session_state.get(LANG_KEY)
    if lang in LANGUAGES:
        return lang
    from_url = st.query_params.get(LANG_KEY)
    return from_url if from_url in LANGUAGES else DEFAULT_LANGUAGE


def t(key: str, **fmt: object) -> str:
    """Translate a UI string into the current session's language."""
    return translate(key, current_language(), **fmt)


def format_number(
    value: float | None, decimals: int = 0, lang: str | None = None, signed: bool = False, plain_minus: bool = False
) -> str:
    """Locale-aware number: 1,234.5 in English, 1 234,5 in Russian; an en dash for missing values.

    Negative numbers get a typographic minus (reads better on a projector) unless `plain_minus`:
    st.metric decides a delta's arrow and colour from a leading ASCII "-".
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    lang = lang or current_language()
    text = f"{value:+,.{decimals}f}" if signed else f"{value:,.{decimals}f}"
    if not plain_minus:
        text = text.replace("-", "−")
    if lang == "ru":
        text = text.replace(",", "\u202f").replace(".", ",")
    return text


def format_compact(value: float | None, lang: str | None = None) -> str:
    """Large amounts for tiles: 1.35 bn, 352 mln, 12.4 k (units translated)."""
    if value is None:
        return "–"
    lang = lang or current_language()
    for size, key, decimals in ((1e9, "common.unit_bn", 2), (1e6, "common.unit_mln", 1), (1e3, "common.unit_k", 1)):
        if abs(value) >= size:
            return f"{format_number(value / size, decimals, lang)} {translate(key, lang)}"
    return format_number(value, 0, lang)
