#!/usr/bin/env bash
# Command 2 of the README: builds and runs the whole test suite (real tshark, real generated Lua).
set -euo pipefail
cd "$(dirname "$0")"
results=""
if [ "${1:-}" = "--results" ]; then results="$2"; fi
missing=()
command -v tshark >/dev/null || missing+=(tshark)
command -v luac5.2 >/dev/null || missing+=(lua5.2)
command -v pdftotext >/dev/null || missing+=(poppler-utils)
if [ ${#missing[@]} -gt 0 ]; then
  echo "test.sh: missing ${missing[*]}; run ./setup.sh first (it installs them with apt)" >&2
  exit 3
fi
echo "== dotnet build (Release)"
dotnet build Dissect.sln -c Release -nologo -v quiet
echo "== dotnet test"
args=(test Dissect.sln -c Release --no-build -nologo)
if [ -n "$results" ]; then args+=(--logger "trx;LogFileName=tests.trx" --results-directory "$results"); fi
dotnet "${args[@]}"
