#!/usr/bin/env bash
# `make paper-indicators`: the paper's released prompts and zero-shot transfer results,
# analysed with the toolkit's own tools. For RoBERTa-base and T5-base: the four embedding
# similarity metrics of every pair of the 13 task prompts (score-similarity), the transfer
# accuracies as JSON lines (a jq converter of the result files), and the Spearman
# correlation of each metric with relative transfer performance (heatmap-csv --spearman);
# plus the RoBERTa-base transfer heatmap (CSV + SVG) and, for both models, relative transfer within
# and across the tasks' categories (heatmap-csv --categories). Variables: OUT (out/paper), BIN,
# PT_REFERENCE (the released prompts and results). ReadmeTests checks the README's table against it.
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${PT_REFERENCE:-../shared/reference/prompt-transferability}
BIN=${BIN:-.build/release}
OUT=${OUT:-out/paper}
# the released prompts' folder names of the paper's 13 tasks, in its order
TASKS="IMDB SST2 laptop restaurant movierationales tweetevalsentiment MNLI QNLI snli ethicsdeontology ethicsjustice"
TASKS+=" QQP MRPC"
mkdir -p $OUT
for model in Roberta T5; do
  : > $OUT/results.$model.jsonl
  for t in $TASKS; do echo "${t}Prompt$model"; done > $OUT/order.$model.txt
  for target in $TASKS; do
    for source in $TASKS; do
      f=$REF/result/${target}Prompt$model/result_${source}Prompt$model.json
      [ -f "$f" ] || { echo "missing $f" >&2; exit 65; }
      # each file is a JSON string that holds a JSON object: {"acc": …}
      jq -c --arg s "${source}Prompt$model" --arg t "${target}Prompt$model" \
        'fromjson | {source: $s, target: $t, accuracy: .acc}' "$f" >> $OUT/results.$model.jsonl
    done
  done
  for t in $TASKS; do echo "$REF/task_prompt_emb/${t}Prompt$model/task_prompt"; done \
    | $BIN/score-similarity > $OUT/similarity.$model.jsonl
  for metric in euclidean_concat euclidean_token cosine_concat cosine_token; do
    cat $OUT/results.$model.jsonl $OUT/similarity.$model.jsonl \
      | $BIN/heatmap-csv --relative --spearman $metric,accuracy \
      | jq -c --arg m $model '{model: $m} + .'
  done
done | tee $OUT/spearman.jsonl
$BIN/heatmap-csv --relative --order $OUT/order.Roberta.txt --svg $OUT/transfer.Roberta.svg \
  --title "RoBERTa-base zero-shot transfer, relative to the target's own prompt (row: source, column: target)" \
  $OUT/results.Roberta.jsonl > $OUT/transfer.Roberta.csv
# relative transfer within and across the tasks' categories, under the toolkit's task names (the
# paper's own numbers beside a cross-task grid's categories.jsonl)
names='def task: sub("Prompt(Roberta|T5)$"; "") | ascii_downcase
  | {movierationales: "movie_rationales", tweetevalsentiment: "tweeteval_sentiment",
     ethicsdeontology: "ethics_deontology", ethicsjustice: "ethics_justice"}[.] // .;
  .source |= task | .target |= task'
for model in Roberta T5; do
  jq -c "$names" $OUT/results.$model.jsonl | $BIN/heatmap-csv --relative --categories \
    | jq -c --arg m $model '{model: $m} + .' > $OUT/categories.$model.jsonl
done
echo "wrote $OUT/spearman.jsonl, $OUT/transfer.Roberta.csv, $OUT/transfer.Roberta.svg," \
  "$OUT/categories.{Roberta,T5}.jsonl" >&2
