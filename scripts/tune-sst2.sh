#!/usr/bin/env bash
# `make sst2-prompts`: the SST-2 prompts of the README, one per model and seed, under the evaluation
# protocol: each run keeps the best of its passes over a 500-example selection slice of SST-2's
# train split (tune-prompt's default), and only the final prompts are evaluated, once, on the whole
# SST-2 validation split (872), beside the majority class and RANDOM_DRAWS random prompts (mean ±
# sd), the seeds as mean ± sd (results-table). A grid (scripts/grid.sh; RUNNER=slurm): a job whose
# output exists is skipped, and tuning resumes from its checkpoint when stopped.
#   scripts/tune-sst2.sh minilm|splade-tiny
# Variables: SEEDS ("0 1 2"), STEPS and EVAL_EVERY (per model below), RANDOM_DRAWS (5), THREADS (2),
# RUNNER (local), OUT (out/sst2-prompts), DATA_DIR (data), BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
. scripts/common.sh
require_tools tune-sst2 tune-prompt eval-prompt results-table
model=${1:?usage: scripts/tune-sst2.sh minilm|splade-tiny}
case $model in
  minilm)      steps=3000; eval_every=250 ;;
  splade-tiny) steps=40000; eval_every=2000 ;;
  *) echo "tune-sst2: unknown model $model (minilm or splade-tiny)" >&2; exit 64 ;;
esac
STEPS=${STEPS:-$steps}
EVAL_EVERY=${EVAL_EVERY:-$eval_every}
SEEDS=${SEEDS:-0 1 2}
RANDOM_DRAWS=${RANDOM_DRAWS:-5}
THREADS=${THREADS:-2}
RUNNER=${RUNNER:-local}
OUT=${OUT:-out/sst2-prompts}
DATA_DIR=${DATA_DIR:-data}
grid=$OUT/grid-$model
mkdir -p "$grid"
rm -f "$grid"/*.stage
common="--model models/$model --threads $THREADS --data-dir $DATA_DIR"
tune_job() {   # SEED
  local run=$OUT/$model.s$1
  job_line "$run.safetensors" "$BIN/tune-prompt $common --task sst2 --preset $model --steps $STEPS \
--eval-every $EVAL_EVERY --seed $1 --resume --progress --output $run.safetensors >> $run.jsonl"
}
eval_job() {   # SEED
  local run=$OUT/$model.s$1
  job_line "$run.validation.jsonl" "$BIN/eval-prompt $common --task sst2 --split validation --majority \
--random-prompts $RANDOM_DRAWS --name $model -o $run.validation.jsonl $run.safetensors"
}
stage "cpus=$THREADS mem=4G time=240" tune_job $SEEDS > "$grid/1-tune.stage"
stage "cpus=$THREADS mem=4G time=60" eval_job $SEEDS > "$grid/2-eval.stage"
{
  echo "#@ cpus=1 mem=1G time=10"
  job_line "$OUT/$model.md" "$BIN/results-table -o $OUT/$model.md $(paths "$OUT/$model.s" .validation.jsonl $SEEDS)"
} > "$grid/3-table.stage"
scripts/grid.sh --runner "$RUNNER" "$grid"
for seed in $SEEDS; do
  jq -c --arg seed "$seed" 'select(.event == "done") | {seed: $seed, seconds, training_seconds, best_step,
    best_selection_accuracy: .best_accuracy}' "$OUT/$model.s$seed.jsonl" | tail -1 >&2
done
cat "$OUT/$model.md"
