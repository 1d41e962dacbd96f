#!/usr/bin/env bash
# `make cross-model`: prompts tuned on SPLADE-tiny (hidden 128) carried to MiniLM-L6 (hidden
# 384) by a projector trained on OTHER tasks than the ones evaluated, with both objectives
# (task loss through MiniLM; distance to MiniLM's own prompts), against a random prompt and
# a prompt tuned directly on MiniLM; plus the cost side and the projected prompts'
# similarity to the direct ones.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=${BIN:-.build/release}
SRC=splade-tiny; TGT=minilm
TRAIN_TASKS=${TRAIN_TASKS:-"sst2 imdb restaurant mnli qnli qqp ethics_deontology ethics_justice"}
EVAL_TASKS=${EVAL_TASKS:-"laptop movie_rationales rotten_tomatoes tweeteval_sentiment snli mrpc"}
OUT=out/cross-model
DIRECT=out/cross-task/$TGT/prompts       # MiniLM prompts of `make cross-task` (600 steps each)
mkdir -p $OUT/source $OUT/direct $OUT/logs $OUT/projected-task $OUT/projected-distance
# 1. source prompts on SPLADE-tiny, every task
for t in $TRAIN_TASKS $EVAL_TASKS; do
  [ -f $OUT/source/$t.safetensors ] && continue
  $BIN/tune-prompt --model models/$SRC --task $t --preset $SRC \
    --steps 1500 --max-text-tokens 64 --eval-every 500 --eval-limit 500 --seed 0 \
    --output $OUT/source/$t.safetensors > $OUT/logs/source.$t.jsonl
done
# 2. direct MiniLM prompts (from make cross-task; tuned here where that run has none)
for t in $TRAIN_TASKS $EVAL_TASKS; do
  [ -f $OUT/direct/$t.safetensors ] && continue
  if [ -f $DIRECT/$t.safetensors ]; then
    cp $DIRECT/$t.safetensors $OUT/direct/; cp out/cross-task/$TGT/logs/$t.jsonl $OUT/logs/direct.$t.jsonl
  else
    $BIN/tune-prompt --model models/$TGT --task $t --preset $TGT \
      --steps 600 --max-text-tokens 64 --eval-every 200 --eval-limit 500 --seed 0 \
      --output $OUT/direct/$t.safetensors > $OUT/logs/direct.$t.jsonl
  fi
done
# 3. projectors, trained on TRAIN_TASKS only
src_train=$(for t in $TRAIN_TASKS; do echo $OUT/source/$t.safetensors; done)
tgt_train=$(for t in $TRAIN_TASKS; do echo $OUT/direct/$t.safetensors; done)
# (a finished projector is kept: project train refuses to overwrite it without --force)
[ -f $OUT/projector-distance.safetensors ] || $BIN/project train --source-model models/$SRC \
  --target-model models/$TGT --objective distance \
  --tasks $(echo $TRAIN_TASKS | tr ' ' ,) --source-prompts $src_train --target-prompts $tgt_train \
  --steps 1000 --lr 1e-4 --output $OUT/projector-distance.safetensors > $OUT/logs/projector-distance.jsonl
[ -f $OUT/projector-task.safetensors ] || $BIN/project train --source-model models/$SRC \
  --target-model models/$TGT --objective task \
  --tasks $(echo $TRAIN_TASKS | tr ' ' ,) --source-prompts $src_train --target-readout tied \
  --steps 800 --lr 1e-4 --batch-size 16 --output $OUT/projector-task.safetensors > $OUT/logs/projector-task.jsonl
# 4. apply to the unseen tasks' source prompts; a random MiniLM prompt as the floor
src_eval=$(for t in $EVAL_TASKS; do echo $OUT/source/$t.safetensors; done)
for o in task distance; do
  $BIN/project apply --projector $OUT/projector-$o.safetensors --output-dir $OUT/projected-$o $src_eval > /dev/null
done
$BIN/tune-prompt --model models/$TGT --task sst2 --preset $TGT --steps 0 --init random --eval-every 0 \
  --seed 0 --force --output $OUT/random.safetensors > /dev/null
# 5. accuracy on each unseen task's validation split (seeded sample of 500)
: > $OUT/results.jsonl
for t in $EVAL_TASKS; do
  prompt_name='.prompt | sub(".*/cross-model/"; "") | sub("/.*"; "") | sub(".safetensors"; "")'
  $BIN/eval-prompt --model models/$TGT --task $t --eval-limit 500 --max-text-tokens 64 $OUT/random.safetensors \
    $OUT/projected-task/$t.safetensors $OUT/projected-distance/$t.safetensors $OUT/direct/$t.safetensors \
    | jq -c --arg t $t '{task: $t, prompt: ('"$prompt_name"'), accuracy, n}' >> $OUT/results.jsonl
  # similarity of each projected prompt to the directly tuned one
  for o in task distance; do
    pair='select(.source != .target and .source == "projected-\($o)")'
    fields='{task: $t, projector: $o, cosine_token, cosine_concat, euclidean_token}'
    $BIN/score-similarity --name projected-$o --name direct $OUT/projected-$o/$t.safetensors \
      $OUT/direct/$t.safetensors | jq -c --arg t $t --arg o $o "$pair | $fields" >> $OUT/similarity.jsonl.tmp
  done
done
mv $OUT/similarity.jsonl.tmp $OUT/similarity.jsonl
# 6. cost: seconds to tune on SPLADE-tiny (+ projector apply, < 1 s) vs directly on MiniLM
for t in $EVAL_TASKS; do
  jq -c --arg t $t 'select(.event=="done") | {task: $t, source_seconds: .seconds}' $OUT/logs/source.$t.jsonl
  jq -c --arg t $t 'select(.event=="done") | {task: $t, direct_seconds: .seconds}' $OUT/logs/direct.$t.jsonl
done > $OUT/cost.jsonl
for o in task distance; do
  jq -c --arg o $o 'select(.event=="done") | {projector: $o, train_seconds: .seconds}' $OUT/logs/projector-$o.jsonl
done >> $OUT/cost.jsonl
cat $OUT/results.jsonl $OUT/similarity.jsonl $OUT/cost.jsonl
