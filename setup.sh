#!/usr/bin/env bash
# Command 1 of the README: installs what is missing, builds Dissect, generates the dissector and
# runs the main job on the embedded sample. Safe to run again; it says what it does.
set -euo pipefail
cd "$(dirname "$0")"
need=()
command -v tshark >/dev/null || need+=(tshark)
command -v luac5.2 >/dev/null || need+=(lua5.2)
command -v pdftotext >/dev/null || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf ] || [ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || need+=(fonts-liberation2)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then sudo="sudo"; else
      echo "setup.sh: missing ${need[*]}; as root run: apt-get install -y ${need[*]}" >&2; exit 3
    fi
  fi
  echo "== installing ${need[*]} (apt)"
  # tshark asks whether non-root users may capture; answer 'no' so the install never waits.
  echo 'wireshark-common wireshark-common/install-setuid boolean false' | $sudo debconf-set-selections
  $sudo apt-get update -q
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q "${need[@]}"
else
  echo "== tshark, lua5.2, poppler-utils and fonts are present"
fi
echo "== dotnet build (Release)"
dotnet build Dissect.sln -c Release -nologo -v quiet
dissect=(dotnet src/Dissect.Cli/bin/Release/net10.0/dissect.dll)
echo "== dissect generate"
"${dissect[@]}" generate
echo "== dissect doctor"
"${dissect[@]}" doctor || true
echo "== dissect report samples/demo.pcap -o reports/"
"${dissect[@]}" report samples/demo.pcap -o reports
