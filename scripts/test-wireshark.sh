#!/usr/bin/env bash
# Runs the Wireshark-matrix tests of one version only:  scripts/test-wireshark.sh 4.4   (4.0 = the host's tshark)
# Builds that version's Debian root first when it is missing (needs root; see scripts/wireshark-roots.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
version="${1:?usage: scripts/test-wireshark.sh 4.0|4.4|4.6}"
case "$version" in
  4.0) ;;
  4.4) bash scripts/wireshark-roots.sh trixie ;;
  4.6) bash scripts/wireshark-roots.sh forky ;;
  *) echo "test-wireshark: unknown version $version (4.0, 4.4 or 4.6)" >&2; exit 2 ;;
esac
dotnet build Dissect.sln -c Release -nologo -v quiet
# Matrix tests are theories whose row is the version: their display names end in (wireshark: "4.4"), and no other test name holds "4.4".
dotnet test Dissect.sln -c Release --no-build -nologo --filter "DisplayName~$version"
