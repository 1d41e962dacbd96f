#!/usr/bin/env bash
# Evaluates the paper's released T5-base prompts (task_prompt_emb/*PromptT5/task_prompt, 100
# vectors of 768) with YOUR t5-base folder, as the paper's code did: its T5 input layout
# (--template paper-1.0-t5: `P a` for one text, `P a <extra_id_0> b </s>` for two), the label
# read from the first decoder step's logits at the first token of each of the paper's words,
# 128 text tokens. Writes out/released-t5/eval.jsonl (one line per source prompt × target task)
# and compare.jsonl (ours beside the paper's released accuracy for the same pair).
#
# usage: scripts/eval-released-t5.sh MODEL_DIR [TASK ...]
#   LIMIT=N  a seeded sample of N validation examples per task (default 200; 0 = all)
#   SPLIT=S  split (default validation). Needs `make data` first.
#   OUT=DIR  output folder (default out/released-t5)
#
# The paper's T5 words: sentiment negative/moderate/positive/conflict, NLI entailment/neutral/
# contradiction (its code reads entailment's first token, "▁"), paraphrase false/true, ethics
# unacceptable/acceptable. On a checkpoint that is not t5-base (e.g. `make t5-random`, random
# weights) the run checks the machinery only: its accuracies mean nothing.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:?usage: $0 MODEL_DIR [TASK ...]}; shift
REF=${PT_REFERENCE:-../shared/reference/prompt-transferability}
BIN=${BIN:-.build/release} OUT=${OUT:-out/released-t5} LIMIT=${LIMIT:-200} SPLIT=${SPLIT:-validation}
declare -A PAPER=([sst2]=SST2 [imdb]=IMDB [laptop]=laptop [restaurant]=restaurant [movie_rationales]=movierationales
  [tweeteval_sentiment]=tweetevalsentiment [mnli]=MNLI [qnli]=QNLI [snli]=snli [qqp]=QQP [mrpc]=MRPC
  [ethics_deontology]=ethicsdeontology [ethics_justice]=ethicsjustice)
declare -A WORDS=([sst2]=negative,positive [imdb]=negative,positive [movie_rationales]=negative,positive
  [laptop]=negative,moderate,positive,conflict [restaurant]=negative,moderate,positive,conflict
  [tweeteval_sentiment]=negative,moderate,positive [mnli]=entailment,neutral,contradiction
  [snli]=entailment,neutral,contradiction [qnli]=entailment,contradiction [qqp]=false,true [mrpc]=false,true
  [ethics_deontology]=unacceptable,acceptable [ethics_justice]=unacceptable,acceptable)
ALL=$($BIN/prepare-data --list --paper | cut -f1 | tr '\n' ' ')   # the paper's 13, in its order
TASKS=${*:-$ALL}
mkdir -p "$OUT"
prompts=(); for t in $ALL; do prompts+=("$REF/task_prompt_emb/${PAPER[$t]}PromptT5/task_prompt"); done
: > "$OUT/eval.jsonl.tmp"
for target in $TASKS; do
  [ -n "${WORDS[$target]:-}" ] || { echo "no paper words for task $target" >&2; exit 64; }
  echo "== $target" >&2
  $BIN/eval-prompt --model "$MODEL" --task "$target" --split "$SPLIT" --template paper-1.0-t5 \
    --verbalizer "${WORDS[$target]}" --max-text-tokens 128 ${LIMIT:+$([ "$LIMIT" != 0 ] && echo --eval-limit $LIMIT)} \
    "${prompts[@]}" | tee -a "$OUT/eval.jsonl.tmp"
done
mv "$OUT/eval.jsonl.tmp" "$OUT/eval.jsonl"
# the paper's released accuracy for each pair, by the same names
: > "$OUT/compare.jsonl.tmp"
while read -r line; do
  src=$(jq -r .source <<<"$line"); tgt=$(jq -r .target <<<"$line")
  f=$REF/result/${PAPER[$tgt]}PromptT5/result_${src}.json
  paper=$([ -f "$f" ] && jq -r 'fromjson | .acc' "$f" || echo null)
  jq -c --argjson p "$paper" '{source, target, accuracy, paper_accuracy: $p, n}' <<<"$line" >> "$OUT/compare.jsonl.tmp"
done < "$OUT/eval.jsonl"
mv "$OUT/compare.jsonl.tmp" "$OUT/compare.jsonl"
echo "wrote $OUT/eval.jsonl and $OUT/compare.jsonl" >&2
