#!/usr/bin/env bash
# `make nli-long`: MNLI and SNLI prompts tuned to convergence on MiniLM-L6 and measured on both
# tasks' TEST split, under the evaluation protocol. Each prompt: the converged cross-task matrix's
# settings (preset MODEL, a STEPS cap, the best every 250 steps on the selection slice of train,
# early stop after 3 evaluations without a better one, 64 text tokens), one per seed of SEEDS;
# or, with REUSE, the prompts of a finished run (REUSE is a folder pattern where SEED stands for
# the seed, e.g. REUSE=out/cross-task/minilm-sSEED/prompts: the benchmark's prompts). Then both
# prompts on each task's test split (the same seeded sample of EVAL_LIMIT for every seed),
# leaving out the test examples that share a text with MNLI's or SNLI's train split, beside the
# majority class and RANDOM_DRAWS random prompts (per-example answers kept): in-task accuracy
# and zero-shot NLI → NLI transfer, the seeds as mean ± sd (OUT/test.seeds-0-1-2.md), and each
# seed's paired comparison of the two prompts on each test split (OUT/paired.seeds-0-1-2.md).
# A grid (scripts/grid.sh; RUNNER=slurm); a job whose output exists is skipped.
# Variables: MODEL (minilm), SEEDS ("0 1 2"), STEPS (3000), EVAL_LIMIT (2000), RANDOM_DRAWS (5),
# REUSE, OUT (out/nli-long), THREADS (2), RUNNER (local), DATA_DIR (data), BIN; TASKS ("mnli snli";
# any two tasks: both train splits are left out of every evaluation, as above) and SPLIT (test).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
. scripts/common.sh
require_tools nli-long tune-prompt eval-prompt results-table
MODEL=${MODEL:-minilm}
SEEDS=${SEEDS:-0 1 2}
STEPS=${STEPS:-3000}
EVAL_LIMIT=${EVAL_LIMIT:-2000}
RANDOM_DRAWS=${RANDOM_DRAWS:-5}
REUSE=${REUSE:-}
OUT=${OUT:-out/nli-long}
THREADS=${THREADS:-2}
RUNNER=${RUNNER:-local}
DATA_DIR=${DATA_DIR:-data}
TASKS=${TASKS:-mnli snli}
SPLIT=${SPLIT:-test}
tasks=$TASKS
[ "$(echo $tasks | wc -w)" -eq 2 ] || { echo "nli-long: TASKS names two tasks, not '$tasks'" >&2; exit 64; }
first=${tasks%% *}
second=${tasks##* }
label=$(echo $SEEDS | tr ' ' -)
grid=$OUT/grid-$label
mkdir -p "$grid" $(paths "$OUT/s" "" $SEEDS)
rm -f "$grid"/*.stage
common="--model models/$MODEL --threads $THREADS --data-dir $DATA_DIR"
{
  echo "#@ cpus=$THREADS mem=4G time=240"
  for seed in $SEEDS; do
    for task in $tasks; do
      out=$OUT/s$seed/$task.safetensors
      if [ -n "$REUSE" ]; then
        from=${REUSE//SEED/$seed}/$task.safetensors
        [ -f "$from" ] || { echo "nli-long: REUSE has no $from" >&2; exit 65; }
        job_line "$out" "cp $from $out.tmp && mv $out.tmp $out"
      else
        job_line "$out" "$BIN/tune-prompt $common --task $task --preset $MODEL --steps $STEPS --patience 3 \
--max-text-tokens 64 --eval-every 250 --eval-limit 500 --seed $seed --resume --progress --output $out \
>> $OUT/s$seed/$task.jsonl"
      fi
    done
  done
} > "$grid/1-tune.stage"
{
  echo "#@ cpus=$THREADS mem=4G time=120"
  for seed in $SEEDS; do
    for target in $tasks; do
      result=$OUT/s$seed/$target.$SPLIT.jsonl
      job_line "$result" "$BIN/eval-prompt $common --task $target --split $SPLIT --eval-limit $EVAL_LIMIT --seed 0 \
--exclude-overlap $first:train --exclude-overlap $second:train --majority --random-prompts $RANDOM_DRAWS \
--per-example -o $result $(paths "$OUT/s$seed/" .safetensors $tasks)"
    done
  done
} > "$grid/2-eval.stage"
results=$(for seed in $SEEDS; do paths "$OUT/s$seed/" ".$SPLIT.jsonl" $tasks; done)
{
  echo "#@ cpus=1 mem=1G time=10"
  job_line "$OUT/$SPLIT.seeds-$label.md" "$BIN/results-table -o $OUT/paired.seeds-$label.md \
--paired $second,$first $results && $BIN/results-table -o $OUT/$SPLIT.seeds-$label.md $results"
} > "$grid/3-table.stage"
scripts/grid.sh --runner "$RUNNER" "$grid"
cat "$OUT/paired.seeds-$label.md"   # the table of every seed, then the paired comparisons
