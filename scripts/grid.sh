#!/usr/bin/env bash
# Runs an experiment grid: stages of independent jobs, here or on a Slurm cluster, unchanged.
#
#   scripts/grid.sh [--runner local|slurm] [--jobs N] GRID_FOLDER
#
# GRID_FOLDER holds one file per stage, NN-NAME.stage, run in name order. A stage file starts
# with its resources and then has one job per line, its output path and its command separated
# by a tab:
#   #@ cpus=2 mem=4G time=60
#   out/x/prompts/sst2.safetensors<TAB>.build/release/tune-prompt … --output out/x/prompts/sst2.safetensors
# A job whose output exists is skipped (outputs are written atomically, so a preempted or failed
# job is simply run again). A job that fails, or ends without writing its output, is reported
# with its log (GRID_FOLDER/logs/NAME.INDEX.log), and later stages do not run.
#
# local: jobs run in parallel, as many as the cores allow (cores / cpus, or --jobs N).
# slurm: one `sbatch --array` per stage (array index = job line), each later stage submitted
#   with --dependency=afterok on the one before; --cpus-per-task, --mem and --time from the
#   stage. Environment: GRID_SBATCH (extra sbatch options, e.g. "--partition=cpu --account=nlp"),
#   GRID_SETUP (shell lines run before each job, e.g. "module load gcc"), GRID_WAIT=0 to submit
#   and return (default: wait, then check every output as the local runner does), GRID_TIMEOUT=S
#   to give up waiting after S seconds (the jobs are cancelled; default: wait as long as they run).
#
# Both runners: GRID_STAGES="eval results" (or --stage NAME, repeatable) runs only the stages named
# (NAME or NN-NAME); a stage before them that still has jobs without output is an error, not
# run silently. GRID_REDO=1 (or --redo) first deletes the outputs of the stages that run, so they
# are computed again (e.g. the results stage after another pair's jobs were added).
set -euo pipefail
RUNNER=local
JOBS=
SELECTED=${GRID_STAGES:-}
REDO=${GRID_REDO:-0}
while [ $# -gt 0 ]; do
  case $1 in
    --runner) RUNNER=${2:?}; shift 2 ;;
    --jobs) JOBS=${2:?}; shift 2 ;;
    --stage) SELECTED+=" ${2:?}"; shift 2 ;;
    --redo) REDO=1; shift ;;
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
    -*) echo "grid: unknown option $1" >&2; exit 64 ;;
    *) break ;;
  esac
