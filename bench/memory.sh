#!/usr/bin/env bash
# Dissect's own peak memory and time for a full report (PDF, JSON, Markdown, HTML) on the capture shapes that
# once exhausted memory: packets sharing one timestamp, packets spread over 28 hours, DNS with unique names, and DNS as a
# busy resolver sees it (1,000 names asked again and again), and a port scan (a new conversation in every packet).
# Peak memory is the .NET process's (from --stats, read after every output is written); tshark's is not included.
# Goals (issue 16): under 200 MB and 60 s each, every PDF under 100 pages.
set -euo pipefail
cd "$(dirname "$0")/.."
dotnet build src/Dissect.Cli -c Release -nologo -v quiet >/dev/null
dissect=(dotnet src/Dissect.Cli/bin/Release/net10.0/dissect.dll)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cases=${CASES:-"same-time:1000 same-time:10000 same-time:100000 spread:100000 spread:1000000 dns:200000 dns:600000 \
  dns-busy:100000 dns-busy:1000000 scan:100000 scan:1000000"}
printf '%-10s %9s %9s %10s %9s %10s %8s\n' shape packets seconds dissect_MB pdf_pages pdf_KB html_KB
for c in $cases; do
  shape=${c%%:*}; n=${c##*:}
  "${dissect[@]}" sample --large "$n" --shape "$shape" -o "$work/$shape-$n.pcap" >/dev/null
  out=$("${dissect[@]}" report "$work/$shape-$n.pcap" -o "$work/r" --format pdf,json,md,html --stats 2>&1 || true)
  line=$(grep '^stats:' <<<"$out" || echo "stats: seconds=fail dissect_peak_mb=fail")
  # A report that failed after its stats line (a renderer's error) must not pass as a measurement.
  if grep -q '^dissect: error' <<<"$out"; then
    grep '^dissect: error' <<<"$out" >&2
    line="stats: seconds=fail dissect_peak_mb=fail"
  fi
  secs=$(grep -o 'seconds=[^ ]*' <<<"$line" | head -1 | cut -d= -f2)
  mb=$(grep -o 'dissect_peak_mb=[^ ]*' <<<"$line" | cut -d= -f2)
  pdf="$work/r/$shape-$n.pdf"
  pages=$( [ -f "$pdf" ] && pdfinfo "$pdf" | awk '/^Pages:/{print $2}' || echo -)
  pkb=$( [ -f "$pdf" ] && echo $(( $(stat -c %s "$pdf") / 1024 )) || echo -)
  hkb=$( [ -f "$work/r/$shape-$n.html" ] && echo $(( $(stat -c %s "$work/r/$shape-$n.html") / 1024 )) || echo -)
  printf '%-10s %9s %9s %10s %9s %10s %8s\n' "$shape" "$n" "$secs" "$mb" "$pages" "$pkb" "$hkb"
  rm -f "$work/$shape-$n.pcap"
done
