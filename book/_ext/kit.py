"""The course kit: everything a learner with only the book needs to do the exercises.

When the book is built for HTML (``make book`` or a plain ``jupyter-book build .``), this
extension

- builds ``cxlab``'s wheel from a copy of the sources (``pip wheel --no-deps
  --no-build-isolation``, with the build environment's setuptools);
- packs the kit, ``course-kit/cxlab-course-kit.zip`` in the HTML output: the exercise
  notebooks as committed (``exercises/*/*.ipynb``), the wheel, a ``requirements.txt`` that
  installs the wheel with its ``lab`` extra (JupyterLab, plots, widgets) and a README.txt;
- serves the zip, the wheel and each exercise notebook from the book's own folder
  ``course-kit/``, linked with relative URLs, so a copy of the book on an intranet serves
  them too;
- opens every exercise page (docnames ``exercises/*/*``) with a set-up box: download the
  kit or the page's notebook, one command to install, one to start JupyterLab;
- renders the ``course-kit`` directive, the same steps for the whole kit, on a learner page.

The kit is built from ``exercises/`` and ``cxlab/`` only. Nothing under ``solutions/`` is
read, and a kit whose notebooks hold a solution or hidden-test delimiter is refused.

Builds reuse the kit while its inputs are unchanged (a hash of them is kept beside the
doctrees). Run as a script, it builds the kit into a folder without the book::

    python book/_ext/kit.py _build/kit
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path, PurePosixPath

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.errors import ExtensionError
from sphinx.util import logging
from sphinx.util.osutil import relative_uri

logger = logging.getLogger(__name__)
STATIC = Path(__file__).parent / "static"

KIT_FOLDER = "course-kit"            # in the HTML output
KIT_NAME = "cxlab-course-kit"        # the zip, and the folder it unpacks into
ENVIRONMENT = "cxlab-env"
# --no-compile: Python writes bytecode only for the modules a learner's notebooks load, instead
# of about 190 MB for every module installed (bench/bench_install_size.py).
INSTALL = {
    "posix": f"python3 -m venv {ENVIRONMENT} && {ENVIRONMENT}/bin/pip install --no-compile -r requirements.txt",
    "windows": f"py -m venv {ENVIRONMENT} && {ENVIRONMENT}\\Scripts\\pip install --no-compile -r requirements.txt",
}
START = {
    "posix": f"{ENVIRONMENT}/bin/jupyter lab",
    "windows": f"{ENVIRONMENT}\\Scripts\\jupyter lab",
}
SYSTEMS = {"posix": "macOS and Linux", "windows": "Windows (Command Prompt)"}
REFUSED = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS", "MARK SCHEME")
# Fixed times inside the zip, so that unchanged inputs give an identical kit.
ZIP_TIME = (2026, 1, 1, 0, 0, 0)


def exercise_notebooks(root: Path) -> list[Path]:
    return sorted((root / "exercises").glob("*/*.ipynb"))


def _library_sources(root: Path) -> list[Path]:
    files = [root / "pyproject.toml", root / "README.md"]
    files += sorted(path for path in (root / "cxlab").rglob("*")
                    if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc")
    return files


def inputs_hash(root: Path) -> str:
    digest = hashlib.sha256(Path(__file__).read_bytes())
    for path in _library_sources(root) + exercise_notebooks(root):
        digest.update(str(path.relative_to(root)).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def build_wheel(root: Path, workdir: Path) -> Path:
    """cxlab's wheel, built from a copy of the sources (a stale build/ folder never leaks in)."""
    source = workdir / "source"
    source.mkdir(parents=True)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(root / name, source / name)
    shutil.copytree(root / "cxlab", source / "cxlab",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
    wheels = workdir / "wheel"
    command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
               "--no-deps", "--no-build-isolation", "--wheel-dir", str(wheels), str(source)]
    completed = subprocess.run(command, capture_output=True, text=True)
    if completed.returncode != 0:
        raise ExtensionError(f"building cxlab's wheel for the course kit failed:\n{completed.stdout}{completed.stderr}")
    (wheel,) = wheels.glob("cxlab-*.whl")
    return wheel


def requirements_text(wheel_name: str) -> str:
    return ("# cxlab, the course library, with what the exercises need besides it:\n"
            "# JupyterLab, a kernel, matplotlib and ipywidgets (its `lab` extra).\n"
            "# Install it from this folder, as README.txt says.\n"
            f"./{wheel_name}[lab]\n")


