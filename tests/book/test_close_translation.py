"""No passage of the book follows a source sentence by sentence: a close translation is a quotation.

The book reports its Polish and Dutch sources in its own words. A paragraph that renders a
source's sentences one after another, in the source's order, is a translation even when
no word is quoted, so the check compares the book with the sources through English
renderings of them kept beside this test (``source_translations/<key>.txt``, one source
sentence per line, in the source's order; a line ``Title: ...`` is the source's headline,
which restates a fact rather than arguing, and is not compared).

For each section of a chapter (the text under one heading), and for each foreign source the
section cites, every sentence of the section is compared with every sentence of the
source by their shared content words (stop words dropped, a light stem). A book sentence
*follows* a source sentence when it shares at least MIN_SHARED of them, carrying at least
MIN_RATIO of the source sentence's weight; a word weighs less the more of the source's
sentences it appears in, so that a column's topic ("health care") does not count as
following it. The section fails when two or more neighbouring source
sentences are followed in their order (by the same book sentence or by later ones), or in
exactly the reverse order: a marked quotation of one sentence is allowed, a second in a row
is a translation, whichever way round it is told.

The thresholds were set on the chapters as they stood before they were rewritten: every
passage a reader had found to follow a source closely is caught (the cases below keep
some), and sentences that report one fact of a source, or several out of order, are not.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import pytest

from ..helpers import ROOT
from .test_attributions import CITATION, INLINE_CODE, book_pages, foreign_sources, prose_blocks

TRANSLATIONS = Path(__file__).parent / "source_translations"
MIN_SHARED = 3
MIN_RATIO = 0.4

STOP_WORDS = frozenset("""
a an the and or but nor of in on at to for from by with without into onto over under about above below than then as
is are was were be been being am do does did done doing have has had having it its this that these those there here
their they them he him his she her hers we us our you your i me my not no so such too very can could would should will
shall may might must also only even just more most less least much many some any each every all both either neither
one two three own other another what which who whom whose when where why how if while because though although whether
out up down off again further once same ourselves itself themselves himself herself yourself says said say according
writes wrote argues argue notes note
""".split())
SUFFIXES = ("ational", "ization", "fulness", "ousness", "iveness", "ations", "ation", "ments", "ment", "ities", "ity",
            "ness", "ings", "ing", "ives", "ive", "ers", "er", "ies", "ied", "es", "ed", "ly", "s", "al", "e")
LIST_MARK = re.compile(r"^\s*(?:[-*+]|\d+\.)\s+")
SPEAKER = re.compile(r"^[A-Z][a-z]+(?: [A-Z][a-z]+)?: ")
SENTENCE_END = re.compile(r"(?<=[.!?:;])\s+(?=[A-Z\"\u201c(])")


def stem(word: str) -> str:
    for suffix in SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            return word[: -len(suffix)]
    return word


def content_words(sentence: str) -> set[str]:
    words = re.findall(r"[a-z]+|\d+", sentence.lower())
    return {stem(word) for word in words if word not in STOP_WORDS and (len(word) > 2 or word.isdigit())}


def sentences(block: str) -> list[str]:
    """A paragraph or list item as plain sentences: citations, glued values, code and markup removed."""
    text = LIST_MARK.sub("", block)
    text = CITATION.sub(" ", text)
    text = re.sub(r"\{glue:[a-z]+\}`[^`]*`", " ", text)
    text = re.sub(r"\{[a-z:]+\}`([^`]*)`", r" \1 ", text)
    text = INLINE_CODE.sub(" ", text)
    text = " ".join(re.sub(r"[*_>]", " ", text).split())
    return [part for part in SENTENCE_END.split(text) if len(part.split()) >= 3]


def source_sentences(key: str) -> list[str]:
    lines = (TRANSLATIONS / f"{key}.txt").read_text(encoding="utf-8").splitlines()
    # An interview's speaker labels ("Jeannie Walters: ...") name who speaks; they are not its words.
    return [SPEAKER.sub("", line) for line in lines if line.strip() and not line.startswith(("#", "Title: "))]


def word_weights(source: list[str]) -> dict[str, float]:
    """How much each content word of a source tells: words in many of its sentences (its topic) tell little."""
    counts: dict[str, int] = {}
    for line in source:
        for word in content_words(line):
            counts[word] = counts.get(word, 0) + 1
    return {word: math.log(1 + len(source) / count) for word, count in counts.items()}


def follows(book: str, source: str, weights: dict[str, float] | None = None) -> bool:
    """Whether a book sentence shares at least MIN_SHARED content words with a source sentence,
    carrying at least MIN_RATIO of the source sentence's weight."""
    source_words = content_words(source)
    shared = content_words(book) & source_words
    if not source_words or len(shared) < MIN_SHARED:
        return False
    weight = (weights or {}).get
    return sum(weight(word, 1.0) for word in shared) / sum(weight(word, 1.0) for word in source_words) >= MIN_RATIO


