#!/usr/bin/env bash
# `make mpnet-search`: the small settings search behind the MPNet-base preset
# (data-manifests/presets/mpnet-base.json), under the evaluation protocol. Each setting is one
# tune-prompt run on SST-2 (STEPS steps, batch 16, 64 text tokens, n = 20 unless the setting says
# otherwise, validation every 100 steps on the selection slice carved from train) cached as
# OUT/NAME.jsonl; the setting is chosen by its best accuracy on that slice, never on the split
# that is reported. Then every setting's chosen prompt is evaluated once on the whole SST-2
# validation split, beside the majority class and 5 random prompts (OUT/validation.jsonl).
# Prints one JSON line per setting (slice: best, its step, the curve; seconds), the chosen
# setting (ties: the first listed), and the validation table (results-table). Settings are "name|flags".
# Variables: MODEL, OUT, STEPS, SEED, SETTINGS, THREADS, BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
. scripts/common.sh
require_tools mpnet-search tune-prompt eval-prompt results-table prepare-data
MODEL=${MODEL:-models/mpnet-base}
OUT=${OUT:-out/mpnet-search}
STEPS=${STEPS:-400}
SEED=${SEED:-0}   # e.g. SEED=1 SETTINGS="lr0.01-seed1|--lr 0.01" for the spread over seeds
THREADS=${THREADS:-2}
SETTINGS=${SETTINGS:-"lr0.01|--lr 0.01
lr0.005|--lr 0.005
lr0.01-constant|--lr 0.01 --constant-lr
lr0.02|--lr 0.02
lr0.01-n10|--lr 0.01 --prompt-length 10"}
mkdir -p "$OUT"
prepare_splits sst2 train validation
names=()
while IFS='|' read -r name flags; do
  [ -z "$name" ] && continue
  names+=("$name")
  [ -f "$OUT/$name.jsonl" ] && continue
  echo "search: $name ($flags) ..." >&2
  # shellcheck disable=SC2086
  "$BIN/tune-prompt" --model "$MODEL" --task sst2 --readout tied --prompt-length 20 --warmup 50 \
    --batch-size 16 --max-text-tokens 64 --steps "$STEPS" --eval-every 100 --seed "$SEED" --threads "$THREADS" \
    $flags --resume --output "$OUT/$name.safetensors" > "$OUT/$name.partial.jsonl"
  mv "$OUT/$name.partial.jsonl" "$OUT/$name.jsonl"
done <<< "$SETTINGS"
for name in "${names[@]}"; do
  jq -c -s --arg name "$name" '
    (map(select(.event == "start")) | .[0].selection) as $slice
    | (map(select(.event == "eval")) | max_by(.accuracy)) as $best
    | {setting: $name, selection: $slice, best_on_slice: $best.accuracy, best_step: $best.step,
       curve: map(select(.event == "eval") | .accuracy * 1000 | round / 10),
       seconds: (map(select(.event == "done")) | .[0].seconds)}' "$OUT/$name.jsonl"
done | tee "$OUT/search.jsonl"
chosen='sort_by(-.best_on_slice) | .[0] | {chosen: .setting, best_on_slice, chosen_on: "the selection slice"}'
jq -s -c "$chosen" "$OUT/search.jsonl"
# evaluated again when SETTINGS names other settings than the cached table (e.g. a seed run in the same OUT)
if [ ! -f "$OUT/validation.jsonl" ] || [ "$(cat "$OUT/validation.settings" 2>/dev/null)" != "${names[*]}" ]; then
  prompts=$(paths "$OUT/" .safetensors "${names[@]}")
  name_flags=$(paths "--name " "" "${names[@]}")
  # shellcheck disable=SC2086
  "$BIN/eval-prompt" --model "$MODEL" --task sst2 --split validation --majority --random-prompts 5 \
    --threads "$THREADS" $name_flags -o "$OUT/validation.jsonl" $prompts
  echo "${names[*]}" > "$OUT/validation.settings"
fi
"$BIN/results-table" "$OUT/validation.jsonl"
