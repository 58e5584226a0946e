#!/usr/bin/env bash
# Ratio of 'dissect analyze' to one bare tshark pass exporting the same fields with the same Lua
# (to /dev/null), and Dissect's own peak memory, on the whole corpus. Numbers from this one run.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Dissect.Cli -c Release -nologo -v quiet >/dev/null
dissect=(dotnet src/Dissect.Cli/bin/Release/net10.0/dissect.dll)
home=$(mktemp -d)
lua=$("${dissect[@]}" generate --out "$home/lua" >/dev/null && echo "$home/lua/ms_turn.lua")
fields=$(grep -ho '"[a-z0-9_]*\(\.[a-z0-9_]*\)\+"' src/Dissect.Analysis/*Analyzer.cs | tr -d '"' | sort -u | sed 's/^/-e /' | tr '\n' ' ')
total_bare=0; total_ours=0; packets=0; peak=0
while IFS= read -r -d '' c; do
  s=$(date +%s.%N); HOME=$home tshark -X lua_script:$lua -n -r "$c" -T ek $fields >/dev/null 2>&1 || true; bare=$(echo "$(date +%s.%N) - $s" | bc)
  s=$(date +%s.%N); /usr/bin/time -f '%M' -o "$home/rss" "${dissect[@]}" analyze "$c" >/dev/null 2>&1 || true; ours=$(echo "$(date +%s.%N) - $s" | bc)
  rss=$(cat "$home/rss"); [ "$rss" -gt "$peak" ] && peak=$rss
  total_bare=$(echo "$total_bare + $bare" | bc); total_ours=$(echo "$total_ours + $ours" | bc)
  n=$(HOME=$home tshark -r "$c" -T fields -e frame.number 2>/dev/null | wc -l); packets=$((packets + n))
done < <(find ../shared/captures -name '*.pcap*' -print0 | sort -z)
echo "packets=$packets bare_tshark_s=$total_bare dissect_analyze_s=$total_ours ratio=$(echo "$total_ours/$total_bare" | bc -l | cut -c1-5) packets_per_s=$(echo "$packets/$total_ours" | bc) peak_rss_kb(dissect, incl. .NET runtime)=$peak"
