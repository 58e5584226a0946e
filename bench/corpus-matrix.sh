#!/usr/bin/env bash
# The full corpus score of the committed dissector under each Wireshark of the matrix, each run as an unprivileged user
# (a few minutes per version):  bench/corpus-matrix.sh [4.0] [4.4] [4.6]   (default: all three; needs root for 4.4/4.6)
set -euo pipefail
cd "$(dirname "$0")/.."
versions=("$@"); [ ${#versions[@]} -gt 0 ] || versions=(4.0 4.4 4.6)
roots="${DISSECT_ROOTS:-${XDG_CACHE_HOME:-$HOME/.cache}/dissect/wireshark-roots}"
shims=$(mktemp -d); trap 'rm -rf "$shims"' EXIT
for v in "${versions[@]}"; do
  case "$v" in
    4.0) path="$PATH" ;;
    4.4|4.6)
      suite=$([ "$v" = 4.4 ] && echo trixie || echo forky)
      bash scripts/wireshark-roots.sh "$suite" >/dev/null
      mkdir -p "$shims/$v"
      printf '#!/bin/sh\nexec "%s" "%s" "$@"\n' "$PWD/tests/tools/tshark-in-root" "$roots/$suite" > "$shims/$v/tshark"
      chmod +x "$shims/$v/tshark"
      path="$shims/$v:$PATH" ;;
    *) echo "corpus-matrix: unknown version $v (4.0, 4.4 or 4.6)" >&2; exit 2 ;;
  esac
  printf '%s: %s\n' "$v" "$(PATH="$path" python3 ../shared/tools/msturn-eval dissectors/ms_turn.lua | tail -1)"
done
