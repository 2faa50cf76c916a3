# The two promises of the README: `make run` and `make test` work on a fresh machine
# with only Python 3.11 and make.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1:8000

.PHONY: run test install lint format check messages clean worker beat bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when the declared dependencies change.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	@# Creates the administrator on the first run; its password is printed last, in a box.
	$(BIN)/python manage.py serve $(HOST)

test: install
	@echo "Running the whole suite: about 10 minutes on two cores (browser tests included)."
	$(BIN)/pytest

# Background jobs on a real broker (README: Background jobs); both need
# CELERY_BROKER_URL, e.g. CELERY_BROKER_URL=redis://127.0.0.1:6379/0 make worker
worker: install
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0"; exit 1; }
	$(BIN)/celery -A config worker --loglevel INFO

beat: install
	@test -n "$$CELERY_BROKER_URL" || { echo "Set CELERY_BROKER_URL, e.g. redis://127.0.0.1:6379/0"; exit 1; }
	mkdir -p var
	$(BIN)/celery -A config beat --loglevel INFO --schedule var/celerybeat-schedule

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: install lint
	$(BIN)/python manage.py check
	$(BIN)/python manage.py makemigrations --check --dry-run

# Needs GNU gettext; the compiled catalogues are committed so that users do not.
messages: install
	$(BIN)/python manage.py makemessages --locale ja --locale en --ignore '.venv/*' --no-obsolete
	$(BIN)/python manage.py compilemessages --ignore '.venv/*'

# The performance benchmark (docs/performance.md), against PostgreSQL only: creates and
# migrates the database if needed, generates the data once (about 5 minutes), measures.
bench: install
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/mlit_crm_bench} \
		$(BIN)/python -m bench

clean:
	rm -rf $(VENV) var db.sqlite3 .pytest_cache .ruff_cache
