# The two entry points the README opens with: `make run` and `make test`.
# Both install what they need themselves (venv, Python packages, Debian's chromium for browser tests).
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8501

.PHONY: run test setup setup-dev chromium fonts demo lint bench

# `python -m app` checks the bind address before Streamlit starts (app/launch.py); pass Streamlit
# options through ARGS, e.g. make run ARGS="--server.address 0.0.0.0".
run: setup fonts
	$(PY) -m app --server.port $(PORT) $(ARGS)

# -n 2: two pytest-xdist workers, browser tests on one (tests/conftest.py: pytest_xdist_make_scheduler).
# --durations=20: every run lists its slowest tests, to keep the suite well under 10 minutes on 2 cores.
test: setup-dev chromium fonts
	$(PY) -m pytest -q -n 2 --durations=20

setup: $(VENV)/.installed-runtime
setup-dev: $(VENV)/.installed-dev

$(VENV)/.installed-runtime: requirements.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -r requirements-dev.txt
	touch $@ $(VENV)/.installed-runtime

chromium:
	@test -x /usr/bin/chromium || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# PDF decks embed a Unicode TrueType font (Cyrillic); a fresh Debian image has none.
fonts:
	@test -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-dejavu-core >/dev/null; }

demo: setup
	$(PY) -m pipelines demo

lint: setup-dev
	$(PY) -m ruff check .
