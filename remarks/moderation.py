"""The Polish list of words that send a public text to a moderator's review.

A match never rejects or hides anything by itself: it flags the text, and a moderator
decides. Matching is on whole words after lower-casing and folding Polish letters and common
substitutions, so "K*rwa" and "kurwą" are caught and "Skurwiel" is caught by its stem while
"kurant" or "hujanka" (a place name) are not.
"""

from __future__ import annotations

import re
import unicodedata

# Stems: a word matches when it starts with one of them.
BANNED_STEMS: tuple[str, ...] = (
    "kurw",
    "skurw",
    "chuj",
    "huj",
    "pierdol",
    "spierdal",
    "wypierdal",
    "jeban",
    "jebac",
    "jebie",
    "zajeb",
    "pojeb",
    "pizd",
    "cipa",
    "dziwk",
    "szmat",
    "pedal",
    "ciot",
    "debil",
    "kretyn",
    "idiot",
    "zjeb",
    "morderc",
    "zabije",
    "zabic",
)
# Whole words only (stems of these would catch innocent words).
BANNED_WORDS: frozenset[str] = frozenset({"gowno", "gówno", "dupa", "dupek", "frajer", "cwel"})
# Place names and words that begin like a stem but are not insults.
ALLOWED_WORDS: frozenset[str] = frozenset({"hujanka", "hujakowa", "szmaty"})

_FOLD = str.maketrans(
    {
        "ą": "a",
        "ć": "c",
        "ę": "e",
        "ł": "l",
        "ń": "n",
        "ó": "o",
        "ś": "s",
        "ź": "z",
        "ż": "z",
        "0": "o",
        "1": "i",
        "3": "e",
        "4": "a",
        "@": "a",
        "$": "s",
        "*": "u",
    }
)
_WORD = re.compile(r"[\w@$*]+", re.UNICODE)


def _fold(word: str) -> str:
    word = unicodedata.normalize("NFC", word.lower())
    return word.translate(_FOLD)


def banned_words_found(*texts: str) -> list[str]:
    """The words of ``texts`` that match the list, as written, each once, in order."""
    found: list[str] = []
    for text in texts:
        for match in _WORD.finditer(text or ""):
            raw = match.group(0)
            word = _fold(raw)
            if word in ALLOWED_WORDS:
                continue
            banned = (
                word in BANNED_WORDS
                or _fold(raw.replace("*", "")) in BANNED_WORDS
                or any(word.startswith(stem) for stem in BANNED_STEMS)
            )
            if banned and raw not in found:
                found.append(raw)
    return found
