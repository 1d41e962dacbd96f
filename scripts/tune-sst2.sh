#!/usr/bin/env bash
# `make sst2-prompts`: the SST-2 prompts of the README, one per model and seed, under the evaluation
# protocol: each run keeps the best of its passes over a 500-example selection slice of SST-2's
# train split (tune-prompt's default), and only the final prompts are evaluated, once, on the whole
# SST-2 validation split (872), beside the majority class and RANDOM_DRAWS random prompts (mean ±
# sd), the seeds as mean ± sd (results-table). Tuning resumes from its checkpoint when stopped;
# a seed whose prompt and evaluation exist is not run again.
#   scripts/tune-sst2.sh minilm|splade-tiny
# Variables: SEEDS ("0 1 2"), STEPS and EVAL_EVERY (per model below), RANDOM_DRAWS (5), THREADS (2),
# OUT (out/sst2-prompts), DATA_DIR (data), BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
model=${1:?usage: scripts/tune-sst2.sh minilm|splade-tiny}
case $model in
  minilm)      steps=3000; eval_every=250 ;;
  splade-tiny) steps=40000; eval_every=2000 ;;
  *) echo "tune-sst2: unknown model $model (minilm or splade-tiny)" >&2; exit 64 ;;
esac
STEPS=${STEPS:-$steps}
EVAL_EVERY=${EVAL_EVERY:-$eval_every}
SEEDS=${SEEDS:-0 1 2}
RANDOM_DRAWS=${RANDOM_DRAWS:-5}
THREADS=${THREADS:-2}
OUT=${OUT:-out/sst2-prompts}
DATA_DIR=${DATA_DIR:-data}
mkdir -p "$OUT"
evals=()
for seed in $SEEDS; do
  run=$OUT/$model.s$seed
  if [ ! -f "$run.safetensors" ]; then
    echo "tune-sst2: $model, seed $seed, $STEPS steps ..." >&2
    $BIN/tune-prompt --model "models/$model" --task sst2 --preset "$model" --steps "$STEPS" \
      --eval-every "$EVAL_EVERY" --seed "$seed" --threads "$THREADS" --data-dir "$DATA_DIR" --resume --progress \
      --output "$run.safetensors" >> "$run.jsonl"
  fi
  if [ ! -f "$run.validation.jsonl" ]; then
    $BIN/eval-prompt --model "models/$model" --task sst2 --split validation --majority \
      --random-prompts "$RANDOM_DRAWS" --name "$model" --threads "$THREADS" --data-dir "$DATA_DIR" \
      -o "$run.validation.jsonl" "$run.safetensors"
  fi
  jq -c --arg seed "$seed" 'select(.event == "done") | {seed: $seed, seconds, training_seconds, best_step,
    best_selection_accuracy: .best_accuracy}' "$run.jsonl" | tail -1 >&2
  evals+=("$run.validation.jsonl")
done
$BIN/results-table -o "$OUT/$model.md" "${evals[@]}"
cat "$OUT/$model.md"
