#!/usr/bin/env bash
# Time tshark with the generated MS-TURN dissector against tshark without it, on the largest Skype and
# Teams captures of ../shared/captures; prints the ratio measured in this one run (goal: < 1.5).
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=../shared/captures
home=$(mktemp -d)
caps=("$corpus/Lopiuy+LINFO1341_P1/Traces/bytesAudio.pcapng" "$corpus/Zyth0x+LINFO1341-Projet/Appel_simple_+_partage_d_ecran/appel_simple_partage_ecran.pcapng" "$corpus/evrardemi+LINFO1341MicrosoftTeams11/Traces/EtV wVtwV appel video 1.pcapng")
t() { local s=$(date +%s.%N); HOME=$home "$@" >/dev/null 2>&1; echo "$(date +%s.%N) - $s" | bc; }
printf '%-60s %8s %8s %6s\n' capture bare_s lua_s ratio
for c in "${caps[@]}"; do
  [ -f "$c" ] || { echo "skip: $c not found"; continue; }
  bare=0; lua=0
  for i in 1 2 3; do
    bare=$(echo "$bare + $(t tshark -r "$c" -V)" | bc)
    lua=$(echo "$lua + $(t tshark -X lua_script:dissectors/ms_turn.lua -r "$c" -V)" | bc)
  done
  printf '%-60s %8.3f %8.3f %6.2f\n' "$(basename "$c")" "$(echo "$bare/3" | bc -l)" "$(echo "$lua/3" | bc -l)" "$(echo "$lua/$bare" | bc -l)"
done
