#!/usr/bin/env bash
# Command 2 of the README: builds and runs the whole test suite (real tshark, real generated Lua).
# Installs missing tools first, as command 1 does, so it also works on a fresh machine.
set -euo pipefail
cd "$(dirname "$0")"
results=""
if [ "${1:-}" = "--results" ]; then results="$2"; fi
bash scripts/install-deps.sh
echo "== dotnet build (Release)"
dotnet build Dissect.sln -c Release -nologo -v quiet
echo "== dotnet test"
args=(test Dissect.sln -c Release --no-build -nologo)
if [ -n "$results" ]; then args+=(--logger "trx;LogFileName=tests.trx" --results-directory "$results"); fi
dotnet "${args[@]}"
