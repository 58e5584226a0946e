#!/usr/bin/env bash
# Builds the Debian roots that hold the newer Wireshark releases of the test matrix, when missing:
#   trixie -> tshark 4.4 (Lua 5.4), forky -> tshark 4.6 (Lua 5.4). The host's own tshark is the 4.0 entry.
# Usage: scripts/wireshark-roots.sh [trixie|forky]...   (default: both); prints "ROOT_DIR<TAB>tshark version".
# Roots live in a per-user cache ($DISSECT_ROOTS, else $XDG_CACHE_HOME/dissect/wireshark-roots) and are
# built in a fresh temporary folder that is renamed into place only when complete, so an interrupted
# build never leaves a half root that later runs would trust. Needs root (debootstrap, chroot).
set -euo pipefail
cache="${DISSECT_ROOTS:-${XDG_CACHE_HOME:-$HOME/.cache}/dissect/wireshark-roots}"
suites=("$@"); [ ${#suites[@]} -gt 0 ] || suites=(trixie forky)
if [ "$(id -u)" -ne 0 ]; then echo "wireshark-roots: needs root (debootstrap and chroot)" >&2; exit 3; fi
if ! command -v debootstrap >/dev/null; then
  echo "== installing debootstrap (apt)"
  apt-get update -q >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -q debootstrap >/dev/null
fi
mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list.d/*.sources /etc/apt/sources.list \
  2>/dev/null | grep -v security | head -1 | awk '{print $2}' || true)
mirror="${mirror:-http://deb.debian.org/debian}"
(umask 077; mkdir -p "$cache")  # private: tests run what these roots hold
for suite in "${suites[@]}"; do
  root="$cache/$suite"
  if [ ! -x "$root/usr/bin/tshark" ]; then
    case "$suite" in
      trixie) script=/usr/share/debootstrap/scripts/trixie ;;
      forky) script=/usr/share/debootstrap/scripts/sid ;;  # bookworm's debootstrap has no forky script
      *) echo "wireshark-roots: unknown suite $suite (trixie or forky)" >&2; exit 2 ;;
    esac
    build=$(mktemp -d "$cache/.build-$suite-XXXXXXXX")
    chmod 755 "$build"  # the root's "/": the unprivileged user must traverse it
    trap 'umount -R "$build/proc" 2>/dev/null || true; rm -rf --one-file-system "$build"' EXIT
    echo "== building the $suite root (tshark from Debian; a few minutes, once)" >&2
    echo 'wireshark-common wireshark-common/install-setuid boolean false' > "$build.seed"
    if ! debootstrap --variant=minbase --include=tshark,python3,passwd "$suite" "$build" "$mirror" "$script" \
      > "$build.log" 2>&1; then
      # debootstrap leaves virtual packages (Provides) unresolved; apt finishes the job.
      cp /etc/resolv.conf "$build/etc/resolv.conf"
      chroot "$build" apt-get update -q >>"$build.log" 2>&1 || true
      if ! DEBIAN_FRONTEND=noninteractive chroot "$build" apt-get -f install -y -q >>"$build.log" 2>&1 \
        || [ ! -x "$build/usr/bin/tshark" ]; then
        echo "wireshark-roots: could not build the $suite root; see $build.log" >&2
        exit 1
      fi
    fi
    chroot "$build" apt-get clean >/dev/null 2>&1 || true
    chroot "$build" useradd -m -U dissect
    rm -f "$build.seed" "$build.log"
    mv "$build" "$root"
    trap - EXIT
  fi
  echo -e "$root\t$(chroot --userspec=dissect:dissect "$root" tshark --version 2>/dev/null | head -1)"
done
