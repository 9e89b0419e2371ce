"""nbgrader configuration of the CX Lab course (run nbgrader from this folder)."""

c = get_config()  # noqa: F821  (provided by nbgrader/traitlets when this file is loaded)

c.CourseDirectory.course_id = "cxlab"
c.CourseDirectory.root = "."
# Instructor sources (solutions and hidden tests) and the generated student versions.
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "exercises"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
# Only notebooks and the files they need go into an assignment.
c.CourseDirectory.ignore = [".ipynb_checkpoints", "*.pyc", "__pycache__", "*.db"]

# A cell that runs longer than this fails (an infinite loop costs the cell, not the batch).
c.Execute.timeout = 60
# Student notebooks are graded in a clean kernel that must start quickly.
c.Execute.startup_timeout = 60

# Value checks for self-study: after each check cell, a read-only cell tagged "self-study"
# prints "correct" or "not yet" for each answer by comparing a salted hash of it with the
# model answer's (cxlab.selfstudy). The committed exercises/ are the version published with
# the book, so they keep them. For a graded release set this to False before `cxlab assign`:
# the generated notebooks then leave the value checks out (a determined learner could search
# a hash for its answer). The digests live in solutions/; after changing a model answer,
# refresh them with cxlab.course.releasing.assign.write_value_digests.
c.CourseSettings.self_study_checks = True

# What a submission shows is the student's, never code that runs for the instructor. The
# grader already reduces outputs and written answers to inert content before it stores
# them (cxlab.course.shared.sanitise); these settings clean them again whenever nbconvert makes
# a page of a submission: the formgrader's Manual Grading view and the feedback pages.
# Markdown (written answers) and HTML outputs keep text, lists, emphasis, code, tables,
# math and images, and lose scripts, event handlers, script links, frames, forms and
# styles; the student's id and name are escaped.
c.HTMLExporter.sanitize_html = True
c.HTMLExporter.filters = {
    "clean_html": "cxlab.course.shared.sanitise.clean_html",
    "markdown2html": "cxlab.course.shared.sanitise.markdown2html",
}
c.HTMLExporter.preprocessors = ["cxlab.course.shared.sanitise.SanitiseForViewing"]
