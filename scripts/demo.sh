#!/usr/bin/env bash
# The main job: prepare SST-2 and rotten_tomatoes, tune a soft prompt on SST-2 with the
# default model, evaluate it zero-shot on rotten_tomatoes, tune a rotten_tomatoes prompt
# from scratch with the same settings, and print the table beside the majority class and random
# prompts, on rotten_tomatoes whole and without SST-2's train sentences. About 11 minutes here.
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
tune=(--preset "$MODEL")   # data-manifests/presets/MODEL.json
# REUSE=1 keeps a prompt an earlier run wrote with the same steps and seed, and only evaluates again
tuned() {   # name steps
  [ "${REUSE:-0}" = 1 ] && [ -f "$OUT/$1.safetensors" ] && [ -f "$OUT/$1.jsonl" ] \
    && head -1 "$OUT/$1.jsonl" | jq -e --argjson steps "$2" --argjson seed "$SEED" \
      '.settings.steps == $steps and .settings.seed == $seed' > /dev/null
}
tune() {   # name task steps eval-every
  tuned "$1" "$3" && return 0
  echo "tuning a prompt on $2 with $MODEL ($3 steps) ..." >&2
  $BIN/tune-prompt --model models/$MODEL --task "$2" "${tune[@]}" --steps "$3" --eval-every "$4" --seed $SEED \
    --force --output "$OUT/$1.safetensors" --progress > "$OUT/$1.jsonl"
}
tune sst2 sst2 $SST2_STEPS 200
tune rt rotten_tomatoes $RT_STEPS 100
# Reported splits only (the prompts chose their best on a slice of their train split): SST-2
# validation, and rotten_tomatoes test whole and without the sentences SST-2's train split holds,
# each beside the majority class and random prompts.
base=(--majority --random-prompts "$RANDOM_DRAWS" --per-example)
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
seconds() { jq -r 'select(.event=="done") | .seconds' "$OUT/$1.jsonl"; }
echo "tuning: SST-2 $SST2_STEPS steps in $(seconds sst2) s, rotten_tomatoes $RT_STEPS steps in $(seconds rt) s"
$BIN/results-table --paired sst2,rotten_tomatoes $OUT/{sst2-validation,rt-test,rt-test-unseen}.jsonl
echo "total $(( $(date +%s) - t0 )) s"
