#!/usr/bin/env bash
# A fleet that behaves as one: three gateway replicas (processes) behind HAProxy in TCP mode,
# standing in for a Kubernetes Service, everything on 127.0.0.1.
#   1. under continuous load (bench/load's LoadClient: keep-alive and new-connection clients),
#      a rolling restart of every replica in turn (readiness off, drain, stop, start, ready)
#      loses no request;
#   2. a TLS session from one replica resumes on another (needs shared ticket keys);
#   3. a CRL change reaches every replica and the revoked client is refused by each.
# Replicas run with the image's memory flags for a 512 MiB limit; their peak RSS is reported.
#
#   deploy/fleet-test.sh          # about 3-4 minutes; installs haproxy with apt-get if absent
#
# Settings: FLEET_LOAD_SECONDS=120 (the load run; must outlast the rolling restart), FLEET_KEEP_TMP=1 keeps the folder.
# Not run by CI. Exit status 0 when every check passed, 1 otherwise, 2 on setup failure.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
load_seconds=${FLEET_LOAD_SECONDS:-120}
replicas=(r1 r2 r3)

say() { echo "fleet: $*" >&2; }
die() { say "$*"; exit 2; }
failures=0
ok() { echo "ok   - $*"; }
fail() { echo "FAIL - $*"; failures=$((failures + 1)); }
info() { echo "info - $*"; }
check() { local what=$1; shift; if "$@"; then ok "$what"; else fail "$what"; fi; }

for tool in java curl python3 ss openssl; do command -v "$tool" >/dev/null || die "$tool is required"; done
if ! command -v haproxy >/dev/null; then
  say "haproxy not found: installing Debian's package with apt-get (root)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q haproxy >&2 || die "could not install haproxy"
fi
gateway_jar=$root/gateway/target/mtls-gateway.jar
bench_jar=$root/bench/target/benchmarks.jar
if [[ ! -f "$gateway_jar" || ! -f "$bench_jar" ]]; then
  say "building the gateway and bench jars"
  mvn -B -q package -DskipTests >&2
fi

