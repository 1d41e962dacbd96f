# Sourced by the experiment scripts: what several of them need, written once.
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
