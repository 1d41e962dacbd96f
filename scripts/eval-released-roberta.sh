#!/usr/bin/env bash
# Evaluates the paper's released RoBERTa-base prompts (task_prompt_emb/*PromptRoberta/
# task_prompt) with YOUR roberta-base folder, as the paper's code did: the 1.0 input
# layout (--template paper-1.0), the paper's label words, 128 text tokens. Writes
# out/released-roberta/eval.jsonl (one line per source prompt × target task) and
# compare.jsonl (ours beside the paper's released accuracy for the same pair).
#
# usage: scripts/eval-released-roberta.sh MODEL_DIR [TASK ...]
#   LIMIT=N  evaluate a seeded sample of N validation examples per task (default 200;
#            0 = all). roberta-base here: ~40 GFLOP per example, ~4 examples/s.
#   SPLIT=S  split (default validation). Needs `make data` first.
#
# The paper's words differ from this toolkit's verbalizers (RoBERTa's tokens without the
# leading space): sentiment negative/moderate/positive/conf, NLI yes/neutral/no,
# paraphrase false/true, ethics un/acceptable. For ethics the paper's code reads id 897
# (its comment says "un" = 879), so ethics numbers may not match the paper's.
set -euo pipefail
cd "$(dirname "$0")/.."
MODEL=${1:?usage: $0 MODEL_DIR [TASK ...]}; shift
REF=${PT_REFERENCE:-../shared/reference/prompt-transferability}
BIN=.build/release OUT=out/released-roberta LIMIT=${LIMIT:-200} SPLIT=${SPLIT:-validation}
declare -A PAPER=([sst2]=SST2 [imdb]=IMDB [laptop]=laptop [restaurant]=restaurant [movie_rationales]=movierationales
  [tweeteval_sentiment]=tweetevalsentiment [mnli]=MNLI [qnli]=QNLI [snli]=snli [qqp]=QQP [mrpc]=MRPC
  [ethics_deontology]=ethicsdeontology [ethics_justice]=ethicsjustice)
declare -A WORDS=([sst2]=negative,positive [imdb]=negative,positive [movie_rationales]=negative,positive
  [laptop]=negative,moderate,positive,conf [restaurant]=negative,moderate,positive,conf
  [tweeteval_sentiment]=negative,moderate,positive [mnli]=yes,neutral,no [snli]=yes,neutral,no [qnli]=yes,no
  [qqp]=false,true [mrpc]=false,true [ethics_deontology]=un,acceptable [ethics_justice]=un,acceptable)
ALL=$($BIN/prepare-data --list --paper | cut -f1 | tr '\n' ' ')   # the paper's 13, in its order
TASKS=${*:-$ALL}
mkdir -p $OUT
prompts=(); for t in $ALL; do prompts+=("$REF/task_prompt_emb/${PAPER[$t]}PromptRoberta/task_prompt"); done
: > $OUT/eval.jsonl
for target in $TASKS; do
  [ -n "${WORDS[$target]:-}" ] || { echo "no paper words for task $target" >&2; exit 64; }
  echo "== $target" >&2
  $BIN/eval-prompt --model "$MODEL" --task "$target" --split "$SPLIT" --template paper-1.0 \
    --verbalizer "${WORDS[$target]}" --max-text-tokens 128 ${LIMIT:+$([ "$LIMIT" != 0 ] && echo --eval-limit $LIMIT)} \
    "${prompts[@]}" | tee -a $OUT/eval.jsonl
done
# the paper's released accuracy for each pair, by the same names
: > $OUT/compare.jsonl
while read -r line; do
  src=$(jq -r .source <<<"$line"); tgt=$(jq -r .target <<<"$line")
  f=$REF/result/${PAPER[$tgt]}PromptRoberta/result_${src}.json
  paper=$([ -f "$f" ] && jq -r 'fromjson | .acc' "$f" || echo null)
  jq -c --argjson p "$paper" '{source, target, accuracy, paper_accuracy: $p, n}' <<<"$line" >> $OUT/compare.jsonl
done < $OUT/eval.jsonl
echo "wrote $OUT/eval.jsonl and $OUT/compare.jsonl" >&2
