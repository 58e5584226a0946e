#!/usr/bin/env bash
# What the dissector costs, counted in machine instructions (valgrind's callgrind), so that a change of a few per cent
# shows: wall-clock runs on this VM vary by ±15 % (see docs/benchmarks.md). One run per row, ratios within the run.
#  1. the report's -T ek pass on real calls, with the Lua against without it (its msturn.* fields left out)
#  2. a capture of only MS-TURN and media (dissect sample --large 20000): ours against the built-in STUN dissector
# Usage: bench/lua-cost.sh [DISSECTOR.lua] [CAPTURE...]
#   (default: dissectors/ms_turn.lua on the two corpus captures with the most MS-TURN frames; needs ../shared/captures)
# About 20 s per capture and 2 minutes for the MS-TURN-only row.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "lua-cost: needs valgrind (sudo apt-get install valgrind)" >&2; exit 2; }
lua="${1:-dissectors/ms_turn.lua}"; shift || true
corpus=../shared/captures
caps=("$@")
[ ${#caps[@]} -gt 0 ] || caps=(
  "$corpus/Zyth0x+LINFO1341-Projet/Appel_simple_+_partage_d_ecran/appel_simple_partage_ecran.pcapng"
  "$corpus/Lopiuy+LINFO1341_P1/Traces/bytesAudio.pcapng")
dissect=(dotnet src/Dissect.Cli/bin/Release/net10.0/dissect.dll)
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
mkdir "$work/home"
instructions() {  # total instructions of one tshark run
  HOME="$work/home" valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 >/dev/null \
    | sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
row() { printf '%-58s %14s %14s %6.3f\n' "$1" "$2" "$3" "$(echo "$3 / $2" | bc -l)"; }
printf '%-58s %14s %14s %6s\n' measure without with ratio
for cap in "${caps[@]}"; do
  # The report's pass as Dissect runs it, with the Lua given in place of Dissect's own copy.
  mapfile -t ek < <("${dissect[@]}" analyze "$cap" --show-tshark-command | tr ' ' '\n' | grep -v '^lua_script:' \
    | grep -vx -- '-X' | tail -n +2)
  # tr split the capture's path at its spaces: the pass is rebuilt with the path whole.
  args=(); skip=0
  for ((i = 0; i < ${#ek[@]}; i++)); do
    if [ "${ek[$i]}" = "-r" ]; then args+=(-r "$cap"); skip=1; continue; fi
    if [ $skip = 1 ]; then [ "${ek[$i]}" = "-T" ] && skip=0 || continue; fi
    args+=("${ek[$i]}")
  done
  bare=()
  for ((i = 0; i < ${#args[@]}; i++)); do
    if [ "${args[$i]}" = "-e" ] && [[ "${args[$((i + 1))]}" == msturn.* ]]; then i=$((i + 1)); continue; fi
    bare+=("${args[$i]}")
  done
  row "report pass -T ek, ${cap##*/}" "$(instructions tshark "${bare[@]}")" \
    "$(instructions tshark -X "lua_script:$lua" "${args[@]}")"
done
"${dissect[@]}" sample -o "$work/msturn.pcap" --large 20000 >/dev/null
row "MS-TURN only: built-in STUN vs ours, -T ek" "$(instructions tshark -r "$work/msturn.pcap" -T ek)" \
  "$(instructions tshark -X "lua_script:$lua" -r "$work/msturn.pcap" -T ek)"
