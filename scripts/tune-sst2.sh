#!/usr/bin/env bash
# The SST-2 prompts of the README: one per model, with the settings stated there.
#   scripts/tune-sst2.sh minilm|splade-tiny
set -euo pipefail
cd "$(dirname "$0")/.."
model=${1:?usage: scripts/tune-sst2.sh minilm|splade-tiny}
mkdir -p out/prompts out/logs
case $model in
  minilm)      args=(--preset minilm --steps 3000 --eval-every 250) ;;
  splade-tiny) args=(--preset splade-tiny --steps 40000 --eval-every 2000) ;;
  *) echo "unknown model $model" >&2; exit 64 ;;
esac
/usr/bin/time -f "%e s wall" .build/release/tune-prompt --model models/$model --task sst2 "${args[@]}" \
  --seed 0 --force --output out/prompts/sst2.$model.safetensors > out/logs/sst2.$model.jsonl
jq -c 'select(.event=="done")' out/logs/sst2.$model.jsonl 2>/dev/null || tail -1 out/logs/sst2.$model.jsonl
