# Two commands do everything on a fresh machine:
#   make run    set up, migrate, seed, create the demo staff account, serve on 127.0.0.1:$(PORT)
#   make test   set up, then lint, checks and every test
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
WITH_DB := scripts/with-db

.PHONY: run test setup venv db migrate seed demo lint format check pytest bench backup restore stop-db clean

$(VENV)/.installed: requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@touch $@

venv: $(VENV)/.installed

db: venv
	@$(WITH_DB) sh -c 'echo "DATABASE_URL=$$DATABASE_URL"'

migrate: venv
	$(WITH_DB) $(PY) manage.py migrate --noinput

seed: migrate
	$(WITH_DB) $(PY) manage.py seed

demo: seed
	PORT=$(PORT) $(WITH_DB) $(PY) manage.py create_demo_accounts

setup: demo

run: setup
	$(WITH_DB) $(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: venv
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

format: venv
	$(PY) -m ruff check --fix .
	$(PY) -m ruff format .

check: venv
	$(WITH_DB) $(PY) manage.py check
	$(WITH_DB) $(PY) manage.py makemigrations --check --dry-run

pytest: venv
	@scripts/ensure-chromium
	$(WITH_DB) $(PY) -m pytest

test: lint check pytest

# Not a test: measures the API under load (see bench/benchmark.py).
bench: venv
	$(WITH_DB) $(PY) bench/benchmark.py $(BENCH_ARGS)

backup: venv
	$(WITH_DB) $(PY) scripts/sauvegarde.py sauvegarder

restore: venv
	@test -n "$(FICHIER)" || (echo "usage: make restore FICHIER=backups/....dump" && exit 2)
	$(WITH_DB) $(PY) scripts/sauvegarde.py restaurer $(FICHIER)

stop-db: venv
	$(PY) scripts/pgserver.py stop

# Stops the private cluster and removes its folder (.pgdata/ or /var/tmp/contrat-pg-<hash>/).
clean: venv
	$(PY) scripts/pgserver.py clean
	rm -rf $(VENV) .pytest_cache .ruff_cache
