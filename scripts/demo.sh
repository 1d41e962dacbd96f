#!/usr/bin/env bash
# The main job, for now: tokenize and embed SST-2 dev with MiniLM-L6 through the toolkit's
# own tools, then print a short summary (sizes, speed, and how well the mean-pooled
# embeddings separate the two classes: leave-one-out nearest-centroid accuracy).
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.build/release
MIRROR=${PT_DATA_MIRROR:-../shared/data}
MODEL=${MODEL:-models/minilm}
mkdir -p out
python3 - "$MIRROR/sst2/dev.tsv" > out/sst2-dev.jsonl <<'PY'
import json, sys
rows = open(sys.argv[1], encoding="utf-8").read().splitlines()[1:]
for i, r in enumerate(rows):
    text, label = r.split("\t")
    print(json.dumps({"id": f"sst2-dev-{i}", "text_a": text, "label": int(label)}))
PY
start=$(date +%s.%N)
$BIN/tokenize --model "$MODEL" out/sst2-dev.jsonl > out/sst2-dev.tok.jsonl
mid=$(date +%s.%N)
$BIN/embed --model "$MODEL" --normalize out/sst2-dev.tok.jsonl > out/sst2-dev.emb.jsonl
end=$(date +%s.%N)
python3 - out/sst2-dev.emb.jsonl "$start" "$mid" "$end" "$MODEL" <<'PY'
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
t0, t1, t2 = map(float, sys.argv[2:5])
dim = len(recs[0]["embedding"])
tokens = sum(len(r["input_ids"]) for r in recs)
sums = {0: [0.0] * dim, 1: [0.0] * dim}
counts = {0: 0, 1: 0}
for r in recs:
    counts[r["label"]] += 1
    s = sums[r["label"]]
    for i, v in enumerate(r["embedding"]):
        s[i] += v
correct = 0
for r in recs:
    e, y = r["embedding"], r["label"]
    score = {}
    for c in (0, 1):
        n = counts[c] - (c == y)
        centroid = [(sums[c][i] - (e[i] if c == y else 0)) / n for i in range(dim)]
        score[c] = sum(a * b for a, b in zip(e, centroid)) / (sum(b * b for b in centroid) ** 0.5)
    correct += (max(score, key=score.get) == y)
print(f"model                {sys.argv[5]}")
print(f"sentences            {len(recs)} (SST-2 dev), {tokens} tokens, {tokens / len(recs):.1f} per sentence")
print(f"tokenize             {t1 - t0:.2f} s")
print(f"embed                {t2 - t1:.2f} s  ({len(recs) / (t2 - t1):.0f} sentences/s, dim {dim})")
print(f"nearest-centroid acc {100 * correct / len(recs):.1f} % (leave-one-out, cosine, mean-pooled embeddings)")
print("outputs              out/sst2-dev.tok.jsonl, out/sst2-dev.emb.jsonl")
PY
