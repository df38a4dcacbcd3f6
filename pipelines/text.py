"""Turning feedback text into terms: language, tokens, stop words and Snowball stems (RU and EN).

Why stems: "поставка", "поставки", "поставку" (and "delayed", "delays") are one complaint, and a
topic model only sees that once they are one term. Why stop words from a data file: the courtesy
formulas of tickets ("Добрый день", "Please look into it") and the hedges of mixed comments
("В целом нормально, но …") repeat across every complaint and would otherwise become topics of
their own; analysts can extend the list without touching code.
"""

from __future__ import annotations

import functools
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import snowballstemmer
import yaml

from app.settings import DATA_DIR

STOPWORDS_PATH = DATA_DIR / "stopwords.yaml"
LANGUAGES: tuple[str, ...] = ("ru", "en")
_STEMMER_NAMES = {"ru": "russian", "en": "english"}
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")
_CODE = re.compile(r"\S*\d\S*")  # order numbers, dates, amounts: "ORD-015283", "12.05", "3дн"
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
MIN_TOKEN_CHARS = 2


def normalise(text: str) -> str:
    """Lower case, ё → е (Russian writers use both), typographic apostrophes made plain."""
    return text.lower().replace("ё", "е").replace("’", "'")


def detect_language(text: str | None) -> str:
    """'ru' when Cyrillic letters are at least as many as Latin ones, else 'en'.

    Feedback mixes scripts ("Заказ ORD-0153", "КП в PDF"), so the majority of letters decides.
    """
    if not text:
        return "en"
    cyrillic = len(_CYRILLIC.findall(text))
    latin = len(_LATIN.findall(text))
    return "ru" if cyrillic and cyrillic >= latin else "en"


@functools.cache
def load_stopwords(path: Path = STOPWORDS_PATH) -> dict[str, frozenset[str]]:
    """{'ru': {...}, 'en': {...}} from the YAML file (normalised like the text)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {lang: frozenset(normalise(str(w)) for w in data.get(lang) or ()) for lang in LANGUAGES}


@functools.cache
def _stemmer(lang: str) -> snowballstemmer.stemmer:
    return snowballstemmer.stemmer(_STEMMER_NAMES[lang])


def word_language(word: str) -> str:
    return "ru" if _CYRILLIC.search(word) else "en"


@dataclass
class Tokenizer:
    """Text → stems, remembering which surface word was seen most for each stem (for display).

    One instance per model run: `display_form(stem)` turns "поставк" back into "поставки".
    """

    stopwords: dict[str, frozenset[str]] = field(default_factory=load_stopwords)
    surface: dict[str, Counter] = field(default_factory=dict)

    def __call__(self, text: str) -> list[str]:
        stems = []
        for word in _WORD.findall(_CODE.sub(" ", normalise(text or ""))):
            word = word.replace("'", "")
            lang = word_language(word)
            if len(word) < MIN_TOKEN_CHARS or word in self.stopwords[lang]:
                continue
            stem = _stemmer(lang).stemWord(word)
            self.surface.setdefault(stem, Counter())[word] += 1
            stems.append(stem)
        return stems

    def display_form(self, stem: str) -> str:
        forms = self.surface.get(stem)
        return forms.most_common(1)[0][0] if forms else stem


def stem_words(words: Iterable[str]) -> list[str]:
    """The stems of single words (used to compare topics with keyword lists)."""
    out = []
    for word in words:
        word = normalise(word)
        out.append(_stemmer(word_language(word)).stemWord(word))
    return out
