# Two commands set up a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
OUT    ?= out

.PHONY: demo test install install-test eval clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

demo: install
	$(BIN)/healthnews-nlp graph seeds -o $(OUT)
	@echo "Output written to $(OUT)/ (open $(OUT)/graph.gexf in Gephi)"

test: install-test
	$(BIN)/python -m pytest

eval: install
	$(BIN)/healthnews-nlp eval-table --gold ../shared/gold --seeds seeds

clean:
	rm -rf $(VENV) $(OUT) build *.egg-info
