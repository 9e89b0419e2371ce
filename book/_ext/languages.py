"""The book's two editions as a reader meets them: a switcher, Polish numbers, translated alt texts.

- **Switcher.** Every page of either edition opens with a link to the same page in the other
  one (the Polish book lives in ``pl/`` beside the English pages; ``book/_ext/editions.py``).
- **Numbers.** In the Polish edition a value glued into the text (``{glue:text}``) is written the
  Polish way: a decimal comma and a narrow no-break space between thousands (``1 234,5``). The
  few glued words (a department's name, a rank) come from ``book/locale/pl/glued-words.json``;
  a glued word missing there fails the build, so no English word slips into a Polish sentence.
- **Alt texts and self-checks.** Sphinx translates an image's alt text, but the catalogue never
  received the alt texts of the chapters' figures (the page's figure links replace the image
  nodes before the gettext builder reads them), nor the self-checks (a node of the book's own):
  both are added to the page's catalogue when it is read, and the self-checks of a translated
  edition are looked up there.
- **The extensions' own words** (the set-up box, the self-check's button, the notebook link):
  :data:`UI_POLISH`, through :func:`ui`.
"""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

from docutils import nodes
from sphinx.transforms.post_transforms import SphinxPostTransform
from sphinx.util import logging
from sphinx.util.i18n import docname_to_domain

logger = logging.getLogger(__name__)

EDITIONS = {"en": "English", "pl": "Polski"}
#: Where each edition's pages live, relative to the root of the built English book.
FOLDERS = {"en": "", "pl": "pl/"}
GLUED_WORDS = Path(__file__).resolve().parents[1] / "locale" / "{language}" / "glued-words.json"
NARROW_NO_BREAK_SPACE = "\u202f"


def edition(app) -> str:
    return app.config.language if app.config.language in EDITIONS else "en"


#: What the book's own extensions write on a page (set-up box, self-checks, notebook links), in Polish.
UI_POLISH = {
    # selfcheck.py and static/selfcheck.js
    "Self-check": "Sprawdź się",
    "Check my answer": "Sprawdź odpowiedź",
    "Choose an answer first.": "Najpierw wybierz odpowiedź.",
    "Correct.": "Dobrze.",
    "Not quite.": "Nie całkiem.",
    # kit.py
    "Before you start: set up once": "Zanim zaczniesz: jednorazowe przygotowanie",
    "Set up the exercises": "Przygotuj ćwiczenia",
    "Download the course kit ": "Pobierz pakiet kursu ",
    " (the exercise notebooks, the cxlab library and a requirements.txt; no answers) and unzip it.":
        " (notatniki ćwiczeń, biblioteka cxlab i plik requirements.txt; bez odpowiedzi) i rozpakuj go.",
    " Set up already? This notebook alone: ": " Masz już środowisko? Sam ten notatnik: ",
    " (save it in the kit's folder).": " (zapisz go w folderze pakietu).",
    "In the unzipped folder, install (Python 3.11 or newer; everything goes into the folder {environment}), "
    "then start JupyterLab and {where}.":
        "W rozpakowanym folderze zainstaluj (Python 3.11 lub nowszy; wszystko trafia do folderu {environment}), "
        "potem uruchom JupyterLab i {where}.",
    "open {notebook}": "otwórz {notebook}",
    "open a notebook under exercises/": "otwórz notatnik z folderu exercises/",
    "macOS and Linux": "macOS i Linux",
    "Windows (Command Prompt)": "Windows (wiersz polecenia)",
    "The library alone, for your own projects: ": "Sama biblioteka, do własnych projektów: ",
    " (pip install it with the extra [lab] to get JupyterLab too).":
        " (zainstaluj ją przez pip z dodatkiem [lab], aby mieć też JupyterLab).",
    # notebooks.py
    "Show the answer": "Pokaż odpowiedź",
    "Note": "Uwaga", "Tip": "Wskazówka", "Important": "Ważne", "Warning": "Ostrzeżenie",
    "Caution": "Ostrożnie", "Attention": "Uwaga", "Hint": "Podpowiedź", "See also": "Zobacz też", "": "",
    "> This notebook is a chapter of the CX Lab book, converted from its page. Run its cells in order from the "
    "top. Its code needs the course library `cxlab` with its `lab` extra (JupyterLab, matplotlib and "
    "ipywidgets); the citations refer to the book's bibliography.":
        "> Ten notatnik to rozdział książki CX Lab, przekształcony z jej strony. Uruchamiaj komórki po kolei "
        "od góry. Kod potrzebuje biblioteki kursu `cxlab` z dodatkiem `lab` (JupyterLab, matplotlib i "
        "ipywidgets); odwołania do literatury wskazują bibliografię książki.",
    "Download this chapter as a notebook": "Pobierz ten rozdział jako notatnik",
    " to run its code yourself in JupyterLab, with the course library installed":
        ", aby samodzielnie uruchomić jego kod w JupyterLab z zainstalowaną biblioteką kursu",
}


def ui(config, english: str) -> str:
    """``english`` as the edition being built writes it (the book's own extensions call this)."""
    if getattr(config, "language", None) == "pl":
        if english not in UI_POLISH:
            raise KeyError(f"no Polish for the page text {english!r}: add it to languages.UI_POLISH")
        return UI_POLISH[english]
    return english


