"""The course kit, taken from the built book as a learner with nothing else would take it.

Headless Chromium opens an exercise page of the book, served on loopback with every
outside request blocked, and clicks the set-up box's links: the kit and the page's own
notebook. The kit is unzipped and installed into a fresh virtual environment by the
install command printed in that box (read from the page, not written here), and every
exercise is then run there with its model answers: the answer cells' code is taken from
``solutions/`` by this test (the kit never holds it), put into the kit's notebooks, and
executed by nbclient and the kernel of the kit's own environment. Every visible check
must pass; the hidden checks are not in the kit and are not run here. Each chapter's
notebook, downloaded from the link under the chapter's title, runs there too, from top to
bottom, without an error or a warning.

The install uses pip's configured index, as a learner's would. The only addition is
``PIP_CONSTRAINT``, set to the runtime lock's versions (without hashes): it keeps the
versions to the tested ones and lets the pip cache serve them, so the install takes a
minute, not the time to resolve and download the newest of everything. The kit's own
``requirements.txt`` pins nothing besides the wheel.

The kit must also hold no answer: no file under ``solutions/``, no solution or
hidden-test delimiter, and none of the secret lines of any source notebook (except the
few that are also lines of the public library or its README).

Chromium comes from Debian (``/usr/bin/chromium``; ``CXLAB_CHROMIUM`` overrides). Where
it is missing these tests skip, loudly; with ``CXLAB_REQUIRE_BROWSER=1`` a missing
browser is a failure instead.
"""

from __future__ import annotations

import concurrent.futures
import io
import json
import os
import subprocess
import sys
import time
import zipfile
from pathlib import Path, PurePosixPath
from urllib.parse import urlparse

import nbformat
import pytest
from bs4 import BeautifulSoup

from ..helpers import MARKERS, ROOT, assignment_names, chapters, nbgrader_meta, secret_lines, source_notebooks
from .browsing import CHROMIUM, require_browser

RUNTIME_LOCK = ROOT / "requirements" / "runtime.txt"
ASSIGNMENTS = assignment_names()
CHAPTERS = sorted(chapters())
KIT = "cxlab-course-kit"

pytestmark = pytest.mark.slow

# Run with the kit environment's python: nbclient from that environment, and its kernel
# (jupyter_client starts a "python" kernel with the interpreter that runs this script).
EXECUTE = """
import sys
import nbformat
from nbclient import NotebookClient

for path in sys.argv[1:]:
    notebook = nbformat.read(path, as_version=4)
    folder = path.rsplit("/", 1)[0]
    NotebookClient(notebook, timeout=300, kernel_name="python3", allow_errors=True,
                   resources={"metadata": {"path": folder}}).execute()
    nbformat.write(notebook, path)
"""
PROBE = "import sys\nprint('KERNEL PREFIX', sys.prefix)"
#: Notebooks executed at the same time (each its own process and kernel).
NOTEBOOKS_AT_ONCE = 3


@pytest.fixture(scope="module")
def from_the_page(site, tmp_path_factory) -> dict:
    """What a learner gets from the NPS exercise page: the box's commands and its two downloads."""
    require_browser("KIT TEST")
    from playwright.sync_api import sync_playwright

    base, _ = site
    downloads = tmp_path_factory.mktemp("downloads")
    outside: list[str] = []

    def route(route):
        url = route.request.url
        if url.startswith(base) or url.startswith(("data:", "blob:", "about:")):
            route.continue_()
        else:
            outside.append(url)
            route.abort()

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        context = browser.new_context(accept_downloads=True)
        page = context.new_page()
        page.route("**/*", route)
        page.goto(f"{base}/exercises/nps/nps.html", wait_until="networkidle")
        box = page.locator("article .cxlab-setup")
        assert box.count() == 1, "the exercise page has no set-up box"
        found = {"title": page.locator("article h1").first.inner_text(), "box": box.inner_text()}
        for kind in ("install", "start"):
            for system in ("posix", "windows"):
                found[f"{kind}-{system}"] = box.locator(f".cxlab-{kind}-{system} pre").inner_text().strip()
        for kind in ("kit", "notebook"):
            with page.expect_download() as download:
                box.locator(f"a.cxlab-{kind}-download").click()
            target = downloads / download.value.suggested_filename
            download.value.save_as(target)
            found[kind] = target
        # Each chapter's own notebook, from the link under the chapter's title.
        found["chapters"] = {}
        for chapter_name in CHAPTERS:
            page.goto(f"{base}/book/{chapter_name}.html", wait_until="domcontentloaded")
            with page.expect_download() as download:
                page.locator("main a.chapter-notebook-link").first.click()
            target = downloads / "chapters" / download.value.suggested_filename
            download.value.save_as(target)
            found["chapters"][chapter_name] = target
        context.close()
        browser.close()
    assert not outside, f"requests leaving the machine: {outside}"
    return found


