#!/usr/bin/env bash
# `make cross-task`: a prompt for each of the paper's 13 tasks on the default model, then
# every prompt evaluated zero-shot on every task's validation split (a seeded sample), and
# the matrix as heatmaps (absolute and relative: CSV + SVG). Budget: under an hour here.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
MODEL=${MODEL:-minilm}
STEPS=${STEPS:-600}
EVAL_LIMIT=${EVAL_LIMIT:-300}
OUT=out/cross-task/$MODEL
TASKS="imdb sst2 laptop restaurant movie_rationales tweeteval_sentiment mnli qnli snli ethics_deontology ethics_justice qqp mrpc"
mkdir -p $OUT/prompts $OUT/logs
case $MODEL in
  minilm) tune=(--readout tied --prompt-length 20 --lr 0.01 --batch-size 16) ;;
  *)      tune=(--readout mlm --prompt-length 20 --lr 0.03 --batch-size 32) ;;
esac
start=$(date +%s)
for t in $TASKS; do
  [ -f $OUT/prompts/$t.safetensors ] && continue
  $BIN/tune-prompt --model models/$MODEL --task $t "${tune[@]}" --steps $STEPS --max-text-tokens 64 \
    --eval-every 200 --eval-limit 500 --seed 0 --output $OUT/prompts/$t.safetensors > $OUT/logs/$t.jsonl
  jq -c --arg t $t 'select(.event=="done") | {task: $t, best_accuracy, best_step, seconds}' $OUT/logs/$t.jsonl >&2
done
echo "$TASKS" | tr ' ' '\n' > $OUT/order.txt
: > $OUT/transfer.jsonl
for target in $TASKS; do
  $BIN/eval-prompt --model models/$MODEL --task $target --split validation --limit $EVAL_LIMIT --max-text-tokens 64 \
    $(for s in $TASKS; do echo $OUT/prompts/$s.safetensors; done) >> $OUT/transfer.jsonl
  echo "evaluated all prompts on $target" >&2
done
$BIN/heatmap-csv --order $OUT/order.txt --svg $OUT/transfer.svg \
  --title "$MODEL: zero-shot accuracy (row: prompt's task, column: target task, validation)" < $OUT/transfer.jsonl > $OUT/transfer.csv
$BIN/heatmap-csv --order $OUT/order.txt --relative --svg $OUT/transfer-relative.svg \
  --title "$MODEL: zero-shot transfer relative to the target's own prompt" < $OUT/transfer.jsonl > $OUT/transfer-relative.csv
echo "cross-task: $(( $(date +%s) - start )) s; $OUT/transfer{,-relative}.{csv,svg}" >&2
