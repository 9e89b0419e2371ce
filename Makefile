# CX Lab. Two commands for everyone:
#   make book   build the book into _build/html
#   make test   run the whole test suite
# Both create .venv and install the pinned packages (requirements.lock) first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: book test assignments bench clean help

help:
	@echo "make book         build the book into _build/html"
	@echo "make test         run the whole test suite"
	@echo "make assignments  regenerate exercises/ from solutions/"
	@echo "make bench        run the benchmarks in bench/ (by hand, slow)"
	@echo "make clean        remove _build and generated gradebooks"

$(STAMP): requirements.lock pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip>=24"
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

# Chapters are executed once and cached; the cache only notices edits to the chapters
# themselves, so it is emptied whenever the library or its data change.
CACHE_STAMP := _build/.cxlab-cache-stamp
$(CACHE_STAMP): $(wildcard cxlab/*.py cxlab/datasets/*)
	rm -rf _build/.jupyter_cache _build/.doctrees
	@mkdir -p _build && touch $@

book: $(STAMP) $(CACHE_STAMP)
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going
	@echo
	@echo "The book is in _build/html. Open file://$(CURDIR)/_build/html/index.html"

test: $(STAMP)
	$(BIN)/python -m pytest

assignments: $(STAMP)
	$(BIN)/cxlab assign

bench: $(STAMP)
	$(BIN)/python bench/bench_nps.py
	$(BIN)/python bench/bench_journey.py

clean:
	rm -rf _build gradebook.db
