"""The grading kernel's audit hook: what a submission may read and write, run in a separate process.

An audit hook cannot be removed, so each check runs in a fresh Python process that arms
the sandbox's policy and then runs code compiled under a submission's file name.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import cxlab
from cxlab.course import sandbox

from ..helpers import ROOT

PROBE = r'''
import json, os, sys
from cxlab.course import sandbox

sys.addaudithook(sandbox._Policy())
results = {}
for name, code in json.loads(sys.argv[1]).items():
    try:
        exec(compile(code, os.path.join(os.getcwd(), "cell.py"), "exec"), {})
        results[name] = "allowed"
    except PermissionError as error:
        results[name] = "refused"
print(json.dumps(results))
'''


def _run(tmp_path: Path, attempts: dict[str, str]) -> dict[str, str]:
    folder = tmp_path / "submission"
    folder.mkdir()
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    environment = dict(
        os.environ,
        CXLAB_SANDBOX_PROTECT=str(ROOT),  # the repository holds the course and the cxlab package
        CXLAB_SANDBOX_ALLOW=os.pathsep.join([sys.prefix, sandbox.CXLAB_FOLDER]),
        CXLAB_SANDBOX_WRITABLE=str(scratch),
        CXLAB_SANDBOX_LOG=str(tmp_path / "refusals.jsonl"),
    )
    completed = subprocess.run([sys.executable, "-c", PROBE, json.dumps(attempts)], cwd=folder, env=environment,
                               capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


def test_the_cxlab_package_is_the_folder_above_the_toolkit():
    assert sandbox.CXLAB_FOLDER == os.path.dirname(os.path.abspath(cxlab.__file__))
    assert os.path.join(sandbox.CXLAB_FOLDER, "") in sandbox._Policy().trusted_code


def test_a_submission_reads_the_cxlab_package_but_not_the_course(tmp_path):
    dataset = next((Path(sandbox.CXLAB_FOLDER) / "datasets").glob("*.csv"))
    results = _run(tmp_path, {
        "cxlab data file": f"open({str(dataset)!r}).read(100)",
        "cxlab's own loader": "import cxlab.data; cxlab.data.load_survey()",
        "solutions": f"open({str(ROOT / 'solutions' / 'nps' / 'nps.ipynb')!r}).read()",
        "listing the course": f"import os; os.listdir({str(ROOT)!r})",
        "write in scratch": f"open({str(tmp_path / 'scratch' / 'out.txt')!r}, 'w').write('x')",
        "write in the course": f"open({str(ROOT / 'stolen.txt')!r}, 'w').write('x')",
        "a process": "import subprocess; subprocess.run(['true'])",
    })
    assert results == {
        "cxlab data file": "allowed",
        "cxlab's own loader": "allowed",
        "solutions": "refused",
        "listing the course": "refused",
        "write in scratch": "allowed",
        "write in the course": "refused",
        "a process": "refused",
    }
    assert not (ROOT / "stolen.txt").exists()
    refusals = [json.loads(line) for line in (tmp_path / "refusals.jsonl").read_text().splitlines()]
    assert {refusal["why"] for refusal in refusals} >= {"outside the submission's folder", "not allowed while grading"}
    assert all(refusal["where"].endswith("cell.py:1") for refusal in refusals)


def test_the_launcher_starts_again_without_database_secrets(tmp_path):
    probe = (
        "import json, os, sys\n"
        "from cxlab.course import sandbox\n"
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
    assert json.loads(completed.stdout) == {"argv": ["-m", "cxlab.course.sandbox", "-f", "kernel.json"], "secrets": []}
    # and that module is the launcher: ipykernel answers through it
    started = subprocess.run([sys.executable, "-m", "cxlab.course.sandbox", "--help"], cwd=tmp_path,
                             capture_output=True, text=True, timeout=120)
    assert started.returncode == 0 and "ipython-kernel" in started.stdout, started.stderr
