#!/usr/bin/env bash
# `make cross-task`: a prompt for each task on one model, then every prompt evaluated zero-shot
# on every task's validation split (a seeded sample), and the matrix as heatmaps (absolute and
# relative: CSV + SVG). Written as a grid (scripts/grid.sh): stage 1 tunes one prompt per job,
# stage 2 evaluates all prompts on one target per job, stage 3 gives each target its baselines on
# the diagonal's examples (the majority class of its train split, RANDOM_DRAWS random prompts as
# mean ± sd, its own prompt again), stage 4 gathers the matrix and the baselines table; the same
# grid runs here (RUNNER=local, jobs in parallel up to the cores) or on Slurm (RUNNER=slurm).
# Variables: MODEL, STEPS (the cap with PATIENCE), PATIENCE (early stopping, in evaluations),
# MIN_STEPS (no early stop before this step), EVAL_EVERY, EVAL_LIMIT, TASKS, OUT, RUNNER, THREADS
# (per job), DATA_DIR, SEED, RANDOM_DRAWS. A resumed tuning job appends to its log (each run starts
# with a "start" event giving its start_step).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
. scripts/common.sh
require_tools cross-task tune-prompt eval-prompt heatmap-csv results-table
MODEL=${MODEL:-minilm}
STEPS=${STEPS:-600}
PATIENCE=${PATIENCE:-}
MIN_STEPS=${MIN_STEPS:-}
EVAL_EVERY=${EVAL_EVERY:-200}
EVAL_LIMIT=${EVAL_LIMIT:-300}
TASKS=${TASKS:-$($BIN/prepare-data --list --paper | cut -f1 | tr '\n' ' ')}   # the paper's 13, in its order
OUT=${OUT:-out/cross-task/$MODEL}
RUNNER=${RUNNER:-local}
THREADS=${THREADS:-2}
DATA_DIR=${DATA_DIR:-data}
SEED=${SEED:-0}
# each cell without the target's examples that the source's train split holds (EXCLUDE= keeps them)
EXCLUDE=${EXCLUDE-source}
RANDOM_DRAWS=${RANDOM_DRAWS:-5}
case $MODEL in
  /*|./*|models/*) MODEL_DIR=$MODEL ;;
  *) MODEL_DIR=models/$MODEL ;;
esac
tune="--preset ${PRESET:-$(basename "$MODEL_DIR")}"   # data-manifests/presets/MODEL.json, or PRESET=NAME|FILE
mkdir -p "$OUT/prompts" "$OUT/logs" "$OUT/eval" "$OUT/grid"
rm -f "$OUT"/grid/*.stage
echo $TASKS | tr ' ' '\n' > "$OUT/order.txt"
common="--threads $THREADS --data-dir $DATA_DIR"
tune_job() {   # TASK: its prompt
  local job="$BIN/tune-prompt --progress --model $MODEL_DIR --task $1 $tune --steps $STEPS"
  job+="${PATIENCE:+ --patience $PATIENCE}${MIN_STEPS:+ --min-steps $MIN_STEPS}"
  job+=" --max-text-tokens 64 --eval-every $EVAL_EVERY --eval-limit 500"
  job+=" --seed $SEED $common --resume"
  job_line "$OUT/prompts/$1.safetensors" "$job --output $OUT/prompts/$1.safetensors >> $OUT/logs/$1.jsonl"
}
stage "cpus=$THREADS mem=6G time=240" tune_job $TASKS > "$OUT/grid/1-tune.stage"
prompts=$(paths "$OUT/prompts/" .safetensors $TASKS)
eval_job() {   # TASK: every prompt on it
  local job="$BIN/eval-prompt --progress --model $MODEL_DIR --task $1 --split validation --eval-limit $EVAL_LIMIT"
  job+=" --max-text-tokens 64 --seed $SEED ${EXCLUDE:+--exclude-overlap $EXCLUDE} $common"
  job_line "$OUT/eval/$1.jsonl" "$job -o $OUT/eval/$1.jsonl $prompts"
}
stage "cpus=$THREADS mem=4G time=120" eval_job $TASKS > "$OUT/grid/2-eval.stage"
# the diagonal's examples (the target's own train overlap left out, as in its own cell)
baseline_job() {   # TASK: its majority class, random prompts and own prompt
  local job="$BIN/eval-prompt --progress --model $MODEL_DIR --task $1 --split validation --eval-limit $EVAL_LIMIT"
  job+=" --max-text-tokens 64 --seed $SEED ${EXCLUDE:+--exclude-overlap $1:train} $common"
  job+=" --majority --random-prompts $RANDOM_DRAWS"
  job_line "$OUT/eval/$1.baselines.jsonl" "$job -o $OUT/eval/$1.baselines.jsonl $OUT/prompts/$1.safetensors"
}
stage "cpus=$THREADS mem=4G time=120" baseline_job $TASKS > "$OUT/grid/3-baselines.stage"
evals=$(paths "$OUT/eval/" .jsonl $TASKS)
baselines=$(paths "$OUT/eval/" .baselines.jsonl $TASKS)
{
  echo "#@ cpus=1 mem=1G time=10"
  gather="cat $evals > $OUT/.transfer.jsonl && mv $OUT/.transfer.jsonl $OUT/transfer.jsonl"
  heatmap="$BIN/heatmap-csv --order $OUT/order.txt --mark excluded"
  relative="$heatmap --relative --svg $OUT/transfer-relative.svg"
  relative+=" --title \"$MODEL: zero-shot transfer relative to the target's own prompt\""
  relative+=" -o $OUT/transfer-relative.csv $OUT/transfer.jsonl"
  absolute="$heatmap --svg $OUT/transfer.svg"
  absolute+=" --title \"$MODEL: zero-shot accuracy (row: prompt's task, column: target task, validation)\""
  absolute+=" -o $OUT/transfer.csv $OUT/transfer.jsonl"
  # relative transfer within and across the tasks' categories (means, intervals, permutation p)
  categories="$BIN/heatmap-csv --relative --categories -o $OUT/categories.jsonl $OUT/transfer.jsonl"
  job_line "$OUT/transfer.csv" "$gather && $relative && $categories && $absolute"
  job_line "$OUT/baselines.md" "$BIN/results-table -o $OUT/baselines.md $baselines"
} > "$OUT/grid/4-matrix.stage"
start=$(date +%s)
scripts/grid.sh --runner "$RUNNER" "$OUT/grid"
for t in $TASKS; do
  done_event='select(.event=="done") | {task: $t, best_accuracy, best_step, steps, seconds}'
  [ -f "$OUT/logs/$t.jsonl" ] && jq -c --arg t "$t" "$done_event" "$OUT/logs/$t.jsonl" >&2
done
echo "cross-task: $(( $(date +%s) - start )) s ($RUNNER); $OUT/transfer{,-relative}.{csv,svg}, categories.jsonl," \
  "baselines.md" >&2