def longest_run(book: list[str], source: list[str]) -> list[tuple[int, int]]:
    """The longest run of neighbouring source sentences followed in order, or in reverse order.

    Returns (source index, book index) pairs. Restating a source's neighbouring sentences
    backwards is still following them sentence by sentence, so both directions count.
    """
    weights = word_weights(source)
    followed = {i: [j for j, sentence in enumerate(book) if follows(sentence, line, weights)]
                for i, line in enumerate(source)}
    best: list[tuple[int, int]] = []
    for forwards in (True, False):
        for start, places in followed.items():
            for place in places:
                run = [(start, place)]
                while followed.get(run[-1][0] + 1):
                    later = [j for j in followed[run[-1][0] + 1] if (j >= run[-1][1] if forwards else j <= run[-1][1])]
                    if not later:
                        break
                    run.append((run[-1][0] + 1, min(later) if forwards else max(later)))
                if len(run) > len(best):
                    best = run
    return best


def sections(markdown: str) -> list[str]:
    """The page cut at its headings: each piece is a heading and the text under it."""
    pieces, current = [], []
    for line in markdown.splitlines():
        if re.match(r"#{1,6} ", line) and current:
            pieces.append("\n".join(current))
            current = []
        current.append(line)
    pieces.append("\n".join(current))
    return pieces


def close_translations(markdown: str, translated: set[str]) -> list[str]:
    """One message per section and source whose sentences the section follows two or more in a row."""
    problems = []
    for section in sections(markdown):
        blocks = [block for block in prose_blocks(section) if not block.lstrip().startswith("#")]
        cited = {key.strip() for block in blocks for keys in CITATION.findall(block) for key in keys.split(",")}
        book = [sentence for block in blocks for sentence in sentences(block)]
        for key in sorted(cited & translated):
            source = source_sentences(key)
            run = longest_run(book, source)
            if len(run) >= 2:
                heading = section.splitlines()[0][:60]
                pairs = "; ".join(f"source {i + 1} ~ {book[j][:70]!r}" for i, j in run)
                problems.append(f"{heading}: follows {key} for {len(run)} sentences in a row: {pairs}")
    return problems


def translated_sources() -> set[str]:
    return {path.stem for path in TRANSLATIONS.glob("*.txt")}


def test_every_foreign_source_the_book_cites_has_an_english_rendering():
    cited = {key.strip() for page in book_pages() for keys in CITATION.findall(page.read_text(encoding="utf-8"))
             for key in keys.split(",")}
    missing = (cited & foreign_sources()) - translated_sources()
    assert not missing, f"no rendering in {TRANSLATIONS.name}/ for {sorted(missing)}"
    for key in translated_sources():
        assert len(source_sentences(key)) >= 8, key


@pytest.mark.parametrize("page", book_pages(), ids=lambda page: page.relative_to(ROOT).as_posix())
def test_no_section_follows_a_source_sentence_by_sentence(page):
    problems = close_translations(page.read_text(encoding="utf-8"), translated_sources())
    assert not problems, f"{page.relative_to(ROOT)}:\n" + "\n".join(problems)


