#!/usr/bin/env bash
# 'dissect analyze' against one bare tshark pass that exports the same fields with the same Lua to
# /dev/null (the work Dissect cannot avoid), on a large generated capture and on the whole corpus.
# Prints packets/s, the time ratio and Dissect's own peak working set (the .NET process, from --stats;
# tshark's memory, which grows ~0.65 KB per packet, is not included), all from this run.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Dissect.Cli -c Release -nologo -v quiet >/dev/null
dissect=(dotnet src/Dissect.Cli/bin/Release/net10.0/dissect.dll)
work=$(mktemp -d)
sizes=${SIZES:-"100000 300000"}
now() { date +%s.%N; }
measure() {   # $1 = capture; prints "packets bare_s ours_s rss_kb"
  local cmd; cmd=$("${dissect[@]}" analyze "$1" --show-tshark-command)
  local s; s=$(now); HOME=$work bash -c "$cmd" >/dev/null 2>&1 || true; local bare; bare=$(echo "$(now) - $s" | bc)
  s=$(now); "${dissect[@]}" analyze "$1" --json "$work/m.json" --stats > "$work/out" 2>&1 || true; local ours; ours=$(echo "$(now) - $s" | bc)
  grep -o 'dissect_peak_mb=[0-9.]*' "$work/out" | cut -d= -f2 | cut -d. -f1 > "$work/rss"
  local n; n=$(grep -o '"packets": [0-9]*' "$work/m.json" | head -1 | grep -o '[0-9]*$')
  echo "$n $bare $ours $(cat "$work/rss")"
}
printf '%-28s %9s %8s %8s %6s %10s %9s\n' input packets bare_s ours_s ratio pkts_per_s dissect_MB
for n in $sizes; do
  "${dissect[@]}" sample --large "$n" -o "$work/large-$n.pcap" >/dev/null
  read -r p b o r < <(measure "$work/large-$n.pcap")
  printf '%-28s %9s %8.2f %8.2f %6.3f %10.0f %9.0f\n' "generated $n" "$p" "$b" "$o" "$(echo "$o/$b" | bc -l)" "$(echo "$p/$o" | bc -l)" "$r"
done
tp=0; tb=0; to=0; peak=0
while IFS= read -r -d '' c; do
  read -r p b o r < <(measure "$c")
  tp=$((tp + p)); tb=$(echo "$tb + $b" | bc); to=$(echo "$to + $o" | bc); [ "$r" -gt "$peak" ] && peak=$r
done < <(find ../shared/captures -name '*.pcap*' -print0 | sort -z)
printf '%-28s %9s %8.2f %8.2f %6.3f %10.0f %9.0f\n' "corpus (70 files)" "$tp" "$tb" "$to" "$(echo "$to/$tb" | bc -l)" "$(echo "$tp/$to" | bc -l)" "$peak"
