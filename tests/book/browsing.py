"""What the browser tests share: where Chromium is, and a clear skip (or failure in CI) without it."""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import threading
import shutil
from pathlib import Path

import pytest

CHROMIUM = os.environ.get("CXLAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"


def require_browser(what: str) -> None:
    """Skip ``what`` without Chromium, or fail it when CI requires the browser (CXLAB_REQUIRE_BROWSER=1)."""
    if Path(CHROMIUM).is_file():
        return
    message = (
        f"{what} NOT RUN: no Chromium at {CHROMIUM}. Install Debian's `chromium` "
        "(apt-get install chromium chromium-driver) to run them; CI sets CXLAB_REQUIRE_BROWSER=1."
    )
    if os.environ.get("CXLAB_REQUIRE_BROWSER") == "1":
        pytest.fail(message)
    pytest.skip(message)


@contextlib.contextmanager
def chromium(what: str):
    """Debian's Chromium, headless, for a module's browser tests named ``what`` (see require_browser)."""
    require_browser(what)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            yield instance
        finally:
            instance.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@contextlib.contextmanager
def serving(folder: Path):
    """``folder`` served on loopback while the block runs; yields the base URL (no trailing slash)."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=folder))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
