#!/usr/bin/env bash
# The results of scripts/cross-model-paper.sh from its eval/ folder:
#   scripts/cross-model-results.sh OUT            one JSON line per projector × task: source_model,
#     target_model, method, train_tasks, task, category, seen, accuracy, n, random_accuracy,
#     own_accuracy (the target's own prompt of the task), same_task_transfer (the target's own
#     prompt of the projector's training task, zero-shot on this task; null for the vocab map)
#   scripts/cross-model-results.sh --table OUT    the same as a Markdown table (accuracy in %)
set -euo pipefail
cd "$(dirname "$0")/.."
TABLE=
if [ "${1:-}" = --table ]; then
  TABLE=1
  shift
fi
OUT=${1:?usage: scripts/cross-model-results.sh [--table] OUT}
BIN=${BIN:-.build/release}
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
if [ -z "$TABLE" ]; then
  results
  exit 0
fi
pct='if . == null then "–" else (. * 1000 | round / 10 | tostring) end'
echo "| source → target | method | trained on | task | category | projected | random | target's own | same-task transfer |"
echo "|---|---|---|---|---|---|---|---|---|"
results | jq -r "[\"\(.source_model) → \(.target_model)\", .method,
  (if (.train_tasks | length) == 0 then \"(no task data)\" else (.train_tasks | join(\",\")) end),
  (.task + (if .seen then \" (seen)\" else \"\" end)), .category, (.accuracy | $pct), (.random_accuracy | $pct),
  (.own_accuracy | $pct), (.same_task_transfer | $pct)] | \"| \" + join(\" | \") + \" |\""
