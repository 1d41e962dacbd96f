#!/usr/bin/env bash
# The results of scripts/cross-model-paper.sh from its eval/ folder:
#   scripts/cross-model-results.sh OUT            one JSON line per projector × task: source_model,
#     target_model, method, train_tasks, task, category, seen, accuracy, n, random_accuracy,
#     own_accuracy (the target's own prompt of the task), same_task_transfer (the target's own
#     prompt of the projector's training task, zero-shot on this task; null for the vocab map)
#   scripts/cross-model-results.sh --table OUT    the same as a Markdown table (accuracy in %)
#   scripts/cross-model-results.sh --summary OUT  a row per projector: its training task's accuracy
#     (the target's own), unseen tasks ≥ 2 points above / below random, and the mean projected −
#     random accuracy over the unseen tasks of the training task's category and over the others
#   scripts/cross-model-results.sh --init [--table] OUT   one line per projector × INIT task: the
#     target tuned from the projected prompt against the same run from a random prompt
#     (scratch_best and its step; init_step0, init_best, init_best_step, steps_to_scratch_best:
#     the first validation step at which the projected start reaches the from-scratch best)
set -euo pipefail
cd "$(dirname "$0")/.."
TABLE=
INIT=
SUMMARY=
while [ $# -gt 1 ]; do
  case $1 in
    --table) TABLE=1 ;;
    --init) INIT=1 ;;
    --summary) SUMMARY=1 ;;
    *) echo "cross-model-results: unknown option $1" >&2; exit 64 ;;
  esac
  shift
