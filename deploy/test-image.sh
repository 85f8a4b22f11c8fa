#!/usr/bin/env bash
# Tests the built image (deploy/build-image.sh) as a user would run it, on 127.0.0.1 only:
#   1. the image: non-root user, OCI labels, no HEALTHCHECK, no network tools;
#   2. the demo inside it: the allowed client gets 200 with its identity, no certificate is refused;
#   3. `run` with read-only root, all capabilities dropped, and certificates, CA and CRL mounted
#      as Kubernetes lays out a Secret ('..data' -> timestamped folder): the allowed client gets
#      200 with its identity headers; a CRL swapped in by the symlink swap revokes a client
#      without a restart;
#   4. SIGTERM with requests in flight: every one answered 200, exit status 0.
#
#   deploy/test-image.sh [IMAGE]        # default mtls-gateway:latest; about 2 minutes
#
# Not run by CI (no container engine there): run it after changing deploy/ or the gateway.
# Exit status 0 when every check passed, 1 otherwise, 2 on setup failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGE=${1:-mtls-gateway:latest}

say() { echo "test-image: $*" >&2; }
die() { say "$*"; exit 2; }
failures=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

ENGINE=${ENGINE:-$(command -v podman || command -v docker || true)}
[[ -n "$ENGINE" ]] || die "neither podman nor docker found"
engine=("$ENGINE")
run_flags=(--network host)
if [[ "$(basename "$ENGINE")" == podman ]]; then
  # Flags some VMs need (notes: crun fails on hybrid cgroups; an rlimit above the hard limit is refused).
  engine+=(--runtime runc --cgroup-manager=cgroupfs)
  run_flags+=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit nproc=1024:1024)
fi
for tool in curl python3 ss; do command -v "$tool" >/dev/null || die "$tool is required"; done
"${engine[@]}" image inspect "$IMAGE" >/dev/null 2>&1 || die "no image $IMAGE: run deploy/build-image.sh"

