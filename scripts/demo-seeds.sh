#!/usr/bin/env bash
# The demo over several seeds (SEEDS="0 1 2" by default): each run's table, then one JSON
# line per seed and the spread of each accuracy — a different CPU or matrix kernel sums in
# another order, so across machines compare spreads, not single runs.
set -euo pipefail
cd "$(dirname "$0")/.."
SEEDS=${SEEDS:-0 1 2}
RESULTS=out/demo-seeds.jsonl
mkdir -p out
: > $RESULTS.tmp
for seed in $SEEDS; do
  dir=out/demo-seed$seed
  start=$(date +%s)
  SEED=$seed OUT=$dir scripts/demo.sh
  seconds=$(( $(date +%s) - start ))
  jq -c --argjson seed "$seed" --argjson seconds "$seconds" -n \
    --slurpfile sst2 <(jq -c 'select(.event=="done")' $dir/sst2.jsonl) \
    --slurpfile rt <(cat $dir/rt-test.jsonl) \
    --slurpfile start <(head -1 $dir/sst2.jsonl) \
    '{seed: $seed, seconds: $seconds, sst2_validation: $sst2[0].best_accuracy,
      rt_zero_shot: ($rt[] | select(.source=="sst2") | .accuracy),
      rt_from_scratch: ($rt[] | select(.source=="rotten_tomatoes") | .accuracy),
      matrix_backend: $start[0].matrix_backend}' >> $RESULTS.tmp
done
mv $RESULTS.tmp $RESULTS
echo
cat $RESULTS
jq -rs 'def pct: . * 1000 | round / 10;
  ["sst2_validation", "rt_zero_shot", "rt_from_scratch", "seconds"][] as $k
  | [.[][$k]] as $v
  | "\($k): mean \(($v | add / length) | if $k == "seconds" then round else pct end)"
    + " min \($v | min | if $k == "seconds" then . else pct end) max \($v | max | if $k == "seconds" then . else pct end)"' $RESULTS
