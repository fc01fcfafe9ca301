# midan — the two commands a new user needs: `make demo` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.midan-installed
ASSETS := $(VENV)/.midan-assets
DB     := sqlite:///midan.db

export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

.PHONY: install demo test lint bench model geo-model clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# reinstall when the project's requirements change; fetch the npm files again when their list changes (`midan
# assets` skips those already present)
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

$(ASSETS): midan/assets.py $(STAMP)
	$(BIN)/midan assets
	touch $(ASSETS)

install: $(STAMP) $(ASSETS)

demo: install
	$(BIN)/midan ingest examples/articles --db $(DB)
	$(BIN)/midan export --db $(DB) --format table
	mkdir -p demo-output
	$(BIN)/midan export --db $(DB) --format acled-csv -o demo-output/events.csv --force
	$(BIN)/midan export --db $(DB) --format geojson -o demo-output/events.geojson --force
	@echo "demo: events stored in midan.db; exports in demo-output/ (events.csv, events.geojson)"

test: install
	$(BIN)/ruff check midan tests benchmarks scripts
	@url=$$(bash scripts/postgres.sh); \
	if [ -z "$$url" ]; then echo "make test: PostgreSQL unavailable; its tests will skip (see message above)"; fi; \
	chromium=$$(bash scripts/chromium.sh); \
	if [ -z "$$chromium" ]; then echo "make test: Chromium unavailable; the browser tests will skip (see message above)"; fi; \
	MIDAN_TEST_POSTGRES_URL="$$url" MIDAN_TEST_CHROMIUM="$$chromium" $(BIN)/python -m pytest -q -p no:cacheprovider

lint: install
	$(BIN)/ruff check midan tests benchmarks scripts

bench: install
	$(BIN)/python benchmarks/run_all.py

# rebuild the shipped sentence encoder (int8 ONNX of the packaged MiniLM), the sub-event classifier and the record
# confidence model (it reads the classifier's scores, so it comes last); needs ../shared/datasets for the PLOVER and
# CASE 2021 sources and the coded articles' texts (see midan/training.py and midan/training_records.py)
MODEL_STAMP := $(VENV)/.midan-model-installed
$(MODEL_STAMP): pyproject.toml | $(STAMP)
	$(BIN)/python -m pip install --quiet torch==2.13.0
	echo "torch==2.13.0" > $(VENV)/torch-constraint.txt
	$(BIN)/python -m pip install --quiet -c $(VENV)/torch-constraint.txt -e ".[test,model]"
	touch $(MODEL_STAMP)

# CORRECTIONS=FILE adds reviewers' decisions (midan export --format corrections) to the classifier's training data
model: $(MODEL_STAMP)
	$(BIN)/python scripts/build_encoder.py
	$(BIN)/python -m midan.training $(if $(CORRECTIONS),--corrections $(CORRECTIONS))
	$(BIN)/python -m midan.training_records

# refit the toponym ranker on the LGL and GeoWebNews training folds (needs ../shared/datasets; see midan/training_georank.py)
geo-model: install
	$(BIN)/python -m midan.training_georank

clean:
	rm -rf midan.db midan.db-* demo-output .pytest_cache