def test_every_exercise_page_opens_with_the_set_up_box(built_book):
    for name in ASSIGNMENTS:
        soup = BeautifulSoup((built_book / "exercises" / name / f"{name}.html").read_text(encoding="utf-8"), "html.parser")
        article = soup.select_one("article")
        box = article.select_one(".cxlab-setup")
        assert box is not None, f"{name}: no set-up box"
        # The box comes right after the page's title, before the notebook's first cell.
        assert box.find_previous("h1") is not None and not box.find_all_previous(class_="cell"), name
        for kind, expected in (("kit", f"course-kit/{KIT}.zip"), ("notebook", f"course-kit/exercises/{name}/{name}.ipynb")):
            (link,) = box.select(f"a.cxlab-{kind}-download")
            href = link["href"]
            assert not urlparse(href).scheme and not href.startswith("/"), f"{name}: {href} is not a relative link"
            served = (built_book / "exercises" / name / href).resolve()
            assert served == (built_book / expected).resolve() and served.is_file(), f"{name}: {href}"
        assert (built_book / f"course-kit/exercises/{name}/{name}.ipynb").read_bytes() == \
            (ROOT / "exercises" / name / f"{name}.ipynb").read_bytes()


def test_the_learner_page_offers_the_kit_and_the_library(built_book):
    soup = BeautifulSoup((built_book / "book" / "setup.html").read_text(encoding="utf-8"), "html.parser")
    box = soup.select_one("article .cxlab-setup")
    assert box is not None, "the learner page has no set-up steps"
    for kind in ("kit", "wheel"):
        (link,) = box.select(f"a.cxlab-{kind}-download")
        assert (built_book / "book" / link["href"]).resolve().is_file(), link["href"]
    for system in ("posix", "windows"):
        install, start = box.select_one(f".cxlab-install-{system} pre"), box.select_one(f".cxlab-start-{system} pre")
        assert install is not None and "requirements.txt" in install.get_text(), system
        assert start is not None and "jupyter lab" in start.get_text(), system


def _kit_files(kit: Path) -> dict[str, bytes]:
    """Every file in the kit, the wheel's own files included (as WHEEL!path)."""
    files: dict[str, bytes] = {}
    with zipfile.ZipFile(kit) as archive:
        for name in archive.namelist():
            files[name] = archive.read(name)
            if name.endswith(".whl"):
                with zipfile.ZipFile(io.BytesIO(files[name])) as wheel:
                    files.update({f"{name}!{inner}": wheel.read(inner) for inner in wheel.namelist()})
    return files


def _readable(name: str, content: bytes) -> str:
    """The text a reader would see: a notebook's cell sources and outputs, not its JSON escaping."""
    text = content.decode("utf-8", errors="replace")
    if name.endswith(".ipynb"):
        notebook = nbformat.reads(text, as_version=4)
        parts = [cell.source for cell in notebook.cells]
        parts += [json.dumps(cell.get("outputs", []), ensure_ascii=False) for cell in notebook.cells]
        return "\n".join(parts)
    return text


