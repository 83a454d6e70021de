#!/usr/bin/env bash
# Makes a Docker daemon available for the kind backend and the exporter image, idempotently:
# installs Debian's docker.io when dockerd is absent (root only) and starts dockerd when no daemon
# answers. Does nothing when `docker info` already works (a CI runner's own Docker is used as is).
#
# Why a runc wrapper: where the container's root lacks CAP_SYS_RESOURCE in its bounding set (as in
# some sandboxed CI runners), runc cannot grant it, so every privileged container — a kind node is
# one — fails with "unable to apply caps". The wrapper drops that one capability from the OCI spec
# before handing over to the real runc; it is the default runtime only when the capability is missing.
set -euo pipefail

STATE="${EBBFLOW_DOCKER_STATE:-/var/lib/ebbflow-docker}"
WRAPPER="$STATE/runc-nocap"
LOG="$STATE/dockerd.log"

write_wrapper() {
  mkdir -p "$STATE"
  local runc jq
  runc="$(command -v runc)"; jq="$(command -v jq)"
  cat >"$WRAPPER" <<WRAP
#!/bin/sh
# Drops CAP_SYS_RESOURCE from what runc is asked to start — the bundle's OCI spec (create, run) or
# the process spec (exec) — then runs the real runc (see docker-setup.sh).
prev=""
for arg in "\$@"; do
  if [ "\$prev" = "--bundle" ] || [ "\$prev" = "-b" ]; then spec="\$arg/config.json"; filter='.process.capabilities'; fi
  if [ "\$prev" = "--process" ] || [ "\$prev" = "-p" ]; then spec="\$arg"; filter='.capabilities'; fi
  prev="\$arg"
done
if [ -n "\${spec:-}" ] && [ -f "\$spec" ]; then
  $jq -c "(\$filter // {}) |= with_entries(.value |= map(select(. != \"CAP_SYS_RESOURCE\")))" "\$spec" >"\$spec.nocap" \
    && mv "\$spec.nocap" "\$spec"
fi
exec $runc "\$@"
WRAP
  chmod 755 "$WRAPPER"
}

log() { printf 'docker-setup: %s\n' "$*" >&2; }

# Rewritten on every run (root only) so a running daemon picks up a fixed wrapper at once.
if [ "$(id -u)" = 0 ] && command -v jq >/dev/null && command -v runc >/dev/null; then write_wrapper; fi
if docker info >/dev/null 2>&1; then
  log "a Docker daemon answers; nothing to do"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  log "no Docker daemon answers and not root: start Docker (or run this as root)"
  exit 2
fi

if ! command -v dockerd >/dev/null || ! command -v jq >/dev/null; then
  log "apt-get install docker.io jq"
  apt-get update -qq || true
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker.io jq iptables >/dev/null
fi


write_wrapper

# Bit 24 of the bounding set is CAP_SYS_RESOURCE.
capbnd="$(awk '/^CapBnd:/ {print $2}' /proc/self/status)"
runtime_flags=()
if (( (0x$capbnd >> 24 & 1) == 0 )); then
  log "CAP_SYS_RESOURCE is not in the bounding set: runc-nocap is the default runtime"
  runtime_flags=(--add-runtime "runc-nocap=$WRAPPER" --default-runtime runc-nocap)
fi

log "starting dockerd (log: $LOG)"
setsid nohup dockerd "${runtime_flags[@]}" >"$LOG" 2>&1 </dev/null &
echo $! >"$STATE/dockerd.pid"

# Waits on the daemon's own answer, not on time: `docker info` succeeds once the API serves.
for _ in $(seq 1 120); do
  if docker info >/dev/null 2>&1; then
    log "dockerd ready (pid $(cat "$STATE/dockerd.pid"))"
    exit 0
  fi
  if ! kill -0 "$(cat "$STATE/dockerd.pid")" 2>/dev/null; then
    log "dockerd exited; last lines of $LOG:"; tail -20 "$LOG" >&2; exit 1
  fi
  sleep 0.5
done
log "dockerd did not answer within 60 s; see $LOG"
exit 1
