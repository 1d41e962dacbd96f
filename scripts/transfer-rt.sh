#!/usr/bin/env bash
# SST-2 → rotten_tomatoes (test, 1,066): the SST-2 prompt zero-shot; a rotten_tomatoes
# prompt from scratch; and one initialised from the SST-2 prompt — with the number of steps
# each needs to reach the from-scratch run's best validation accuracy.
#   scripts/transfer-rt.sh [MODEL]     (needs out/prompts/sst2.MODEL.safetensors: scripts/tune-sst2.sh)
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
MODEL=${1:-minilm}
STEPS=${STEPS:-1000}
OUT=out/transfer-rt/$MODEL
SST2=out/prompts/sst2.$MODEL.safetensors
[ -f $SST2 ] || { echo "$SST2 missing: run scripts/tune-sst2.sh $MODEL" >&2; exit 1; }
mkdir -p $OUT
tune=(--preset "$MODEL")   # data-manifests/presets/MODEL.json
for init in scratch sst2; do
  extra=(); [ $init = sst2 ] && extra=(--init from:$SST2)
  $BIN/tune-prompt --model models/$MODEL --task rotten_tomatoes "${tune[@]}" "${extra[@]}" --steps $STEPS \
    --eval-every 50 --seed 0 --force --output $OUT/rt-from-$init.safetensors > $OUT/rt-from-$init.jsonl
done
$BIN/eval-prompt --model models/$MODEL --task rotten_tomatoes --split test \
  $SST2 $OUT/rt-from-scratch.safetensors $OUT/rt-from-sst2.safetensors > $OUT/test.jsonl
target=$(jq -s 'map(select(.event=="eval")) | max_by(.accuracy) | .accuracy' $OUT/rt-from-scratch.jsonl)
for init in scratch sst2; do
  jq -c -s --arg init $init --argjson target "$target" \
    '{init: $init, target_validation_accuracy: $target,
      steps_to_reach: (map(select(.event=="eval" and .accuracy >= $target)) | first | .step),
      best_selection_accuracy: (map(select(.event=="eval")) | max_by(.accuracy) | .accuracy),
      validation_at_step_0: (map(select(.event=="eval" and .step==0)) | first | .accuracy)}' $OUT/rt-from-$init.jsonl
done | tee $OUT/steps.jsonl
jq -c '{prompt, accuracy, n}' $OUT/test.jsonl
