"""The language of cxlab's messages to learners: English (the default) or Polish.

The Polish exercise notebooks select Polish with one line in their set-up cell::

    from cxlab.language import set_language; set_language("pl")

Then the value checks (:func:`cxlab.selfstudy.check_practice`) speak Polish, and so do the
visible checks: their code is the same in both languages, so an ``assert`` message is written
in English, and in a notebook (IPython) cxlab shows a failed check's message with each piece
of its text replaced by its translation (:func:`translate_message`, from
``cxlab/datasets/messages/pl.json``, which ``make catalogues`` writes from the exercises'
catalogues). Errors raised by the library stay in English, as do names in code. The setting is
per process (a notebook's kernel), and :func:`language` reads it.
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
    _show_checks_in(language)


def language() -> str:
    """The language set by :func:`set_language` (``"en"`` until then)."""
    return _current


def say(english: str, polish: str) -> str:
    """The message in the current language."""
    return polish if _current == "pl" else english


def _messages(language: str) -> dict[str, str]:
    """English text -> its translation, for the checks' messages (shipped with cxlab)."""
    import json
    from importlib import resources

    path = resources.files("cxlab").joinpath("datasets", "messages", f"{language}.json")
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else {}


def translate_message(message: str, language: str | None = None) -> str:
    """A check's message with every piece of English text that has a translation replaced.

    >>> translate_message("nps_all should be a number, not str", "pl")
    'nps_all powinno być liczbą, a nie str'
    """
    language = language or _current
    if language == "en":
        return message
    table = _messages(language)
    pieces = sorted((english for english in table if english in message), key=len, reverse=True)
    for english in pieces:
        message = message.replace(english, table[english])
    return message


def _show_checks_in(language: str) -> None:
    """In IPython, show a failed check's message (an AssertionError) in ``language``."""
    import builtins

    get_ipython = getattr(builtins, "get_ipython", None)  # set by IPython while it runs code
    shell = get_ipython() if get_ipython is not None else None
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return
    if language == "en":
        shell.set_custom_exc((), None)
        return

    def translated(shell, kind, error, traceback, tb_offset=None):
        message = str(error)
        shown = kind(translate_message(message, language)) if message else error
        return shell.showtraceback((kind, shown, traceback), tb_offset=tb_offset)

    shell.set_custom_exc((AssertionError,), translated)