def test_the_kit_holds_the_exercises_and_the_library_and_no_answer(from_the_page):
    files = _kit_files(from_the_page["kit"])
    names = [name for name in files if "!" not in name]
    assert all(name.startswith(f"{KIT}/") for name in names), names
    notebooks = sorted(name for name in names if name.endswith(".ipynb"))
    assert notebooks == sorted(f"{KIT}/exercises/{a}/{a}.ipynb" for a in ASSIGNMENTS)
    for name in notebooks:
        assert files[name] == (ROOT / name.removeprefix(f"{KIT}/")).read_bytes(), f"{name} differs from the committed exercise"
    (wheel,) = [name for name in names if name.endswith(".whl")]
    assert f"{wheel}!cxlab/__init__.py" in files and f"{wheel}!cxlab/datasets/survey.csv" in files
    requirement = [line for line in files[f"{KIT}/requirements.txt"].decode().splitlines() if line and not line.startswith("#")]
    assert requirement == [f"./{PurePosixPath(wheel).name}[lab]"]
    assert {f"{KIT}/README.txt", f"{KIT}/requirements.txt"} <= set(names)

    # The wheel holds the library and its metadata, nothing else: files of cxlab/ here, and .dist-info.
    library = [name.split("!", 1)[1] for name in files if name.startswith(f"{wheel}!")]
    strangers = [inner for inner in library
                 if not (PurePosixPath(inner).parts[0].endswith(".dist-info") or (ROOT / inner).is_file())]
    assert strangers == [], f"the wheel holds files that are not the library's: {strangers}"

    assert not [name for name in files if "solutions" in PurePosixPath(name.replace("!", "/")).parts]
    # A few lines of model answers or hidden checks are also lines of the public library or of
    # its README (a hidden check recomputing what cxlab.drivers computes, a usage example);
    # they give nothing away, and they would be found in the wheel. Every other secret line counts.
    public = "\n".join(path.read_text(encoding="utf-8") for path in [ROOT / "README.md", *(ROOT / "cxlab").rglob("*.py")])
    secrets = {line: path.parent.name for path in source_notebooks() for line in secret_lines(path) if line not in public}
    assert len(secrets) > 200, "too few secret lines to prove anything"
    leaks = []
    for name, content in files.items():
        text = _readable(name, content)
        leaks += [f"{name}: marker {marker!r}" for marker in MARKERS if marker in text]
        leaks += [f"{name}: model answer of {secrets[line]}: {line}" for line in secrets if line in text]
    assert leaks == []
    assert from_the_page["notebook"].read_bytes() == (ROOT / "exercises/nps/nps.ipynb").read_bytes()


def _run(command, *, cwd: Path, env: dict, timeout: int = 900, shell: bool = False) -> str:
    completed = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout, shell=shell,
                               executable="/bin/bash" if shell else None)
    assert completed.returncode == 0, (f"{command} exited {completed.returncode}:\n"
                                       f"{completed.stdout[-4000:]}\n{completed.stderr[-6000:]}")
    return completed.stdout


def _learner_environment(tmp_path: Path) -> dict:
    """The test's environment without its own virtual environment or Python settings, plus the version pins."""
    env = {key: value for key, value in os.environ.items()
           if not key.startswith(("PYTHON", "VIRTUAL_ENV", "JUPYTER", "PIP_CONSTRAINT"))}
    venv_bin = str(Path(sys.prefix) / "bin")
    env["PATH"] = os.pathsep.join(part for part in env.get("PATH", "").split(os.pathsep) if part != venv_bin)
    pins = [line.split()[0] for line in RUNTIME_LOCK.read_text().splitlines() if "==" in line and not line.startswith("#")]
    constraints = tmp_path / "constraints.txt"
    constraints.write_text("\n".join(pins) + "\n")
    env["PIP_CONSTRAINT"] = str(constraints)
    env["JUPYTER_PREFER_ENV_PATH"] = "1"
    return env


def _with_model_answers(kit_notebook: Path, source: Path) -> None:
    """Put the model answers of ``source`` into the answer cells of the kit's notebook, by nbgrader cell id."""
    answers = {nbgrader_meta(cell)["grade_id"]: cell.source for cell in nbformat.read(source, as_version=4).cells
               if cell.cell_type == "code" and nbgrader_meta(cell).get("solution")}
    notebook = nbformat.read(kit_notebook, as_version=4)
    filled = set()
    for cell in notebook.cells:
        meta = nbgrader_meta(cell)
        if cell.cell_type == "code" and meta.get("solution"):
            cell.source = answers[meta["grade_id"]]
            filled.add(meta["grade_id"])
    assert filled == set(answers), f"{kit_notebook.name}: answer cells differ from the source's"
    notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
    nbformat.write(notebook, kit_notebook)


