#!/usr/bin/env bash
# Evaluates the paper's released prompts of one family with YOUR checkpoint of that family, as
# the paper's code did, on every target task: roberta — task_prompt_emb/*PromptRoberta/task_prompt
# on a roberta-base, the 1.0 input layout (--template paper-1.0); t5 — *PromptT5 (100 vectors of
# 768) on a t5-base, its T5 layout (--template paper-1.0-t5: `P a` for one text,
# `P a <extra_id_0> b </s>` for two), the label read from the first decoder step's logits at the
# first token of each word. Both: the paper's label words, 128 text tokens. Writes OUT/eval.jsonl
# (one line per source prompt × target task) and OUT/compare.jsonl (ours beside the paper's
# released accuracy for the same pair).
#
# usage: scripts/eval-released.sh roberta|t5 MODEL_DIR [TASK ...]
#   LIMIT=N  a seeded sample of N validation examples per task (default 200; 0 = all); roberta-base
#            here: ~40 GFLOP per example, ~4 examples/s
#   SPLIT=S  evaluate on S instead of validation
#   OUT=DIR  output folder (default out/released-FAMILY)
#
# The paper's words differ by family. RoBERTa (tokens without the leading space): sentiment
# negative/moderate/positive/conf, NLI yes/neutral/no, paraphrase false/true, ethics
# un/acceptable — for ethics the paper's code reads id 897 (its comment says "un" = 879), so
# ethics numbers may not match the paper's. T5: sentiment negative/moderate/positive/conflict,
# NLI entailment/neutral/contradiction (its code reads entailment's first token, "▁"),
# paraphrase false/true, ethics unacceptable/acceptable. On a checkpoint that is not the
# family's base model (e.g. `make t5-random`, random weights) a run checks the machinery only.
set -euo pipefail
cd "$(dirname "$0")/.."
FAMILY=${1:?usage: $0 roberta|t5 MODEL_DIR [TASK ...]}
MODEL=${2:?usage: $0 roberta|t5 MODEL_DIR [TASK ...]}
shift 2
REF=${PT_REFERENCE:-../shared/reference/prompt-transferability}
BIN=${BIN:-.build/release} OUT=${OUT:-out/released-$FAMILY} LIMIT=${LIMIT:-200} SPLIT=${SPLIT:-validation}
declare -A PAPER=([sst2]=SST2 [imdb]=IMDB [laptop]=laptop [restaurant]=restaurant [movie_rationales]=movierationales
  [tweeteval_sentiment]=tweetevalsentiment [mnli]=MNLI [qnli]=QNLI [snli]=snli [qqp]=QQP [mrpc]=MRPC
  [ethics_deontology]=ethicsdeontology [ethics_justice]=ethicsjustice)
case $FAMILY in
  roberta)
    suffix=PromptRoberta template=paper-1.0
    declare -A WORDS=([sst2]=negative,positive [imdb]=negative,positive [movie_rationales]=negative,positive
      [laptop]=negative,moderate,positive,conf [restaurant]=negative,moderate,positive,conf
      [tweeteval_sentiment]=negative,moderate,positive [mnli]=yes,neutral,no [snli]=yes,neutral,no
      [qnli]=yes,no [qqp]=false,true [mrpc]=false,true [ethics_deontology]=un,acceptable
      [ethics_justice]=un,acceptable) ;;
  t5)
    suffix=PromptT5 template=paper-1.0-t5
    declare -A WORDS=([sst2]=negative,positive [imdb]=negative,positive [movie_rationales]=negative,positive
      [laptop]=negative,moderate,positive,conflict [restaurant]=negative,moderate,positive,conflict
      [tweeteval_sentiment]=negative,moderate,positive [mnli]=entailment,neutral,contradiction
      [snli]=entailment,neutral,contradiction [qnli]=entailment,contradiction [qqp]=false,true [mrpc]=false,true
      [ethics_deontology]=unacceptable,acceptable [ethics_justice]=unacceptable,acceptable) ;;
  *) echo "usage: $0 roberta|t5 MODEL_DIR [TASK ...] (family '$FAMILY' has no released prompts)" >&2; exit 64 ;;
esac
ALL=$($BIN/prepare-data --list --paper | cut -f1 | tr '\n' ' ')   # the paper's 13, in its order
TASKS=${*:-$ALL}
mkdir -p "$OUT"
prompts=(); for t in $ALL; do prompts+=("$REF/task_prompt_emb/${PAPER[$t]}$suffix/task_prompt"); done
limit=()
[ "$LIMIT" != 0 ] && limit=(--eval-limit "$LIMIT")
: > "$OUT/eval.jsonl.tmp"
for target in $TASKS; do
  [ -n "${WORDS[$target]:-}" ] || { echo "no paper words for task $target" >&2; exit 64; }
  echo "== $target" >&2
  $BIN/eval-prompt --model "$MODEL" --task "$target" --split "$SPLIT" --template $template \
    --verbalizer "${WORDS[$target]}" --max-text-tokens 128 "${limit[@]}" "${prompts[@]}" | tee -a "$OUT/eval.jsonl.tmp"
done
mv "$OUT/eval.jsonl.tmp" "$OUT/eval.jsonl"
# the paper's released accuracy for each pair, by the same names
: > "$OUT/compare.jsonl.tmp"
while read -r line; do
  src=$(jq -r .source <<<"$line"); tgt=$(jq -r .target <<<"$line")
  f=$REF/result/${PAPER[$tgt]}$suffix/result_${src}.json
  paper=$([ -f "$f" ] && jq -r 'fromjson | .acc' "$f" || echo null)
  jq -c --argjson p "$paper" '{source, target, accuracy, paper_accuracy: $p, n}' <<<"$line" >> "$OUT/compare.jsonl.tmp"
done < "$OUT/eval.jsonl"
mv "$OUT/compare.jsonl.tmp" "$OUT/compare.jsonl"
echo "wrote $OUT/eval.jsonl and $OUT/compare.jsonl" >&2
