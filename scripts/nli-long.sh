#!/usr/bin/env bash
# `make nli-long`: the NLI prompts with a budget that lets them leave chance (the cross-task
# matrix gives each task 600 steps; MNLI/SNLI stay at chance there). MNLI and SNLI prompts on
# MiniLM-L6 (tied, n = 20, lr 0.01, batch 16, STEPS steps, best of validation every 500 on a
# 500-example sample), then each evaluated on both tasks' test split (seeded 2,000-example
# samples): in-task accuracy and zero-shot NLI → NLI transfer.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release} MODEL=${MODEL:-minilm} STEPS=${STEPS:-3000} OUT=out/nli-long
mkdir -p $OUT
for task in mnli snli; do
  p=$OUT/$task.$MODEL.safetensors
  [ -f "$p" ] || $BIN/tune-prompt --model models/$MODEL --task $task --prompt-length 20 --steps $STEPS --lr 0.01 \
    --batch-size 16 --eval-every 500 --eval-limit 500 --seed 0 --output "$p" > $OUT/$task.log
done
for target in mnli snli; do
  $BIN/eval-prompt --model models/$MODEL --task $target --split test --eval-limit 2000 \
    $OUT/mnli.$MODEL.safetensors $OUT/snli.$MODEL.safetensors
done | tee $OUT/eval.jsonl | jq -r '[.source, .target, .accuracy, .n] | @tsv'
