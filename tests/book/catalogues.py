"""The Polish edition's catalogues: what every translation must keep, and what is left to do.

Used by ``tests/book/test_editions.py``; also a command for translators::

    .venv/bin/python -m tests.book.catalogues            # every catalogue: unfinished and broken entries
    .venv/bin/python -m tests.book.catalogues FILE.po    # one catalogue

A translation must keep, from its English message, exactly:

- every glued value (``{glue:text}`page.md::key:format```) and citation (``{cite:p}`key```);
- every link's *target*: a glossary link ``{term}`confounder``` may become
  ``{term}`czynnikiem zakłócającym <confounder>``` (the text Polish, the target English), and
  ``{ref}``, ``{doc}``, ``{download}`` likewise;
- every piece of inline code and math (``like_this``, ``$x$``) and every link address;
- its emphasis markers in balance.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOCALE = ROOT / "book" / "locale"
LANGUAGE = "pl"

ROLE = re.compile(r"\{(?P<name>[a-z:]+)\}`(?P<content>[^`]*)`")
#: Roles kept verbatim, and roles whose target is kept while their link text is translated.
KEPT_ROLES = ("glue", "cite", "eq", "math")
TARGET_ROLES = ("term", "doc", "ref", "download", "numref")
INLINE_CODE = re.compile(r"(?<![`}])`(?P<code>[^`]+)`")
MATH = re.compile(r"(?<!\\)\$(?P<math>[^$]+)\$")
LINK = re.compile(r"\]\((?P<url>[^)\s]+)\)")
EXPLICIT_TARGET = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.S)


def book_catalogues(language: str = LANGUAGE) -> list[Path]:
    return sorted((LOCALE / language / "LC_MESSAGES").rglob("*.po"))


def exercise_catalogues(language: str = LANGUAGE) -> list[Path]:
    return sorted((LOCALE / language / "exercises").glob("*.po"))


def _roles(text: str) -> Counter:
    kept = Counter()
    for match in ROLE.finditer(text):
        name, content = match["name"], match["content"]
        if name.split(":")[0] in KEPT_ROLES:
            kept[(name, content)] += 1
        elif name in TARGET_ROLES:
            explicit = EXPLICIT_TARGET.match(content)
            target = (explicit["target"] if explicit else content).strip()
            kept[(name, target.lower() if name == "term" else target)] += 1
    return kept


def _without_roles(text: str) -> str:
    return ROLE.sub(" ", text)


def structure(text: str) -> dict[str, Counter]:
    """What a translation must keep from ``text``."""
    plain = _without_roles(text)
    return {
        "roles": _roles(text),
        "inline code": Counter(INLINE_CODE.findall(MATH.sub(" ", plain))),
        "math": Counter(MATH.findall(plain)),
        "links": Counter(LINK.findall(plain)),
    }


def problems(msgid: str, msgstr: str) -> list[str]:
    """Why ``msgstr`` is not a faithful carrier of ``msgid``'s markup ([] when it is)."""
    if not msgstr:
        return []
    found = []
    original, translated = structure(msgid), structure(msgstr)
    for what in original:
        missing = original[what] - translated[what]
        extra = translated[what] - original[what]
        if missing:
            found.append(f"{what} missing: {sorted(map(str, missing.elements()))}")
        if extra:
            found.append(f"{what} not in the English: {sorted(map(str, extra.elements()))}")
    plain = INLINE_CODE.sub(" ", _without_roles(msgstr))
    if plain.count("**") % 2:
        found.append("unbalanced ** (bold)")
    return found


CODE_WORD = re.compile(r"[A-Za-z_]\w*_\w*|\.\w+\b|\b\w+\(|(?<![A-Za-z])'[^']*'")


def check_problems(msgid: str, msgstr: str) -> list[str]:
    """A check message's piece of text is glued to the values around it: its leading and
    trailing spaces and punctuation stay, and so does every name of code in it."""
    if not msgstr:
        return []
    found = []
    if msgid[: len(msgid) - len(msgid.lstrip())] != msgstr[: len(msgstr) - len(msgstr.lstrip())] or \
            msgid[len(msgid.rstrip()):] != msgstr[len(msgstr.rstrip()):]:
        found.append("leading or trailing spaces differ from the English")
    for end in (msgid[:1], msgid[-1:]):
        if end in ":;,.'(" and end not in (msgstr[:1], msgstr[-1:]):
            found.append(f"the English starts or ends with {end!r}, the translation does not")
    missing = Counter(CODE_WORD.findall(msgid)) - Counter(CODE_WORD.findall(msgstr))
    if missing:
        found.append(f"names of code missing: {sorted(missing)}")
    return found


def unfinished(entry) -> str | None:
    if entry.obsolete:
        return None
    if entry.fuzzy:
        return "fuzzy (the English changed; check the translation and remove the fuzzy flag)"
    if not entry.msgstr:
        return "untranslated"
    return None


def report(paths: list[Path]) -> list[str]:
    import polib

    lines = []
    for path in paths:
        catalogue = polib.pofile(str(path))
        for entry in catalogue:
            shown = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
            where = f"{shown}: {entry.msgid[:70]!r}"
            state = unfinished(entry)
            if state:
                lines.append(f"{where}: {state}")
            for problem in problems(entry.msgid, entry.msgstr):
                lines.append(f"{where}: {problem}")
            if entry.msgctxt == "check":
                lines += [f"{where}: {problem}" for problem in check_problems(entry.msgid, entry.msgstr)]
    return lines


if __name__ == "__main__":
    chosen = [Path(arg).resolve() for arg in sys.argv[1:]] or book_catalogues() + exercise_catalogues()
    found = report(chosen)
    print("\n".join(found) or "nothing to do")
    print(f"{len(found)} problems in {len(chosen)} catalogues", file=sys.stderr)
    sys.exit(1 if found else 0)
