#!/usr/bin/env bash
# `make mpnet-transfer`: the paper's first experiment at base scale, on MPNet (all-mpnet-base-v2,
# 12 x 768): a prompt tuned on SST-2, evaluated zero-shot on rotten_tomatoes, and
# rotten_tomatoes tuned from scratch and from the SST-2 prompt (steps to reach the
# from-scratch best). Settings: the PyTorch probe of the MPNet issue (n = 20, tied readout,
# AdamW lr 0.01, warm-up 50 + linear decay, batch 16, 64 text tokens). Each stage is cached as
# a file: a stopped run continues where it was.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
MODEL=${MODEL:-models/mpnet-base}
OUT=${OUT:-out/mpnet}
SST2_STEPS=${SST2_STEPS:-400}
RT_STEPS=${RT_STEPS:-200}
SEED=${SEED:-0}
tune=(--readout tied --prompt-length 20 --lr 0.01 --warmup 50 --batch-size 16 --max-text-tokens 64 --seed "$SEED")
mkdir -p "$OUT"
. scripts/common.sh
prepare_splits sst2 train validation
prepare_splits rotten_tomatoes train validation test
stage() {   # name, then tune-prompt arguments: skipped when its prompt exists
  local name=$1
  shift
  [ -f "$OUT/$name.safetensors" ] && return 0
  echo "tuning $name ..." >&2
  $BIN/tune-prompt --model "$MODEL" "${tune[@]}" "$@" --output "$OUT/$name.safetensors" --progress > "$OUT/$name.jsonl"
}
stage sst2 --task sst2 --steps "$SST2_STEPS" --eval-every 100
stage rt-scratch --task rotten_tomatoes --steps "$RT_STEPS" --eval-every 25 --eval-limit 300
stage rt-from-sst2 --task rotten_tomatoes --steps "$RT_STEPS" --eval-every 25 --eval-limit 300 \
  --init "from:$OUT/sst2.safetensors"
[ -f "$OUT/rt-test.jsonl" ] || $BIN/eval-prompt --model "$MODEL" --task rotten_tomatoes --split test \
  "$OUT/sst2.safetensors" "$OUT/rt-scratch.safetensors" "$OUT/rt-from-sst2.safetensors" -o "$OUT/rt-test.jsonl"
# steps to reach the from-scratch run's best validation accuracy
best=$(jq -s '[.[] | select(.event=="eval") | .accuracy] | max' "$OUT/rt-scratch.jsonl")
reach() { jq -s --argjson b "$best" '[.[] | select(.event=="eval" and .accuracy >= $b) | .step] | min' "$1"; }
jq -n -c --slurpfile sst2 <(jq -c 'select(.event=="done")' "$OUT/sst2.jsonl") \
  --slurpfile test <(cat "$OUT/rt-test.jsonl") \
  --argjson best "$best" --argjson scratch "$(reach "$OUT/rt-scratch.jsonl")" \
  --argjson transfer "$(reach "$OUT/rt-from-sst2.jsonl")" \
  '{model: "mpnet-base", sst2_validation: $sst2[0].best_accuracy, sst2_seconds: $sst2[0].seconds,
    rt_test: ($test | map({(.prompt | split("/") | last | rtrimstr(".safetensors")): .accuracy}) | add),
    rt_validation_best_from_scratch: $best, steps_to_best_from_scratch: $scratch, steps_to_best_from_sst2: $transfer}' \
  | tee "$OUT/summary.json"
