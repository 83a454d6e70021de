#!/usr/bin/env bash
# Assembles a kind node image without any registry (kind's own `kind build node-image` pulls its
# base and component images). Idempotent: an existing image of that tag is kept.
#
# Usage: node-image.sh <image tag> ; inputs from the environment (all required):
#   KIND_BASE_FILES  kind's images/base/files (from the kind module in the Go module cache)
#   KUBE_VERSION     e.g. v1.36.1; the binaries below report it
#   KUBE_BIN_DIR     kube-apiserver, kube-controller-manager, kube-scheduler, kubectl,
#                    kubelet, kubeadm, kube-proxy (static, CGO_ENABLED=0)
#   ETCD_BIN         a static etcd;  PAUSE_C  Kubernetes' build/pause/linux/pause.c
#   IMAGE_TAGS       what kubeadm of KUBE_VERSION expects (`kubeadm config images list`), one a line
#
# The node: Debian bookworm minbase (ebbflow/debian-minbase, see node20-base.sh) with Debian's
# systemd, containerd, runc and CNI plugins, kind's base files, kubelet/kubeadm/kubectl in /usr/bin;
# containerd with restrict_oom_score_adj (pods cannot raise oom_score_adj where root lacks
# CAP_SYS_RESOURCE) and a bridge CNI (kind's kindnetd is not on the module proxy). The control-plane
# images are scratch images of the static binaries, tagged as kubeadm expects; kube-proxy's is
# Debian with iptables; pause is compiled from pause.c. They are imported into the node's containerd
# by running the node once, then the node is committed.
set -euo pipefail
TAG="$1"
: "${KIND_BASE_FILES:?}" "${KUBE_VERSION:?}" "${KUBE_BIN_DIR:?}" "${ETCD_BIN:?}" "${PAUSE_C:?}" "${IMAGE_TAGS:?}"
log() { printf 'kind-node: %s (%ss)\n' "$*" "$SECONDS" >&2; }
quiet_build() { docker build -q "$@" 2>&1 >/dev/null | grep -v -iE 'legacy builder|buildx|docs.docker.com|^\s*$' >&2 || true; }

if docker image inspect "$TAG" >/dev/null 2>&1; then log "$TAG present"; exit 0; fi
docker image inspect ebbflow/debian-minbase:bookworm >/dev/null 2>&1 \
  || { echo "kind-node: ebbflow/debian-minbase:bookworm missing: run node20-base.sh first" >&2; exit 2; }
W="$(mktemp -d)"
BUILDER="ebf-kind-node-build-$$"
trap 'docker rm -f "$BUILDER" >/dev/null 2>&1 || true; rm -rf "$W"' EXIT

