#!/usr/bin/env bash
# `make transferability`: which source prompt should a task start from, measured. On a cross-task
# folder (scripts/cross-task.sh: a prompt per task and the zero-shot matrix on validation, overlap
# with the source's train removed), each task in turn is the target: rank-sources scores the 12
# other prompts on the target's selection slice of train (LEEP, LogME, H-scores, probe accuracy)
# and against the target's own prompt (euclidean_*, cosine_*, on_*), then score-rankings measures
# every estimator against the matrix (Spearman, Kendall, Regret@1/@3, top-1, with intervals;
# transferability-paired.md: the probe against LEEP and LogME, LEEP against LogME, the token
# cosine against ON, target by target).
# A grid (scripts/grid.sh): one ranking job per target, then the scores; RUNNER=slurm runs it on
# a cluster. Several seeds (SEEDS="0 1 2", OUT=BASE-sK per seed) are combined as mean ± sd.
# Variables: MODEL, SEEDS, OUT (BASE; the seed's folder is OUT-sK when SEEDS has several, else
# OUT), SELECTION_SIZE (the slice the estimators read), TASKS, RUNNER, THREADS, DATA_DIR, BIN.
# Each seed's cross-task grid is run first (scripts/cross-task.sh with the same variables: STEPS,
# PATIENCE, EVAL_EVERY, EVAL_LIMIT, ...): its stages are cached, so a finished one costs nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
. scripts/common.sh
require_tools transferability rank-sources score-rankings prepare-data tune-prompt eval-prompt heatmap-csv \
  results-table
MODEL=${MODEL:-minilm}
SEEDS=${SEEDS:-0}
OUT=${OUT:-out/cross-task/$MODEL}
SELECTION_SIZE=${SELECTION_SIZE:-1000}
TASKS=${TASKS:-$($BIN/prepare-data --list --paper | cut -f1 | tr '\n' ' ')}
RUNNER=${RUNNER:-local}
THREADS=${THREADS:-2}
DATA_DIR=${DATA_DIR:-data}
case $MODEL in
  /*|./*|models/*) MODEL_DIR=$MODEL ;;
  *) MODEL_DIR=models/$MODEL ;;
esac
folders=()
for seed in $SEEDS; do
  if [ "$(echo $SEEDS | wc -w)" -gt 1 ]; then dir=$OUT-s$seed; else dir=$OUT; fi
  folders+=("$dir")
  OUT=$dir SEED=$seed MODEL=$MODEL TASKS=$TASKS scripts/cross-task.sh
  mkdir -p "$dir/rank" "$dir/transferability/grid"
  grid=$dir/transferability/grid
  rm -f "$grid"/*.stage
  common="--threads $THREADS --data-dir $DATA_DIR --seed $seed --selection-size $SELECTION_SIZE"
  rank_job() {   # TARGET: the other prompts ranked for it
    local sources job
    sources=$(paths "$dir/prompts/" .safetensors $(echo " $TASKS " | sed "s/ $1 / /"))
    job="$BIN/rank-sources --progress --model $MODEL_DIR --task $1 --reference $dir/prompts/$1.safetensors $common"
    job_line "$dir/rank/$1.jsonl" "$job -o $dir/rank/$1.jsonl $sources"
  }
  stage "cpus=$THREADS mem=4G time=120" rank_job $TASKS > "$grid/1-rank.stage"
  ranks=$(paths "$dir/rank/" .jsonl $TASKS)
  {
    echo "#@ cpus=1 mem=1G time=10"
    scores="$BIN/score-rankings --transfer $dir/transfer.jsonl --per-target -o $dir/transferability.jsonl $ranks"
    table="$BIN/score-rankings --transfer $dir/transfer.jsonl --format markdown -o $dir/transferability.md $ranks"
    paired="$BIN/score-rankings --transfer $dir/transfer.jsonl --format markdown --estimators probe_accuracy"
    paired+=" --paired probe_accuracy,leep --paired probe_accuracy,logme --paired leep,logme"
    paired+=" --paired cosine_token,on_cosine -o $dir/transferability-paired.md $ranks"
    job_line "$dir/transferability.md" "$scores && $paired && $table"
  } > "$grid/2-score.stage"
  start=$(date +%s)
  scripts/grid.sh --runner "$RUNNER" "$grid"
  echo "transferability: $dir ($(( $(date +%s) - start )) s, $RUNNER)" >&2
  cat "$dir/transferability.md"
done
if [ ${#folders[@]} -gt 1 ]; then
  scored=$(paths "" /transferability.jsonl "${folders[@]}")
  $BIN/score-rankings --combine $scored -o "$OUT-seeds.md"
  echo "transferability: mean ± sd over seeds $SEEDS in $OUT-seeds.md" >&2
  cat "$OUT-seeds.md"
fi
