#!/usr/bin/env bash
# Makes docker.io/library/debian:bookworm-slim locally, for machines that reach Debian's package
# mirror but no image registry. The result is a Debian bookworm minbase root filesystem imported
# under the name a normal machine would pull, so deploy/Containerfile is the same everywhere.
# Needs root, debootstrap and podman (or docker). About 2 minutes; ~150 MB.
set -euo pipefail

IMAGE=docker.io/library/debian:bookworm-slim
ENGINE=${ENGINE:-$(command -v podman || command -v docker || true)}
[[ -n "$ENGINE" ]] || { echo "make-base-image: neither podman nor docker found" >&2; exit 2; }
command -v debootstrap >/dev/null || { echo "make-base-image: debootstrap not found (apt-get install debootstrap)" >&2; exit 2; }

# The mirror apt already uses on this machine (deb822 or one-line sources).
MIRROR=${MIRROR:-$(grep -rhE '^(URIs:|deb )' /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null \
  | grep -oE 'https?://[^ ]+' | grep -E '/debian/?$' | head -n1 || true)}
MIRROR=${MIRROR:-http://deb.debian.org/debian}

ROOTFS=$(mktemp -d)
trap 'rm -rf "$ROOTFS" "$ROOTFS.log"' EXIT
echo "make-base-image: debootstrap bookworm from $MIRROR"
debootstrap --variant=minbase bookworm "$ROOTFS" "$MIRROR" > "$ROOTFS.log" || { tail -20 "$ROOTFS.log" >&2; exit 1; }
# The sources the official image has: the release, its updates and security updates.
rm -f "$ROOTFS"/etc/apt/sources.list
cat > "$ROOTFS"/etc/apt/sources.list.d/debian.sources <<SOURCES
Types: deb
URIs: $MIRROR
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${MIRROR%/debian*}/debian-security
Suites: bookworm-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
# What the real slim image also leaves out: apt lists and documentation.
rm -rf "$ROOTFS"/var/lib/apt/lists/* "$ROOTFS"/usr/share/doc/* "$ROOTFS"/usr/share/man/* "$ROOTFS"/var/cache/apt/*.bin
tar -C "$ROOTFS" -c . | "$ENGINE" import - localhost/debian:bookworm-min >/dev/null
"$ENGINE" tag localhost/debian:bookworm-min "$IMAGE"
echo "make-base-image: tagged $IMAGE"
