#!/usr/bin/env bash
# The demo over several seeds (SEEDS="0 1 2" by default): each run's table, then one table of
# every accuracy as mean ± sd over the seeds (results-table) — a different CPU or matrix kernel
# sums in another order, so across machines compare spreads, not single runs. REUSE=1 evaluates
# the prompts an earlier run wrote again without tuning them.
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
  echo "{\"seed\":$seed,\"seconds\":$(( $(date +%s) - start ))}" >> $RESULTS.tmp
done
mv $RESULTS.tmp $RESULTS
echo
echo "over seeds $SEEDS (wall time per seed: $(jq -r .seconds $RESULTS | tr '\n' ' ')s):"
BIN=${BIN:-.build/release}
files=()
for part in sst2-validation rt-test rt-test-unseen; do
  for seed in $SEEDS; do files+=(out/demo-seed$seed/$part.jsonl); done
done
$BIN/results-table --paired sst2,rotten_tomatoes "${files[@]}"
