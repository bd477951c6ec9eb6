# The two commands a reader needs are `make book` and `make test` (see README.md).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
NPROC  := $(shell nproc 2>/dev/null || echo 2)
NOTEBOOKS := $(sort $(wildcard book/*.ipynb))

# Headless plotting and reproducible hashing for every notebook run (build, nbval, refresh).
export MPLBACKEND := Agg
export PYTHONHASHSEED := 0
export PYDEVD_DISABLE_FILE_VALIDATION := 1

.PHONY: help venv book test unit nbval build browser screenshots chromium lint lab lab-check notebooks bench clean translations

help:
	@echo "make book       build the HTML book, English and Chinese (executing every notebook) into _build/html"
	@echo "make translations  merge changed English text into the Chinese catalogs (locales/zh_CN)"
	@echo "make test       every test: dlmath, nbval on every notebook, the strict book build, the browser checks, JupyterLab"
	@echo "make lab        JupyterLab on the chapters, with this project's kernel (LAB_ARGS=... for more flags)"
	@echo "make lab-check  the live path in a real JupyterLab: every chapter run and read, the explorers moved, saved, reopened"
	@echo "make notebooks  re-execute the notebooks in place to refresh their stored outputs"
	@echo "make bench      run the benchmark scripts in benchmarks/"
	@echo "make browser    open every page of the built book in headless Chromium, offline (after make book)"
	@echo "make screenshots  the same, with a screenshot of every whole page in _build/screenshots"

# The venv is rebuilt when it is missing or older than any file that says what goes in it.
$(STAMP): requirements.txt constraints.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt -c constraints.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	@touch $@

venv: $(STAMP)

# Both editions: the English book (executing every notebook), then the Chinese one from the same sources
# and configuration with the text of locales/zh_CN (tools/zh_edition.py), into _build/html/zh_CN.
book: $(STAMP)
	$(BIN)/jupyter-book build . -W --keep-going
	$(BIN)/python tools/zh_edition.py zh
	@echo "The book is at $(CURDIR)/_build/html/index.html (中文版: $(CURDIR)/_build/html/zh_CN/index.html)"

# After changing the English text: merge the new templates into the Chinese catalogs (changed
# paragraphs become fuzzy, new ones empty) and translate them; tests/test_translations.py lists them.
translations: $(STAMP)
	rm -rf _build/gettext
	$(BIN)/python tools/zh_edition.py pot _build/gettext
	$(BIN)/sphinx-intl update -p _build/gettext -l zh_CN -d locales -w 0

unit: $(STAMP)
	$(BIN)/python -m pytest tests -n $(NPROC) -q --ignore=tests/browser

# Strict nbval, once under each of two OpenBLAS kernels this CPU can run (tests/blas_kernels.py): their
# results differ in the last bits, so a stored output that depends on those bits fails here, not on a
# reader's machine.
BLAS_KERNELS := $(shell $(PYTHON) tests/blas_kernels.py 2>/dev/null || echo default)

nbval: $(STAMP)
	@for k in $(BLAS_KERNELS); do \
		if [ "$$k" = default ]; then set -- env -u OPENBLAS_CORETYPE; else set -- env OPENBLAS_CORETYPE=$$k; fi; \
		echo "== nbval, OpenBLAS kernel: $$k"; \
		"$$@" $(BIN)/python -m pytest --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg \
			-n $(NPROC) --dist loadscope -q book || exit 1; \
	done

build: book

lint: $(STAMP)
	$(BIN)/ruff check .

# The JupyterLab check needs no built book and spends much of its time waiting on the browser and the
# kernel: it runs beside the rest, and its report is printed at the end (also in _build/lab-check.log).
# The browser checks, which also keep about one core busy, come before nbval so that they overlap it; nbval
# (two workers) then has both cores. On 2 cores a warm `make test` takes about 3.5 min.
test: $(STAMP) chromium
	@mkdir -p _build
	@$(MAKE) --no-print-directory lab-check > _build/lab-check.log 2>&1 & lab=$$!; \
	$(MAKE) --no-print-directory lint unit build browser nbval; rc=$$?; \
	wait $$lab; lrc=$$?; \
	echo "== make lab-check (run beside the rest): exit status $$lrc"; cat _build/lab-check.log; \
	test $$rc = 0 && test $$lrc = 0

# Debian's Chromium for the browser tests (Playwright drives it; `playwright install` downloads a browser
# build, which this project never does). A CJK font makes the glossary's Chinese terms legible in the
# screenshots. Installing needs root (CI is root); without Chromium the browser tests skip, loudly.
chromium:
	@command -v chromium >/dev/null 2>&1 || (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y chromium) \
		|| echo "!!! Chromium could not be installed: the browser tests will be SKIPPED !!!"
	@fc-list :lang=zh 2>/dev/null | grep -q . || ( (DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-wqy-microhei \
		|| (apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y fonts-wqy-microhei)) >/dev/null 2>&1 ) \
		|| echo "(no CJK font: the Chinese terms show as boxes in the screenshots)"

# Every page of _build/html (run `make book` first) offline in Chromium; the first screen of each in _build/screenshots.
browser: $(STAMP) chromium
	$(BIN)/python -m pytest tests/browser -p no:xdist -q

# The same, with a screenshot of each whole page instead of its first screen (slower: ~35 s more).
screenshots: $(STAMP) chromium
	DLMATH_FULL_SCREENSHOTS=1 $(BIN)/python -m pytest tests/browser -p no:xdist -q

# JupyterLab on the chapters (README "Running the chapters"). The kernel draws inline: MPLBACKEND (Agg for the
# builds above) is removed from its environment. lab/overrides.json becomes the venv's JupyterLab defaults
# (widget state saved with the notebook, no news pop-up). The chapters are trusted (their outputs come from
# `make notebooks`), so their static sliders work before the first run. As root (containers) it adds
# --allow-root. LAB_IP=0.0.0.0 listens on every interface, LAB_PORT another port, LAB_ARGS any other flag,
# e.g. `make lab LAB_ARGS=--no-browser`.
LAB_IP    ?= 127.0.0.1
LAB_PORT  ?= 8888
LAB_ARGS  ?=
LAB_TOKEN := $(shell od -An -N24 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n')
LAB_SETTINGS := $(VENV)/share/jupyter/lab/settings/overrides.d/dlmath.json

$(LAB_SETTINGS): lab/overrides.json | $(STAMP)
	@mkdir -p $(dir $@)
	cp lab/overrides.json $@

lab: $(STAMP) $(LAB_SETTINGS)
	@$(BIN)/jupyter trust $(NOTEBOOKS) >/dev/null
	@echo ""
	@echo "  JupyterLab: open  http://$(if $(filter 0.0.0.0,$(LAB_IP)),127.0.0.1,$(LAB_IP)):$(LAB_PORT)/lab?token=$(LAB_TOKEN)"
	@echo "  In each chapter: Run > Run All Cells, then the explorers' controls recompute. Ctrl-C stops JupyterLab."
	@echo ""
	env -u MPLBACKEND $(BIN)/jupyter lab --notebook-dir=book --ip=$(LAB_IP) --port=$(LAB_PORT) --port-retries=0 \
		--IdentityProvider.token=$(LAB_TOKEN) $(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

# The live path in a real JupyterLab (tests/lab/lab_check.py), on copies of the chapters: every chapter Run
# All with no error and its prose checked for raw MyST markup; the widget chapters' controls moved, saved and
# reopened. Needs Chromium (make chromium).
lab-check: $(STAMP) chromium
	$(BIN)/python -m pytest tests/lab/lab_check.py -p no:xdist -q -s

# Every code cell in order and, when the run reaches them, the inline expressions of the Markdown cells,
# whose results the notebook stores for JupyterLab (tools/run_notebooks.py).
notebooks: $(STAMP)
	$(BIN)/python tools/run_notebooks.py $(NOTEBOOKS)

bench: $(STAMP)
	@for f in benchmarks/*.py; do echo "== $$f"; $(BIN)/python $$f || exit 1; done

clean:
	rm -rf _build
