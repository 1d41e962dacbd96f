#!/usr/bin/env bash
# `make install` / `make uninstall`: the tools (Sources/Tools/*) into PREFIX/bin, a man page for
# each (generated from its --help by swift-argument-parser's generate-manual), bash, zsh and fish
# completions, and the data manifests into PREFIX/share/prompt-transfer, where an installed tool
# finds them; paths.json there records this tree's data folders (prepared data, mirror).
# Usage: scripts/install.sh install|uninstall   (PREFIX, default /usr/local; DESTDIR staging)
set -euo pipefail
cd "$(dirname "$0")/.."
action=${1:?install or uninstall}
PREFIX=${PREFIX:-/usr/local}
root=${DESTDIR:-}$PREFIX
BIN=${BIN:-.build/release}
tools=$(ls Sources/Tools)
share=$root/share/prompt-transfer
man=$root/share/man/man1
bash_dir=$root/share/bash-completion/completions
zsh_dir=$root/share/zsh/site-functions
fish_dir=$root/share/fish/vendor_completions.d
if [ "$action" = uninstall ]; then
  for t in $tools; do
    rm -f "$root/bin/$t" "$man/$t.1" "$bash_dir/$t" "$zsh_dir/_$t" "$fish_dir/$t.fish"
  done
  rm -rf "$share"
  echo "removed the tools from $root" >&2
  exit 0
fi
[ "$action" = install ] || { echo "usage: $0 install|uninstall" >&2; exit 64; }
[ -x "$BIN/generate-manual" ] || swift build -c release --product generate-manual >&2
date=$(git log -1 --format=%cs 2>/dev/null || date +%F)   # the commit's date: the same pages twice
mkdir -p "$root/bin" "$man" "$bash_dir" "$zsh_dir" "$fish_dir" "$share/data-manifests"
for t in $tools; do
  install -m 755 "$BIN/$t" "$root/bin/$t"
  "$BIN/generate-manual" "$BIN/$t" --date "$date" --output-directory "$man" >&2
  "$BIN/$t" --generate-completion-script bash > "$bash_dir/$t"
  "$BIN/$t" --generate-completion-script zsh > "$zsh_dir/_$t"
  "$BIN/$t" --generate-completion-script fish > "$fish_dir/$t.fish"
done
install -m 644 data-manifests/*.json "$share/data-manifests/"
jq -n --arg data "$PWD/data" --arg mirror "$(cd .. && pwd)/shared/data" \
  '{data_dir: $data, mirror: $mirror}' > "$share/paths.json"
echo "installed $(echo $tools | wc -w) tools, their man pages and completions into $root" >&2
