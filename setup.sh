#!/usr/bin/env bash
# Command 1 of the README: installs what is missing, builds Dissect, generates the dissector and
# runs the main job on the embedded sample. Safe to run again; it says what it does.
set -euo pipefail
cd "$(dirname "$0")"
bash scripts/install-deps.sh
echo "== dotnet build (Release)"
dotnet build Dissect.sln -c Release -nologo -v quiet
dissect=(dotnet src/Dissect.Cli/bin/Release/net10.0/dissect.dll)
echo "== dissect generate"
"${dissect[@]}" generate
echo "== dissect doctor"
"${dissect[@]}" doctor || true
echo "== dissect report samples/demo.pcap -o reports/ --format pdf,json,md"
"${dissect[@]}" report samples/demo.pcap -o reports --format pdf,json,md