log "node base (apt: systemd, containerd, runc, CNI plugins)"
mkdir -p "$W/base" && cp -r "$KIND_BASE_FILES" "$W/base/files" && chmod -R u+w "$W/base/files"
cat >"$W/base/Dockerfile" <<'DOCKERFILE'
FROM ebbflow/debian-minbase:bookworm
RUN apt-get update -qq \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
      systemd conntrack iptables iproute2 ethtool util-linux mount kmod libseccomp2 pigz \
      bash ca-certificates jq procps ipset containerd runc containernetworking-plugins \
 && rm -rf /var/lib/apt/lists/*
COPY files/ /
RUN chmod 755 /usr/local/bin/* /kind/bin/* \
 && find /lib/systemd/system/sysinit.target.wants/ -name "systemd-tmpfiles-setup.service" -delete \
 && rm -f /lib/systemd/system/multi-user.target.wants/* /etc/systemd/system/*.wants/* \
      /lib/systemd/system/local-fs.target.wants/* /lib/systemd/system/sockets.target.wants/*udev* \
      /lib/systemd/system/sockets.target.wants/*initctl* /lib/systemd/system/basic.target.wants/* \
 && echo "ReadKMsg=no" >> /etc/systemd/journald.conf \
 && ln -sf /usr/lib/systemd/systemd /sbin/init \
 && ln -sf /usr/bin/containerd /usr/local/bin/containerd \
 && mkdir -p /opt/cni/bin /etc/kubernetes/manifests /etc/cni/net.d \
 && ln -sf /usr/lib/cni/* /opt/cni/bin/ \
 && sed -i -e '/base_runtime_spec/d' -e 's/restrict_oom_score_adj = false/restrict_oom_score_adj = true/' \
      -e 's#sandbox_image = .*#sandbox_image = "registry.k8s.io/pause:3.10.2"#' /etc/containerd/config.toml \
 && systemctl enable kubelet.service containerd.service undo-mount-hacks.service \
 && systemctl mask systemd-binfmt.service
ENV container=docker
STOPSIGNAL SIGRTMIN+3
ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]
DOCKERFILE
quiet_build -t ebbflow/kind-node-base:bookworm "$W/base"

# Private copies: the inputs may be symlinks (docker cp would copy the link), and the cache stays untouched.
mkdir -p "$W/bin"
for b in kube-apiserver kube-controller-manager kube-scheduler kubectl kubelet kubeadm kube-proxy; do
  cp -L "$KUBE_BIN_DIR/$b" "$W/bin/$b"
done
cp -L "$ETCD_BIN" "$W/bin/etcd"
KUBE_BIN_DIR="$W/bin"; ETCD_BIN="$W/bin/etcd"

log "component images"
image_of() { grep -E "/$1:" <<<"$IMAGE_TAGS" | head -1; }
scratch_image() { # <binary path> <tag>
  local d="$W/img-$(basename "$1")"; mkdir -p "$d"; cp "$1" "$d/"
  printf 'FROM scratch\nCOPY %s /usr/local/bin/\nENV PATH=/usr/local/bin\nENTRYPOINT ["/usr/local/bin/%s"]\n' "$(basename "$1")" "$(basename "$1")" >"$d/Dockerfile"
  quiet_build -t "$2" "$d"
}
for c in kube-apiserver kube-controller-manager kube-scheduler; do scratch_image "$KUBE_BIN_DIR/$c" "$(image_of "$c")"; done
scratch_image "$ETCD_BIN" "$(image_of etcd)"
mkdir -p "$W/pause" && gcc -Os -static -o "$W/pause/pause" "$PAUSE_C" && strip "$W/pause/pause"
scratch_image "$W/pause/pause" "$(image_of pause)"
mkdir -p "$W/proxy" && cp "$KUBE_BIN_DIR/kube-proxy" "$W/proxy/"
printf 'FROM ebbflow/debian-minbase:bookworm\nRUN apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends iptables conntrack ipset kmod && rm -rf /var/lib/apt/lists/*\nCOPY kube-proxy /usr/local/bin/\n' >"$W/proxy/Dockerfile"
quiet_build -t "$(image_of kube-proxy)" "$W/proxy"
IMAGES=()
for c in kube-apiserver kube-controller-manager kube-scheduler etcd pause kube-proxy; do IMAGES+=("$(image_of "$c")"); done
docker save -o "$W/images.tar" "${IMAGES[@]}"

log "node filesystem and image import"
cat >"$W/10-bridge.conflist" <<'CNI'
{"cniVersion": "0.4.0", "name": "kind-bridge", "plugins": [
  {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": true, "hairpinMode": true,
   "ipam": {"type": "host-local", "ranges": [[{"subnet": "10.244.0.0/24"}]], "routes": [{"dst": "0.0.0.0/0"}]}},
  {"type": "portmap", "capabilities": {"portMappings": true}}]}
CNI
docker run -d --privileged --name "$BUILDER" --entrypoint /bin/sh ebbflow/kind-node-base:bookworm \
  -c 'mkdir -p /run/containerd; exec containerd' >/dev/null
for b in kubelet kubeadm kubectl; do docker cp "$KUBE_BIN_DIR/$b" "$BUILDER:/usr/bin/$b"; done
docker cp "$W/10-bridge.conflist" "$BUILDER:/etc/cni/net.d/10-bridge.conflist"
docker cp "$W/images.tar" "$BUILDER:/images.tar"
# containerd answers `ctr version` once its socket serves: the acknowledgement to wait on.
for _ in $(seq 1 60); do docker exec "$BUILDER" ctr version >/dev/null 2>&1 && break; sleep 0.5; done
docker exec "$BUILDER" sh -c "ctr -n k8s.io images import /images.tar >/dev/null && rm /images.tar && echo $KUBE_VERSION >/kind/version"
docker exec "$BUILDER" ctr -n k8s.io images ls -q | grep -c registry.k8s.io | xargs -I{} printf 'kind-node: %s images in the node\n' {} >&2
docker stop -t 10 "$BUILDER" >/dev/null
docker commit --change 'ENTRYPOINT ["/usr/local/bin/entrypoint", "/sbin/init"]' --change 'CMD []' "$BUILDER" "$TAG" >/dev/null
log "$TAG ready"
