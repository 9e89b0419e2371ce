"""The course as nbgrader sees it: root, configuration, nbgrader's API, assignments, students."""

from __future__ import annotations

import subprocess
import sys

import pytest
from traitlets.config import Config

from cxlab.course.releasing.assign import assign
from cxlab.course.config import (
    CourseError,
    check_outcome,
    course_api,
    find_course_root,
    list_assignments,
    load_config,
    require_assignments,
    submitted_students,
)

from ..helpers import assignment_names


def test_outside_a_course_is_a_clear_error(tmp_path):
    with pytest.raises(CourseError, match="no nbgrader_config.py"):
        assign(root=tmp_path)


def test_the_root_is_found_from_a_folder_inside_the_course(course):
    inside = course / "solutions" / "nps"
    assert find_course_root(inside) == course.resolve()
    assert load_config(find_course_root(inside)).CourseDirectory.root == str(course.resolve())


def test_assignments_are_the_source_folders_nbgrader_lists(course):
    assert list_assignments(course) == assignment_names()
    (course / "solutions" / "extra").mkdir()
    assert "extra" in list_assignments(course / "solutions")


def test_submitted_students_are_those_nbgrader_lists(course):
    assert submitted_students("nps", course) == []
    for student in ("1002", "1001"):
        (course / "submitted" / student / "nps").mkdir(parents=True)
    (course / "submitted" / "1003" / "butterfly").mkdir(parents=True)
    assert submitted_students("nps", course) == ["1001", "1002"]


def test_unknown_assignments_are_named_with_those_the_course_has(course):
    require_assignments(course, "nps")
    require_assignments(course, ["nps", "butterfly"])
    known = assignment_names()
    with pytest.raises(CourseError, match=rf"^unknown assignment 'nope'; the course has {known!r}".replace("[", r"\[")):
        require_assignments(course, "nope")
    with pytest.raises(CourseError, match=r"^unknown assignment\(s\) \['nope', 'nix'\]; the course has"):
        require_assignments(course, ["nps", "nope", "nix"])


def test_the_api_has_the_course_settings_the_overrides_and_the_tweaks(course, tmp_path):
    tweaks = Config()
    tweaks.Execute.timeout = 5
    api, coursedir = course_api(course, tweaks, db_url=f"sqlite:///{tmp_path / 'other.db'}", release_directory=None)
    assert coursedir.root == str(course.resolve())
    assert coursedir.source_directory == "solutions" and coursedir.release_directory == "exercises"
    assert coursedir.db_url == f"sqlite:///{tmp_path / 'other.db'}"
    assert api.config.Execute.timeout == 5 and api.config.Execute.startup_timeout == 60
    assert api.coursedir is coursedir
    _, plain = course_api(course)
    assert plain.db_url.endswith("gradebook.db") and load_config(course).Execute.timeout == 60


def test_a_failed_nbgrader_step_carries_its_log():
    check_outcome({"success": True}, "generate_assignment nps")
    with pytest.raises(CourseError, match="generate_assignment nps failed:\nthe log\nthe error"):
        check_outcome({"success": False, "log": "the log", "error": "the error"}, "generate_assignment nps")


def test_import_cxlab_course_stays_cheap():
    code = ("import sys, cxlab.course; "
            "print(sorted(m for m in ('matplotlib', 'nbgrader', 'nbconvert', 'tqdm', 'sqlalchemy') if m in sys.modules))")
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"
