# Sourced by the experiment scripts: what several of them need, written once.
# require_tools SCRIPT TOOL...: every tool a script's jobs run is in BIN, before any job starts
# (exit 64 naming the first one missing).
require_tools() {
  local script=$1 tool
  shift
  for tool in "$@"; do
    [ -x "$BIN/$tool" ] && continue
    echo "$script: $BIN/$tool is not built (swift build -c release, or set BIN)" >&2
    exit 64
  done
}
# job_line OUTPUT COMMAND: one job of a grid stage (scripts/grid.sh): its output, a tab, its command.
job_line() { printf '%s\t%s\n' "$1" "$2"; }
# stage RESOURCES JOB NAME...: a grid stage's text: its resources line ("cpus=2 mem=4G time=60"),
# then the job line the function JOB writes (with job_line) for each name.
stage() {
  local resources=$1 job=$2 name
  shift 2
  echo "#@ $resources"
  for name in "$@"; do "$job" "$name"; done
}
# paths PREFIX SUFFIX NAME...: "PREFIX<NAME>SUFFIX " for each name (the inputs a job reads).
paths() {
  local prefix=$1 suffix=$2 name
  shift 2
  for name in "$@"; do printf '%s ' "$prefix$name$suffix"; done
}
# prepare_splits TASK SPLIT...: data/TASK/SPLIT.jsonl from the mirror, where it is missing.
prepare_splits() {
  local task=$1 split
  shift
  mkdir -p "data/$task"
  for split in "$@"; do
    [ -f "data/$task/$split.jsonl" ] \
      || "${BIN:-.build/release}/prepare-data" "$task" --split "$split" --mirror "${PT_DATA_MIRROR:-../shared/data}" \
        --output "data/$task/$split.jsonl"
  done
}
