#!/usr/bin/env bash
# `make mpnet-transfer`: the paper's first experiment at base scale, on MPNet (all-mpnet-base-v2,
# 12 x 768), over SEEDS (default 0 1 2): a prompt tuned on SST-2, evaluated on SST-2 validation
# and zero-shot on rotten_tomatoes test (whole, and without SST-2's train sentences), and
# rotten_tomatoes tuned from scratch and from the SST-2 prompt (steps to reach the from-scratch
# best on the selection slice), each beside the majority class and random prompts. Every best is
# chosen on a slice of the task's train split. Settings: the PyTorch probe of the MPNet issue
# (n = 20, tied readout, AdamW lr 0.01, warm-up 50 + linear decay, batch 16, 64 text tokens).
# Each stage is cached as a file: a stopped run continues where it was.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
MODEL=${MODEL:-models/mpnet-base}
OUT=${OUT:-out/mpnet}
SEEDS=${SEEDS:-0 1 2}
SST2_STEPS=${SST2_STEPS:-400}
RT_STEPS=${RT_STEPS:-200}
RANDOM_DRAWS=${RANDOM_DRAWS:-5}
. scripts/common.sh
prepare_splits sst2 train validation
prepare_splits rotten_tomatoes train validation test
for seed in $SEEDS; do
  dir=$OUT/seed$seed
  mkdir -p "$dir"
  tune=(--preset mpnet-base --warmup 50 --max-text-tokens 64 --seed "$seed")
  stage() {   # name, then tune-prompt arguments: skipped when its prompt exists, resumed from its checkpoint
    local name=$1 resume=()
    shift
    [ -f "$dir/$name.safetensors" ] && return 0
    [ -f "$dir/$name.safetensors.ckpt" ] && resume=(--resume)
    [ ${#resume[@]} = 0 ] && : > "$dir/$name.jsonl"
    echo "seed $seed: tuning $name ${resume[*]} ..." >&2
    $BIN/tune-prompt --model "$MODEL" "${tune[@]}" "$@" "${resume[@]}" --output "$dir/$name.safetensors" \
      --progress >> "$dir/$name.jsonl"
  }
  stage sst2 --task sst2 --steps "$SST2_STEPS" --eval-every 100
  stage rt-scratch --task rotten_tomatoes --steps "$RT_STEPS" --eval-every 25 --selection-size 300
  stage rt-from-sst2 --task rotten_tomatoes --steps "$RT_STEPS" --eval-every 25 --selection-size 300 \
    --init "from:$dir/sst2.safetensors"
  # the majority class and the random draws (seeds 0…K−1) do not depend on the run's seed: the first seed's
  baselines=()
  [ "$seed" = "${SEEDS%% *}" ] && baselines=(--majority --random-prompts "$RANDOM_DRAWS")
  evaluate() {   # output, then eval-prompt arguments
    local out=$1
    shift
    [ -f "$dir/$out" ] || $BIN/eval-prompt --model "$MODEL" "${baselines[@]}" --per-example "$@" -o "$dir/$out"
  }
  evaluate sst2-validation.jsonl --task sst2 --split validation --name sst2 "$dir/sst2.safetensors"
  rt=(--name sst2 --name rt-scratch --name rt-from-sst2
      "$dir/sst2.safetensors" "$dir/rt-scratch.safetensors" "$dir/rt-from-sst2.safetensors")
  evaluate rt-test.jsonl --task rotten_tomatoes --split test "${rt[@]}"
  evaluate rt-test-unseen.jsonl --task rotten_tomatoes --split test --exclude-overlap sst2:train "${rt[@]}"
  # steps to reach the from-scratch run's best selection accuracy
  best=$(jq -s '[.[] | select(.event=="eval") | .accuracy] | max' "$dir/rt-scratch.jsonl")
  reach() { jq -s --argjson b "$best" '[.[] | select(.event=="eval" and .accuracy >= $b) | .step] | min' "$1"; }
  jq -n -c --argjson seed "$seed" --argjson best "$best" --argjson scratch "$(reach "$dir/rt-scratch.jsonl")" \
    --argjson transfer "$(reach "$dir/rt-from-sst2.jsonl")" \
    --argjson start "$(jq -s '[.[] | select(.event=="eval" and .step==0) | .accuracy] | first' \
      "$dir/rt-from-sst2.jsonl")" \
    --argjson seconds "$(jq -s '[.[] | select(.event=="done") | .seconds] | first' "$dir/sst2.jsonl")" \
    '{seed: $seed, sst2_seconds: $seconds, rt_selection_best_from_scratch: $best,
      steps_to_best_from_scratch: $scratch, from_sst2_at_step_0: $start, steps_to_best_from_sst2: $transfer}' \
    | tee "$dir/summary.json"
done
files=()
for part in sst2-validation rt-test rt-test-unseen; do
  for seed in $SEEDS; do files+=("$OUT/seed$seed/$part.jsonl"); done
done
$BIN/results-table --paired sst2,rt-scratch "${files[@]}" | tee "$OUT/table.md"
$BIN/results-table --paired rt-from-sst2,rt-scratch "${files[@]}" | sed -n '/^$/,$p' | tee -a "$OUT/table.md"
