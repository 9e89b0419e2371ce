# CX Lab. Two commands for everyone:
#   make book   build the book into _build/html
#   make test   run the whole test suite
# Both create .venv and install the pinned, hash-checked packages (requirements/*.txt) first;
# `make setup` does only that.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup system-packages book kit test test-kit assignments bench lock clean help

help:
	@echo "make book         build the book into _build/html"
	@echo "make test         run the whole test suite"
	@echo "make kit          build the learners' course kit into _build/kit (make book builds it too)"
	@echo "make test-kit     download the kit from the built book, install it fresh, run every model answer"
	@echo "make setup        create .venv with the locked packages (book and test do this first)"
	@echo "make assignments  regenerate exercises/ from solutions/"
	@echo "make bench        run the benchmarks in bench/ (by hand, slow)"
	@echo "make lock         re-resolve requirements/*.txt after editing pyproject.toml's dependencies"
	@echo "make clean        remove _build and generated gradebooks"

# The locks: what cxlab[plots,course,lab] needs (runtime), what the tests and the book build
# add (test, docs; resolved within the runtime pins so versions agree). Every file is
# hash-checked. cxlab itself goes in last, editable and without dependencies: the locks have
# them, and tests/test_packaging.py proves that pyproject.toml declares them.
LOCKS := requirements/runtime.txt requirements/test.txt requirements/docs.txt

# uv installs them (requirements/uv.txt pins it, hash-checked, and pip installs it first): it
# installs in seconds what pip takes a minute or more for. --compile-bytecode: the grading
# sandbox mounts .venv read-only, so a kernel there could not write the bytecode it lacks and
# would compile pandas and the rest anew at every start.
UV_TOOL := requirements/uv.txt
UV_PIP  := $(BIN)/uv pip install --quiet --python $(BIN)/python --compile-bytecode

$(STAMP): $(LOCKS) $(UV_TOOL) pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --require-hashes -r $(UV_TOOL)
	$(UV_PIP) --require-hashes $(addprefix -r ,$(LOCKS))
	$(UV_PIP) --no-deps --no-build-isolation -e .
	@touch $@

setup: $(STAMP)

# Re-resolve the locks with uv (from PyPI, pinned here), within requirements/constraints.txt.
# Versions already in the files are kept unless pyproject.toml needs others; to move one on, delete its lines first or add
# LOCK_ARGS="--upgrade-package NAME". Each file's header repeats its command.
# --python-version 3.11.5: the oldest Python 3.11 that every locked package supports.
UV_VERSION := 0.13.9
LOCK_TOOLS := $(VENV)/lock-tools
CONSTRAINTS := requirements/constraints.txt
LOCK       := $(LOCK_TOOLS)/bin/uv pip compile --quiet
lock:
	@test -x $(LOCK_TOOLS)/bin/uv || { $(PYTHON) -m venv $(LOCK_TOOLS) && $(LOCK_TOOLS)/bin/python -m pip install --quiet uv==$(UV_VERSION); }
	echo "uv==$(UV_VERSION)" | $(LOCK) - --python-version 3.11.5 --generate-hashes -o $(UV_TOOL)
	$(LOCK) pyproject.toml --extra plots --extra teams --extra course --extra lab --python-version 3.11.5 --generate-hashes -c $(CONSTRAINTS) -o requirements/runtime.txt $(LOCK_ARGS)
	$(LOCK) --group pyproject.toml:test --python-version 3.11.5 --generate-hashes -c $(CONSTRAINTS) -c requirements/runtime.txt -o requirements/test.txt $(LOCK_ARGS)
	$(LOCK) --group pyproject.toml:docs --python-version 3.11.5 --generate-hashes -c $(CONSTRAINTS) -c requirements/runtime.txt -c requirements/test.txt -o requirements/docs.txt $(LOCK_ARGS)

