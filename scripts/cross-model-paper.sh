#!/usr/bin/env bash
# `make cross-model-paper`: the paper's cross-model protocol as a grid (scripts/grid.sh; here or
# on Slurm with RUNNER=slurm). For each model pair SOURCE:TARGET a projector is trained on ONE
# task (a sentiment task and an NLI task, as the paper: TRAIN_TASKS) with each objective (task:
# through the target's loss; distance: to the target's own prompt of that task), plus one
# vocabulary map per pair (needs no task data); each projector maps every task's source prompt
# into the target, evaluated on that task (validation, seeded sample of EVAL_LIMIT), beside the
# majority class, RANDOM_PROMPTS random prompts of the target (mean ± sd), its own prompt of the
# task, and its own prompt of the projector's training task evaluated zero-shot (same_task_transfer;
# for a projector trained on several tasks, the mean of its own prompts of them).
#   stage 1 tune      a prompt per model per task
#   stage 2 project   the projectors, validated on their training task (the curve is in logs/)
#   stage 3 eval      per projector: apply + evaluate on every task; per target: the baselines
#   stage 4 results   results.jsonl (one line per projector × task), results.md (the table) and
#                     summary.md (a row per projector)
#   stage 5 init      the projected prompts as the initialisation of tuning on the target, for
#                     INIT_TASKS (default laptop restaurant: sentiment tasks of no default projector; a
#                     projector trained on one of them, as the 8-task one on restaurant, skips it),
#                     stopped once they reach the from-scratch run's best (--stop-at-accuracy)
#   stage 6 init-results  init.jsonl and init.md: the steps each initialisation needs to reach
#                     the best accuracy of tuning from a random prompt (same settings and seed)
# Variables: PAIRS ("splade-tiny:minilm minilm:mpnet-base"), TRAIN_TASKS ("sst2 mnli"; an entry
# "sst2,imdb,mnli" is ONE projector trained on those tasks together, as `make cross-model`), TASKS (all
# 13), STEPS_SMALL / STEPS_LARGE (prompt tuning caps for splade-tiny, minilm / mpnet-base),
# PATIENCE, PROJECT_STEPS, PROJECT_LR, EVAL_LIMIT, RANDOM_PROMPTS, INIT_TASKS, INIT_PROJECTORS, REUSE ("minilm=DIR":
# take MODEL's prompts from DIR/TASK.safetensors where they exist, e.g. the converged cross-task
# matrix), OUT, RUNNER, THREADS, DATA_DIR, SEED, BIN. One stage alone: GRID_STAGES=NAME (e.g.
# `make cross-model-paper-results REDO=1`, see scripts/grid.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
. scripts/common.sh
require_tools cross-model-paper tune-prompt project eval-prompt prepare-data cross-model-results
PAIRS=${PAIRS:-"splade-tiny:minilm minilm:mpnet-base"}
TRAIN_TASKS=${TRAIN_TASKS:-"sst2 mnli"}
all_tasks="imdb sst2 laptop restaurant movie_rationales tweeteval_sentiment mnli qnli snli ethics_deontology
ethics_justice qqp mrpc"
TASKS=${TASKS:-$(echo $all_tasks)}
STEPS_SMALL=${STEPS_SMALL:-2000}
STEPS_LARGE=${STEPS_LARGE:-400}
PATIENCE=${PATIENCE:-3}
PROJECT_STEPS=${PROJECT_STEPS:-600}
PROJECT_LR=${PROJECT_LR:-1e-4}
EVAL_LIMIT=${EVAL_LIMIT:-500}
RANDOM_PROMPTS=${RANDOM_PROMPTS:-5}
INIT_TASKS=${INIT_TASKS:-"laptop restaurant"}
INIT_PROJECTORS=${INIT_PROJECTORS:-}   # e.g. "vocab task.sst2": only these methods' starts (default all)
REUSE=${REUSE:-}
OUT=${OUT:-out/cross-model-paper}
RUNNER=${RUNNER:-local}
THREADS=${THREADS:-2}
DATA_DIR=${DATA_DIR:-data}
SEED=${SEED:-0}
common="--threads $THREADS --data-dir $DATA_DIR --seed $SEED"
train_task_list=$(echo $TRAIN_TASKS | tr , '\n' | awk '!seen[$0]++' | tr '\n' ' ')   # every task a projector sees
for t in $train_task_list; do
  echo " $TASKS " | grep -q " $t " || { echo "cross-model-paper: training task $t is not among TASKS" >&2; exit 64; }
done