def test_the_kit_installs_by_the_pages_commands_and_every_model_answer_passes(from_the_page, tmp_path):
    assert "python3 -m venv" in from_the_page["install-posix"] or "python -m venv" in from_the_page["install-posix"]
    assert "requirements.txt" in from_the_page["install-windows"] and "Scripts" in from_the_page["install-windows"]
    assert "jupyter lab" in from_the_page["start-posix"] and "Scripts" in from_the_page["start-windows"]
    timings = {}
    started = time.monotonic()
    with zipfile.ZipFile(from_the_page["kit"]) as archive:
        archive.extractall(tmp_path)
    kit = tmp_path / KIT
    env = _learner_environment(tmp_path)

    _run(from_the_page["install-posix"], cwd=kit, env=env, shell=True)
    timings["install"] = time.monotonic() - started
    (environment,) = [path for path in kit.iterdir() if (path / "pyvenv.cfg").is_file()]
    python = environment / "bin" / "python"
    _run([str(python), "-m", "pip", "check"], cwd=kit, env=env)
    assert "4." in _run(f"{from_the_page['start-posix']} --version", cwd=kit, env=env, shell=True), "no JupyterLab 4"

    notebooks = []
    for name in ASSIGNMENTS:
        notebook = kit / "exercises" / name / f"{name}.ipynb"
        _with_model_answers(notebook, ROOT / "solutions" / name / f"{name}.ipynb")
        notebooks.append(notebook)
    # The chapters' notebooks as the learner downloaded them, run in a folder of their own.
    chapter_folder = tmp_path / "chapters"
    chapter_folder.mkdir()
    chapter_notebooks = []
    for name, downloaded in from_the_page["chapters"].items():
        chapter_notebooks.append(chapter_folder / downloaded.name)
        chapter_notebooks[-1].write_bytes(downloaded.read_bytes())
        notebook = nbformat.read(chapter_notebooks[-1], as_version=4)
        notebook.cells.append(nbformat.v4.new_code_cell(PROBE))
        nbformat.write(notebook, chapter_notebooks[-1])
    (tmp_path / "execute.py").write_text(EXECUTE)
    run_started = time.monotonic()
    # Each notebook in a process and kernel of its own, a few at a time: they share nothing but
    # the kit's environment, and a learner runs each alone too. The exercises draw no figures
    # (Agg); the chapters draw theirs with the kernel's own inline backend, as a reader's do.
    jobs = [([str(python), str(tmp_path / "execute.py"), str(path)], {**env, "MPLBACKEND": "Agg"}) for path in notebooks]
    jobs += [([str(python), str(tmp_path / "execute.py"), str(path)], env) for path in chapter_notebooks]
    with concurrent.futures.ThreadPoolExecutor(max_workers=NOTEBOOKS_AT_ONCE) as pool:
        for finished in [pool.submit(_run, command, cwd=tmp_path, env=job_env, timeout=900) for command, job_env in jobs]:
            finished.result()
    timings["notebooks"] = time.monotonic() - run_started

    problems = []
    for notebook_path in notebooks:
        notebook = nbformat.read(notebook_path, as_version=4)
        name = notebook_path.parent.name
        checks = [cell for cell in notebook.cells if cell.cell_type == "code" and nbgrader_meta(cell).get("grade")]
        assert len(checks) >= 6, f"{name}: only {len(checks)} visible checks"
        for cell in notebook.cells:
            if cell.cell_type != "code":
                continue
            if cell.execution_count is None:
                problems.append(f"{name}: not executed: {cell.source[:60]!r}")
            for output in cell.outputs:
                if output.output_type == "error":
                    problems.append(f"{name} {nbgrader_meta(cell).get('grade_id', '')}: {output.ename}: {output.evalue}")
        probe = "".join(output.get("text", "") for output in notebook.cells[-1].outputs)
        assert f"KERNEL PREFIX {environment}" in probe, f"{name}: the kernel was not the kit's environment: {probe!r}"
    for notebook_path in chapter_notebooks:
        notebook = nbformat.read(notebook_path, as_version=4)
        name = notebook_path.stem
        outputs = [output for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs]
        problems += [f"chapter {name}: {output.ename}: {output.evalue}" for output in outputs
                     if output.output_type == "error"]
        problems += [f"chapter {name}: not executed: {cell.source[:60]!r}" for cell in notebook.cells
                     if cell.cell_type == "code" and cell.execution_count is None]
        problems += [f"chapter {name}: the reader would see a warning: {output.text[:300]}" for output in outputs
                     if output.get("name") == "stderr" and "Warning" in output.text]
        figures = [output for output in outputs if "image/png" in output.get("data", {})]
        if len(figures) < 3:
            problems.append(f"chapter {name}: only {len(figures)} figures drawn")
        probe = "".join(output.get("text", "") for output in notebook.cells[-1].outputs)
        assert f"KERNEL PREFIX {environment}" in probe, f"chapter {name}: the kernel was not the kit's environment"
    assert len(chapter_notebooks) == len(CHAPTERS) >= 7
    assert problems == []
    timings["total"] = time.monotonic() - started
    print("kit: " + ", ".join(f"{key} {value:.0f} s" for key, value in timings.items()))
