#!/usr/bin/env bash
# Speed-up of 'dissect batch --jobs 2' over '--jobs 1' on the whole corpus (PDF + JSON reports), and
# the rendering cost: batch with PDF against batch with JSON only. Numbers from this one run.
# Also the machine's own parallel capacity: how much faster two independent busy loops finish side by side than one
# after the other (2.00 on two real cores). A batch cannot gain more from --jobs 2 than the cores can give.
# And the ceiling set by tshark itself: the batch's own tshark commands (one per capture, output thrown away) run
# one at a time and two at a time. Most of a corpus capture's time is tshark starting (~0.5 s here, much of it page
# faults and relocations), which does not scale like a busy loop on every machine; speedup_jobs2 / tshark_jobs2 is
# how much of what tshark allows the batch gets.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Dissect.Cli -c Release -nologo -v quiet >/dev/null
dissect=(dotnet src/Dissect.Cli/bin/Release/net10.0/dissect.dll)
work=$(mktemp -d)
n=$(find ../shared/captures -name '*.pcap*' | wc -l)
run() { local s; s=$(date +%s.%N)
  "${dissect[@]}" batch ../shared/captures -o "$work/$1" --force "${@:2}" >/dev/null 2>&1 || true
  echo "$(date +%s.%N) - $s" | bc; }
j1=$(run j1 --jobs 1 --format json)
j1pdf=$(run j1pdf --jobs 1 --format pdf,json)
j2pdf=$(run j2pdf --jobs 2 --format pdf,json)
cmds="$work/commands"
while IFS= read -r -d '' f; do
  "${dissect[@]}" analyze "$f" --show-tshark-command 2>/dev/null | sed 's/$/ >\/dev\/null 2>\&1/' >>"$cmds"
done < <(find ../shared/captures -name '*.pcap*' -print0 | sort -z)
# In UTC, as Dissect runs tshark (TsharkRunner.Isolate).
tsh() { local s; s=$(date +%s.%N); tr '\n' '\0' <"$cmds" | TZ=UTC xargs -0 -P "$1" -I{} bash -c '{}' || true
  echo "$(date +%s.%N) - $s" | bc; }
t1=$(tsh 1)
t2=$(tsh 2)
spin() { awk 'BEGIN { for (i = 0; i < 1.5e8; i++) s += i }'; }
s=$(date +%s.%N); spin; one=$(echo "$(date +%s.%N) - $s" | bc)
s=$(date +%s.%N); spin & spin; wait; two=$(echo "$(date +%s.%N) - $s" | bc)
capacity=$(echo "2 * $one / $two" | bc -l)
printf '%s ' "captures=$n" "jobs1_json_s=$(printf %.2f "$j1")" "jobs1_pdf_s=$(printf %.2f "$j1pdf")" \
  "jobs2_pdf_s=$(printf %.2f "$j2pdf")"
printf 'speedup_jobs2=%.2f render_s_per_report=%.3f cores=%s core_capacity=%.2f' \
  "$(echo "$j1pdf/$j2pdf" | bc -l)" "$(echo "($j1pdf-$j1)/$n" | bc -l)" "$(nproc)" "$capacity"
printf ' tshark_jobs2=%.2f of_tshark_ceiling=%.2f\n' \
  "$(echo "$t1/$t2" | bc -l)" "$(echo "($j1pdf/$j2pdf)/($t1/$t2)" | bc -l)"