def readme_text(wheel_name: str, notebooks: list[str]) -> str:
    listing = "\n".join(f"    {name}" for name in notebooks)
    return f"""CX Lab course kit
=================

The exercise notebooks of the book "CX Lab: measuring customer experience" and cxlab,
the Python library they use. There are no model answers and no hidden checks here:
your instructor grades with those.

What is in this folder
  one exercise notebook per chapter:
{listing}
  {wheel_name}
                    the cxlab library
  requirements.txt  cxlab with JupyterLab, a kernel, matplotlib and ipywidgets

Set up once. You need Python 3.11 or newer. In this folder, run:

  {SYSTEMS["posix"]}:
    {INSTALL["posix"]}
  {SYSTEMS["windows"]}:
    {INSTALL["windows"]}

This makes a Python environment, {ENVIRONMENT}, in this folder and installs everything
into it; nothing else on your computer changes. Delete that folder to remove it all.

Work on an exercise. In this folder, start JupyterLab:

  {SYSTEMS["posix"]}:
    {START["posix"]}
  {SYSTEMS["windows"]}:
    {START["windows"]}

Open a notebook under exercises/, answer each question in its cell and run the check
right below it: a check that fails says what is wrong (a type, a range, a step) without
giving the answer away. Save the notebook and hand it in as your instructor asks.
"""


def _refuse_secrets(name: str, text: str) -> None:
    for marker in REFUSED:
        if marker in text:
            raise ExtensionError(f"course kit: {name} contains {marker!r}; regenerate exercises/ (make assignments)")


