# make demo: a venv, symderiv installed in it, the seed's sheet (zh and en) in output/.
# make test: the same venv plus the test tools (pytest, hypothesis, PyTorch CPU), then the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin

.PHONY: demo test venv test-deps bench clean

$(BIN)/symderiv: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q -e '.[test]'
	touch $@

venv: $(BIN)/symderiv

demo: venv
	$(BIN)/symderiv solve -o output
	$(BIN)/symderiv solve --lang en -o output/en

$(VENV)/.test-deps: $(BIN)/symderiv
	$(BIN)/pip install -q torch==2.13.0
	touch $@

test-deps: $(VENV)/.test-deps

test: test-deps
	$(BIN)/python -m pytest -q -n 2

bench: venv
	$(BIN)/python benchmarks/scaling.py
	$(BIN)/python benchmarks/render_time.py

clean:
	rm -rf $(VENV) build dist *.egg-info
