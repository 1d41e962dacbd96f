#!/usr/bin/env bash
# Runs every README block marked `<!-- runnable: … -->` verbatim, as a new user would after
# `make demo`, in a scratch folder that sees the repository's .build, models, data and
# data-manifests and its own out/ (so nothing is written into the repository):
#   scripts/readme-examples.sh SCRATCH_FOLDER [OUT_WITH_DEMO]
# OUT_WITH_DEMO: an out/ folder holding demo/ (default: the repository's out/).
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCRATCH=${1:?usage: scripts/readme-examples.sh SCRATCH_FOLDER [OUT_WITH_DEMO]}
OUT_WITH_DEMO=${2:-$ROOT/out}
[ -d "$OUT_WITH_DEMO/demo" ] || { echo "readme-examples: $OUT_WITH_DEMO/demo missing: run make demo" >&2; exit 64; }
mkdir -p "$SCRATCH"
cd "$SCRATCH"
for link in .build models data data-manifests; do ln -sfn "$ROOT/$link" "$link"; done
ln -sfn "$OUT_WITH_DEMO" out
awk '/<!-- runnable:/ {armed = 1; next} armed && /^```sh/ {inside = 1; next} inside && /^```/ {inside = 0; armed = 0;
     print "# --- end of block"; next} inside {print}' "$ROOT/README.md" > blocks.sh
[ -s blocks.sh ] || { echo "readme-examples: no runnable block in README.md" >&2; exit 1; }
echo "readme-examples: running $(grep -c '^# --- end of block' blocks.sh) block(s)" >&2
bash -euo pipefail blocks.sh
