#!/usr/bin/env bash
# The indicators on the cross-task prompts of `make cross-task`: embedding similarity and
# the overlap of activated FFN neurons (on the model the prompts were tuned on), and each
# one's Spearman correlation with relative transfer performance.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
MODEL=${MODEL:-minilm}
case $MODEL in /*|./*|models/*) MODEL_DIR=$MODEL ;; *) MODEL_DIR=models/$MODEL ;; esac
OUT=${OUT:-out/cross-task/$MODEL}
[ -f $OUT/transfer.jsonl ] || { echo "$OUT/transfer.jsonl missing: run scripts/cross-task.sh" >&2; exit 65; }
for t in $(cat $OUT/order.txt); do echo $OUT/prompts/$t.safetensors; done \
  | $BIN/score-similarity --model $MODEL_DIR > $OUT/similarity.jsonl
per_layer=$(head -1 $OUT/similarity.jsonl | jq -r 'keys_unsorted[] | select(startswith("on_cosine_layer_"))')
for metric in euclidean_concat euclidean_token cosine_concat cosine_token on_cosine on_jaccard $per_layer; do
  cat $OUT/transfer.jsonl $OUT/similarity.jsonl | $BIN/heatmap-csv --relative --spearman $metric,accuracy
done | tee $OUT/spearman.jsonl
