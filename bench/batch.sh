#!/usr/bin/env bash
# Speed-up of 'dissect batch --jobs 2' over '--jobs 1' on the whole corpus (PDF + JSON reports), and
# the rendering cost: batch with PDF against batch with JSON only. Numbers from this one run.
# Also the machine's own parallel capacity: how much faster two independent busy loops finish side by side than one
# after the other (2.00 on two real cores). A batch cannot gain more from --jobs 2 than the cores can give.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Dissect.Cli -c Release -nologo -v quiet >/dev/null
dissect=(dotnet src/Dissect.Cli/bin/Release/net10.0/dissect.dll)
work=$(mktemp -d)
n=$(find ../shared/captures -name '*.pcap*' | wc -l)
run() { local s; s=$(date +%s.%N); "${dissect[@]}" batch ../shared/captures -o "$work/$1" --force "${@:2}" >/dev/null 2>&1 || true; echo "$(date +%s.%N) - $s" | bc; }
j1=$(run j1 --jobs 1 --format json)
j1pdf=$(run j1pdf --jobs 1 --format pdf,json)
j2pdf=$(run j2pdf --jobs 2 --format pdf,json)
spin() { awk 'BEGIN { for (i = 0; i < 1.5e8; i++) s += i }'; }
s=$(date +%s.%N); spin; one=$(echo "$(date +%s.%N) - $s" | bc)
s=$(date +%s.%N); spin & spin; wait; two=$(echo "$(date +%s.%N) - $s" | bc)
capacity=$(echo "2 * $one / $two" | bc -l)
printf 'captures=%s jobs1_json_s=%.2f jobs1_pdf_s=%.2f jobs2_pdf_s=%.2f speedup_jobs2=%.2f render_s_per_report=%.3f cores=%s core_capacity=%.2f\n' \
  "$n" "$j1" "$j1pdf" "$j2pdf" "$(echo "$j1pdf/$j2pdf" | bc -l)" "$(echo "($j1pdf-$j1)/$n" | bc -l)" "$(nproc)" "$capacity"
