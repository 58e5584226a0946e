#!/usr/bin/env bash
# 'dissect analyze' against one bare tshark pass that exports the same fields with the same Lua to /dev/null (the
# work Dissect cannot avoid), on the corpus merged into one capture and on a large generated capture.
# Prints, all from this run: the wall-time ratio (goal <= 1.1), Dissect's own CPU (its process alone, from --stats)
# against tshark's CPU in the bare pass (goal <= 0.25), packets/s and Dissect's own peak working set (tshark's memory
# is not included).
# Usage: bench/analyze.sh   (SIZE=1000000 sets the generated capture's packets; needs ../shared/captures)
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Dissect.Cli -c Release -nologo -v quiet >/dev/null
dissect=(dotnet src/Dissect.Cli/bin/Release/net10.0/dissect.dll)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
size=${SIZE:-1000000}
corpus=../shared/captures
mapfile -t caps < <(tail -n +2 "$corpus/MANIFEST.tsv" | cut -f2 | sed "s#^#$corpus/#")
mergecap -F pcapng -w "$work/corpus.pcapng" "${caps[@]}"
"${dissect[@]}" sample --large "$size" -o "$work/large.pcap" >/dev/null
# DNS-heavy, as a busy resolver sees it: the same 1,000 names asked again and again (memory must stay flat).
"${dissect[@]}" sample --large "$size" --shape dns-busy -o "$work/dns.pcap" >/dev/null
# DNS of unique names (a scanner, a tunnel): one name per query, so names beyond memory's share go to disk; memory must
# be the same at 100k packets and at $size.
"${dissect[@]}" sample --large 100000 --shape dns -o "$work/unique-small.pcap" >/dev/null
"${dissect[@]}" sample --large "$size" --shape dns -o "$work/unique.pcap" >/dev/null
TIMEFORMAT='%R %U %S'
measure() {   # $1 = label, $2 = capture
  local cmd bare ours stats
  cmd=$("${dissect[@]}" analyze "$2" --show-tshark-command)
  # The bare pass's wall and CPU seconds (tshark is the shell's child, so its CPU is counted), in UTC as Dissect
  # runs it (TsharkRunner.Isolate: with TZ unset, EK output costs tshark a stat of /etc/localtime per packet).
  bare=$( { time HOME=$work TZ=UTC bash -c "$cmd" >/dev/null 2>&1; } 2>&1 )
  local s; s=$(date +%s.%N)
  stats=$("${dissect[@]}" analyze "$2" --json "$work/m.json" --stats 2>&1)
  ours=$(echo "$(date +%s.%N) - $s" | bc)
  local p cpu mb
  p=$(grep -o 'packets=[0-9]*' <<<"$stats" | head -1 | cut -d= -f2)
  cpu=$(grep -o 'dissect_cpu_s=[0-9.]*' <<<"$stats" | cut -d= -f2)
  mb=$(grep -o 'dissect_peak_mb=[0-9.]*' <<<"$stats" | cut -d= -f2)
  read -r bw bu bs <<<"$bare"
  local tcpu; tcpu=$(echo "$bu + $bs" | bc)
  printf '%-22s %8s %7.2f %7.2f %6.3f %8.2f %8.2f %6.3f %8.0f %6.0f\n' "$1" "$p" "$bw" "$ours" \
    "$(echo "$ours / $bw" | bc -l)" "$tcpu" "$cpu" "$(echo "$cpu / $tcpu" | bc -l)" "$(echo "$p / $ours" | bc -l)" "$mb"
}
printf '%-22s %8s %7s %7s %6s %8s %8s %6s %8s %6s\n' input packets bare_s ours_s wall tshark_cpu ours_cpu cpu \
  pkts_per_s MB
measure "corpus merged" "$work/corpus.pcapng"
measure "generated $size" "$work/large.pcap"
measure "dns-busy $size" "$work/dns.pcap"
measure "dns-unique 100000" "$work/unique-small.pcap"
measure "dns-unique $size" "$work/unique.pcap"
