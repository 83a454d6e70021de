#!/usr/bin/env bash
# Assembles, without any registry, the two Node 20 base images exporter/Dockerfile takes as
# arguments, from this machine's own Node 20 (idempotent: an image already present is kept):
#   ebbflow/node20-build:<node version>    Debian bookworm minbase (debootstrap) + node + npm
#                                          (the Dockerfile's BUILD_IMAGE; stands in for node:20-bookworm-slim)
#   ebbflow/node20-runtime:<node version>  node, the shared libraries it links, CA certificates and a
#                                          nonroot user 65532 — nothing else, no shell (RUNTIME_IMAGE;
#                                          stands in for gcr.io/distroless/nodejs20-debian12:nonroot,
#                                          node at the same /nodejs/bin/node)
# Prints the two image names, one per line, on stdout. Needs root (debootstrap) and a Docker daemon.
set -euo pipefail

NODE="$(readlink -f "$(command -v node)")"
VERSION="$("$NODE" --version)"
case "$VERSION" in v20.*) ;; *) echo "node20-base: node is $VERSION, want v20.x" >&2; exit 2 ;; esac
BUILD_IMAGE="ebbflow/node20-build:$VERSION"
RUNTIME_IMAGE="ebbflow/node20-runtime:$VERSION"
MINBASE_IMAGE="ebbflow/debian-minbase:bookworm"
NPM_DIR="$(dirname "$(dirname "$(readlink -f "$(command -v npm)")")")"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

have() { docker image inspect "$1" >/dev/null 2>&1; }
log() { printf 'node20-base: %s (%ss)\n' "$*" "$SECONDS" >&2; }

if ! have "$MINBASE_IMAGE"; then
  command -v debootstrap >/dev/null || {
    apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
  }
  log "debootstrap --variant=minbase bookworm"
  debootstrap --variant=minbase bookworm "$SCRATCH/minbase" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$SCRATCH/debootstrap.log" \
    || { tail -20 "$SCRATCH/debootstrap.log" >&2; exit 1; }
  rm -rf "$SCRATCH/minbase/var/cache/apt/archives/"*.deb "$SCRATCH/minbase/var/lib/apt/lists/"*
  tar -C "$SCRATCH/minbase" -c . | docker import - "$MINBASE_IMAGE" >/dev/null
  rm -rf "$SCRATCH/minbase"
fi

if ! have "$BUILD_IMAGE"; then
  log "assembling $BUILD_IMAGE"
  root="$SCRATCH/build"
  mkdir -p "$root/usr/local/bin" "$root/usr/local/lib/node_modules"
  cp "$NODE" "$root/usr/local/bin/node"
  cp -a "$NPM_DIR" "$root/usr/local/lib/node_modules/npm"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$root/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$root/usr/local/bin/npx"
  # npm ci in the build stage trusts what this machine trusts: its system bundle plus
  # NODE_EXTRA_CA_CERTS (a TLS-inspecting proxy's CA, as on CI runners behind one).
  mkdir -p "$root/etc/ssl/certs"
  cat /etc/ssl/certs/ca-certificates.crt ${NODE_EXTRA_CA_CERTS:+"$NODE_EXTRA_CA_CERTS"} >"$root/etc/ssl/certs/ebbflow-build-ca.crt"
  # The layer goes on top of the minbase image through a two-line Dockerfile: `docker import`
  # would flatten, and the rootfs layer is shared with the kind node image.
  printf 'FROM %s\nCOPY . /\nENV PATH=/usr/local/bin:/usr/bin:/bin NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ebbflow-build-ca.crt\nCMD ["bash"]\n' "$MINBASE_IMAGE" >"$SCRATCH/Dockerfile.build"
  docker build -q -f "$SCRATCH/Dockerfile.build" -t "$BUILD_IMAGE" "$root" >/dev/null
fi

if ! have "$RUNTIME_IMAGE"; then
  log "assembling $RUNTIME_IMAGE"
  root="$SCRATCH/runtime"
  mkdir -p "$root/nodejs/bin" "$root/etc/ssl/certs" "$root/tmp" "$root/home/nonroot"
  cp "$NODE" "$root/nodejs/bin/node"
  # The loader and every library `ldd` names, at the same paths.
  for lib in $(ldd "$NODE" | grep -o '/[^ ]*'); do
    mkdir -p "$root$(dirname "$lib")"
    cp -L "$lib" "$root$lib"
  done
  cp -L /etc/ssl/certs/ca-certificates.crt "$root/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' >"$root/etc/passwd"
  printf 'root:x:0:\nnonroot:x:65532:\n' >"$root/etc/group"
  chown 65532:65532 "$root/home/nonroot"
  chmod 1777 "$root/tmp"
  tar -C "$root" -c . | docker import \
    --change 'USER 65532:65532' --change 'WORKDIR /home/nonroot' \
    --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    --change 'ENTRYPOINT ["/nodejs/bin/node"]' - "$RUNTIME_IMAGE" >/dev/null
fi

log "ready"
echo "$BUILD_IMAGE"
echo "$RUNTIME_IMAGE"
