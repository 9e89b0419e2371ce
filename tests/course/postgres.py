"""A real, throwaway PostgreSQL server on loopback, for tests of a shared nbgrader gradebook.

``postgres_server()`` runs ``initdb`` into a fresh temporary folder and starts the
server with ``pg_ctl``: it listens on 127.0.0.1 only, on a free port, with its Unix
socket inside that folder, trust authentication for local connections and fsync off.
On leaving the block the server is stopped (``pg_ctl stop -m immediate``) and the folder
deleted, also when the block raised. Every wait is bounded.

The binaries come from ``CXLAB_POSTGRES_BIN`` (a folder holding ``initdb``, ``pg_ctl``
and ``postgres``) when set, otherwise from PATH, otherwise from the newest Debian
``/usr/lib/postgresql/<version>/bin``. PostgreSQL refuses to run as root, so under root
the server runs as the unprivileged ``postgres`` user (which Debian's package creates),
in a folder that user owns.

The ``postgres`` fixture (one server per test session) skips, loudly, where PostgreSQL
is missing; with ``CXLAB_REQUIRE_POSTGRES=1`` (set by ``.ci/run``) that is a failure
instead. A test module uses it with ``from .postgres import postgres  # noqa: F401``.
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

HOST = "127.0.0.1"
SUPERUSER = "postgres"
BINARIES = ("initdb", "pg_ctl", "postgres")
# Under root the server runs as this user (Debian's package creates it).
UNPRIVILEGED_USER = "postgres"
TIMEOUT = 60  # seconds, for pg_ctl's own waits; subprocesses get a little more
INSTALL_HINT = (
    "Install Debian's `postgresql` (apt-get install postgresql) or point CXLAB_POSTGRES_BIN "
    "at a folder with initdb, pg_ctl and postgres; CI sets CXLAB_REQUIRE_POSTGRES=1."
)


class PostgresUnavailable(RuntimeError):
    """No PostgreSQL binaries, or no unprivileged user to run them as."""


def _version_key(folder: str) -> tuple:
    version = Path(folder).parent.name  # /usr/lib/postgresql/<version>/bin
    return tuple(int(part) if part.isdigit() else -1 for part in version.split("."))


def _has_binaries(folder: Path) -> bool:
    return all(os.access(folder / name, os.X_OK) and (folder / name).is_file() for name in BINARIES)


def find_binaries() -> Path:
    """The folder holding ``initdb``, ``pg_ctl`` and ``postgres``; raises PostgresUnavailable."""
    override = os.environ.get("CXLAB_POSTGRES_BIN")
    if override:
        candidates = [Path(override)]
    else:
        candidates = []
        on_path = shutil.which("pg_ctl")
        if on_path:
            # /usr/local/bin/pg_ctl may be a link into the real folder, next to postgres.
            candidates.append(Path(on_path).resolve().parent)
        debian = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version_key, reverse=True)
        candidates.extend(Path(folder) for folder in debian)
    for folder in candidates:
        if _has_binaries(folder):
            return folder
    looked = ", ".join(str(folder) for folder in candidates) or "PATH and /usr/lib/postgresql/*/bin"
    raise PostgresUnavailable(f"POSTGRESQL TESTS NOT RUN: no initdb, pg_ctl and postgres in {looked}. {INSTALL_HINT}")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HOST, 0))
        return probe.getsockname()[1]


@dataclass
class PostgresServer:
    """A running server: ``url(name)`` for SQLAlchemy, ``connect(name)`` for psycopg."""

    port: int
    folder: Path
    bin_dir: Path
    user: str = SUPERUSER
    host: str = HOST

    _names = itertools.count(1)

    def url(self, dbname: str = "postgres") -> str:
        """SQLAlchemy URL of database ``dbname`` on this server (nbgrader's ``db_url``)."""
        return f"postgresql+psycopg://{self.user}@{self.host}:{self.port}/{dbname}"

    def conninfo(self, dbname: str = "postgres") -> str:
        """libpq connection string (for psycopg) of database ``dbname``."""
        return f"host={self.host} port={self.port} user={self.user} dbname={dbname} connect_timeout=10"

    def connect(self, dbname: str = "postgres", **kwargs):
        """A psycopg connection to ``dbname``; close it (or use it in a ``with`` block)."""
        import psycopg

        return psycopg.connect(self.conninfo(dbname), **kwargs)

    def create_database(self, name: str | None = None) -> str:
        """Create an empty database (a fresh name by default) and return its SQLAlchemy URL."""
        from psycopg import sql

        if name is None:
            name = f"test_{os.getpid()}_{next(self._names)}"
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", name):
            raise ValueError(f"database name {name!r}: use letters, digits and _ (at most 63)")
        with self.connect(autocommit=True) as connection:
            connection.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
        return self.url(name)


def _runner():
    """subprocess.run arguments that run a PostgreSQL binary as a user it accepts."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("PG")}
    env["LC_ALL"] = "C"
    if os.geteuid() != 0:
        return {"env": env}, None
    try:
        account = pwd.getpwnam(UNPRIVILEGED_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"POSTGRESQL TESTS NOT RUN: running as root, and PostgreSQL refuses root, but there is no "
            f"`{UNPRIVILEGED_USER}` user to run it as. {INSTALL_HINT}"
        ) from None
    env.update(HOME=account.pw_dir, USER=account.pw_name, LOGNAME=account.pw_name)
    return {"env": env, "user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}, account


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no server log)"


@contextlib.contextmanager
def postgres_server(bin_dir: Path | None = None) -> Iterator[PostgresServer]:
    """Start a private PostgreSQL server on 127.0.0.1; stop it and delete its data on exit."""
    bin_dir = Path(bin_dir) if bin_dir is not None else find_binaries()
    run_as, account = _runner()
    folder = Path(tempfile.mkdtemp(prefix="cxlab-pg-"))
    data, socket_dir, log = folder / "data", folder / "socket", folder / "server.log"
    started = False

    def run(*args: str, timeout: float = TIMEOUT + 30) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(bin_dir / args[0]), *args[1:]], cwd=folder, capture_output=True, text=True,
            timeout=timeout, check=False, **run_as,
        )

    try:
        socket_dir.mkdir()
        if account is not None:
            for path in (folder, socket_dir):
                os.chown(path, account.pw_uid, account.pw_gid)
        done = run("initdb", "-D", str(data), "-U", SUPERUSER, "--auth=trust", "--encoding=UTF8",
                   "--locale=C", "--no-sync")
        if done.returncode != 0:
            raise RuntimeError(f"initdb failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}")
        # Only a local socket in our own folder and loopback TCP, without passwords.
        (data / "pg_hba.conf").write_text(
            "local all all trust\n"
            f"host all all {HOST}/32 trust\n"
        )
        if account is not None:
            os.chown(data / "pg_hba.conf", account.pw_uid, account.pw_gid)
        for attempt in range(3):
            port = _free_port()
            with open(data / "postgresql.conf", "a") as conf:
                conf.write(
                    f"\n# cxlab test server (attempt {attempt + 1})\n"
                    f"listen_addresses = '{HOST}'\n"
                    f"port = {port}\n"
                    f"unix_socket_directories = '{socket_dir}'\n"
                    "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n"
                )
            done = run("pg_ctl", "start", "-D", str(data), "-l", str(log), "-w", "-t", str(TIMEOUT))
            started = True  # even a failed start may have left a postmaster to stop
            if done.returncode == 0:
                break
            # Another process may have taken the port between the probe and the start.
            if "Address already in use" not in _tail(log) or attempt == 2:
                raise RuntimeError(
                    f"pg_ctl start failed (exit {done.returncode}):\n{done.stdout}\n{done.stderr}\n"
                    f"server log:\n{_tail(log)}"
                )
        yield PostgresServer(port=port, folder=folder, bin_dir=bin_dir)
    finally:
        try:
            if started and (data / "postmaster.pid").exists():
                _stop(run, data)
        finally:
            shutil.rmtree(folder, ignore_errors=True)


def _stop(run, data: Path) -> None:
    """pg_ctl's immediate shutdown; if that fails or hangs, kill the postmaster by its pid."""
    try:
        if run("pg_ctl", "stop", "-D", str(data), "-m", "immediate", "-w", "-t", str(TIMEOUT)).returncode == 0:
            return
    except subprocess.TimeoutExpired:
        pass
    try:
        pid = int((data / "postmaster.pid").read_text().split()[0])
        os.kill(pid, signal.SIGKILL)  # its children exit when they see the postmaster gone
    except (OSError, ValueError, IndexError):
        pass


def require_binaries() -> Path:
    """The PostgreSQL binaries, or a skip (a failure with ``CXLAB_REQUIRE_POSTGRES=1``)."""
    try:
        bin_dir = find_binaries()
        _runner()
    except PostgresUnavailable as missing:
        if os.environ.get("CXLAB_REQUIRE_POSTGRES") == "1":
            pytest.fail(str(missing))
        pytest.skip(str(missing))
    return bin_dir


# Every module that imports the fixture gets its own copy of it from pytest, so the
# copies share one server, stopped when the last of them is torn down.
_shared: dict = {}


@pytest.fixture(scope="session")
def postgres() -> Iterator[PostgresServer]:
    """A PostgreSQL server for the whole test session; ``create_database()`` gives a fresh gradebook URL."""
    bin_dir = require_binaries()
    if not _shared:
        stack = contextlib.ExitStack()
        server = stack.enter_context(postgres_server(bin_dir))
        _shared.update(stack=stack, server=server, users=0)
    _shared["users"] += 1
    try:
        yield _shared["server"]
    finally:
        _shared["users"] -= 1
        if _shared["users"] == 0:
            stack = _shared["stack"]
            _shared.clear()
            stack.close()
