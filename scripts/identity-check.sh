#!/usr/bin/env bash
# Byte-identity check for refactors: runs every tool on small fixed-seed jobs (SST-2 and
# rotten_tomatoes, MiniLM, SPLADE-tiny and MPNet, the paper's released prompts) and prints one
# sha256 per output, with timing fields removed from JSON lines (seconds, steps/s). Run it with
# the binaries before and after a change and diff the two listings:
#   BIN=/tmp/before scripts/identity-check.sh /tmp/id > before.sha
#   scripts/identity-check.sh /tmp/id > after.sha && diff before.sha after.sha
# Use the same OUTPUT_FOLDER both times: paths are recorded in the outputs.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
OUT=${1:?usage: scripts/identity-check.sh OUTPUT_FOLDER}
REF=${PT_REFERENCE:-../shared/reference/prompt-transferability}
MIRROR=${PT_DATA_MIRROR:-../shared/data}
if [ -z "${HASH_ONLY:-}" ]; then   # HASH_ONLY=1: only hash an existing folder
rm -rf "$OUT"
mkdir -p "$OUT"
. scripts/common.sh
prepare_splits sst2 train validation
prepare_splits rotten_tomatoes train validation test
$BIN/prepare-data sst2 --split validation --mirror "$MIRROR" --output "$OUT/prepared.jsonl"
head -200 data/sst2/validation.jsonl > "$OUT/texts.jsonl"
$BIN/tokenize --model models/minilm "$OUT/texts.jsonl" > "$OUT/tokens.minilm.jsonl"
$BIN/tokenize --model models/mpnet-base "$OUT/texts.jsonl" > "$OUT/tokens.mpnet.jsonl"
$BIN/embed --model models/minilm --pool mean "$OUT/texts.jsonl" --output "$OUT/embed.minilm.safetensors"
head -20 "$OUT/texts.jsonl" | $BIN/embed --model models/mpnet-base --pool mean --output "$OUT/embed.mpnet.safetensors"
common=(--prompt-length 20 --batch-size 16 --max-text-tokens 64 --seed 0 --eval-limit 200)
$BIN/tune-prompt --model models/minilm --task sst2 --readout tied --lr 0.01 --steps 60 --eval-every 30 \
  "${common[@]}" --output "$OUT/sst2.minilm.safetensors" > "$OUT/tune.minilm.jsonl"
$BIN/tune-prompt --model models/minilm --task rotten_tomatoes --readout tied --lr 0.01 --steps 30 --eval-every 30 \
  "${common[@]}" --init "from:$OUT/sst2.minilm.safetensors" --output "$OUT/rt.minilm.safetensors" > "$OUT/tune.rt.jsonl"
$BIN/tune-prompt --model models/splade-tiny --task sst2 --readout mlm --lr 0.03 --steps 60 --eval-every 30 \
  "${common[@]}" --output "$OUT/sst2.splade.safetensors" > "$OUT/tune.splade.jsonl"
$BIN/tune-prompt --model models/mpnet-base --task sst2 --readout tied --lr 0.01 --steps 4 --eval-every 4 \
  --prompt-length 20 --batch-size 4 --max-text-tokens 32 --seed 0 --eval-limit 16 \
  --output "$OUT/sst2.mpnet.safetensors" > "$OUT/tune.mpnet.jsonl"
$BIN/eval-prompt --model models/minilm --task rotten_tomatoes --split validation --eval-limit 200 \
  "$OUT/sst2.minilm.safetensors" "$OUT/rt.minilm.safetensors" > "$OUT/cross-task-row.jsonl"
tasks="IMDB SST2 laptop MNLI QQP"
for t in $tasks; do echo "$REF/task_prompt_emb/${t}PromptRoberta/task_prompt"; done \
  | $BIN/score-similarity > "$OUT/similarity.released.jsonl"
$BIN/score-similarity --model models/minilm "$OUT/sst2.minilm.safetensors" "$OUT/rt.minilm.safetensors" \
  > "$OUT/similarity.on.jsonl"
$BIN/heatmap-csv --relative --svg "$OUT/heatmap.svg" "$OUT/cross-task-row.jsonl" > "$OUT/heatmap.csv" || true
$BIN/project train --source-model models/splade-tiny --target-model models/minilm --objective distance --tasks sst2 \
  --source-prompts "$OUT/sst2.splade.safetensors" --target-prompts "$OUT/sst2.minilm.safetensors" --steps 50 \
  --hidden 64 --output "$OUT/projector-distance.safetensors" > "$OUT/project.distance.jsonl"
$BIN/project train --source-model models/splade-tiny --target-model models/minilm --objective task --tasks sst2 \
  --source-prompts "$OUT/sst2.splade.safetensors" --target-readout tied --steps 10 --hidden 64 \
  --output "$OUT/projector-task.safetensors" > "$OUT/project.task.jsonl"
$BIN/project apply --projector "$OUT/projector-task.safetensors" --output-dir "$OUT/projected" \
  "$OUT/sst2.splade.safetensors" > "$OUT/project.apply.jsonl"
$BIN/rank-sources --model models/minilm --task rotten_tomatoes --selection-size 200 \
  --reference "$OUT/rt.minilm.safetensors" --name tuned --name projected "$OUT/sst2.minilm.safetensors" \
  "$OUT/projected/sst2.safetensors" > "$OUT/rank.jsonl"
fi
cd "$OUT"
for f in $(find . -type f | sort); do
  case $f in
    *.jsonl) printf '%s  %s\n' "$(jq -c 'del(.seconds, .training_seconds, .examples_per_s)' "$f" \
      | sha256sum | cut -c1-64)" "$f" ;;
    *) sha256sum "$f" ;;
  esac
done
