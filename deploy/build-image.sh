#!/usr/bin/env bash
# Builds the mtls-gateway image from deploy/Containerfile with podman or docker, whichever exists.
#
#   deploy/build-image.sh [TAG]         # default tag: mtls-gateway:<project version>, also :latest
#
# Environment: ENGINE=podman|docker to choose; SKIP_JAR=1 to use the jar already built.
# On a machine that reaches no image registry, the base image is made locally first
# (deploy/make-base-image.sh: debootstrap from Debian's mirror, tagged with the official name).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
say() { echo "build-image: $*" >&2; }

ENGINE=${ENGINE:-$(command -v podman || command -v docker || true)}
[[ -n "$ENGINE" ]] || { say "neither podman nor docker found"; exit 2; }
engine=("$ENGINE")
build_flags=()
if [[ "$(basename "$ENGINE")" == podman ]]; then
  # Flags some VMs need (cgroups v1/hybrid, a low hard rlimit); harmless elsewhere.
  engine+=(--runtime runc --cgroup-manager=cgroupfs)
  build_flags+=(--network host --ulimit nofile=1024:1024 --ulimit nproc=1024:1024)
fi

version=$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' pom.xml | head -n1)
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
if [[ -n "$(git status --porcelain 2>/dev/null)" ]]; then revision="$revision-dirty"; fi
tag=${1:-mtls-gateway:$version}

if [[ "${SKIP_JAR:-0}" != 1 ]]; then
  say "building gateway/target/mtls-gateway.jar"
  mvn -B -q package -DskipTests -pl gateway -am >&2
fi
[[ -f gateway/target/mtls-gateway.jar ]] || { say "gateway/target/mtls-gateway.jar missing"; exit 2; }

base=docker.io/library/debian:bookworm-slim
if ! "${engine[@]}" image inspect "$base" >/dev/null 2>&1 && ! "${engine[@]}" pull -q "$base" >/dev/null 2>&1; then
  say "$base cannot be pulled here: making it with debootstrap"
  ENGINE="$ENGINE" deploy/make-base-image.sh
fi

say "building $tag (version $version, revision $revision) with $(basename "$ENGINE")"
"${engine[@]}" build "${build_flags[@]}" -f deploy/Containerfile -t "$tag" -t mtls-gateway:latest \
  --build-arg VERSION="$version" --build-arg REVISION="$revision" \
  --build-arg CREATED="$(date -u +%Y-%m-%dT%H:%M:%SZ)" .
size=$("${engine[@]}" image inspect --format '{{.Size}}' "$tag")
say "built $tag: $((size / 1000000)) MB"
