#!/usr/bin/env bash
# SST-2 → rotten_tomatoes under the evaluation protocol, over SEEDS (default 0 1 2): the demo's
# prompts of each seed (scripts/demo.sh in out/demo-seedK, run first where missing: an SST-2
# prompt and a rotten_tomatoes prompt from scratch, each best chosen on a slice of its train
# split) and a rotten_tomatoes prompt tuned from the SST-2 prompt with the from-scratch run's
# settings. compare-runs gives the steps each start needs to reach the from-scratch best (on the
# selection slice); eval-prompt the rotten_tomatoes test accuracy, whole and without the sentences
# SST-2's train split holds, beside the majority class and random prompts; results-table the
# mean ± sd over seeds and the paired comparison of the two starts.
#   scripts/transfer-rt.sh [MODEL]      outputs in out/transfer-rt/MODEL
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
. scripts/common.sh
require_tools transfer-rt tune-prompt eval-prompt compare-runs results-table prepare-data
MODEL=${1:-${MODEL:-minilm}}
SEEDS=${SEEDS:-0 1 2}
RT_STEPS=${RT_STEPS:-600}   # the demo's rotten_tomatoes run
OUT=out/transfer-rt/$MODEL
mkdir -p "$OUT"
base=(--majority --random-prompts "${RANDOM_DRAWS:-5}" --per-example)
for seed in $SEEDS; do
  demo=out/demo-seed$seed
  [ "$MODEL" = minilm ] || demo=out/demo-$MODEL-seed$seed
  if [ ! -f "$demo/rt.jsonl" ] || [ ! -f "$demo/sst2.safetensors" ]; then
    SEED=$seed OUT=$demo MODEL=$MODEL RT_STEPS=$RT_STEPS REUSE=1 scripts/demo.sh >&2
  fi
  run=$OUT/rt-from-sst2.s$seed
  if [ ! -f "$run.safetensors" ]; then
    echo "transfer-rt: rotten_tomatoes from the SST-2 prompt, seed $seed ..." >&2
    $BIN/tune-prompt --model models/$MODEL --task rotten_tomatoes --preset "$MODEL" --steps "$RT_STEPS" \
      --eval-every 100 --seed "$seed" --init "from:$demo/sst2.safetensors" --resume --output "$run.safetensors" \
      >> "$run.jsonl"
  fi
  names=(--name sst2-zero-shot --name rt-scratch --name rt-from-sst2)
  prompts=("$demo/sst2.safetensors" "$demo/rt.safetensors" "$run.safetensors")
  for part in test unseen; do
    exclude=()
    [ $part = unseen ] && exclude=(--exclude-overlap sst2:train)
    [ -f "$OUT/$part.s$seed.jsonl" ] || $BIN/eval-prompt --model models/$MODEL --task rotten_tomatoes --split test \
      "${exclude[@]}" "${base[@]}" --seed "$seed" "${names[@]}" -o "$OUT/$part.s$seed.jsonl" "${prompts[@]}"
  done
done
references=()
runs=()
evals=()
for seed in $SEEDS; do
  demo=out/demo-seed$seed
  [ "$MODEL" = minilm ] || demo=out/demo-$MODEL-seed$seed
  references+=(--reference "$demo/rt.jsonl")
  runs+=("$demo/rt.jsonl" "$OUT/rt-from-sst2.s$seed.jsonl")
done
for part in test unseen; do for seed in $SEEDS; do evals+=("$OUT/$part.s$seed.jsonl"); done; done
$BIN/compare-runs --format markdown "${references[@]}" -o "$OUT/steps.md" "${runs[@]}"
$BIN/results-table --paired rt-from-sst2,rt-scratch -o "$OUT/table.md" "${evals[@]}"
cat "$OUT/steps.md" "$OUT/table.md"