# Scripts the built pages serve themselves (widget manager and loader, MathJax), so the
# book works without internet: installed from the npm registry at the versions pinned in
# book/_assets/package-lock.json, copied into _build/book-static, never committed.
ASSETS       := $(VENV)/book-assets
BOOK_STATIC  := _build/book-static
ASSETS_STAMP := $(BOOK_STATIC)/.stamp
$(ASSETS_STAMP): book/_assets/package.json book/_assets/package-lock.json
	@command -v npm >/dev/null || { echo "npm is needed to fetch the book's scripts (Debian: apt-get install npm)"; exit 1; }
	mkdir -p $(ASSETS)
	cp book/_assets/package.json book/_assets/package-lock.json $(ASSETS)/
	cd $(ASSETS) && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	rm -rf $(BOOK_STATIC) && mkdir -p $(BOOK_STATIC)/widgets $(BOOK_STATIC)/mathjax
	cp $(ASSETS)/node_modules/requirejs/require.js $(BOOK_STATIC)/widgets/
	find $(ASSETS)/node_modules/@jupyter-widgets/html-manager/dist -maxdepth 1 -type f ! -name '*.map' ! -name 'embed.js*' ! -name 'libembed-amd.js' -exec cp {} $(BOOK_STATIC)/widgets/ \;
	cp -r $(ASSETS)/node_modules/mathjax/es5/. $(BOOK_STATIC)/mathjax/
	@touch $@

# Chapters are executed once and cached; the cache only notices edits to the chapters
# themselves, so it is emptied whenever the library or its data change.
CACHE_STAMP := _build/.cxlab-cache-stamp
$(CACHE_STAMP): $(shell find cxlab -name '*.py') $(wildcard cxlab/datasets/*)
	rm -rf _build/.jupyter_cache _build/.doctrees
	@mkdir -p _build && touch $@

# Sphinx does not notice edits to the book's own extensions (book/_ext): rebuild every page then.
EXT_STAMP := _build/.cxlab-ext-stamp
$(EXT_STAMP): $(wildcard book/_ext/*.py book/_ext/static/*)
	rm -rf _build/.doctrees _build/html
	@mkdir -p _build && touch $@

book: setup $(ASSETS_STAMP) $(CACHE_STAMP) $(EXT_STAMP)
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going
	@echo
	@echo "The book is in _build/html. Open file://$(CURDIR)/_build/html/index.html"

# The Debian packages the tests use (bubblewrap, Chromium, npm, PostgreSQL): installed when
# missing and run as root, otherwise named (see .ci/debian-packages).
system-packages:
	@.ci/debian-packages

# Every core runs tests (pytest-xdist); the tests of one file, and the files that share the
# built book or a graded class, stay in one worker (tests/conftest.py). The 25 slowest are listed.
TEST_WORKERS ?= auto
test: system-packages setup $(ASSETS_STAMP)
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --durations=25

# The course kit, what a learner downloads from the book: the exercise notebooks, cxlab's
# wheel, a requirements.txt for it with its lab extra, and a README. Every book build makes
# it too (book/_ext/kit.py, into _build/html/course-kit/); this target makes it alone.
KIT_DIR := _build/kit
kit: $(STAMP)
	$(BIN)/python book/_ext/kit.py $(KIT_DIR)

# The kit as a learner gets it: downloaded from a fresh build of the book in Chromium,
# installed into a new environment by the exercise page's own commands, every model answer
# run there. Needs Chromium; a few minutes.
test-kit: setup $(ASSETS_STAMP)
	$(BIN)/python -m pytest tests/book/test_kit.py

assignments: $(STAMP)
	$(BIN)/cxlab assign

bench: $(STAMP)
	$(BIN)/python bench/bench_import.py
	$(BIN)/python bench/bench_nps.py
	$(BIN)/python bench/bench_journey.py
	$(BIN)/python bench/bench_book.py
	$(BIN)/python bench/bench_grade.py
	$(BIN)/python bench/bench_resampling.py
	$(BIN)/python bench/bench_install_size.py

clean:
	rm -rf _build gradebook.db gradebook.db.lock grading-log
