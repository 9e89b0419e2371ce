"""The language of cxlab's messages to learners: English (the default) or Polish.

The Polish exercise notebooks select Polish with one line in their set-up cell::

    import cxlab
    cxlab.set_language("pl")

Then the value checks (:func:`cxlab.selfstudy.check_practice`) speak Polish. Errors raised by
the library stay in English, as do names in code. The setting is per process (a notebook's
kernel), and :func:`language` reads it.
"""

from __future__ import annotations

LANGUAGES = ("en", "pl")
_current = "en"


def set_language(language: str) -> None:
    """Set the language of cxlab's messages to learners: ``"en"`` or ``"pl"``.

    >>> set_language("pl"); language()
    'pl'
    >>> set_language("en")
    """
    global _current
    if not isinstance(language, str):
        raise TypeError(f"language must be a string, one of {', '.join(LANGUAGES)}; got {type(language).__name__}")
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {', '.join(LANGUAGES)}, not {language!r}")
    _current = language


def language() -> str:
    """The language set by :func:`set_language` (``"en"`` until then)."""
    return _current


def say(english: str, polish: str) -> str:
    """The message in the current language."""
    return polish if _current == "pl" else english
