#!/bin/sh
# Install everything the build, the test hosts and the tests need on a
# Debian 12 machine. Idempotent; run as root (or with sudo available).
set -eu
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SUDO=
[ "$(id -u)" = 0 ] || SUDO=sudo

PKGS="build-essential gcc make git bc cpio xz-utils zstd kmod
linux-image-amd64 linux-headers-amd64 linux-image-6.12-amd64 linux-headers-6.12-amd64
qemu-system-x86 bochs bochsbios vgabios busybox-static xorriso isolinux syslinux-common"
for f in "$ROOT"/daemons/*/apt-packages "$ROOT"/kmod/*/apt-packages "$ROOT"/tools/apt-packages "$ROOT"/tools/*/apt-packages; do
	[ -f "$f" ] && PKGS="$PKGS $(grep -v '^#' "$f")"
done

missing=
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
	echo "setup: installing$missing"
	export DEBIAN_FRONTEND=noninteractive
	$SUDO apt-get update -q
	$SUDO apt-get install -y -q --no-install-recommends $missing
fi
echo "setup: all packages present"