tune_flags() {   # model: the settings chosen for it (the MPNet ones by make mpnet-search)
  case $1 in
    splade-tiny|minilm) echo "--preset $1 --steps $STEPS_SMALL --eval-every 250" ;;
    mpnet-base) echo "--preset $1 --steps $STEPS_LARGE --eval-every 100" ;;
    *) echo "cross-model-paper: no tuning settings for model $1" >&2; exit 64 ;;
  esac
}
reused() {   # model task: a prompt to reuse, if REUSE names a folder for the model that has it
  local entry
  for entry in $REUSE; do
    if [ "${entry%%=*}" = "$1" ] && [ -f "${entry#*=}/$2.safetensors" ]; then
      echo "${entry#*=}/$2.safetensors"
    fi
  done
}
models=$(for p in $PAIRS; do echo "${p%%:*}"; echo "${p##*:}"; done | sort -u)
targets=$(for p in $PAIRS; do echo "${p##*:}"; done | sort -u)
mkdir -p "$OUT/grid" "$OUT/logs" "$OUT/eval" "$OUT/projectors"
rm -f "$OUT"/grid/*.stage
for m in $models; do mkdir -p "$OUT/prompts/$m"; done

{
  echo "#@ cpus=$THREADS mem=8G time=480"
  for m in $models; do
    for t in $TASKS; do
      out=$OUT/prompts/$m/$t.safetensors
      from=$(reused "$m" "$t")
      if [ -n "$from" ]; then
        # the prompt and its tuning log (the from-scratch curve stage 6 compares with), where there is one
        log=$(dirname "$(dirname "$from")")/logs/$t.jsonl
        copy_log=""
        [ -f "$log" ] && copy_log="cp $log $OUT/logs/tune.$m.$t.jsonl && "
        job_line "$out" "${copy_log}cp $from $out.tmp && mv $out.tmp $out"
      else
        job="$BIN/tune-prompt --progress --model models/$m --task $t $(tune_flags "$m") --prompt-length 20"
        job+=" --patience $PATIENCE --max-text-tokens 64 --eval-limit 500 $common --resume"
        job+=" --output $out >> $OUT/logs/tune.$m.$t.jsonl"
        job_line "$out" "$job"
      fi
    done
  done
} > "$OUT/grid/1-tune.stage"

# the projectors: SOURCE|TARGET|METHOD|TRAIN_TASKS (comma-separated; none for the vocabulary map)
projectors=()
for p in $PAIRS; do
  projectors+=("${p%%:*}|${p##*:}|vocab|")
  for k in $TRAIN_TASKS; do
    for method in task distance; do projectors+=("${p%%:*}|${p##*:}|$method|$k"); done
  done
done
projector_name() { echo "$1-$2.$3${4:+.$4}"; }
{
  echo "#@ cpus=$THREADS mem=12G time=480"
  for entry in "${projectors[@]}"; do
    IFS='|' read -r s t method k <<< "$entry"
    name=$(projector_name "$s" "$t" "$method" "$k")
    file=$OUT/projectors/$name.safetensors
    train="$BIN/project train --progress --source-model models/$s --target-model models/$t"
    if [ "$method" = vocab ]; then
      job_line "$file" "$train --objective vocab --threads $THREADS --output $file > $OUT/logs/project.$name.jsonl"
      continue
    fi
    tasks=$(echo "$k" | tr , ' ')
    extra=""
    [ "$method" = distance ] && extra="--target-prompts $(paths "$OUT/prompts/$t/" .safetensors $tasks)"
    job="$train --objective $method --tasks $k --source-prompts $(paths "$OUT/prompts/$s/" .safetensors $tasks)$extra"
    job+=" --target-readout tied --steps $PROJECT_STEPS --lr $PROJECT_LR --batch-size 16 --eval-every 100"
    job+=" --eval-limit 200 --patience 3 $common --resume --output $file >> $OUT/logs/project.$name.jsonl"
    job_line "$file" "$job"
  done
} > "$OUT/grid/2-project.stage"

tabulate="$BIN/cross-model-results --data-dir $DATA_DIR"   # stages 4 and 6: the tables
evaluate="$BIN/eval-prompt --progress --split validation --eval-limit $EVAL_LIMIT --max-text-tokens 64 $common"
# Every evaluation on a task leaves out the examples that share a text with that task's train split
# (its prompts were tuned there) or with any projector's training task's train split, so projected
# prompts and baselines are measured on the same examples, none of them seen in training.
exclusions() {   # TASK
  for x in $1 $train_task_list; do printf -- '--exclude-overlap %s:train\n' "$x"; done | awk '!seen[$0]++' \
    | tr '\n' ' '
}
{
  echo "#@ cpus=$THREADS mem=8G time=240"
  for entry in "${projectors[@]}"; do
    IFS='|' read -r s t method k <<< "$entry"
    name=$(projector_name "$s" "$t" "$method" "$k")
    dir=$OUT/projected/$name
    sources=$(paths "$OUT/prompts/$s/" .safetensors $TASKS)
    label="{source_model: \$s, target_model: \$t, method: \$m,"
    label+=" train_tasks: (if \$k == \"\" then [] else \$k | split(\",\") end), task: .target, accuracy, ci95, n,"
    label+=" excluded}"
    apply="$BIN/project apply --projector $OUT/projectors/$name.safetensors --output-dir $dir $sources > /dev/null"
    each=""
    for task in $TASKS; do
      each+="$evaluate --model models/$t --task $task $(exclusions $task)$dir/$task.safetensors"
      each+=" | jq -c --arg s $s --arg t $t --arg m $method --arg k '$k' '$label' && "
    done
    result=$OUT/eval/$name.jsonl
    job="set -o pipefail; mkdir -p $dir && $apply && { ${each}true; } > $result.tmp && mv $result.tmp $result"
    job_line "$result" "$job"
  done
  for t in $targets; do
    # on each task: the target's own prompt of it (own_accuracy), its prompts of the training tasks
    # (same_task_transfer), the majority class and RANDOM_PROMPTS random prompts laid out as the
    # own prompt (mean ± sd) — not the whole 13 × 13 matrix
    job=""
    for task in $TASKS; do
      prompts=$(for p in $task $train_task_list; do echo "$OUT/prompts/$t/$p.safetensors"; done | awk '!seen[$0]++' \
        | tr '\n' ' ')
      job+="$evaluate --model models/$t --task $task $(exclusions $task)--majority --random-prompts $RANDOM_PROMPTS"
      job+=" $prompts&& "
    done
    result=$OUT/eval/$t.baselines.jsonl
    job_line "$result" "{ ${job}true; } > $result.tmp && mv $result.tmp $result"
  done
} > "$OUT/grid/3-eval.stage"

{
  echo "#@ cpus=1 mem=1G time=10"
  # results.jsonl, the job's output, is moved into place last: a failure leaves the job to do
  job="$tabulate $OUT > $OUT/results.jsonl.tmp && $tabulate --format markdown $OUT > $OUT/results.md.tmp"
  job+=" && $tabulate --summary $OUT > $OUT/summary.md.tmp && mv $OUT/results.md.tmp $OUT/results.md"
  job+=" && mv $OUT/summary.md.tmp $OUT/summary.md && mv $OUT/results.jsonl.tmp $OUT/results.jsonl"
  job_line "$OUT/results.jsonl" "$job"
} > "$OUT/grid/4-results.stage"

init_tasks=$(for task in $INIT_TASKS; do echo " $TASKS " | grep -q " $task " && echo "$task"; done)
mkdir -p "$OUT/init"
{
  echo "#@ cpus=$THREADS mem=8G time=480"
  for entry in "${projectors[@]}"; do
    IFS='|' read -r s t method k <<< "$entry"
    name=$(projector_name "$s" "$t" "$method" "$k")
    if [ -n "$INIT_PROJECTORS" ] && ! echo " $INIT_PROJECTORS " | grep -q " $method${k:+.$k} "; then continue; fi
    for task in $init_tasks; do
      # a start on a task the projector was trained on would not measure transfer to a new task
      if echo ",$k," | grep -q ",$task,"; then continue; fi
      out=$OUT/init/$name.$task.safetensors
      scratch_best="\$(jq -s '[.[] | select(.event == \"eval\") | .accuracy] | max' $OUT/logs/tune.$t.$task.jsonl)"
      job="$BIN/tune-prompt --progress --model models/$t --task $task $(tune_flags "$t") --prompt-length 20"
      job+=" --patience $PATIENCE --max-text-tokens 64 --eval-limit 500 $common"
      job+=" --init from:$OUT/projected/$name/$task.safetensors --stop-at-accuracy $scratch_best"
      job+=" --resume --output $out >> $OUT/logs/init.$name.$task.jsonl"
      job_line "$out" "$job"
    done
  done
} > "$OUT/grid/5-init.stage"
{
  echo "#@ cpus=1 mem=1G time=10"
  job="$tabulate --init $OUT > $OUT/init.jsonl.tmp && $tabulate --init --format markdown $OUT > $OUT/init.md.tmp"
  job+=" && mv $OUT/init.md.tmp $OUT/init.md && mv $OUT/init.jsonl.tmp $OUT/init.jsonl"
  job_line "$OUT/init.jsonl" "$job"
} > "$OUT/grid/6-init-results.stage"

start=$(date +%s)
scripts/grid.sh --runner "$RUNNER" "$OUT/grid"
echo "cross-model-paper: $(( $(date +%s) - start )) s ($RUNNER); $OUT/{results,init}.{jsonl,md}, $OUT/summary.md" >&2
