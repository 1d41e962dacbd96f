#!/usr/bin/env bash
# `make pytorch-probe`: tune-prompt beside an independent PyTorch implementation of the same
# recipe (scripts/pytorch-probe.py, in the dev venv): MPNet-base, SST-2, n = 20, tied readout,
# lr 0.01, warm-up 50, linear decay, batch 16, 64 text tokens, STEPS steps, the final prompt (no
# checkpoint chosen), over SEEDS; both evaluated on the whole SST-2 validation split. Then the
# probe evaluates the toolkit's seed-0 prompt, to set its per-example answers beside
# eval-prompt's. Every output is cached in OUT; a stopped run resumes.
# Variables: MODEL, STEPS, SEEDS, OUT, VENV, THREADS, BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
. scripts/common.sh
require_tools pytorch-probe tune-prompt eval-prompt prepare-data
MODEL=${MODEL:-models/mpnet-base}
STEPS=${STEPS:-400}
SEEDS=${SEEDS:-0 1 2}
OUT=${OUT:-out/pytorch-probe}
VENV=${VENV:-.venv}
THREADS=${THREADS:-2}
[ -x "$VENV/bin/python" ] || { echo "pytorch-probe: no $VENV/bin/python (make bench-setup)" >&2; exit 64; }
prepare_splits sst2 train validation
mkdir -p "$OUT"
recipe=(--preset mpnet-base --prompt-length 20 --lr 0.01 --warmup 50 --batch-size 16 --max-text-tokens 64)
for seed in $SEEDS; do
  prompt=$OUT/toolkit-s$seed.safetensors
  if [ ! -f "$prompt" ]; then
    echo "pytorch-probe: tune-prompt, seed $seed" >&2
    "$BIN/tune-prompt" --model "$MODEL" --task sst2 "${recipe[@]}" --steps "$STEPS" --eval-every 0 \
      --seed "$seed" --threads "$THREADS" --resume --output "$prompt" > "$OUT/toolkit-s$seed.log.jsonl"
  fi
  [ -f "$OUT/toolkit-s$seed.jsonl" ] || "$BIN/eval-prompt" --model "$MODEL" --task sst2 --split validation \
    --per-example --threads "$THREADS" -o "$OUT/toolkit-s$seed.jsonl" "$prompt"
  if [ ! -f "$OUT/pytorch-s$seed.jsonl" ]; then
    echo "pytorch-probe: PyTorch, seed $seed" >&2
    "$VENV/bin/python" scripts/pytorch-probe.py --model "$MODEL" --task sst2 --steps "$STEPS" --seeds "$seed" \
      --threads "$THREADS" > "$OUT/pytorch-s$seed.partial.jsonl"
    mv "$OUT/pytorch-s$seed.partial.jsonl" "$OUT/pytorch-s$seed.jsonl"
  fi
done
first=$(echo $SEEDS | cut -d' ' -f1)
if [ ! -f "$OUT/agreement.jsonl" ]; then
  "$VENV/bin/python" scripts/pytorch-probe.py --model "$MODEL" --task sst2 --threads "$THREADS" \
    --prompt "$OUT/toolkit-s$first.safetensors" > "$OUT/agreement.partial.jsonl"
  mv "$OUT/agreement.partial.jsonl" "$OUT/agreement.jsonl"
fi
# one line per seed and implementation, then the per-example agreement on the toolkit's first prompt
for seed in $SEEDS; do
  jq -c --arg seed "$seed" '{implementation: "toolkit", seed: ($seed | tonumber), accuracy, n, ci95}' \
    "$OUT/toolkit-s$seed.jsonl"
  jq -c '{implementation: "pytorch", seed, accuracy, n}' "$OUT/pytorch-s$seed.jsonl"
done
# (two classes: the same 0/1 is the same predicted label)
jq -n -c --arg seed "$first" --slurpfile ours "$OUT/toolkit-s$first.jsonl" --slurpfile probe "$OUT/agreement.jsonl" '
  ($ours[0].correct | split("")) as $a | ($probe[0].correct | split("")) as $b
  | {agreement: "the toolkit prompt of seed \($seed): eval-prompt vs PyTorch", n: ($a | length),
     same_prediction: ([range($a | length) | select($a[.] == $b[.])] | length),
     toolkit_accuracy: $ours[0].accuracy, pytorch_accuracy: $probe[0].accuracy}'
