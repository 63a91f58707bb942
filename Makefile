# Two commands set everything up on a fresh machine:
#   make run    create .venv, install, migrate, load the seed data, serve on 127.0.0.1:$(PORT)
#   make test   run the whole test suite (on PostgreSQL when DATABASE_URL is set)
#   make serve  the production path, locally: DEBUG off, collected static files, gunicorn
PYTHON ?= python3
PORT ?= 8000
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test lint serve bench backup messages vnu

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reinstall only when requirements.txt changes.
$(VENV)/installed.stamp: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

run: $(VENV)/installed.stamp
	DJANGO_DEBUG=1 $(BIN)/python manage.py migrate --no-input
	DJANGO_DEBUG=1 $(BIN)/python manage.py load_seed
	DJANGO_DEBUG=1 $(BIN)/python manage.py setup_roles
	DJANGO_DEBUG=1 $(BIN)/python manage.py runserver 127.0.0.1:$(PORT)

# PYTEST_ARGS narrows a run, for example PYTEST_ARGS='-m "not browser"'.
test: $(VENV)/installed.stamp
	$(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(VENV)/installed.stamp
	$(BIN)/ruff check .
	DJANGO_DEBUG=1 $(BIN)/python manage.py check
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run

# The production path, locally: DEBUG off, static files compressed and
# fingerprinted by collectstatic, gunicorn with WEB_CONCURRENCY workers. Plain
# http on 127.0.0.1 unless HTTPS=1; a SECRET_KEY from the environment, or one
# made once for this checkout. See the README's production section.
.secret-key:
	$(PYTHON) -c "import secrets; print(secrets.token_urlsafe(50))" > $@

SERVE_ENV = HTTPS=$${HTTPS:-0} SECRET_KEY=$${SECRET_KEY:-$$(cat .secret-key)}

serve: $(VENV)/installed.stamp .secret-key
	$(SERVE_ENV) $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(SERVE_ENV) $(BIN)/python manage.py migrate --no-input
	@# A first load, not a sync: on a database in use it only proposes new research as drafts,
	@# and with nothing new it writes nothing, so every start leaves the record as staff left it.
	$(SERVE_ENV) $(BIN)/python manage.py load_seed
	$(SERVE_ENV) $(BIN)/python manage.py setup_roles
	@# The worker that sends email alerts runs beside the app and stops with it.
	$(SERVE_ENV) $(BIN)/python manage.py db_worker --interval 5 & worker=$$!; trap 'kill $$worker' EXIT INT TERM; \
	$(SERVE_ENV) $(BIN)/gunicorn cahtracker.wsgi --bind 127.0.0.1:$(PORT) --workers $${WEB_CONCURRENCY:-2} \
		--no-control-socket --access-logfile - --error-logfile -

# The benchmark (states/management/commands/bench.py): gunicorn servers with the
# page cache, without it, and without it on a hundred times today's history,
# each on PostgreSQL (databases of their own, named by BENCH_DATABASE_URL and
# BENCH_HISTORY_DATABASE_URL, created if missing) and Redis, on ports
# BENCH_PORT to BENCH_PORT+2, with wrk on this machine. The API's limit per
# reader is lifted, or wrk, one reader, would measure its 429s.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/cahtracker_bench
BENCH_HISTORY_DATABASE_URL ?= $(BENCH_DATABASE_URL)_history
BENCH_PORT ?= 8100
BENCH_ENV = $(SERVE_ENV) DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_HISTORY_DATABASE_URL=$(BENCH_HISTORY_DATABASE_URL) \
	BENCH_PORT=$(BENCH_PORT) REDIS_URL=$${REDIS_URL:-redis://127.0.0.1:6379/2} CONN_MAX_AGE=60 \
	API_RATE=off
# The database a URL names, created on its server unless it exists.
database-for = psql "$(1)" -c "select 1" >/dev/null 2>&1 || psql "$(dir $(1))postgres" -qc 'CREATE DATABASE "$(notdir $(1))"'

bench: $(VENV)/installed.stamp .secret-key
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	$(call database-for,$(BENCH_DATABASE_URL))
	$(call database-for,$(BENCH_HISTORY_DATABASE_URL))
	$(BENCH_ENV) $(BIN)/python manage.py collectstatic --no-input --verbosity 0
	$(BENCH_ENV) $(BIN)/python manage.py migrate --no-input --verbosity 0
	$(BENCH_ENV) $(BIN)/python manage.py load_seed
	$(BENCH_ENV) $(BIN)/python manage.py bench $(BENCH_ARGS)

# The Nu HTML checker (the W3C validator, MIT), pinned, from npm's vnu-jar into
# .venv/vnu/; tests/test_html_validity.py runs it with Java on every public page.
VNU_VERSION := 26.9.27
$(VENV)/vnu/vnu.jar:
	mkdir -p $(VENV)/vnu
	cd $(VENV)/vnu && npm pack --silent vnu-jar@$(VNU_VERSION) >/dev/null && tar xzf vnu-jar-$(VNU_VERSION).tgz
	mv $(VENV)/vnu/package/build/dist/vnu.jar $@ && rm -rf $(VENV)/vnu/package $(VENV)/vnu/*.tgz
vnu: $(VENV)/vnu/vnu.jar

# A backup of the whole database, history included, in backups/ (see the README).
backup: $(VENV)/installed.stamp
	DJANGO_DEBUG=1 $(BIN)/python manage.py backup

# For developers (needs GNU gettext: apt-get install gettext): gather the public
# pages' strings into locale/*/LC_MESSAGES/django.po, then compile them (the
# admin stays in English: states/management/commands/makemessages.py). Readers
# and `make run` need neither step: the compiled .mo files are committed.
messages: $(VENV)/installed.stamp
	DJANGO_DEBUG=1 $(BIN)/python manage.py makemessages -l id -l th -l ar --no-obsolete --add-location=file
	DJANGO_DEBUG=1 $(BIN)/python manage.py compilemessages --ignore ".venv/*"
