#!/usr/bin/env bash
# Robustness counts for docs/robustness.md: mutated MS-TURN messages through tshark with the generated
# dissector (Lua errors, frames with expert items), and claims on the non-Skype/Teams captures of the corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-3000}
dotnet build src/Dissect.Cli -c Release -nologo -v quiet >/dev/null
dissect=(dotnet src/Dissect.Cli/bin/Release/net10.0/dissect.dll)
home=$(mktemp -d)
"${dissect[@]}" sample --malformed "$n" -o "$home/bad.pcap" >/dev/null
frames=$(HOME=$home tshark -r "$home/bad.pcap" -T fields -e frame.number 2>/dev/null | wc -l)
stderr=$(HOME=$home tshark -X lua_script:dissectors/ms_turn.lua -r "$home/bad.pcap" 2>&1 >/dev/null | grep -c "Lua" || true)
luaerr=$(HOME=$home tshark -X lua_script:dissectors/ms_turn.lua -r "$home/bad.pcap" -Y _ws.lua.error -T fields -e frame.number 2>/dev/null | wc -l)
expert=$(HOME=$home tshark -X lua_script:dissectors/ms_turn.lua -r "$home/bad.pcap" -Y "msturn && _ws.expert" -T fields -e frame.number 2>/dev/null | wc -l)
echo "mutated inputs: frames=$frames lua_errors=$luaerr lua_stderr_lines=$stderr frames_with_expert_items=$expert"
fp=0; files=0
while IFS= read -r p; do
  files=$((files + 1))
  c=$(HOME=$home tshark -X lua_script:dissectors/ms_turn.lua -r "../shared/captures/$p" -Y "msturn || _ws.lua.error" -T fields -e frame.number 2>/dev/null | wc -l)
  fp=$((fp + c))
done < <(tail -n +2 ../shared/captures/MANIFEST.tsv | awk -F'\t' '$1!="Skype" && $1!="Microsoft Teams"{print $2}')
echo "false positives: captures=$files frames_claimed=$fp"