# Passages as the chapters once had them (each followed its source closely), and renderings
# of the same facts that do not.
CLOSE = {
    "szawiec_myths": (
        "## Three lessons\n\n"
        "In a column {cite:p}`szawiec_myths`, Piotr Szawiec reports a survey. Most respondents, 70%, are not "
        "satisfied with how health care in Poland works. That, he notes, is nothing new and fits the common "
        "picture of the system, even though not everybody uses health care regularly. Satisfaction is expressed "
        "more often by the oldest respondents, aged 65 and over (40%), who statistically need the system most. "
        "Negative opinions are more frequent among those aged 25 to 34 (81%), age groups that, he says, need and "
        "use health care less often.\n"),
    "kupiec_nps": (
        "## Why it spread\n\n"
        "Waldemar Kupiec {cite:p}`kupiec_nps` explains the score's success by its simplicity: everyone can follow "
        "it, from the respondent who is asked a single question, to someone new to research who can work the "
        "score out without advanced analytical tools or statistics, to senior management, to whom it takes a "
        "minute to explain. A gigantic, worldwide and very granular base of benchmarks wins the score a great "
        "many followers.\n"),
    "wblo_certification": (
        "## The case against\n\n"
        "2. **What a certificate can vouch for.** Measured against ISO standards or technical certifications, the "
        "piece finds a CX certificate wanting: nobody audits it from outside, it gives a firm no edge over its "
        "competitors, and holding it does not by itself make a process better. Nor is it any guarantee that "
        "satisfaction, loyalty or NPS will improve. What it does attest, the author writes, is that someone "
        "\"read a presentation, remembered a few definitions and passed a paid test\" (our translation) "
        "{cite:p}`wblo_certification`, which is too thin a proof for boards that decide on hard data and "
        "operating costs.\n"),
}
OWN_WORDS = {
    "szawiec_myths": (
        "## Three lessons\n\n"
        "Three figures from a health-care survey that Piotr Szawiec reports {cite:p}`szawiec_myths` set our data "
        "question: 81% of 25-to-34-year-olds, 70% of everyone and 40% of those aged 65 and over. Which of these "
        "people had used the system they rated? The column does not give a sample size, so we simulate one.\n"),
    "kupiec_nps": (
        "## Why it spread\n\n"
        "A benchmark needs many users, and NPS has them: Waldemar Kupiec {cite:p}`kupiec_nps` credits its reach "
        "to a benchmark base spanning the world. He also credits its simplicity for everyone involved.\n"),
    "wblo_certification": (
        "## The case against\n\n"
        "Our question is whether a certificate changes outcomes at all. The piece {cite:p}`wblo_certification` "
        "doubts it: a certificate, it says, is no guarantee of higher satisfaction, loyalty or NPS. The data below "
        "can test the stronger claim, that the effect is zero.\n"),
}


@pytest.mark.parametrize("key", sorted(CLOSE))
def test_the_check_catches_a_close_translation_and_passes_the_same_facts_in_our_words(key):
    close = close_translations(CLOSE[key], {key})
    assert len(close) == 1 and key in close[0], close
    assert close_translations(OWN_WORDS[key], {key}) == []


def test_order_and_citation_matter():
    older = ("Satisfaction is expressed more often by the oldest respondents, aged 65 and over (40%), who "
             "statistically need the system most.")
    younger = "Negative opinions are more frequent among those aged 25 to 34 (81%), whose health problems are rarer."
    cited = "Piotr Szawiec reports a survey {cite:p}`szawiec_myths`."
    in_order = close_translations(f"## Survey\n\n{cited} {older} {younger}\n", {"szawiec_myths"})
    assert len(in_order) == 1 and "2 sentences in a row" in in_order[0], in_order
    # Told backwards, the two sentences still follow the source sentence by sentence.
    backwards = close_translations(f"## Survey\n\n{cited} {younger} {older}\n", {"szawiec_myths"})
    assert len(backwards) == 1 and "2 sentences in a row" in backwards[0], backwards
    # Apart, in separate sections, each is one point reported where it is used.
    apart = f"## Survey\n\n{cited} {older}\n\n## The young\n\nIn the same column {{cite:p}}`szawiec_myths`: {younger}\n"
    assert close_translations(apart, {"szawiec_myths"}) == []
    # Without a citation of the source, a section is not compared with it.
    assert close_translations(f"## Survey\n\nA survey. {older} {younger}\n", {"szawiec_myths"}) == []
    # One sentence that follows the source is a paraphrase of one point, not a translation.
    assert close_translations(f"## Survey\n\n{cited} {older}\n", {"szawiec_myths"}) == []