work=$(mktemp -d /tmp/mtls-fleet.XXXXXX)
declare -A pid
helpers=()
cleanup() {
  local status=$?
  for p in "${pid[@]}" "${helpers[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${pid[@]}" "${helpers[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$p" 2>/dev/null || true
  done
  if [[ "${FLEET_KEEP_TMP:-0}" == 1 ]]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# free_port NAME: sets NAME to a free port below the ephemeral range.
# shellcheck source=lib/free-port.sh
. "$root/deploy/lib/free-port.sh"
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
gw() { java -jar "$gateway_jar" "$@"; }

# --- PKI, upstream --------------------------------------------------------------------------------
p=$work/pki
gw pki init --dir "$p" >/dev/null
gw pki issue --dir "$p" --server localhost --dns localhost --ip 127.0.0.1 >/dev/null
gw pki issue --dir "$p" --client load >/dev/null
gw pki issue --dir "$p" --client doomed >/dev/null
gw pki crl --dir "$p" >/dev/null

python3 deploy/lib/upstream.py "$work/upstream.port" & helpers+=($!)
for _ in $(seq 1 50); do [[ -s "$work/upstream.port" ]] && break; sleep 0.1; done
upstream_port=$(cat "$work/upstream.port")

# Shared session ticket keys, when this build has tls.sessionTicketKeys (one 48-byte key file).
head -c 48 /dev/urandom > "$work/ticket.key"
ticket_keys=""
if grep -q 'sessionTicketKeys' docs/configuration.md 2>/dev/null; then
  ticket_keys="      sessionTicketKeys: [$work/ticket.key]"
fi

# Each replica has its own CRL folder, laid out like a Kubernetes Secret volume ('..data').
secret_swap() {   # dir file source
  local stamp; stamp="..$(date -u +%Y_%m_%d_%H_%M_%S.%N)"
  mkdir -p "$1/$stamp" && cp "$3" "$1/$stamp/$2"
  local old; old=$(readlink "$1/..data" 2>/dev/null || true)
  ln -s "$stamp" "$1/..data_tmp" && mv -T "$1/..data_tmp" "$1/..data"
  [[ -L "$1/$2" ]] || ln -s "..data/$2" "$1/$2"
  [[ -n "$old" ]] && rm -rf "${1:?}/$old"
  return 0
}

declare -A port admin
for r in "${replicas[@]}"; do
  free_port "port[$r]"; free_port "admin[$r]"
  mkdir -p "$work/$r"
  secret_swap "$work/$r/crl" ca.crl "$p/ca.crl"
  cat > "$work/$r/routes.yaml" <<ROUTES
version: 1
drainTimeout: 10s
admin: {listen: 127.0.0.1:${admin[$r]}}
accessLog: {enabled: false}
listeners:
  - name: edge
    listen: 127.0.0.1:${port[$r]}
    tls:
      certificate: $p/localhost.pem
      privateKey: $p/localhost.key
      clientCa: $p/ca.pem
      crl: [$work/$r/crl/ca.crl]
$ticket_keys
routes:
  - {name: api, upstream: api}
upstreams:
  api: {endpoints: [127.0.0.1:$upstream_port]}
ROUTES
done

start_replica() {
  # The image's flags under a 512 MiB limit: heap and direct memory each 40% of it.
  java -Xmx205m -XX:MaxDirectMemorySize=205m -XX:+ExitOnOutOfMemoryError -XX:-UsePerfData \
    -jar "$gateway_jar" run --config "$work/$1/routes.yaml" >>"$work/$1/gateway.log" 2>&1 &
  pid[$1]=$!
}
ready() { [[ "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:${admin[$1]}/readyz")" == 200 ]]; }
wait_ready() { for _ in $(seq 1 240); do ready "$1" && return 0; sleep 0.25; done; return 1; }
metric() { curl -s "http://127.0.0.1:${admin[$1]}/metrics" | grep -F "$2" | grep -v '^#' | awk '{s+=$NF} END {print s+0}'; }
peak_rss() { awk '/VmHWM/ {print int($2/1024) " MB"}' "/proc/${pid[$1]}/status" 2>/dev/null || echo "?"; }

for r in "${replicas[@]}"; do start_replica "$r"; done
for r in "${replicas[@]}"; do wait_ready "$r" || { cat "$work/$r/gateway.log" >&2; die "$r did not become ready"; }; done
say "replicas ready: $(for r in "${replicas[@]}"; do printf '%s 127.0.0.1:%s (admin %s)  ' "$r" "${port[$r]}" "${admin[$r]}"; done)"

# --- HAProxy in TCP mode: the Service -----------------------------------------------------------------
free_port front; free_port haproxy_admin
{
  cat <<CFG
global
  stats socket ipv4@127.0.0.1:$haproxy_admin level admin
  maxconn 2000
defaults
  mode tcp
  timeout connect 2s
  timeout client 60s
  timeout server 60s
  # A connect refused by a replica that just closed its listener is retried on another one.
  retries 3
  option redispatch
frontend tls
  bind 127.0.0.1:$front
  default_backend gateways
backend gateways
  balance roundrobin
  # Readiness, as the kubelet probes it: /readyz on the admin port.
  option httpchk GET /readyz
  http-check expect status 200
CFG
  for r in "${replicas[@]}"; do
    echo "  server $r 127.0.0.1:${port[$r]} check port ${admin[$r]} inter 500ms fall 1 rise 2"
  done
} > "$work/haproxy.cfg"
haproxy -f "$work/haproxy.cfg" -db >"$work/haproxy.log" 2>&1 & helpers+=($!)
haproxy_cmd() {   # the runtime API, over TCP (bash's /dev/tcp: no socat needed)
  { exec 3<>"/dev/tcp/127.0.0.1/$haproxy_admin"; } 2>/dev/null || return 1
  printf '%s\n' "$1" >&3 && cat <&3; exec 3<&-
}
server_state() {   # r -> UP / DOWN / MAINT / DRAIN ... from "show servers state"
  { haproxy_cmd "show stat" || true; } | awk -F, -v s="$1" '$1=="gateways" && $2==s {print $18}'
}
for _ in $(seq 1 100); do
  all_up=1; for r in "${replicas[@]}"; do [[ "$(server_state "$r")" == UP ]] || all_up=0; done
  [[ $all_up == 1 ]] && break; sleep 0.2
done
check "HAProxy sees all three replicas UP" test "$all_up" == 1

as() { local who=$1 to=$2; shift 2; curl -s --cacert "$p/ca.pem" --cert "$p/$who.pem" --key "$p/$who.key" \
  --resolve "localhost:$to:127.0.0.1" "$@"; }
check "a request through HAProxy is answered 200" \
  test "$(as load "$front" -o /dev/null -w '%{http_code}' "https://localhost:$front/")" == 200

# --- 1. rolling restart under load -------------------------------------------------------------------
loadclient() {   # mode connections label; sets load_pid
  java -cp "$bench_jar" io.mtlsgateway.bench.load.LoadClient --mode "$1" --port "$front" --ca "$p/ca.pem" \
    --cert "$p/load.pem" --key "$p/load.key" --connections "$2" --threads 1 --warmup 0 \
    --duration "$load_seconds" --max-requests 2000000 --timeout 15 --label "$3" >"$work/load-$3.json" 2>"$work/load-$3.err" &
  load_pid=$!; helpers+=("$load_pid")
}
say "load: 6 keep-alive connections and 2 new-connection-per-request clients for ${load_seconds} s"
loadclient keepalive 6 keepalive; load_ka=$load_pid
loadclient handshake 2 handshake; load_hs=$load_pid
# Let the load reach every replica before the first restart.
for _ in $(seq 1 200); do
  busy=1; for r in "${replicas[@]}"; do [[ "$(metric "$r" 'mtls_gateway_requests_total{')" -gt 50 ]] || busy=0; done
  [[ $busy == 1 ]] && break; sleep 0.1
done
check "every replica serves load before the restart" test "$busy" == 1

restart_started=$(now_ms)
for r in "${replicas[@]}"; do
  t0=$(now_ms)
  served=$(metric "$r" 'mtls_gateway_requests_total{')
  # Readiness off: the Service stops sending new connections (endpoint removed), then the
  # preStop pause, then SIGTERM: the gateway drains what it has and exits.
  haproxy_cmd "set server gateways/$r state drain" >/dev/null
  sleep 1
  rss=$(peak_rss "$r")
  kill -TERM "${pid[$r]}"
  status=0; wait "${pid[$r]}" || status=$?
  t1=$(now_ms)
  start_replica "$r"
  wait_ready "$r" || fail "$r ready again after its restart"
  haproxy_cmd "set server gateways/$r state ready" >/dev/null
  for _ in $(seq 1 100); do [[ "$(server_state "$r")" == UP ]] && break; sleep 0.1; done
  t2=$(now_ms)
  check "$r: drained and exited $status after serving $served requests (peak RSS $rss); stop $((t1 - t0)) ms, back UP $((t2 - t1)) ms later" \
    test "$status" == 0 -a "$(server_state "$r")" == UP
done
restart_ms=$(( $(now_ms) - restart_started ))
info "rolling restart of 3 replicas took $restart_ms ms"
for l in $load_ka $load_hs; do
  kill -0 "$l" 2>/dev/null || fail "a load client ended before the rolling restart was over (raise FLEET_LOAD_SECONDS)"
done
say "rolling restart done; waiting for the load clients to finish their ${load_seconds} s"
wait "$load_ka" "$load_hs" 2>/dev/null || true
for mode in keepalive handshake; do
  read -r completed errors detail < <(python3 -c '
import json,sys
r=json.load(open(sys.argv[1]))
print(r["completedTotal"], r["errors"]["total"], json.dumps(r["errors"]).replace(" ",""))' "$work/load-$mode.json" 2>/dev/null || echo "0 -1 none")
  check "$mode load: $completed requests during the rolling restart, $errors lost $detail" \
    test "$errors" == 0 -a "$completed" -gt 0
done

# --- 2. session resumption across replicas --------------------------------------------------------------
request=$'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'
tls_session() {   # r, extra s_client args -> prints New/Reused
  printf '%s' "$request" | openssl s_client -connect "127.0.0.1:${port[$1]}" -servername localhost \
    -CAfile "$p/ca.pem" -cert "$p/load.pem" -key "$p/load.key" -tls1_3 -ign_eof "${@:2}" 2>/dev/null \
    | awk '/^(New|Reused),/ {print $1}' | tr -d , | tail -n1 || true
}
first=$(tls_session r1 -sess_out "$work/session.pem")
same=$(tls_session r1 -sess_in "$work/session.pem")
second=$(tls_session r2 -sess_in "$work/session.pem")
check "a session from r1 resumes on r1 ($first, then $same)" test "$same" == Reused
if [[ -n "$ticket_keys" ]]; then
  check "a session from r1 resumes on r2 (shared ticket keys): $first then $second" test "$second" == Reused
else
  echo "gap  - resumption across replicas: this build has no tls.sessionTicketKeys, so each replica has its own"
  echo "       ticket keys: a session from r1 presented to r2 gives '$second' (full handshake)"
fi

# --- 3. a CRL change reaches every replica ---------------------------------------------------------------
for r in "${replicas[@]}"; do
  check "$r serves 'doomed' before its revocation" \
    test "$(as doomed "${port[$r]}" -o /dev/null -w '%{http_code}' "https://localhost:${port[$r]}/" || true)" == 200
done
gw pki revoke --dir "$p" "$p/doomed.pem" >/dev/null
gw pki crl --dir "$p" >/dev/null
declare -A swapped
for r in "${replicas[@]}"; do secret_swap "$work/$r/crl" ca.crl "$p/ca.crl"; swapped[$r]=$(now_ms); done
# Poll the replicas in turn, so each one's time is its own (not the sum of the others' waits).
declare -A refused
for _ in $(seq 1 100); do
  pending=0
  for r in "${replicas[@]}"; do
    [[ -n "${refused[$r]:-}" ]] && continue
    code=$(as doomed "${port[$r]}" -o /dev/null -w '%{http_code}' "https://localhost:${port[$r]}/" || true)
    if [[ "$code" == 000 ]]; then refused[$r]=$(( $(now_ms) - swapped[$r] )); else pending=1; fi
  done
  [[ $pending == 0 ]] && break
  sleep 0.05
done
for r in "${replicas[@]}"; do
  check "$r refuses the revoked client ${refused[$r]:-never} ms after its CRL folder was swapped" \
    test -n "${refused[$r]:-}" -a "${refused[$r]:-99999}" -lt 10000
done
check "the load client is still served through HAProxy" \
  test "$(as load "$front" -o /dev/null -w '%{http_code}' "https://localhost:$front/")" == 200
for r in "${replicas[@]}"; do info "$r peak RSS after the CRL checks: $(peak_rss "$r")"; done

echo
if [[ $failures == 0 ]]; then echo "fleet: all checks passed"; else echo "fleet: $failures check(s) FAILED"; exit 1; fi
