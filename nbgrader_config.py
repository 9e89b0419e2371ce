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
