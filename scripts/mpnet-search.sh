#!/usr/bin/env bash
# `make mpnet-search`: the small settings search behind `make mpnet-transfer`'s SST-2 stage on
# MPNet-base. Each setting is one tune-prompt run (400 steps, batch 16, 64 text tokens, full
# validation every 100 steps) cached as OUT/NAME.jsonl; the summary prints one line per run
# (best validation accuracy, the step it was reached at, the curve, seconds). Settings are
# "name|flags".
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
MODEL=${MODEL:-models/mpnet-base}
OUT=${OUT:-out/mpnet-search}
STEPS=${STEPS:-400}
SEED=${SEED:-0}   # e.g. SEED=1 SETTINGS="lr0.01-seed1|--lr 0.01" for the spread over seeds
SETTINGS=${SETTINGS:-"lr0.01|--lr 0.01
lr0.005|--lr 0.005
lr0.01-constant|--lr 0.01 --constant-lr
lr0.01-n10|--lr 0.01 --prompt-length 10"}
mkdir -p "$OUT"
. scripts/common.sh
prepare_splits sst2 train validation
while IFS='|' read -r name flags; do
  [ -z "$name" ] && continue
  [ -f "$OUT/$name.jsonl" ] && continue
  echo "search: $name ($flags) ..." >&2
  # shellcheck disable=SC2086
  $BIN/tune-prompt --model "$MODEL" --task sst2 --readout tied --prompt-length 20 --warmup 50 \
    --batch-size 16 --max-text-tokens 64 --steps "$STEPS" --eval-every 100 --seed "$SEED" $flags \
    --output "$OUT/$name.safetensors" --force > "$OUT/$name.partial.jsonl"
  mv "$OUT/$name.partial.jsonl" "$OUT/$name.jsonl"
done <<< "$SETTINGS"
for f in "$OUT"/*.jsonl; do
  case $f in *.partial.jsonl) continue ;; esac
  jq -c -s --arg name "$(basename "$f" .jsonl)" '
    (map(select(.event == "eval")) | max_by(.accuracy)) as $best
    | {setting: $name, best_accuracy: $best.accuracy, best_step: $best.step,
       curve: map(select(.event == "eval") | .accuracy * 1000 | round / 10),
       seconds: (map(select(.event == "done")) | .[0].seconds)}' "$f"
done