def build_kit(root: Path, target: Path) -> dict[str, Path]:
    """Build the wheel and the kit zip into ``target``, and copy each exercise notebook beside them.

    Returns the paths written: ``zip``, ``wheel`` and one ``exercises/NAME/NAME.ipynb`` each.
    """
    notebooks = exercise_notebooks(root)
    if not notebooks:
        raise ExtensionError("course kit: no exercise notebooks under exercises/")
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    written: dict[str, Path] = {}
    with tempfile.TemporaryDirectory(prefix="cxlab-kit-") as scratch:
        wheel = build_wheel(root, Path(scratch))
        written["wheel"] = Path(shutil.copy(wheel, target / wheel.name))
    names = [str(PurePosixPath(*path.relative_to(root).parts)) for path in notebooks]
    members = {
        "README.txt": readme_text(wheel.name, names).encode(),
        "requirements.txt": requirements_text(wheel.name).encode(),
        wheel.name: written["wheel"].read_bytes(),
    }
    for path, name in zip(notebooks, names):
        content = path.read_bytes()
        _refuse_secrets(name, content.decode("utf-8"))
        members[name] = content
        served = target / name
        served.parent.mkdir(parents=True, exist_ok=True)
        served.write_bytes(content)
        written[name] = served
    kit = target / f"{KIT_NAME}.zip"
    with zipfile.ZipFile(kit, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name in sorted(members):
            info = zipfile.ZipInfo(f"{KIT_NAME}/{name}", date_time=ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, members[name])
    written["zip"] = kit
    return written


# Sphinx -------------------------------------------------------------------------------

class kit_placeholder(nodes.General, nodes.Element):
    """Where the ``course-kit`` directive puts the set-up steps (filled in when links can be resolved)."""


class CourseKit(Directive):
    has_content = False

    def run(self):
        return [kit_placeholder()]


def build_kit_for_book(app) -> None:
    if app.builder.format != "html":
        return
    root = Path(app.srcdir)
    target = Path(app.outdir) / KIT_FOLDER
    stamp = Path(app.doctreedir) / "cxlab-course-kit.sha256"
    current = inputs_hash(root)
    wheel_present = any(target.glob("cxlab-*.whl")) and (target / f"{KIT_NAME}.zip").is_file()
    if wheel_present and stamp.is_file() and stamp.read_text() == current:
        logger.info("course kit: unchanged, kept %s", target)
    else:
        written = build_kit(root, target)
        stamp.parent.mkdir(parents=True, exist_ok=True)
        stamp.write_text(current)
        logger.info("course kit: %s (%d kB)", written["zip"], written["zip"].stat().st_size // 1024)


def _link(builder, docname: str, path: str, text: str, kind: str) -> nodes.reference:
    uri = relative_uri(builder.get_target_uri(docname), f"{KIT_FOLDER}/{path}")
    return nodes.reference("", "", nodes.literal(text=text), refuri=uri, classes=[f"cxlab-{kind}-download"])


def _commands(system: str) -> list[nodes.literal_block]:
    """Two blocks for one system: the install command and the one that starts JupyterLab."""
    return [nodes.literal_block(command, command, language="bash" if system == "posix" else "text",
                                classes=[f"cxlab-{kind}-{system}"])
            for kind, command in (("install", INSTALL[system]), ("start", START[system]))]


def setup_steps(builder, docname: str, notebook: str | None) -> nodes.Element:
    """The set-up box: download, then install and start; ``notebook`` is the exercise of this page, if any."""
    from languages import ui

    config = builder.config
    box = nodes.admonition(classes=["tip", "cxlab-setup"])
    box += nodes.title(text=ui(config, "Before you start: set up once" if notebook else "Set up the exercises"))
    steps = nodes.enumerated_list(enumtype="arabic")

    download = nodes.paragraph()
    download += nodes.Text(ui(config, "Download the course kit "))
    download += _link(builder, docname, f"{KIT_NAME}.zip", f"{KIT_NAME}.zip", "kit")
    download += nodes.Text(ui(config, " (the exercise notebooks, the cxlab library and a requirements.txt; "
                                      "no answers) and unzip it."))
    if notebook:
        download += nodes.Text(ui(config, " Set up already? This notebook alone: "))
        download += _link(builder, docname, notebook, PurePosixPath(notebook).name, "notebook")
        download += nodes.Text(ui(config, " (save it in the kit's folder)."))
    steps += nodes.list_item("", download)

    install = nodes.list_item()
    where = (ui(config, "open {notebook}").format(notebook=notebook) if notebook
             else ui(config, "open a notebook under exercises/"))
    install += nodes.paragraph(text=ui(config, "In the unzipped folder, install (Python 3.11 or newer; everything goes "
                                               "into the folder {environment}), then start JupyterLab and {where}.")
                               .format(environment=ENVIRONMENT, where=where))
    install += nodes.paragraph(text=f"{ui(config, SYSTEMS['posix'])}:")
    install.extend(_commands("posix"))
    install += nodes.paragraph(text=f"{ui(config, SYSTEMS['windows'])}:")
    install.extend(_commands("windows"))
    steps += install

    box += steps
    return box


def add_setup_boxes(app, doctree, docname: str) -> None:
    for placeholder in list(doctree.findall(kit_placeholder)):
        box = setup_steps(app.builder, docname, None)
        wheel = next((path.name for path in (Path(app.outdir) / KIT_FOLDER).glob("cxlab-*.whl")), None)
        if wheel:
            library = nodes.paragraph()
            from languages import ui

            library += nodes.Text(ui(app.config, "The library alone, for your own projects: "))
            library += _link(app.builder, docname, wheel, wheel, "wheel")
            library += nodes.Text(ui(app.config, " (pip install it with the extra [lab] to get JupyterLab too)."))
            box += library
        placeholder.replace_self(box)
    parts = docname.split("/")
    if len(parts) != 3 or parts[0] != "exercises":
        return
    notebook = f"{docname}.ipynb"
    if not (Path(app.srcdir) / notebook).is_file():
        return
    box = setup_steps(app.builder, docname, notebook)
    section = next(iter(doctree.findall(nodes.section)), None)
    if section is not None and section.children and isinstance(section[0], nodes.title):
        section.insert(1, box)
    else:
        doctree.insert(0, box)


def add_static_path(app):
    if str(STATIC) not in app.config.html_static_path:
        app.config.html_static_path.append(str(STATIC))


def setup(app):
    app.connect("builder-inited", add_static_path)
    app.add_css_file("kit.css")
    app.add_node(kit_placeholder)
    app.add_directive("course-kit", CourseKit)
    app.connect("builder-inited", build_kit_for_book)
    app.connect("doctree-resolved", add_setup_boxes)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python book/_ext/kit.py TARGET_FOLDER")
    paths = build_kit(Path(__file__).resolve().parents[2], Path(sys.argv[1]))
    print(f"{paths['zip']} ({paths['zip'].stat().st_size // 1024} kB)\n{paths['wheel']}")
