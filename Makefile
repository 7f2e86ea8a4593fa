# cardscan: the commands people and CI run. `make demo` and `make test` set themselves up.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := .demo
EVAL   ?= ../shared/eval

# Debian packages: Tesseract for the pipeline (and its headers, to build tesserocr against
# the same library), fonts for samples/generate.py.
OCR_PKGS  := tesseract-ocr tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-fra \
             tesseract-ocr-spa tesseract-ocr-por tesseract-ocr-ita tesseract-ocr-nld \
             tesseract-ocr-jpn tesseract-ocr-chi-sim tesseract-ocr-kor tesseract-ocr-osd \
             libtesseract-dev libleptonica-dev g++ pkg-config
FONT_PKGS := fonts-dejavu-core fonts-liberation2 fonts-open-sans fonts-roboto-unhinted \
             fonts-lato fonts-crosextra-carlito fonts-comic-neue fonts-humor-sans fonts-klee \
             fonts-dancingscript fonts-femkeklaver fonts-noto-cjk

# Headless Chromium for the review page's end-to-end tests (driven by Playwright).
BROWSER_PKGS := chromium
# PostgreSQL: the storage tests run a second time on a throwaway server (tests/postgres.py).
DB_PKGS := postgresql

.PHONY: help demo test bench fuzz lint format samples goldens system-deps font-deps browser-deps db-deps clean

help:
	@echo "make demo    ingest samples/ into $(DEMO)/cardscan.db, print contacts and tasks, write a CSV"
	@echo "make test    run the whole test suite (real Tesseract, real SQLite), then the storage tests on PostgreSQL"
	@echo "make bench   accuracy and speed on samples/ and every set in $(EVAL)"
	@echo "make fuzz    the property tests (parsers, loaders) with 20,000 examples each"
	@echo "make lint    ruff and mypy"
	@echo "make samples re-render samples/ (deterministic)"
	@echo "make goldens re-record the parser goldens, the recorded OCR and the export goldens in tests/data/"

# Install Debian packages that are missing: as root with apt-get, otherwise say the command.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    echo "installing:$$missing"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	  else \
	    echo "cardscan needs:$$missing"; echo "run: sudo apt-get install$$missing"; exit 1; \
	  fi; \
	fi
endef

system-deps:
	$(call apt_install,$(OCR_PKGS))

font-deps:
	$(call apt_install,$(FONT_PKGS))

browser-deps:
	$(call apt_install,$(BROWSER_PKGS))

db-deps:
	$(call apt_install,$(DB_PKGS))

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev,heic,postgres,cluster]'
	# Tesseract in-process, built against the system's libtesseract (20 s): it then reads
	# exactly as the `tesseract` CLI does. Without the headers the wheel stays (libtesseract
	# 5.5 inside: as fast, a few words differ from an older CLI).
	PIP_NO_BINARY=tesserocr $(BIN)/python -m pip install -q --force-reinstall --no-deps \
	  'tesserocr>=2.6,<3' || echo "tesserocr: kept the wheel (no libtesseract-dev to build on)"
	touch $(STAMP)

demo: system-deps $(STAMP)
	@mkdir -p $(DEMO)
	$(BIN)/cardscan batch samples/ --db sqlite:///$(DEMO)/cardscan.db
	$(BIN)/cardscan contacts --db sqlite:///$(DEMO)/cardscan.db
	$(BIN)/cardscan tasks --db sqlite:///$(DEMO)/cardscan.db
	$(BIN)/cardscan export csv --db sqlite:///$(DEMO)/cardscan.db -o $(DEMO)/contacts.csv
	$(BIN)/cardscan export csv --format google --db sqlite:///$(DEMO)/cardscan.db -o $(DEMO)/google.csv
	$(BIN)/cardscan export csv --format outlook --db sqlite:///$(DEMO)/cardscan.db -o $(DEMO)/outlook.csv
	$(BIN)/cardscan export vcard --db sqlite:///$(DEMO)/cardscan.db -o $(DEMO)/contacts.vcf
	$(BIN)/cardscan export ics --db sqlite:///$(DEMO)/cardscan.db -o $(DEMO)/followups.ics

test: system-deps font-deps browser-deps db-deps $(STAMP)
	CARDSCAN_REQUIRE_BROWSER=1 $(BIN)/python -m pytest
	# The storage, ingest, follow-up, export and review tests again, on PostgreSQL.
	CARDSCAN_REQUIRE_BROWSER=1 $(BIN)/python -m tests.postgres -- $(BIN)/python -m pytest -m backends

bench: system-deps $(STAMP)
	# The bytecode an installed cardscan has (pip compiles a wheel's modules; with
	# PYTHONDONTWRITEBYTECODE set, an editable checkout would compile them on every start).
	$(BIN)/python -m compileall -q cardscan
	$(BIN)/cardscan bench samples $(wildcard $(EVAL)/*/) --json $(DEMO)/bench.json
	$(BIN)/python tests/nasty_files.py --measure
	$(BIN)/cardscan review --bench 10000

# Longer than CI: tens of thousands of generated texts and damaged files per property.
fuzz: $(STAMP)
	$(BIN)/python -m pytest -q -W ignore tests/unit/test_fuzz.py --hypothesis-profile=fuzz \
	  --hypothesis-show-statistics

lint: system-deps $(STAMP)
	$(BIN)/ruff check cardscan tests samples
	$(BIN)/mypy cardscan

format: $(STAMP)
	$(BIN)/ruff check --fix cardscan tests samples

samples: font-deps $(STAMP)
	$(BIN)/python samples/generate.py

# The parser goldens (tests/data/ocr, parsed), then the recorded OCR the tests replay: the
# tests run once with the real engines, every engine call kept (tests/recorded.py).
goldens: system-deps font-deps browser-deps $(STAMP)
	$(BIN)/python tests/record_goldens.py
	rm -f tests/data/recorded-ocr.jsonl
	CARDSCAN_RECORD_OCR=1 CARDSCAN_REQUIRE_BROWSER=1 $(BIN)/python -m pytest -q tests/e2e tests/unit
	LC_ALL=C sort -u -o tests/data/recorded-ocr.jsonl tests/data/recorded-ocr.jsonl
	UPDATE_GOLDENS=1 $(BIN)/python -m pytest -q tests/unit/test_export.py tests/unit/test_vcard.py

clean:
	rm -rf $(DEMO) .pytest_cache .mypy_cache .ruff_cache
