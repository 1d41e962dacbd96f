#!/usr/bin/env bash
# `make fuzz`: libFuzzer on every reader of downloadable files (Sources/Fuzz), built with
# -sanitize=fuzzer,address into .build-fuzz. Each harness runs FUZZ_SECONDS (default 120)
# from a seed corpus of the test fixtures; the corpus grows under out/fuzz/HARNESS/, and any
# crasher is copied to Tests/PromptTransferTests/Fixtures/fuzz/HARNESS/, where the tests
# replay it from then on. One JSON line per harness: executions, coverage, crashers.
#   FUZZ_SECONDS=600 scripts/fuzz.sh pickle npy     # some harnesses, ten minutes each
set -euo pipefail
cd "$(dirname "$0")/.."
SECONDS_EACH=${FUZZ_SECONDS:-120}
HARNESSES=${*:-pickle torch npy safetensors jsonl tokenizer semeval}
FIX=Tests/PromptTransferTests/Fixtures
MIRROR=${PT_DATA_MIRROR:-../shared/data}
swift build -c release --product fuzz-readers -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING \
  -Xswiftc -use-ld=lld --scratch-path .build-fuzz >&2
BIN=.build-fuzz/release/fuzz-readers
mkdir -p out/fuzz

seed() {   # seed corpus of one harness, from the committed fixtures
  local dir=out/fuzz/$1/seed
  rm -rf "$dir"; mkdir -p "$dir"
  case $1 in
    pickle)
      for f in $FIX/prompts/*.pt $FIX/corrupt/pt_*.pt; do
        python3 -c 'import sys, zipfile
try:
    z = zipfile.ZipFile(sys.argv[1])
    n = [m for m in z.namelist() if m.endswith("data.pkl")]
    n and sys.stdout.buffer.write(z.read(n[0]))
except zipfile.BadZipFile:
    pass' "$f" > "$dir/$(basename "$f").pkl"
      done ;;
    torch) cp $FIX/prompts/*.pt $FIX/corrupt/pt_*.pt "$dir/" ;;
    npy) cp $FIX/prompts/*.npy $FIX/corrupt/*.npy "$dir/" ;;
    safetensors) cp $FIX/corrupt/*.safetensors $FIX/prompts/peft_adapter/adapter_model.safetensors "$dir/" ;;
    jsonl)
      cp $FIX/corrupt/*.jsonl "$dir/"
      printf '%s\n' '{"id":"a","text_a":"fine","text_b":null,"label":1}' \
        '{"input_ids":[101,2023,102],"x":[1.5e3,-0,true]}' > "$dir/good.jsonl" ;;
    tokenizer)
      cp $FIX/roberta-tiny/tokenizer.json "$dir/roberta-tiny.json"
      for t in $FIX/corrupt/tok_*/tokenizer.json; do cp "$t" "$dir/$(basename "$(dirname "$t")").json"; done ;;
    semeval) head -c 3000 "$MIRROR/semeval14/Laptops_Test_Gold.xml" | sed -n '1,/<\/sentence>/p' > "$dir/part.xml"
      echo '</sentences>' >> "$dir/part.xml"
      term='<aspectTerm term="x" polarity="neutral" from="0" to="1"/>'
      printf '<sentences><sentence id="1"><text>ok</text><aspectTerms>%s</aspectTerms></sentence></sentences>' \
        "$term" > "$dir/tiny.xml" ;;
  esac
}

for h in $HARNESSES; do
  seed "$h"
  corpus=out/fuzz/$h/corpus
  crashes=out/fuzz/$h/crashes
  mkdir -p "$corpus" "$crashes"
  log=out/fuzz/$h/log.txt
  echo "fuzzing $h for ${SECONDS_EACH}s ..." >&2
  set +e
  FUZZ_TARGET=$h $BIN "$corpus" "out/fuzz/$h/seed" -max_total_time="$SECONDS_EACH" -rss_limit_mb=4096 \
    -timeout=20 -max_len=65536 -print_final_stats=1 -artifact_prefix="$crashes/" > "$log" 2>&1
  status=$?
  set -e
  found=$(find "$crashes" -type f | wc -l)
  if [ "$found" -gt 0 ]; then
    mkdir -p $FIX/fuzz/$h
    cp "$crashes"/* $FIX/fuzz/$h/
  fi
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' || echo 0)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  features=$(grep -o 'ft: [0-9]*' "$log" | tail -1 | grep -o '[0-9]*' || echo 0)
  units=$(find "$corpus" -type f | wc -l)
  jq -n -c --arg h "$h" --argjson s "$SECONDS_EACH" --argjson e "${execs:-0}" --argjson c "${cov:-0}" \
    --argjson f "${features:-0}" --argjson u "$units" --argjson x "$found" --argjson status "$status" \
    '{harness: $h, seconds: $s, executions: $e, coverage_edges: $c, features: $f, corpus: $u, crashers: $x,
      exit: $status}' | tee -a out/fuzz/results.jsonl
done
