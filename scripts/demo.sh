#!/usr/bin/env bash
# The main job: prepare SST-2 and rotten_tomatoes, tune a soft prompt on SST-2 with the
# default model, evaluate it zero-shot on rotten_tomatoes, tune a rotten_tomatoes prompt
# from scratch with the same settings, and print the table beside the majority class and random
# prompts, on rotten_tomatoes whole and without SST-2's train sentences. About 9 minutes here.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
MIRROR=${PT_DATA_MIRROR:-../shared/data}
MODEL=${MODEL:-minilm}
SST2_STEPS=${SST2_STEPS:-2000}
RT_STEPS=${RT_STEPS:-600}
SEED=${SEED:-0}
OUT=${OUT:-out/demo}
RANDOM_DRAWS=${RANDOM_DRAWS:-5}
mkdir -p $OUT data/sst2 data/rotten_tomatoes
t0=$(date +%s)
for s in train validation; do $BIN/prepare-data sst2 --split $s --mirror "$MIRROR" --output data/sst2/$s.jsonl; done
for s in train validation test; do
  $BIN/prepare-data rotten_tomatoes --split $s --mirror "$MIRROR" --output data/rotten_tomatoes/$s.jsonl
done
case $MODEL in
  minilm) tune=(--readout tied --prompt-length 20 --lr 0.01 --batch-size 16) ;;
  *)      tune=(--readout mlm --prompt-length 20 --lr 0.03 --batch-size 32) ;;
esac
echo "tuning a prompt on SST-2 with $MODEL ($SST2_STEPS steps) ..." >&2
$BIN/tune-prompt --model models/$MODEL --task sst2 "${tune[@]}" --steps $SST2_STEPS --eval-every 200 --seed $SEED \
  --force \
  --output $OUT/sst2.safetensors --progress > $OUT/sst2.jsonl
t1=$(date +%s)
echo "tuning a rotten_tomatoes prompt from scratch ($RT_STEPS steps) ..." >&2
$BIN/tune-prompt --model models/$MODEL --task rotten_tomatoes "${tune[@]}" --steps $RT_STEPS --eval-every 100 \
  --seed $SEED --force \
  --output $OUT/rt.safetensors --progress > $OUT/rt.jsonl
t2=$(date +%s)
# Reported splits only (the prompts chose their best on a slice of their train split): SST-2
# validation, and rotten_tomatoes test whole and without the sentences SST-2's train split holds,
# each beside the majority class and random prompts.
base=(--majority --random-prompts "$RANDOM_DRAWS")
$BIN/eval-prompt --model models/$MODEL --task sst2 --split validation "${base[@]}" $OUT/sst2.safetensors \
  > $OUT/sst2-validation.jsonl
$BIN/eval-prompt --model models/$MODEL --task rotten_tomatoes --split test "${base[@]}" \
  $OUT/sst2.safetensors $OUT/rt.safetensors > $OUT/rt-test.jsonl
$BIN/eval-prompt --model models/$MODEL --task rotten_tomatoes --split test --exclude-overlap sst2:train "${base[@]}" \
  $OUT/sst2.safetensors $OUT/rt.safetensors > $OUT/rt-test-unseen.jsonl
echo
start=$(head -1 $OUT/sst2.jsonl)
echo "model: $MODEL (readout $(jq -r '.settings.readout' <<< "$start")), prompt of 20 vectors, seed $SEED;" \
  "best chosen on a $(jq -r '.selection.n' <<< "$start")-example slice of each task's train split;" \
  "outputs in $OUT/"
echo "matrix kernels: $(jq -r '.matrix_backend | "\(.backend) \(.version) \(.kernel) on \(.cpu)"' <<< "$start")"
echo "SST-2: $SST2_STEPS steps in $((t1 - t0)) s; rotten_tomatoes: $RT_STEPS steps in $((t2 - t1)) s"
$BIN/results-table $OUT/sst2-validation.jsonl $OUT/rt-test.jsonl $OUT/rt-test-unseen.jsonl
echo "total $(( $(date +%s) - t0 )) s"
