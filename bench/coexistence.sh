#!/usr/bin/env bash
# What loading the dissector costs on other traffic, in one run (ratios: with the Lua / without it):
#  1. tshark -q on the whole corpus merged into one file             (goal <= 1.1)
#  2. the report's own -T ek pass on that file                        (goal <= 1.05)
#  3. a capture of only MS-TURN and media (dissect sample --large):
#     our dissector against tshark's built-in STUN dissector on it    (goal <= 1.5)
# Usage: bench/coexistence.sh [DISSECTOR.lua]   (default: dissectors/ms_turn.lua). Needs ../shared/captures.
set -euo pipefail
cd "$(dirname "$0")/.."
lua="${1:-dissectors/ms_turn.lua}"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/home"
corpus=../shared/captures
dissect="dotnet src/Dissect.Cli/bin/Release/net10.0/dissect.dll"
mapfile -t caps < <(tail -n +2 "$corpus/MANIFEST.tsv" | cut -f2 | sed "s#^#$corpus/#")
mergecap -F pcapng -w "$work/corpus.pcapng" "${caps[@]}"
$dissect sample -o "$work/msturn.pcap" --large 200000 >/dev/null
# In UTC, as Dissect runs tshark (TsharkRunner.Isolate): with TZ unset, -T ek costs a stat of /etc/localtime per packet.
best() {  # best of 3 wall-clock seconds of a command
  local b=""
  for _ in 1 2 3; do
    local s e; s=$(date +%s.%N); HOME="$work/home" TZ=UTC "$@" >/dev/null 2>&1; e=$(date +%s.%N)
    b=$(echo "$e - $s" | bc | awk -v b="$b" '{ if (b == "" || $1 < b) print $1; else print b }')
  done
  echo "$b"
}
row() { printf '%-48s %8.2f %8.2f %6.2f\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)"; }
# The report's pass, as Dissect runs it (the Lua measured in place of Dissect's own copy); without the Lua, its
# msturn.* fields are left out, as tshark refuses unknown fields.
mapfile -t ek < <($dissect analyze "$work/corpus.pcapng" --show-tshark-command | tr ' ' '\n' | grep -v '^lua_script:' \
  | grep -vx -- '-X' | tail -n +2)
ek_bare=()
for ((i = 0; i < ${#ek[@]}; i++)); do
  if [ "${ek[$i]}" = "-e" ] && [[ "${ek[$((i + 1))]}" == msturn.* ]]; then i=$((i + 1)); continue; fi
  ek_bare+=("${ek[$i]}")
done
printf '%-48s %8s %8s %6s\n' measure without with ratio
row "tshark -q, corpus merged ($(capinfos -c -M "$work/corpus.pcapng" | awk '/Number of packets/ {print $4}') packets)" \
  "$(best tshark -q -r "$work/corpus.pcapng")" "$(best tshark -X "lua_script:$lua" -q -r "$work/corpus.pcapng")"
row "report pass -T ek, corpus merged" "$(best tshark "${ek_bare[@]}")" "$(best tshark -X "lua_script:$lua" "${ek[@]}")"
row "MS-TURN only: built-in STUN vs ours, -T ek" \
  "$(best tshark -r "$work/msturn.pcap" -T ek)" "$(best tshark -X "lua_script:$lua" -r "$work/msturn.pcap" -T ek)"
