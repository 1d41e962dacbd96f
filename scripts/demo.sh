#!/usr/bin/env bash
# The main job: prepare SST-2 and rotten_tomatoes, tune a soft prompt on SST-2 with the
# default model, evaluate it zero-shot on rotten_tomatoes, tune a rotten_tomatoes prompt
# from scratch with the same settings, and print the table. About 8 minutes here.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
MIRROR=${PT_DATA_MIRROR:-../shared/data}
MODEL=${MODEL:-minilm}
SST2_STEPS=${SST2_STEPS:-2000}
RT_STEPS=${RT_STEPS:-600}
SEED=${SEED:-0}
OUT=${OUT:-out/demo}
mkdir -p $OUT data/sst2 data/rotten_tomatoes
t0=$(date +%s)
for s in train validation; do $BIN/prepare-data sst2 --split $s --mirror "$MIRROR" --output data/sst2/$s.jsonl; done
for s in train validation test; do $BIN/prepare-data rotten_tomatoes --split $s --mirror "$MIRROR" --output data/rotten_tomatoes/$s.jsonl; done
case $MODEL in
  minilm) tune=(--readout tied --prompt-length 20 --lr 0.01 --batch-size 16) ;;
  *)      tune=(--readout mlm --prompt-length 20 --lr 0.03 --batch-size 32) ;;
esac
echo "tuning a prompt on SST-2 with $MODEL ($SST2_STEPS steps) ..." >&2
$BIN/tune-prompt --model models/$MODEL --task sst2 "${tune[@]}" --steps $SST2_STEPS --eval-every 200 --seed $SEED --force \
  --output $OUT/sst2.safetensors --progress > $OUT/sst2.jsonl
t1=$(date +%s)
echo "tuning a rotten_tomatoes prompt from scratch ($RT_STEPS steps) ..." >&2
$BIN/tune-prompt --model models/$MODEL --task rotten_tomatoes "${tune[@]}" --steps $RT_STEPS --eval-every 100 --seed $SEED --force \
  --output $OUT/rt.safetensors --progress > $OUT/rt.jsonl
t2=$(date +%s)
$BIN/eval-prompt --model models/$MODEL --task rotten_tomatoes --split test $OUT/sst2.safetensors $OUT/rt.safetensors > $OUT/rt-test.jsonl
sst2=$(jq -r 'select(.event=="done") | .best_accuracy' $OUT/sst2.jsonl)
zero=$(jq -r 'select(.source=="sst2") | .accuracy' $OUT/rt-test.jsonl)
own=$(jq -r 'select(.source=="rotten_tomatoes") | .accuracy' $OUT/rt-test.jsonl)
pct() { awk -v x="$1" 'BEGIN { printf "%.1f %%", 100 * x }'; }
row() { printf '| %-40s | %-28s | %-8s |\n' "$1" "$2" "$3"; }
echo
echo "model: $MODEL (readout $(jq -r '.settings.readout' <(head -1 $OUT/sst2.jsonl))), prompt of 20 vectors, seed $SEED; outputs in $OUT/"
echo "matrix kernels: $(jq -r '.matrix_backend | "\(.backend) \(.version) \(.kernel) on \(.cpu)"' <(head -1 $OUT/sst2.jsonl))"
row "prompt" "evaluated on" "accuracy"
row "----------------------------------------" "----------------------------" "--------"
row "SST-2, $SST2_STEPS steps ($((t1 - t0)) s)" "SST-2 validation (872)" "$(pct $sst2)"
row "SST-2 (zero-shot transfer)" "rotten_tomatoes test (1,066)" "$(pct $zero)"
row "rotten_tomatoes, $RT_STEPS steps ($((t2 - t1)) s)" "rotten_tomatoes test (1,066)" "$(pct $own)"
echo "total $(( $(date +%s) - t0 )) s"
