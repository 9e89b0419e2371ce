"""The operating-system sandbox of a graded kernel, run for real with bubblewrap.

Each test runs a small Python program inside :func:`cxlab.course.grading.sandbox.sandbox_command`
beside a scratch "course" folder that the sandbox must not show. Set
``CXLAB_REQUIRE_SANDBOX=1`` (CI does) to fail instead of skip without bubblewrap.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

import pytest

import cxlab
from cxlab.course.grading import sandbox

if sandbox.bubblewrap() is None:
    if os.environ.get("CXLAB_REQUIRE_SANDBOX"):
        raise RuntimeError("CXLAB_REQUIRE_SANDBOX is set and bubblewrap (bwrap) is not installed")
    pytest.skip("bubblewrap is not installed (apt-get install bubblewrap)", allow_module_level=True)

PROBE = r'''
import json, os, socket, subprocess, sys
results = {}
def attempt(name, action):
    try:
        results[name] = ["allowed", repr(action())[:200]]
    except Exception as error:
        results[name] = ["refused", type(error).__name__]
course = sys.argv[1]
from cxlab.course.grading import sandbox
sandbox._copy_submission()
attempt("see the submitted files", lambda: open("/submission/given.txt").read())
attempt("fill the submission folder", lambda: open("/submission/big.bin", "wb").write(b"x" * 12 * 2**20))
os.remove("/submission/big.bin")
runtime = sandbox.RUNTIME_FOLDER
attempt("write the runtime folder before the kernel starts", lambda: open(os.path.join(runtime, "a"), "w").write("x"))
attempt("give up writing outside tmpfs", lambda: sandbox.restrict_writes() or 1 / 0)
attempt("write the runtime folder once the kernel runs", lambda: open(os.path.join(runtime, "b"), "w").write("x"))
attempt("make a folder in the runtime folder", lambda: os.mkdir(os.path.join(runtime, "c")))
attempt("write /tmp", lambda: open("/tmp/scratch.txt", "w").write("x"))
attempt("import cxlab and load data", lambda: len(__import__("cxlab.data", fromlist=["_"]).load_survey()))
attempt("read the course", lambda: open(os.path.join(course, "solutions.txt")).read())
attempt("list the course", lambda: os.listdir(course))
attempt("read the host's /tmp", lambda: open(sys.argv[2]).read())
home = sys.argv[3]
attempt("list the home folder beyond Python", lambda: [name for name in os.listdir(home)
                                                   if not sys.prefix.startswith(os.path.join(home, name))
                                                   and not sys.base_prefix.startswith(os.path.join(home, name))])
attempt("write the submission", lambda: open("/submission/out.txt", "w").write("mine"))
attempt("write the Python environment", lambda: open(os.path.join(sys.prefix, "planted.txt"), "w").write("x"))
attempt("connect to the network", lambda: socket.create_connection(("127.0.0.1", 22), timeout=2))
attempt("resolve a host", lambda: socket.getaddrinfo("pypi.org", 443))
attempt("see other processes", lambda: sorted(int(p) for p in os.listdir("/proc") if p.isdigit()))
attempt("start a process", lambda: subprocess.run(["true"]).returncode)
subprocess.Popen(["sleep", "299.25"], start_new_session=True)  # a time no other test uses
print(json.dumps(results))
'''


@pytest.fixture
def run(tmp_path):
    course = tmp_path / "course"
    course.mkdir()
    (course / "solutions.txt").write_text("the answers")
    host_tmp = tmp_path / "host-tmp.txt"
    host_tmp.write_text("outside")
    submission = tmp_path / "copy"
    submission.mkdir()
    (submission / "given.txt").write_text("handed in")
    runtime = tmp_path / "runtime"
    runtime.mkdir()

    def run_probe() -> dict:
        command = sandbox.sandbox_command([sys.executable, "-c", PROBE, str(course), str(host_tmp),
                                           os.path.expanduser("~")],
                                          submission=str(submission), runtime=str(runtime),
                                          protected=[str(course)], submission_mb=8)
        completed = subprocess.run(command, capture_output=True, text=True, timeout=120)
        assert completed.returncode == 0, completed.stderr
        return json.loads(completed.stdout)

    return run_probe, submission, runtime


def test_the_sandbox_shows_the_environment_and_the_submission_only(run):
    run_probe, submission, runtime = run
    results = run_probe()
    home = results.pop("list the home folder beyond Python")
    assert home in (["refused", "FileNotFoundError"], ["allowed", "[]"]), home
    outcome = {name: verdict for name, (verdict, _) in results.items()}
    assert outcome == {
        "import cxlab and load data": "allowed",
        "read the course": "refused",
        "list the course": "refused",
        "read the host's /tmp": "refused",
        "see the submitted files": "allowed",
        "fill the submission folder": "refused",
        "write the runtime folder before the kernel starts": "allowed",
        "give up writing outside tmpfs": "allowed",
        "write the runtime folder once the kernel runs": "refused",
        "make a folder in the runtime folder": "refused",
        "write /tmp": "allowed",
        "write the submission": "allowed",
        "write the Python environment": "refused",
        "connect to the network": "refused",
        "resolve a host": "refused",
        "see other processes": "allowed",
        "start a process": "allowed",
    }, results
    assert results["import cxlab and load data"][1] == "2000"
    # the kernel works in a size-limited tmpfs: nothing it writes there reaches the grader's disk,
    # and once it runs it writes nothing into the runtime folder either
    assert not (submission / "out.txt").exists() and not (submission / "big.bin").exists()
    assert sorted(path.name for path in runtime.iterdir()) == ["a"]
    assert not os.path.exists(os.path.join(sys.prefix, "planted.txt"))
    # its own process tree only: the probe and the processes it started
    assert max(json.loads(results["see other processes"][1])) < 10


def test_nothing_the_sandbox_started_outlives_it(run):
    run_probe, _, _ = run
    run_probe()
    time.sleep(0.5)
    listing = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert "sleep 299.25" not in listing


def test_a_view_that_would_show_a_protected_folder_is_refused(tmp_path):
    inside_environment = os.path.join(sys.prefix, "lib")
    with pytest.raises(sandbox.SandboxError, match="contains"):
        sandbox.sandbox_command(["true"], submission=str(tmp_path), runtime=str(tmp_path), protected=[inside_environment])


def test_the_environment_views_include_the_cxlab_package():
    folders = sandbox.python_environment()
    package = os.path.dirname(os.path.abspath(cxlab.__file__))
    assert any(package == folder or package.startswith(folder.rstrip("/") + "/") for folder in folders)
    assert sandbox.CXLAB_FOLDER == package


def test_the_sandboxed_environment_carries_no_secret_of_the_grader(monkeypatch):
    monkeypatch.setenv("PGPASSWORD", "secret")
    monkeypatch.setenv("DATABASE_URL", "postgresql://grader:secret@db/gradebook")
    command = sandbox.sandbox_command(["true"], submission="/tmp", runtime="/tmp", protected=[])
    assert "--clearenv" in command
    assert "secret" not in " ".join(command)


def test_the_launcher_starts_again_without_database_secrets(tmp_path):
    probe = (
        "import json, os, sys\n"
        "from cxlab.course.grading import sandbox\n"
        "def execve(path, argv, env):\n"
        "    print(json.dumps({'argv': argv[1:], 'secrets': sorted(set(env) & {'PGPASSWORD', 'DATABASE_URL'})}))\n"
        "    sys.exit(0)\n"
        "os.execve = execve\n"
        "sys.argv = ['launcher', '-f', 'kernel.json']\n"
        "sandbox.main()\n"
    )
    environment = dict(os.environ, PGPASSWORD="secret", DATABASE_URL="postgresql://grader:secret@db/gradebook")
    completed = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path, env=environment,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    assert json.loads(completed.stdout) == {"argv": ["-m", "cxlab.course.grading.sandbox", "-f", "kernel.json"], "secrets": []}
    started = subprocess.run([sys.executable, "-m", "cxlab.course.grading.sandbox", "--help"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 0 and "ipython-kernel" in started.stdout, started.stderr


def test_the_after_suite_check_sees_a_grading_process_left_behind():
    """The check that ends the suite (tests/conftest.py) finds a process of a sandboxed kernel."""
    from ..conftest import grading_leftovers

    stray = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)", "-m", "cxlab.course.grading.sandbox"])
    try:
        time.sleep(0.3)
        assert any(line.startswith(f"{stray.pid}:") for line in grading_leftovers())
    finally:
        stray.kill()
        stray.wait()
    assert not any(line.startswith(f"{stray.pid}:") for line in grading_leftovers())


def test_the_after_suite_check_leaves_the_processes_of_another_test_run_alone():
    """Two test runs on one machine: a kernel that the other (live) run owns is that run's to
    check, not this one's; once its owner is gone, it counts as left behind."""
    import os
    import signal

    from ..conftest import grading_leftovers

    other_run = ("import subprocess, sys, time\n"
                 "kernel = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(60)',"
                 " '-m', 'cxlab.course.grading.sandbox'])\n"
                 "print(kernel.pid, flush=True)\n"
                 "time.sleep(60)\n")
    # Started outside this run's process tree: the launcher exits and leaves it to init.
    launcher = subprocess.run(
        [sys.executable, "-c", "import subprocess, sys\n"
         "run = subprocess.Popen([sys.executable, '-c', sys.argv[1], 'pytest-other-run'], stdout=subprocess.PIPE,"
         " stdin=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)\n"
         "print(run.pid, run.stdout.readline().decode().strip(), flush=True)\n", other_run],
        capture_output=True, text=True, timeout=60)
    run_pid, kernel_pid = map(int, launcher.stdout.split())
    try:
        time.sleep(0.3)
        assert not any(line.startswith(f"{kernel_pid}:") for line in grading_leftovers())
        os.kill(run_pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not any(line.startswith(f"{kernel_pid}:") for line in grading_leftovers()):
            time.sleep(0.2)
        assert any(line.startswith(f"{kernel_pid}:") for line in grading_leftovers())
    finally:
        for pid in (run_pid, kernel_pid):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