work=$(mktemp -d /tmp/mtls-image-test.XXXXXX)
chmod 755 "$work"
containers=()
upstream_pid=""
cleanup() {
  local status=$?
  for c in "${containers[@]}"; do "${engine[@]}" rm -f -t 2 "$c" >/dev/null 2>&1 || true; done
  [[ -n "$upstream_pid" ]] && kill "$upstream_pid" 2>/dev/null || true
  if [[ "${KEEP_TMP:-0}" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port NAME: sets NAME to a free port below the ephemeral range.
# shellcheck source=lib/free-port.sh
. "$root/deploy/lib/free-port.sh"

# Runs the image's CLI as its own user on a folder of $work (PKI commands).
cli() { "${engine[@]}" run --rm "${run_flags[@]}" -v "$work/pki:/pki" "$IMAGE" "$@" >/dev/null; }

wait_ready() {   # admin port; up to 60 s
  for _ in $(seq 1 120); do
    [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$1/readyz")" == 200 ]] && return 0
    sleep 0.5
  done
  return 1
}
metric() {   # admin port, series with labels (grep -F pattern): prints the value or 0
  curl -s "http://127.0.0.1:$1/metrics" | grep -F "$2" | grep -v '^#' | awk '{print $NF}' | head -n1 | grep . || echo 0
}

# --- 1. the image itself --------------------------------------------------------------------------
say "image $IMAGE"
inspect() { "${engine[@]}" image inspect --format "$1" "$IMAGE"; }
check "runs as user 10001:10001 (not root)" test "$(inspect '{{.Config.User}}')" == 10001:10001
for label in version revision licenses created; do
  value=$(inspect "{{index .Config.Labels \"org.opencontainers.image.$label\"}}")
  check "OCI label org.opencontainers.image.$label=$value" test -n "$value" -a "$value" != "<no value>"
done
check "no HEALTHCHECK (the orchestrator probes)" test "$(inspect '{{if .Config.Healthcheck}}yes{{end}}')" == ""
size=$(inspect '{{.Size}}')
echo "info - image size $((size / 1000000)) MB"
"${engine[@]}" create "$IMAGE" >"$work/cid"
"${engine[@]}" export "$(cat "$work/cid")" | tar -t > "$work/files"
"${engine[@]}" rm "$(cat "$work/cid")" >/dev/null
for tool in curl wget nc netcat openssl python3 gcc ssh; do
  check "no $tool in the image" bash -c "! grep -qE '^(usr/)?s?bin/$tool\$' '$work/files'"
done

# --- 2. the demo in the container -------------------------------------------------------------------
free_port demo_port; free_port demo_admin
mkdir -p "$work/demo" && chown 10001:10001 "$work/demo"
say "demo on 127.0.0.1:$demo_port"
demo=mtlsgw-demo-$$
containers+=("$demo")
"${engine[@]}" run -d --name "$demo" "${run_flags[@]}" --read-only --tmpfs /tmp:rw,exec,nosuid,nodev,size=32m \
  --cap-drop ALL --security-opt no-new-privileges -v "$work/demo:/demo" \
  "$IMAGE" demo --dir /demo --port "$demo_port" --admin-port "$demo_admin" >/dev/null
wait_ready "$demo_admin" || { "${engine[@]}" logs "$demo" >&2; die "demo did not become ready"; }
d=$work/demo
body=$(curl -s --cacert "$d/ca.pem" --cert "$d/demo-client.pem" --key "$d/demo-client.key" -w '\n%{http_code}' \
  "https://localhost:$demo_port/hello" || true)
check "demo: allowed client gets 200" test "$(tail -n1 <<<"$body")" == 200
check "demo: the API received the client's identity (X-Client-Subject)" grep -qi '"X-Client-Subject"' <<<"$body"
code=$(curl -s -o /dev/null -w '%{http_code}' --cacert "$d/ca.pem" "https://localhost:$demo_port/hello" || true)
check "demo: no client certificate is refused in the handshake (no HTTP status, got '$code')" test "$code" == 000
"${engine[@]}" kill --signal TERM "$demo" >/dev/null
check "demo: SIGTERM exits 0" test "$("${engine[@]}" wait "$demo")" == 0

# --- 3. run, with Kubernetes-style Secret folders ---------------------------------------------------
say "PKI (with the image's own pki commands)"
mkdir -p "$work/pki" && chown 10001:10001 "$work/pki"
cli pki init --dir /pki
cli pki issue --dir /pki --server localhost --dns localhost --ip 127.0.0.1
cli pki issue --dir /pki --client app --spiffe spiffe://test.example/ns/prod/sa/app
cli pki issue --dir /pki --client doomed
cli pki crl --dir /pki

# A Secret volume as the kubelet writes it: files in a timestamped folder, '..data' pointing to it,
# and each visible name a symlink through '..data'. An update writes a new folder and renames a
# new '..data' link over the old one (atomic), then removes the old folder.
secret_update() {   # dir name=source...
  local dir=$1; shift
  local stamp; stamp="..$(date -u +%Y_%m_%d_%H_%M_%S.%N)"
  mkdir -p "$dir/$stamp"
  for pair in "$@"; do cp "${pair#*=}" "$dir/$stamp/${pair%%=*}"; done
  chmod 0440 "$dir/$stamp"/*; chown -R 10001:10001 "$dir/$stamp"
  local old; old=$(readlink "$dir/..data" 2>/dev/null || true)
  ln -s "$stamp" "$dir/..data_tmp" && mv -T "$dir/..data_tmp" "$dir/..data"
  for pair in "$@"; do [[ -L "$dir/${pair%%=*}" ]] || ln -s "..data/${pair%%=*}" "$dir/${pair%%=*}"; done
  [[ -n "$old" ]] && rm -rf "${dir:?}/$old"
  return 0
}
p=$work/pki
secret_update "$work/secrets/server" tls.crt="$p/localhost.pem" tls.key="$p/localhost.key"
secret_update "$work/secrets/client-ca" ca.crt="$p/ca.pem"
secret_update "$work/secrets/crl" ca.crl="$p/ca.crl"

python3 "$root/deploy/lib/upstream.py" "$work/upstream.port" & upstream_pid=$!
for _ in $(seq 1 50); do [[ -s "$work/upstream.port" ]] && break; sleep 0.1; done
upstream_port=$(cat "$work/upstream.port")
free_port port; free_port admin
mkdir -p "$work/config"
cat > "$work/config/routes.yaml" <<ROUTES
version: 1
drainTimeout: 20s
admin: {listen: 127.0.0.1:$admin}
listeners:
  - name: edge
    listen: 127.0.0.1:$port
    tls:
      certificate: /etc/mtls-gateway/server/tls.crt
      privateKey: /etc/mtls-gateway/server/tls.key
      clientCa: /etc/mtls-gateway/client-ca/ca.crt
      crl: [/etc/mtls-gateway/crl/ca.crl]
    identityHeaders:
      X-Client-Subject: "\${subject}"
      X-Client-Spiffe-Id: "\${spiffe}"
routes:
  - {name: api, upstream: api}
upstreams:
  api: {endpoints: [127.0.0.1:$upstream_port]}
ROUTES
say "run on 127.0.0.1:$port (admin $admin), upstream 127.0.0.1:$upstream_port"
gw=mtlsgw-run-$$
containers+=("$gw")
"${engine[@]}" run -d --name "$gw" "${run_flags[@]}" --read-only --tmpfs /tmp:rw,exec,nosuid,nodev,size=32m \
  --cap-drop ALL --security-opt no-new-privileges \
  -v "$work/config:/etc/mtls-gateway/config:ro" -v "$work/secrets/server:/etc/mtls-gateway/server:ro" \
  -v "$work/secrets/client-ca:/etc/mtls-gateway/client-ca:ro" -v "$work/secrets/crl:/etc/mtls-gateway/crl:ro" \
  "$IMAGE" >/dev/null
wait_ready "$admin" || { "${engine[@]}" logs "$gw" >&2; die "gateway did not become ready"; }
check "run: read-only root filesystem (a write to /opt fails)" \
  bash -c "! ${engine[*]} exec $gw /usr/bin/touch /opt/probe 2>/dev/null"

tls=(--cacert "$p/ca.pem" --resolve "localhost:$port:127.0.0.1")
as() { local who=$1; shift; curl -s "${tls[@]}" --cert "$p/$who.pem" --key "$p/$who.key" "$@"; }
body=$(as app -w '\n%{http_code}' "https://localhost:$port/headers" || true)
check "run: allowed client gets 200" test "$(tail -n1 <<<"$body")" == 200
check "run: the upstream received X-Client-Spiffe-Id of the client" \
  grep -q '"X-Client-Spiffe-Id": "spiffe://test.example/ns/prod/sa/app"' <<<"$body"
code=$(curl -s -o /dev/null -w '%{http_code}' "${tls[@]}" "https://localhost:$port/headers" || true)
check "run: no client certificate is refused in the handshake (got '$code')" test "$code" == 000
code=$(as doomed -o /dev/null -w '%{http_code}' "https://localhost:$port/" || true)
check "run: client 'doomed' is served before its revocation (got $code)" test "$code" == 200

say "revoking 'doomed' and swapping the CRL Secret folder"
reloads=$(metric "$admin" 'mtls_gateway_config_reloads_total{host="",listener="",outcome="success"')
cli pki revoke --dir /pki /pki/doomed.pem
cli pki crl --dir /pki
swapped=$(date +%s%N)
secret_update "$work/secrets/crl" ca.crl="$p/ca.crl"
for _ in $(seq 1 100); do
  [[ "$(metric "$admin" 'mtls_gateway_config_reloads_total{host="",listener="",outcome="success"')" != "$reloads" ]] && break
  sleep 0.1
done
reloaded=$(date +%s%N)
check "run: the symlink swap reloaded the CRL ($(( (reloaded - swapped) / 1000000 )) ms after the swap)" \
  test "$(metric "$admin" 'mtls_gateway_config_reloads_total{host="",listener="",outcome="success"')" != "$reloads"
code=$(as doomed -o /dev/null -w '%{http_code}' "https://localhost:$port/" || true)
check "run: revoked client refused in the handshake (got '$code')" test "$code" == 000
check "run: refusal counted as reason=revoked" \
  test "$(metric "$admin" 'reason="revoked"')" != 0
body=$(as app -w '\n%{http_code}' "https://localhost:$port/headers" || true)
check "run: other clients still served after the reload" test "$(tail -n1 <<<"$body")" == 200

# --- 4. SIGTERM with requests in flight --------------------------------------------------------------
inflight=8
say "SIGTERM with $inflight requests in flight (each takes 3 s upstream)"
for i in $(seq 1 "$inflight"); do
  as app -o /dev/null -w '%{http_code}\n' "https://localhost:$port/slow?ms=3000" > "$work/slow.$i" 2>&1 &
done
for _ in $(seq 1 100); do
  [[ "$(curl -s "http://127.0.0.1:$upstream_port/inflight")" -ge "$inflight" ]] && break
  sleep 0.1
done
check "drain: $inflight requests in flight at the upstream before SIGTERM" \
  test "$(curl -s "http://127.0.0.1:$upstream_port/inflight")" -ge "$inflight"
echo "info - gateway (PID 1 in the container) peak RSS so far: $("${engine[@]}" exec "$gw" /usr/bin/grep VmHWM /proc/1/status | awk '{print $2, $3}')"
"${engine[@]}" kill --signal TERM "$gw" >/dev/null
code=$(curl -s -o /dev/null -w '%{http_code}' "${tls[@]}" --cert "$p/app.pem" --key "$p/app.key" \
  --max-time 2 "https://localhost:$port/" || true)
check "drain: a new connection after SIGTERM is not accepted (got '$code')" test "$code" == 000
wait $(jobs -p | grep -v "^$upstream_pid\$") 2>/dev/null || true
answered=$(cat "$work"/slow.* | grep -c '^200$' || true)
check "drain: all $inflight in-flight requests answered 200 (got $answered)" test "$answered" == "$inflight"
status=$("${engine[@]}" wait "$gw")
check "drain: the container exits 0 (got $status)" test "$status" == 0
"${engine[@]}" logs "$gw" 2>&1 | grep -E 'revok|clos|drain|stop' | sed 's/^/log  | /' | head -n 12

echo
if [[ $failures == 0 ]]; then echo "test-image: all checks passed"; else echo "test-image: $failures check(s) FAILED"; exit 1; fi
