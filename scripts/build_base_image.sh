#!/usr/bin/env bash
# Build a local base image from Debian's own packages, for hosts that cannot pull from an image
# registry (air-gapped hospitals, CI here). One Debian bookworm root file system (debootstrap),
# imported into Docker as TAG (default trialmatch-base:bookworm). It serves both as the Python
# base of the trialmatch image (Dockerfile ARG BASE_IMAGE) and as the Redis image of the compose
# stack (REDIS_IMAGE): it holds python3 + venv, CA certificates and redis-server.
#
# Usage (root): scripts/build_base_image.sh [TAG]      Reuses TAG when it exists; FORCE=1 rebuilds.
# The mirror is DEBIAN_MIRROR, else the one apt uses here, else deb.debian.org.
set -euo pipefail
TAG="${1:-trialmatch-base:bookworm}"
if [ "${FORCE:-0}" != 1 ] && docker image inspect "$TAG" >/dev/null 2>&1; then
    echo "==> base image $TAG already built (FORCE=1 rebuilds it)"
    exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
    echo "error: debootstrap needs root; run: sudo $0 $TAG" >&2
    exit 1
fi
mirror="${DEBIAN_MIRROR:-}"
if [ -z "$mirror" ]; then
    # The apt mirror this host already uses (deb822 .sources or one-line .list), if any.
    mirror="$(grep -hoE '^(URIs:|deb) +https?://[^ ]+/debian/?( |$)' \
        /etc/apt/sources.list.d/*.sources /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
        2>/dev/null | head -n1 | awk '{print $2}')" || true
fi
mirror="${mirror:-http://deb.debian.org/debian}"
root="$(mktemp -d /tmp/trialmatch-rootfs.XXXXXX)"
trap 'rm -rf "$root"' EXIT
echo "==> debootstrap bookworm from $mirror (a few minutes on first run)"
debootstrap --variant=minbase \
    --include=python3,python3-venv,ca-certificates,redis-server \
    bookworm "$root" "$mirror" >"$root.log" 2>&1 || {
    tail -n 30 "$root.log" >&2
    exit 1
}
rm -f "$root.log"
# Smaller image: no apt lists or package cache (the image is rebuilt, never apt-upgraded).
rm -rf "$root"/var/cache/apt/archives/*.deb "$root"/var/lib/apt/lists/*
echo "==> importing as $TAG"
tar -C "$root" -c . | docker import \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["bash"]' \
    --message "Debian bookworm minbase + python3, python3-venv, ca-certificates, redis-server" \
    - "$TAG" >/dev/null
echo "==> built $TAG"