done
GRID=${1:?usage: scripts/grid.sh [--runner local|slurm] [--jobs N] GRID_FOLDER}
case $RUNNER in local|slurm) ;; *) echo "grid: --runner is local or slurm, not $RUNNER" >&2; exit 64 ;; esac
[ -d "$GRID" ] || { echo "grid: $GRID is not a folder" >&2; exit 64; }
GRID=$(cd "$GRID" && pwd)
WORKDIR=$(pwd)
mkdir -p "$GRID/logs" "$GRID/slurm"
shopt -s nullglob
STAGES=("$GRID"/*.stage)
[ ${#STAGES[@]} -gt 0 ] || { echo "grid: no *.stage files in $GRID" >&2; exit 64; }

setting() {   # stage file, key, default: a value from its "#@ key=value …" line
  local value
  value=$(head -1 "$1" | grep -o -E "(^| )$2=[^ ]+" | cut -d= -f2 || true)
  echo "${value:-$3}"
}
jobs_of() { grep -v '^#' "$1" | grep -v '^[[:space:]]*$' || true; }   # the job lines, in order
pending() {   # the 1-based indices of the jobs whose output does not exist
  local i=0 out
  while IFS=$'\t' read -r out _; do
    i=$((i + 1))
    [ -e "$out" ] || echo $i
  done < <(jobs_of "$1")
}
report() {    # stage file: every job still without its output, with its log; non-zero if any
  local stage=$1 name missing=0 i out
  name=$(basename "$stage" .stage)
  for i in $(pending "$stage"); do
    out=$(jobs_of "$stage" | sed -n "${i}p" | cut -f1)
    echo "grid: $name job $i failed: no $out; log: $GRID/logs/$name.$i.log" >&2
    missing=$((missing + 1))
  done
  [ $missing = 0 ]
}

names_stage() {   # name, stage file: whether the name is the stage's (NN-NAME or NAME)
  local name
  name=$(basename "$2" .stage)
  [ "$1" = "$name" ] || [ "$1" = "${name#*-}" ]
}
stage_selected() {   # stage file: whether GRID_STAGES / --stage names it (all stages when none is named)
  local wanted
  [ -z "${SELECTED// /}" ] && return 0
  for wanted in $SELECTED; do
    if names_stage "$wanted" "$1"; then return 0; fi
  done
  return 1
}
if [ -n "${SELECTED// /}" ]; then
  for wanted in $SELECTED; do
    found=0
    for stage in "${STAGES[@]}"; do
      if names_stage "$wanted" "$stage"; then found=1; fi
    done
    if [ $found = 0 ]; then
      echo "grid: no stage $wanted in $GRID (stages: $(for stage in "${STAGES[@]}"; do basename "$stage" .stage; done \
        | paste -s -d ' ' -))" >&2
      exit 64
    fi
  done
  # one pass: the stages named, and an unfinished stage before any of them is an error
  chosen=()
  unfinished=""
  for stage in "${STAGES[@]}"; do
    if stage_selected "$stage"; then
      if [ -n "$unfinished" ]; then
        echo "grid: $unfinished, and a stage asked for comes after it: run it first" >&2
        exit 65
      fi
      chosen+=("$stage")
    elif [ -z "$unfinished" ]; then
      count=$(pending "$stage" | wc -l)
      [ "$count" -eq 0 ] || unfinished="$(basename "$stage" .stage) has $count jobs without output"
    fi
  done
  STAGES=("${chosen[@]}")
fi
if [ "$REDO" = 1 ]; then
  if [ -z "${SELECTED// /}" ]; then
    echo "grid: --redo (GRID_REDO=1) deletes outputs: name the stages with --stage (GRID_STAGES)" >&2
    exit 64
  fi
  for stage in "${STAGES[@]}"; do
    jobs_of "$stage" | cut -f1 | while read -r out; do rm -f "$out"; done
    echo "grid: $(basename "$stage" .stage): outputs deleted, to be computed again" >&2
  done
fi

run_local() {
  local stage name cpus parallel todo
  for stage in "${STAGES[@]}"; do
    name=$(basename "$stage" .stage)
    todo=$(pending "$stage" | tr '\n' ' ')
    if [ -z "$todo" ]; then
      echo "grid: $name: done" >&2
      continue
    fi
    cpus=$(setting "$stage" cpus 1)
    parallel=${JOBS:-$(( $(nproc) / cpus > 0 ? $(nproc) / cpus : 1 ))}
    echo "grid: $name: $(echo $todo | wc -w) of $(jobs_of "$stage" | wc -l) jobs, $parallel at a time" >&2
    jobs_of "$stage" > "$GRID/logs/.$name.jobs"   # job N is line N, as for the slurm runner
    export GRID GRID_JOBS=$GRID/logs/.$name.jobs GRID_NAME=$name
    echo $todo | tr ' ' '\n' > "$GRID/logs/.$name.todo"
    # the jobs run in a process group of their own: Ctrl-C or SIGTERM stops all of them (a
    # tune-prompt job then saves its checkpoint), and the next run continues where they were
    set -m
    # shellcheck disable=SC2016
    xargs -P "$parallel" -I{} bash -c '
      line=$(sed -n "$1p" "$GRID_JOBS")
      bash -c "${line#*$'"'\t'"'}" > "$GRID/logs/$GRID_NAME.$1.log" 2>&1 || true' _ {} < "$GRID/logs/.$name.todo" &
    local group=$!
    set +m
    trap 'echo "grid: stopping the running jobs" >&2; kill -TERM -- -'"$group"' 2> /dev/null; wait; exit 143' INT TERM
    wait $group || true
    trap - INT TERM
    report "$stage" || exit 1
  done
}

run_slurm() {
  command -v sbatch > /dev/null || { echo "grid: sbatch not found (RUNNER=slurm needs a Slurm client)" >&2; exit 64; }
  local stage name todo script id previous="" ids=()
  for stage in "${STAGES[@]}"; do
    name=$(basename "$stage" .stage)
    todo=$(pending "$stage" | paste -s -d, -)
    if [ -z "$todo" ]; then
      echo "grid: $name: done" >&2
      continue
    fi
    jobs_of "$stage" > "$GRID/slurm/$name.jobs"
    script=$GRID/slurm/$name.sh
    cat > "$script" <<SCRIPT
#!/usr/bin/env bash
set -euo pipefail
cd "$WORKDIR"
${GRID_SETUP:-}
line=\$(sed -n "\${SLURM_ARRAY_TASK_ID}p" "$GRID/slurm/$name.jobs")
out=\${line%%\$'\\t'*}
bash -c "\${line#*\$'\\t'}"
[ -e "\$out" ] || { echo "grid: the job ended without writing \$out" >&2; exit 1; }
SCRIPT
    # shellcheck disable=SC2086
    id=$(sbatch --parsable --job-name="grid-$name" --array="$todo" \
      --cpus-per-task="$(setting "$stage" cpus 1)" --mem="$(setting "$stage" mem 4G)" \
      --time="$(setting "$stage" time 60)" --output="$GRID/logs/$name.%a.log" \
      ${previous:+--dependency=afterok:$previous --kill-on-invalid-dep=yes} ${GRID_SBATCH:-} "$script")
    id=${id%%;*}
    echo "grid: $name: submitted array job $id ($(echo "$todo" | tr ',' '\n' | wc -l) jobs)" >&2
    previous=$id
    ids+=("$id")
  done
  [ ${#ids[@]} -gt 0 ] || return 0
  if [ "${GRID_WAIT:-1}" = 0 ]; then
    echo "grid: submitted; squeue -j $(IFS=,; echo "${ids[*]}") shows them" >&2
    return 0
  fi
  local joined waited=0
  joined=$(IFS=,; echo "${ids[*]}")
  while [ -n "$(squeue -h -j "$joined" 2> /dev/null)" ]; do
    if [ -n "${GRID_TIMEOUT:-}" ] && [ "$waited" -ge "$GRID_TIMEOUT" ]; then
      echo "grid: still queued or running after ${GRID_TIMEOUT} s (GRID_TIMEOUT); cancelling:" >&2
      squeue -j "$joined" -o '%.18i %.9P %.20j %.8T %.10M %R' >&2 || true
      scancel "${ids[@]}" || true
      exit 1
    fi
    sleep 2
    waited=$((waited + 2))
  done
  for stage in "${STAGES[@]}"; do report "$stage" || exit 1; done
}

run_$RUNNER
echo "grid: all stages done" >&2
