"""Benchmark: how long the book takes to build, cold and again.

Run by hand (``make bench``), never in the test suite. Copies the course (the files
git tracks, plus the book's installed scripts in ``_build/book-static``) to a scratch
folder and times three ``jupyter-book build`` runs there, one after the other:

1. cold: no execution cache, no Sphinx environment;
2. no change: the same command again;
3. one chapter edited: a sentence added to the prose of ``book/ex-cx.md``.

Usage: python bench/bench_book.py
"""

from __future__ import annotations

import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).parent / "jupyter-book"


def build(folder: Path) -> float:
    start = time.perf_counter()
    subprocess.run([str(JUPYTER_BOOK), "build", str(folder), "--builder", "html", "-W", "-n", "--keep-going"],
                   check=True, capture_output=True, text=True)
    return time.perf_counter() - start


def main() -> None:
    static = ROOT / "_build" / "book-static"
    if not (static / ".stamp").is_file():
        sys.exit("run `make book` first: the book's scripts in _build/book-static are missing")
    tracked = subprocess.run(["git", "ls-files"], cwd=ROOT, check=True, capture_output=True, text=True).stdout.split()
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch) / "course"
        for name in tracked:
            target = folder / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(ROOT / name, target)
        shutil.copytree(static, folder / "_build" / "book-static")
        cold = build(folder)
        again = build(folder)
        chapter = folder / "book" / "ex-cx.md"
        chapter.write_text(chapter.read_text(encoding="utf-8").replace(
            "## What to take to the next management meeting",
            "One more sentence, added to time a rebuild.\n\n## What to take to the next management meeting"), encoding="utf-8")
        edited = build(folder)
    print(f"python {platform.python_version()}, {len(tracked)} tracked files")
    print(f"  cold build (executes every chapter)   {cold:6.1f} s")
    print(f"  rebuild, nothing changed              {again:6.1f} s   ({again / cold:.0%} of cold)")
    print(f"  rebuild, one chapter's text edited    {edited:6.1f} s   ({edited / cold:.0%} of cold)")


if __name__ == "__main__":
    main()
