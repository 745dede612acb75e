# Set-up and everyday commands. `make demo` and `make test` work on a fresh machine:
# they find a Python >= 3.12 (or take PYTHON=/path/to/python), make .venv, install the
# pinned versions in requirements/, and run.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements/lock.txt requirements/test.txt pyproject.toml | cksum | cut -d' ' -f1)
WORKERS ?= 2

.PHONY: demo test venv lock bench clean

$(PY):
	@py=$$(tools/find-python.sh) || exit 1; echo "using $$py"; "$$py" -m venv $(VENV)

$(STAMP): $(PY) requirements/lock.txt requirements/test.txt pyproject.toml
	rm -f $(VENV)/.installed-*
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements/test.txt
	$(PY) -m pip install -q --no-deps -e .
	touch $(STAMP)

venv: $(STAMP)

# The demo runs the baseline's model with the planner's example targets (the baseline
# keeps only published goals), 40 replicates instead of the default 280 to stay within a
# few minutes: its probabilities' standard error is up to 7.9 points, and its report says so.
demo: $(STAMP)
	$(VENV)/bin/hitech-sim run scenarios/yunnan_planner_example.yaml -n 40 --workers $(WORKERS) --overwrite

test: $(STAMP)
	$(PY) -m pytest -n 2 -q

bench: $(STAMP)
	$(VENV)/bin/hitech-sim bench --firms 50000 --replicates 5

# Regenerate the pinned versions from pyproject.toml in a throw-away venv.
lock:
	@py=$$(tools/find-python.sh) || exit 1; d=$$(mktemp -d); "$$py" -m venv $$d/v; \
	$$d/v/bin/pip install -q --upgrade pip; $$d/v/bin/pip install -q . ; \
	{ echo "# Pinned runtime dependencies; regenerate with 'make lock'."; $$d/v/bin/pip freeze --exclude hitech-sim; } > requirements/lock.txt; \
	$$d/v/bin/pip install -q .[test]; \
	{ echo "# Pinned test tools on top of lock.txt; regenerate with 'make lock'."; echo "-r lock.txt"; \
	  $$d/v/bin/pip freeze --exclude hitech-sim | grep -vxF -f <(grep -v '^#' requirements/lock.txt); } > requirements/test.txt; \
	rm -rf $$d

clean:
	rm -rf $(VENV) .pytest_cache
