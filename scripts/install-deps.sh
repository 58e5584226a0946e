#!/usr/bin/env bash
# Installs what Dissect needs from Debian's packages when it is missing: tshark (with Lua), lua5.2 and lua5.4
# (luac for the syntax checks: Wireshark 4.0-4.2 embed Lua 5.2, 4.4 and later 5.4), poppler-utils (pdftotext/pdftoppm for the report tests) and fonts for the PDF.
# Idempotent; says what it does. Without root or sudo it prints the exact command and fails.
set -euo pipefail
need=()
command -v tshark >/dev/null || need+=(tshark)
command -v luac5.2 >/dev/null || need+=(lua5.2)
command -v luac5.4 >/dev/null || need+=(lua5.4)
command -v pdftotext >/dev/null || need+=(poppler-utils)
[ -e /usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf ] || [ -e /usr/share/fonts/truetype/liberation/LiberationSans-Regular.ttf ] || need+=(fonts-liberation2)
[ -e /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ] || need+=(fonts-dejavu-core)
if [ ${#need[@]} -eq 0 ]; then
  echo "== tshark, lua5.2, lua5.4, poppler-utils and fonts are present"
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null && sudo -n true 2>/dev/null; then sudo="sudo"; else
    echo "install-deps: missing ${need[*]}; run: sudo apt-get install -y ${need[*]}" >&2
    exit 3
  fi
fi
if ! command -v apt-get >/dev/null; then
  echo "install-deps: missing ${need[*]} and this is not a Debian-like system; install tshark (with Lua), lua5.2, lua5.4, poppler-utils and Liberation or DejaVu fonts" >&2
  exit 3
fi
echo "== installing ${need[*]} (apt)"
# tshark asks whether non-root users may capture; answer 'no' so the install never waits.
echo 'wireshark-common wireshark-common/install-setuid boolean false' | $sudo debconf-set-selections
$sudo apt-get update -q
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${need[@]}"