def polish_number_text(text: str) -> str:
    """Numbers in ``text`` in Polish style: ``1,234.5`` -> ``1 234,5`` (narrow no-break space).

    >>> polish_number_text("1,234.5 and -0.25, A05, 12")
    '1\\u202f234,5 and -0,25, A05, 12'
    """
    def number(match: re.Match) -> str:
        whole, _, fraction = match.group(0).partition(".")
        whole = whole.replace(",", NARROW_NO_BREAK_SPACE)
        return f"{whole},{fraction}" if fraction else whole

    return re.sub(r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+", number, text)


class LocaliseGluedText(SphinxPostTransform):
    """Glued values (myst-nb's ``pasted-text`` nodes) written for the page's language."""

    default_priority = 7  # after myst-nb puts the glued values in (priority 5)

    def apply(self, **kwargs) -> None:
        language = edition(self.app)
        if language == "en":
            return
        for node in list(self.document.findall(nodes.inline)):
            if "pasted-text" not in node.get("classes", []):
                continue
            try:
                text = localised_glue(node.astext(), language)
            except KeyError as missing:
                logger.warning(str(missing.args[0]), location=node)
                continue
            node.replace_self(nodes.inline(text, text, classes=node["classes"]))


def localised_glue(text: str, language: str) -> str:
    """A glued value as the edition writes it: its word from glued-words.json, its numbers Polish.
    A word with no entry there is a KeyError, so that no English word slips into a Polish sentence."""
    if language == "en":
        return text
    if re.search(r"[A-Za-z]{2,}", text) and not re.fullmatch(r"(?:[A-Z]\d+(?:, )?)+", text):
        words = _glued_words(language)
        if text not in words:
            raise KeyError(f"the glued text {text!r} has no {language} form in "
                           f"{GLUED_WORDS.as_posix().format(language=language)}")
        text = words[text]
    return polish_number_text(text)


def _glued_words(language: str) -> dict[str, str]:
    path = Path(str(GLUED_WORDS).format(language=language))
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def _selfchecks(doctree) -> list:
    return list(doctree.findall(lambda node: node.tagname == "selfcheck_node"))


def _selfcheck_messages(node) -> list[str]:
    return [node["question"], *(text for option in node["options"] for text in option)]


def add_messages(app, doctree) -> None:
    """gettext builder: the alt text of every image and the text of every self-check (a node of
    the book's own, which Sphinx does not read) go into the page's catalogue."""
    if app.builder.name != "gettext":
        return
    catalogue = app.builder.catalogs[docname_to_domain(app.env.docname, app.config.gettext_compact)]
    found = [(image, image["alt"]) for image in doctree.findall(nodes.image) if image.get("alt")]
    found += [(node, message) for node in _selfchecks(doctree) for message in _selfcheck_messages(node)]
    for node, message in found:
        if not hasattr(node, "uid"):
            node.uid = uuid.uuid4().hex  # as Sphinx marks the nodes it extracts
        if node.source is None:
            node.source, node.line = app.env.doc2path(app.env.docname), 0
        catalogue.add(message, node)


def translate_selfchecks(app, doctree) -> None:
    """A translated edition: each self-check's question, choices and feedback from the page's catalogue."""
    if edition(app) == "en" or app.builder.name == "gettext":
        return
    gettext = page_gettext(app, app.env.docname)
    for node in _selfchecks(doctree):
        node["question"] = gettext(node["question"])
        node["options"] = [(gettext(text), gettext(feedback)) for text, feedback in node["options"]]


def page_gettext(app, docname: str):
    """A page's message lookup in the edition being built (the text unchanged in English)."""
    if edition(app) == "en":
        return lambda text: text
    from sphinx.locale import init as init_locale

    directories = [str(Path(app.srcdir, directory)) for directory in app.config.locale_dirs]
    catalogue, _ = init_locale(directories, app.config.language,
                               docname_to_domain(docname, app.config.gettext_compact))
    return catalogue.gettext


def switcher(app, pagename: str, templatename: str, context: dict, doctree) -> None:
    """A link to the same page in the other edition, above the article (templates/layout.html)."""
    if app.builder.format != "html":
        return
    here = edition(app)
    depth = pagename.count("/") + (1 if FOLDERS[here] else 0)
    links = []
    for language, name in EDITIONS.items():
        if language == here:
            continue
        href = "../" * depth + FOLDERS[language] + pagename + ".html"
        label = "Ta strona po polsku" if language == "pl" else "This page in English"
        links.append(f'<a class="cx-language-link" href="{href}" hreflang="{language}" lang="{language}">'
                     f'{label}</a>')
    navigation = ("Język" if here == "pl" else "Language")
    context["cx_language_nav"] = (f'<nav class="cx-language" aria-label="{navigation}">' + " ".join(links)
                                  + "</nav>")


TEMPLATES = Path(__file__).parent / "templates"


def add_templates(app, config) -> None:
    if str(TEMPLATES) not in config.templates_path:
        config.templates_path.append(str(TEMPLATES))


def setup(app):
    app.add_post_transform(LocaliseGluedText)
    app.connect("doctree-read", add_messages)
    app.connect("doctree-read", translate_selfchecks)
    app.connect("config-inited", add_templates)
    app.connect("html-page-context", switcher)
    app.add_css_file("languages.css")
    return {"version": "1.0", "parallel_read_safe": False, "parallel_write_safe": True}
