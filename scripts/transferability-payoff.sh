#!/usr/bin/env bash
# `make transferability-payoff`: is picking a source prompt by estimator worth it? After
# `make transferability` (a cross-task folder OUT with rank/ and transferability.jsonl), each of
# TARGETS is tuned over SEEDS from four starts: the top-1 source of the estimator (ESTIMATOR, or by
# default the one with the lowest mean Regret@1 over the *other* targets, so no target chooses its
# own estimator), a random init, and the best and the worst source in hindsight (the validation
# matrix: an oracle and its opposite). Then compare-runs gives the steps each start needs to reach
# the from-scratch best (on the selection slice of train), and eval-prompt the final accuracy on
# the target's validation split without any example a train split of the target or of any of the
# three sources holds (the same examples for every start, beside the majority class on them),
# tabulated by results-table, and each start against the random one on those examples, seed by
# seed (paired/TARGET.START.md: paired bootstrap interval of the difference and McNemar's exact p).
# A grid (scripts/grid.sh; RUNNER=slurm). Starts that coincide (e.g. the estimator's pick is the
# best source) are tuned once and carry both names.
# Every start is tuned with the settings the matrix's own prompt of the target recorded (its
# cross-task log: preset, steps, validation, patience), so the random start is that run again.
# Variables: MODEL, OUT, TARGETS, SEEDS, ESTIMATOR, TEST_LIMIT (evaluation, default 2000),
# RUNNER, THREADS, DATA_DIR, BIN.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
. scripts/common.sh
require_tools transferability-payoff tune-prompt eval-prompt compare-runs results-table
MODEL=${MODEL:-minilm}
OUT=${OUT:-out/cross-task/$MODEL}
TARGETS=${TARGETS:-laptop qnli ethics_deontology mrpc}   # one per category
SEEDS=${SEEDS:-0 1 2}
ESTIMATOR=${ESTIMATOR:-}
TEST_LIMIT=${TEST_LIMIT:-2000}
RUNNER=${RUNNER:-local}
THREADS=${THREADS:-2}
DATA_DIR=${DATA_DIR:-data}
case $MODEL in
  /*|./*|models/*) MODEL_DIR=$MODEL ;;
  *) MODEL_DIR=models/$MODEL ;;
esac
for need in "$OUT/transfer.jsonl" "$OUT/transferability.jsonl"; do
  [ -f "$need" ] || { echo "transferability-payoff: $need is missing: run make transferability first" >&2; exit 65; }
done
P=$OUT/payoff
mkdir -p "$P/prompts" "$P/logs" "$P/eval" "$P/grid" "$P/paired"
rm -f "$P"/grid/*.stage
tune="$BIN/tune-prompt --progress --model $MODEL_DIR --threads $THREADS --data-dir $DATA_DIR --resume"
tuning_of() {   # TARGET: the tuning flags its cross-task prompt recorded
  jq -r -n 'first(inputs | select(.event == "start")) | .settings
    | "--steps \(.steps) --eval-every \(.eval_every) --max-text-tokens \(.max_text_tokens)"
      + (if .preset then " --preset \(.preset)" else "" end)
      + (if .eval_limit then " --eval-limit \(.eval_limit)" else "" end)
      + (if .patience then " --patience \(.patience)" else "" end)' "$OUT/logs/$1.jsonl"
}
# the source in hindsight: the highest (best) or lowest (worst) accuracy on the target, itself excluded
hindsight() {   # best|worst TARGET
  local pick=max_by
  [ "$1" = worst ] && pick=min_by
  jq -r -s --arg t "$2" "map(select(.target == \$t and .source != \$t)) | $pick(.accuracy) | .source" \
    "$OUT/transfer.jsonl"
}
# the estimator with the lowest mean Regret@1 over the other targets (score-rankings --per-target rows)
estimator_for() {
  [ -n "$ESTIMATOR" ] && { echo "$ESTIMATOR"; return; }
  jq -r -s --arg t "$1" '[.[] | select(.target != null and .target != $t)] | group_by(.estimator)
    | map({e: .[0].estimator, r: (map(.regret_at_1) | add / length)}) | min_by(.r) | .e' \
    "$OUT/transferability.jsonl"
}
top_source() {   # ESTIMATOR TARGET: rank-sources' first source by that estimator
  jq -r -s --arg e "$1" 'map(select(.[$e] != null)) | max_by(.[$e]) | .source' "$OUT/rank/$2.jsonl"
}
declare -A chosen starts_of sources_of   # per target: the estimator, the starts' names, the sources
{
  echo "#@ cpus=$THREADS mem=6G time=240"
  for t in $TARGETS; do
    e=$(estimator_for "$t")
    flags=$(tuning_of "$t")
    chosen[$t]=$e
    declare -A names=([random]=random)   # start (random or a source task) -> its name(s)
    for arm in "$e:$(top_source "$e" "$t")" "best:$(hindsight best "$t")" "worst:$(hindsight worst "$t")"; do
      src=${arm#*:}
      names[$src]="${names[$src]:+${names[$src]}=}${arm%%:*}-$src"
      sources_of[$t]+=" $src"
    done
    for start in "${!names[@]}"; do
      init=random
      [ "$start" = random ] || init="from:$OUT/prompts/$start.safetensors"
      starts_of[$t]+=" ${names[$start]}"
      for seed in $SEEDS; do
        run=$t.${names[$start]}.s$seed
        job_line "$P/prompts/$run.safetensors" \
          "$tune $flags --task $t --init $init --seed $seed --output $P/prompts/$run.safetensors >> $P/logs/$run.jsonl"
      done
    done
    unset names
  done
} > "$P/grid/1-tune.stage"
{
  echo "#@ cpus=$THREADS mem=4G time=120"
  for t in $TARGETS; do
    exclude="--exclude-overlap $t:train"
    for s in $(echo ${sources_of[$t]} | tr ' ' '\n' | sort -u); do exclude+=" --exclude-overlap $s:train"; done
    for seed in $SEEDS; do
      prompts=""
      names=""
      for start in ${starts_of[$t]}; do
        prompts+=" $P/prompts/$t.$start.s$seed.safetensors"
        names+=" --name $start"
      done
      job="$BIN/eval-prompt --progress --model $MODEL_DIR --task $t --split validation --eval-limit $TEST_LIMIT"
      job+=" --max-text-tokens 64 --seed $seed $exclude$names --majority --per-example --threads $THREADS"
      job+=" --data-dir $DATA_DIR"
      job_line "$P/eval/$t.s$seed.jsonl" "$job -o $P/eval/$t.s$seed.jsonl$prompts"
    done
  done
} > "$P/grid/2-eval.stage"
{
  echo "#@ cpus=1 mem=1G time=10"
  references=""
  logs=""
  evals=""
  for t in $TARGETS; do
    for seed in $SEEDS; do
      references+=" --reference $P/logs/$t.random.s$seed.jsonl"
      for start in ${starts_of[$t]}; do logs+=" $P/logs/$t.$start.s$seed.jsonl"; done
      evals+=" $P/eval/$t.s$seed.jsonl"
    done
  done
  curves="$BIN/compare-runs --format markdown$references -o $P/curves.md$logs"
  # each start against the random one on the same examples, seed by seed (paired bootstrap, McNemar)
  paired=""
  for t in $TARGETS; do
    target_evals=""
    for seed in $SEEDS; do target_evals+=" $P/eval/$t.s$seed.jsonl"; done
    for start in ${starts_of[$t]}; do
      [ "$start" = random ] && continue
      paired+=" && $BIN/results-table --paired $start,random -o $P/paired/$t.$start.md$target_evals"
    done
  done
  job_line "$P/accuracy.md" "$curves$paired && $BIN/results-table -o $P/accuracy.md$evals"
} > "$P/grid/3-table.stage"
for t in $TARGETS; do echo "transferability-payoff: $t: estimator ${chosen[$t]}" >&2; done
start=$(date +%s)
scripts/grid.sh --runner "$RUNNER" "$P/grid"
echo "transferability-payoff: $(( $(date +%s) - start )) s ($RUNNER); $P/curves.md, $P/accuracy.md" >&2
cat "$P/curves.md" "$P/accuracy.md"
