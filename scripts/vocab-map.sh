#!/usr/bin/env bash
# `make vocab-map`: the README's vocabulary-map example under the evaluation protocol. A projector
# that needs no task data (`project train --objective vocab`: ridge least squares from SOURCE's input
# word embeddings to TARGET's over the tokens both vocabularies share) maps the SST-2 prompts of
# `make sst2-prompts` (SOURCE's, one per seed; each chosen on a slice of SST-2's train split) into
# TARGET, and each mapped prompt is evaluated once on TARGET's whole SST-2 validation split (872)
# beside TARGET's majority class and RANDOM_DRAWS random prompts; the seeds as mean ± sd
# (results-table, OUT/sst2.md). Each stage is a file: a finished one is not redone.
# Variables: SOURCE (minilm), TARGET (mpnet-base), SEEDS ("0 1 2"), PROMPTS (the source prompts,
# SEED standing for the seed: out/sst2-prompts/SOURCE.sSEED.safetensors), RANDOM_DRAWS (5),
# THREADS (2), OUT (out/vocab/SOURCE-to-TARGET), DATA_DIR (data), BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
. scripts/common.sh
require_tools vocab-map project eval-prompt results-table
SOURCE=${SOURCE:-minilm}
TARGET=${TARGET:-mpnet-base}
SEEDS=${SEEDS:-0 1 2}
PROMPTS=${PROMPTS:-out/sst2-prompts/$SOURCE.sSEED.safetensors}
RANDOM_DRAWS=${RANDOM_DRAWS:-5}
THREADS=${THREADS:-2}
OUT=${OUT:-out/vocab/$SOURCE-to-$TARGET}   # a folder per pair: its cached stages belong to it
DATA_DIR=${DATA_DIR:-data}
for seed in $SEEDS; do   # every source prompt, before anything is written
  if [ ! -f "${PROMPTS//SEED/$seed}" ]; then
    echo "vocab-map: no source prompt ${PROMPTS//SEED/$seed} (make sst2-prompts, or PROMPTS=...)" >&2
    exit 65
  fi
done
mkdir -p "$OUT"
projector=$OUT/$SOURCE-to-$TARGET.safetensors
if [ ! -f "$projector" ]; then
  echo "vocab-map: fitting $SOURCE -> $TARGET over the shared tokens ..." >&2
  $BIN/project train --source-model "models/$SOURCE" --target-model "models/$TARGET" --objective vocab \
    --threads "$THREADS" -o "$projector" > "$OUT/$SOURCE-to-$TARGET.jsonl"
fi
first_seed=${SEEDS%% *}
evaluations=()
for seed in $SEEDS; do
  source_prompt=${PROMPTS//SEED/$seed}
  mapped=$OUT/sst2.s$seed.from-$SOURCE.safetensors
  [ -f "$mapped" ] || $BIN/project apply --projector "$projector" --output "$mapped" "$source_prompt" >&2
  # the majority class and the random draws do not depend on the seed: the first seed's file has them
  baselines=()
  [ "$seed" = "$first_seed" ] && baselines=(--majority --random-prompts "$RANDOM_DRAWS")
  evaluation=$OUT/sst2.s$seed.validation.jsonl
  if [ ! -f "$evaluation" ]; then
    echo "vocab-map: seed $seed on $TARGET's SST-2 validation ..." >&2
    $BIN/eval-prompt --model "models/$TARGET" --task sst2 --split validation --threads "$THREADS" \
      --data-dir "$DATA_DIR" "${baselines[@]}" --name "vocab-map from $SOURCE" -o "$evaluation" "$mapped"
  fi
  evaluations+=("$evaluation")
done
$BIN/results-table -o "$OUT/sst2.md" "${evaluations[@]}"
jq -c 'select(.event == "done") | {shared_tokens, held_out_tokens, held_out_rmse, mean_baseline_rmse}' \
  "$OUT/$SOURCE-to-$TARGET.jsonl" >&2
cat "$OUT/sst2.md"