done
OUT=${1:?usage: scripts/cross-model-results.sh [--table | --summary | --init [--table]] OUT}
BIN=${BIN:-.build/release}
# jq: a fraction as a percentage with one decimal; shown: that as text, "–" for none
percent='def pct: . * 1000 | round / 10; def shown: if . == null then "–" else (pct | tostring) end;'
if [ -n "$INIT" ]; then
  init_results() {
    local log name task pair target source method train scratch
    for log in "$OUT"/logs/init.*.jsonl; do
      [ -e "$log" ] || continue
      name=$(basename "$log" .jsonl)
      name=${name#init.}
      task=${name##*.}
      name=${name%.*}
      pair=${name%%.*}
      method=$(echo "$name" | cut -d. -f2)
      train=$(echo "$name" | cut -s -d. -f3)
      target=$(jq -r -n 'first(inputs | select(.event == "start") | .model)' "$log")
      source=${pair%-"$target"}
      scratch=$OUT/logs/tune.$target.$task.jsonl
      [ -f "$scratch" ] || { echo "cross-model-results: no from-scratch log $scratch" >&2; exit 65; }
      jq -s -c --arg s "$source" --arg t "$target" --arg m "$method" --arg k "$train" --arg task "$task" \
        --slurpfile scratch "$scratch" '
        def evals: map(select(.event == "eval")) | unique_by(.step);
        ($scratch | evals) as $se | (evals) as $ie
        | ($se | map(.accuracy) | max) as $best
        | {source_model: $s, target_model: $t, method: $m, train_tasks: (if $k == "" then [] else [$k] end),
           task: $task, scratch_best: $best,
           scratch_best_step: ($se | map(select(.accuracy >= $best)) | first | .step),
           init_step0: ($ie | map(select(.step == 0)) | first | .accuracy),
           init_best: ($ie | map(.accuracy) | max),
           init_best_step: (($ie | map(.accuracy) | max) as $ib | $ie | map(select(.accuracy >= $ib)) | first | .step),
           steps_to_scratch_best: ($ie | map(select(.accuracy >= $best)) | first | .step)}' "$log"
    done
  }
  if [ -z "$TABLE" ]; then
    init_results
    exit 0
  fi
  printf '%s%s\n' "| source → target | projector | task | from scratch: best (step) | projected start: step 0 " \
    "| best (step) | steps to the scratch best |"
  echo "|---|---|---|---|---|---|---|"
  init_results | jq -r "$percent [\"\(.source_model) → \(.target_model)\",
    (.method + (if (.train_tasks | length) > 0 then \" (\" + (.train_tasks | join(\",\")) + \")\" else \"\" end)),
    .task, \"\(.scratch_best | shown) (\(.scratch_best_step))\", (.init_step0 | shown),
    \"\(.init_best | shown) (\(.init_best_step))\",
    (if .steps_to_scratch_best == null then \"not reached\" else (.steps_to_scratch_best | tostring) end)]
    | \"| \" + join(\" | \") + \" |\""
  exit 0
fi
categories=$("$BIN/prepare-data" --list | jq -R -s -c 'split("\n") | map(select(length > 0) | split("\t"))
  | map({(.[0]): .[1]}) | add')
baselines=$(cat "$OUT"/eval/*.baselines.jsonl | jq -s -c 'map({model, source, target, accuracy,
  random: (.prompt | endswith("/random.safetensors"))})')
results() {
  for f in "$OUT"/eval/*.jsonl; do
    case $f in *.baselines.jsonl) continue ;; esac
    cat "$f"
  done | jq -c --argjson cat "$categories" --argjson base "$baselines" '
    . as $r
    | ($base | map(select(.model == $r.target_model and .target == $r.task))) as $here
    | {source_model, target_model, method, train_tasks, task, category: $cat[.task],
       seen: (.train_tasks | index($r.task) != null), accuracy, n,
       random_accuracy: ($here | map(select(.random)) | first | .accuracy),
       own_accuracy: ($here | map(select(.random | not) | select(.source == $r.task)) | first | .accuracy),
       same_task_transfer: (if (.train_tasks | length) == 0 then null
         else ($here | map(select(.random | not) | select(.source == $r.train_tasks[0])) | first | .accuracy) end)}'
}
if [ -n "$SUMMARY" ]; then
  printf '%s%s\n' "| source → target | projector | on its training task (target's own) | unseen tasks ≥ 2 points " \
    "above / below random | mean projected − random: unseen tasks of the training task's category / others |"
  echo "|---|---|---|---|---|"
  results | jq -r -s "$percent"'
    def signed: pct | if . > 0 then "+" + tostring else tostring end;
    def cell: if length == 0 then "—"
      else "\(map(.accuracy - .random_accuracy) | add / length | signed) (\(length))" end;
    group_by([.source_model, .target_model, .method, .train_tasks])[]
    | . as $rows
    | ($rows[0].train_tasks) as $train
    | ($rows | map(select(.seen | not))) as $unseen
    | ($rows | map(select(.seen)) | first) as $seen
    | ($train | map(. as $t | $rows | map(select(.task == $t)) | first | .category)) as $train_categories
    | ($unseen | map(select(.category as $c | $train_categories | index($c) != null))) as $same
    | ($unseen | map(select(.category as $c | $train_categories | index($c) == null))) as $other
    | ($unseen | map(select(.accuracy - .random_accuracy >= 0.02)) | length) as $above
    | ($unseen | map(select(.random_accuracy - .accuracy >= 0.02)) | length) as $below
    | "| \($rows[0].source_model) → \($rows[0].target_model) | \($rows[0].method)"
      + (if ($train | length) > 0 then ", trained on " + ($train | join(",")) else "" end)
      + " | " + (if $seen == null then "—" else "\($seen.accuracy | pct) (\($seen.own_accuracy | pct))" end)
      + " | \($above) / \($below) of \($unseen | length) | \($same | cell) / \($other | cell) |"'
  exit 0
fi
if [ -z "$TABLE" ]; then
  results
  exit 0
fi
printf '%s%s\n' "| source → target | method | trained on | task | category | projected | random | target's own " \
  "| same-task transfer |"
echo "|---|---|---|---|---|---|---|---|---|"
results | jq -r "$percent [\"\(.source_model) → \(.target_model)\", .method,
  (if (.train_tasks | length) == 0 then \"(no task data)\" else (.train_tasks | join(\",\")) end),
  (.task + (if .seen then \" (seen)\" else \"\" end)), .category, (.accuracy | shown), (.random_accuracy | shown),
  (.own_accuracy | shown), (.same_task_transfer | shown)] | \"| \" + join(\" | \") + \" |\""
