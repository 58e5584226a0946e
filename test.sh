#!/usr/bin/env bash
# Command 2 of the README: builds and runs the whole test suite (real tshark, real generated Lua).
# Installs missing tools first, as command 1 does, so it also works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")"
results=""
if [ "${1:-}" = "--results" ]; then results="$2"; fi
bash scripts/install-deps.sh
# The Wireshark matrix: 4.4 and 4.6 from Debian roots kept in a cache (built once, minutes); the host gives 4.0.
# Built while dotnet builds. A root that cannot be built leaves its reason, and its tests are skipped with it.
roots="${DISSECT_ROOTS:-${XDG_CACHE_HOME:-$HOME/.cache}/dissect/wireshark-roots}"
(umask 077; mkdir -p "$roots")
roots_log=$(mktemp)
(
  for suite in trixie forky; do
    rm -f "$roots/$suite.unavailable"
    if [ "$(id -u)" -ne 0 ]; then
      echo "run ./test.sh as root to build and chroot into the $suite root" > "$roots/$suite.unavailable"
    elif ! bash scripts/wireshark-roots.sh "$suite" >>"$roots_log" 2>&1; then
      echo "could not build the $suite root from Debian's archive: $(tail -1 "$roots_log")" > "$roots/$suite.unavailable"
    fi
  done
) &
roots_pid=$!
echo "== dotnet build (Release)"
dotnet build Dissect.sln -c Release -nologo -v quiet
echo "== dotnet format whitespace --verify-no-changes"
dotnet format whitespace Dissect.sln --verify-no-changes
wait "$roots_pid" || true
cat "$roots_log"; rm -f "$roots_log"
for suite in trixie forky; do
  if [ -f "$roots/$suite.unavailable" ]; then echo "== Wireshark matrix: $suite skipped: $(cat "$roots/$suite.unavailable")"; fi
done
echo "== dotnet test"
args=(test Dissect.sln -c Release --no-build -nologo)
if [ -n "$results" ]; then args+=(--logger "trx;LogFileName=tests.trx" --results-directory "$results"); fi
dotnet "${args[@]}"
