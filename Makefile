# The two README commands: `make run` and `make test`. Both work on a fresh clone with
# nothing installed but Python 3.11+ (they make .venv and install pinned requirements).

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

# CI runs the checks against the machine's real PostgreSQL and Redis (`make run` keeps
# its embedded defaults either way).
ifeq ($(CI),true)
test check-migrations pytest: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/charterops
test check-migrations pytest: export REDIS_URL ?= redis://127.0.0.1:6379/0
endif

.PHONY: run test lint check-migrations pytest node-test browser bench clean

$(VENV)/.runtime: requirements.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.dev: $(VENV)/.runtime requirements-dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

# Links in demo emails and printed sign-in links point at this server.
run: export SITE_URL ?= http://127.0.0.1:$(PORT)

## run: migrate, load demo data, then serve the back office and crew pages with a Celery worker and beat.
run: $(VENV)/.runtime
	mkdir -p var
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "$(SITE_URL)" > var/serving-site-url  # read by commands that print links (charterops/site.py)
	@echo "Starting CharterOps on http://127.0.0.1:$(PORT)/ (admin: http://127.0.0.1:$(PORT)/admin/) — Ctrl-C stops everything."
	@trap 'kill 0' INT TERM EXIT; \
	  $(VENV)/bin/celery -A charterops worker --beat --concurrency=1 --loglevel=INFO \
	      --without-gossip --without-mingle & \
	  $(PY) manage.py runserver --noreload 127.0.0.1:$(PORT) & \
	  wait

## test: every check — lint, format, dependency direction, migrations, the test suite.
test: $(VENV)/.dev browser lint check-migrations node-test pytest

lint: $(VENV)/.dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

check-migrations: $(VENV)/.dev
	$(PY) manage.py makemigrations --check --dry-run

pytest: $(VENV)/.dev
	$(VENV)/bin/pytest

# The CloudFront Function that serves /g/<slug> from the brand's bucket, and the crew pages'
# service worker with its offline rules, tested by Node's own runner (Debian's nodejs when
# the machine has none).
node-test:
	@command -v node >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nodejs >/dev/null)
	node --test cloudfront/ crew/js_tests/

# Browser tests drive Debian's Chromium (no browser download); install it when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installing Debian's chromium for the browser tests…"; \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	  || echo "Could not install chromium: browser tests will be skipped (they fail under CI=true)."; }

## bench: gunicorn (2 workers) on PostgreSQL with a scaled data set, load from wrk; then the executive
## reports over 100,000 events (bench/reports.py) and the nudge sweep over 10,000 events (bench/nudges.py),
## each on its own database; not part of `make test`. All three run; it fails if any missed its targets.
bench: $(VENV)/.dev
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null)
	@status=0; \
	$(PY) bench/run.py || status=1; \
	$(PY) bench/reports.py || status=1; \
	$(PY) bench/nudges.py || status=1; \
	exit $$status

clean:
	rm -rf $(VENV) var .pytest_cache
