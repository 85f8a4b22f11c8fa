#!/usr/bin/env bash
# End-to-end load benchmark: mtls-gateway versus nginx and HAProxy doing the same mutual-TLS reverse-proxy job,
# on this machine, in the same run, in front of the same upstream; optionally a second gateway jar (a baseline
# build) as a further target. Everything listens on and talks to 127.0.0.1 only.
#
#   bench/load/run.sh                 # ~8-10 min with the defaults below (4 targets)
#   LOAD_BASELINE_JAR=/path/to/old/mtls-gateway.jar bench/load/run.sh     # adds target "baseline"
#
# Settings (environment):
#   LOAD_DURATION=6          measured seconds per run
#   LOAD_WARMUP=2            warm-up seconds per run (not measured)
#   LOAD_ROUNDS=3            rounds; each round runs every mode against every target (start rotates per round)
#   LOAD_MODES="keepalive handshake resume"
#   LOAD_PEERS="nginx haproxy"      the non-Java peers to run (any subset, or empty)
#   LOAD_GATEWAY_JAR=gateway/target/mtls-gateway.jar   the gateway under test (target "gateway")
#   LOAD_BENCH_JAR=bench/target/benchmarks.jar       the load client (and the gRPC upstream)
#   LOAD_BASELINE_JAR=       a second gateway jar, measured as target "baseline" (e.g. a build of an older commit)
#   LOAD_PRIME=10            unmeasured seconds of each mode against each gateway JVM before round 1 (JIT warm-up)
#   LOAD_PRIME_MAX=0         more than LOAD_PRIME: then keep priming in chunks until the JVM is steady, up to this
#                            many seconds in all (LOAD_PRIME_CHUNK=10, LOAD_PRIME_JIT_SHARE=0.03, LOAD_PRIME_SETTLE=0.15:
#                            two chunks in a row whose JIT threads took <= 3 % and whose CPU/op moved <= 15 % end it)
#   LOAD_PRIME_CONNECTIONS=20000  handshake and resume modes: prime by this many connections instead of LOAD_PRIME
#                            seconds (the JIT's thresholds count calls, and a per-connection path is called once per
#                            connection: 60 s at 100 connections/s left C2 at 40 % of the gateway's CPU); 0: seconds
#   LOAD_PRIME_RUNS=4        ... split over this many load-client runs: each measured run is a new client, whose first
#                            connections are full handshakes and whose predecessor's exit closed connections mid-way;
#                            primed by one client only, the gateway met those paths first in the measured run and
#                            recompiled there (C2 at 39 % of its CPU in a run after 60,000 resumed connections)
#   LOAD_WORKERS=1           gateway workers = nginx worker_processes = HAProxy nbthread (the proxy under test)
#   LOAD_PROXY_CPUS=1        CPU list every proxy is pinned to with taskset (empty: no pinning)
#   LOAD_KEEPALIVE_CONNECTIONS=16   concurrent connections in keepalive mode
#   LOAD_HANDSHAKE_CONNECTIONS=8    concurrent connection openers in handshake and resume modes
#   LOAD_H2_CONNECTIONS=4    h2 connections in the h2-N and grpc-N modes (each with N streams in flight)
#   LOAD_PROTOCOLS=TLSv1.3,TLSv1.2  what the load client offers (TLSv1.2 alone compares TLS 1.2 handshakes)
#   LOAD_CLIENT_GROUPS=      key-exchange groups the load client offers (e.g. X25519); empty: Netty's default, hybrid
#                            post-quantum X25519MLKEM768 first, which the gateway takes and Debian's nginx and HAProxy
#                            (OpenSSL 3.0) do not support: they do X25519. The JSON's "negotiated" names the group.
#   LOAD_CLIENT_THREADS=2    load-client event loops
#   LOAD_UPSTREAM_WORKERS=1  worker_processes of the shared upstream nginx
#   LOAD_GATEWAY_ACCESS_LOG=false  the gateways' access log (the peers log nothing)
#   LOAD_GATEWAY_JAVA_OPTS=  extra JVM options for the gateways
#   LOAD_GATEWAY_TRANSPORT=auto   the gateways' transport (auto, epoll, io_uring, nio)
#   LOAD_BASELINE_TRANSPORT=       the baseline gateway's instead (default: LOAD_GATEWAY_TRANSPORT)
#   LOAD_BASELINE_WORKERS=   the baseline gateway's workers instead (default: LOAD_WORKERS); with the same jar and
#                            LOAD_PROXY_CPUS= (no pinning) this compares 2 workers with 1 in one run
#   LOAD_BASELINE_JAVA_OPTS= extra JVM options for the baseline gateway instead (default: LOAD_GATEWAY_JAVA_OPTS);
#                            with LOAD_BASELINE_JAR set to the same jar, this compares JVM flags in one run
#   LOAD_OUT=bench/results/load-<UTC date>.json (a -2, -3... suffix is added rather than overwrite)
#   LOAD_KEEP_TMP=0          1 keeps the temporary folder (configs, logs, PKI) for inspection
#
# Modes: keepalive (requests over long-lived connections), handshake (a new connection with a full handshake per
# request), resume (a new connection per request resuming the previous session: TLS 1.3 tickets), h2-N (GETs over
# LOAD_H2_CONNECTIONS h2 connections, ALPN h2, N streams in flight on each, to the same HTTP/1.1 upstream), grpc-N
# (the same with gRPC unary calls to an h2c gRPC upstream, bench's GrpcUpstream; the gateway's upstream has
# protocol h2c, nginx uses grpc_pass, HAProxy proto h2; a call counts only with grpc-status 0 in its trailers).
#   LOAD_PEERS="nginx haproxy" LOAD_MODES="h2-1 h2-10 h2-100 grpc-10" LOAD_PRIME=30 bench/load/run.sh   # h2 figures
# Exit status: 0 when every run was valid (no errors, handshakes of the intended kind), 1 otherwise, 2 on setup
# failure.
set -euo pipefail
# One compound command to the end of the file: bash reads all of it before running any, so editing the script
# while a run is under way (a long one, on a shared checkout) cannot break that run.
{
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

duration="${LOAD_DURATION:-6}"
warmup="${LOAD_WARMUP:-2}"
rounds="${LOAD_ROUNDS:-3}"
modes="${LOAD_MODES:-keepalive handshake resume}"
peers="${LOAD_PEERS-nginx haproxy}"
keepalive_connections="${LOAD_KEEPALIVE_CONNECTIONS:-16}"
handshake_connections="${LOAD_HANDSHAKE_CONNECTIONS:-8}"
h2_connections="${LOAD_H2_CONNECTIONS:-4}"
for mode in $modes; do
  case "$mode" in
    keepalive | handshake | resume | h2-[0-9]* | grpc-[0-9]*) ;;
    *) echo "load: unknown mode '$mode' (expected keepalive, handshake, resume, h2-N or grpc-N)" >&2; exit 2 ;;
  esac
done
case " $modes " in *" grpc-"*) grpc=1 ;; *) grpc=0 ;; esac
client_threads="${LOAD_CLIENT_THREADS:-2}"
workers="${LOAD_WORKERS:-1}"
protocols="${LOAD_PROTOCOLS:-TLSv1.3,TLSv1.2}"
client_groups="${LOAD_CLIENT_GROUPS:-}"
proxy_cpus="${LOAD_PROXY_CPUS-1}"

gateway_jar="${LOAD_GATEWAY_JAR:-$root/gateway/target/mtls-gateway.jar}"
baseline_jar="${LOAD_BASELINE_JAR:-}"
bench_jar="${LOAD_BENCH_JAR:-$root/bench/target/benchmarks.jar}"

say() { echo "load: $*" >&2; }
die() { say "$*"; exit 2; }

# --- tools --------------------------------------------------------------------------------------------------
command -v java >/dev/null || die "java is required (JDK 17+)"
command -v jq >/dev/null || die "jq is required to assemble the results (apt-get install -y jq)"
command -v curl >/dev/null || die "curl is required for the readiness and identity checks (apt-get install -y curl)"
# The peers are Debian's packages. Each package also installs a system service, which this script never starts,
# stops or reconfigures: it runs its own processes from a temporary folder. nginx is also the upstream.
for package in nginx $peers; do
  case "$package" in nginx | haproxy) ;; *) die "unknown peer '$package' (expected nginx and/or haproxy)" ;; esac
  if ! command -v "$package" >/dev/null; then
    say "$package not found: installing the Debian package '$package' with apt-get (needs root)"
    export DEBIAN_FRONTEND=noninteractive
    { apt-get update -q && apt-get install -y -q "$package"; } >&2 || die "could not install $package; install it and rerun"
  fi
done
nginx_bin="$(command -v nginx)"
case " $peers " in *" haproxy "*) haproxy_bin="$(command -v haproxy)" ;; *) haproxy_bin="" ;; esac
pin=()
if [ -n "$proxy_cpus" ]; then
  command -v taskset >/dev/null || die "taskset is required for LOAD_PROXY_CPUS=$proxy_cpus (or set LOAD_PROXY_CPUS=)"
  pin=(taskset -c "$proxy_cpus")
fi

if [ ! -f "$gateway_jar" ] || [ ! -f "$bench_jar" ]; then
  command -v mvn >/dev/null || die "mvn is required to build the jars"
  say "building gateway/target/mtls-gateway.jar and bench/target/benchmarks.jar"
  mvn -q -B package -DskipTests >&2
fi
[ -f "$gateway_jar" ] || die "no gateway jar at $gateway_jar"
[ -z "$baseline_jar" ] || [ -f "$baseline_jar" ] || die "LOAD_BASELINE_JAR: no file at $baseline_jar"

# --- temporary folder and cleanup -----------------------------------------------------------------------------
work="$(mktemp -d /tmp/mtls-load.XXXXXX)"
pids=()          # every process this script started, by id
cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do
    kill -TERM "$pid" 2>/dev/null || true
  done
  for pid in "${pids[@]}"; do
    # Give each process up to 10 s to exit on its own, then insist.
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "${LOAD_KEEP_TMP:-0}" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# A free port below the ephemeral range, so the load client's own connections cannot take it meanwhile.
# Sets the variable named $1 (not echoed: a command substitution's subshell would forget what it took).
taken=""
free_port() { # the variable's name must not be "candidate"
  local candidate
  for _ in $(seq 1 200); do
    candidate=$((20000 + RANDOM % 12000))
    case " $taken " in *" $candidate "*) continue ;; esac
    if [ -z "$(ss -Htan "( sport = :$candidate )" 2>/dev/null)" ]; then
      taken="$taken $candidate"
      printf -v "$1" '%s' "$candidate"
      return 0
    fi
  done
  die "no free port found"
}
free_port upstream_port

# --- PKI: one CA, one ECDSA P-256 server certificate every proxy presents, one client certificate --------------
pki="$work/pki"
java -jar "$gateway_jar" pki init --dir "$pki" >/dev/null
java -jar "$gateway_jar" pki issue --dir "$pki" --server localhost --dns localhost --ip 127.0.0.1 >/dev/null
java -jar "$gateway_jar" pki issue --dir "$pki" --client loadclient >/dev/null

# The targets: name -> port, process ids charged with its CPU, and whether it is a JVM (primed before round 1).
targets=()
declare -A port_of pids_of pid_of is_jvm

started_pid=""
start_pinned() { # log file, command...; sets started_pid
  local log="$1"; shift
  "${pin[@]}" "$@" </dev/null >"$log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

# --- nginx: the upstream, then the nginx mTLS proxy --------------------------------------------------------------
# Both nginx instances keep every file (pid, logs, temp) in the temporary folder and run in the foreground of
# a background job, so $! is the master's id; nothing of the system's nginx configuration is read.
nginx_common() {
  cat <<EOF
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
EOF
}
nginx_http_common() {
  cat <<EOF
  access_log off;
  client_body_temp_path $1/client_body;
  proxy_temp_path $1/proxy;
  fastcgi_temp_path $1/fastcgi;
  uwsgi_temp_path $1/uwsgi;
  scgi_temp_path $1/scgi;
  # The client keeps its connections for a whole run; nginx's default of 1000 requests per connection would
  # turn keep-alive runs into partial handshake runs.
  keepalive_requests 10000000;
  keepalive_timeout 300s;
EOF
}
nginx_check() { "$nginx_bin" -t -q -p "$1" -e "$1/error.log" -c "$1/nginx.conf" >&2 || die "nginx rejected $1/nginx.conf"; }
nginx_args() { echo "-p $1 -e $1/error.log -c $1/nginx.conf"; }

mkdir -p "$work/upstream"
{
  echo "worker_processes ${LOAD_UPSTREAM_WORKERS:-1};"
  nginx_common "$work/upstream"
  echo "http {"
  nginx_http_common "$work/upstream"
  cat <<EOF
  server {
    listen 127.0.0.1:$upstream_port;
    default_type text/plain;
    # Shows what identity each proxy forwarded; used once, before the load, not measured.
    location = /identity { return 200 "subject=\$http_x_client_subject xfcc=\$http_x_forwarded_client_cert\n"; }
    location / { return 200 "ok\n"; }
  }
}
EOF
} >"$work/upstream/nginx.conf"
nginx_check "$work/upstream"
# The upstream is not pinned: it serves every target alike.
# shellcheck disable=SC2046 # nginx_args is a list of words without spaces inside
"$nginx_bin" $(nginx_args "$work/upstream") -g "daemon off;" </dev/null >"$work/upstream/stdout.log" 2>&1 &
upstream_pid=$!; pids+=("$upstream_pid")

# The gRPC upstream (grpc modes only): h2c with prior knowledge, one event loop, not pinned, shared by every target.
grpc_pid=""
if [ "$grpc" = 1 ]; then
  free_port grpc_port
  java -cp "$bench_jar" io.mtlsgateway.bench.load.GrpcUpstream --port "$grpc_port" </dev/null >"$work/grpc-upstream.log" 2>&1 &
  grpc_pid=$!; pids+=("$grpc_pid")
  for _ in $(seq 1 120); do
    grep -q "listening on" "$work/grpc-upstream.log" 2>/dev/null && break
    kill -0 "$grpc_pid" 2>/dev/null || { cat "$work/grpc-upstream.log" >&2; die "the gRPC upstream exited during start-up"; }
    sleep 0.5
  done
  grep -q "listening on" "$work/grpc-upstream.log" || die "the gRPC upstream did not start within 60 s"
fi

# The gateway's suites in the gateway's order, chosen by server preference as the gateway does, so every proxy
# negotiates the same suite whatever the client offers first.
tls12_ciphers="ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305"
tls13_suites="TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"

if [[ " $peers " == *" nginx "* ]]; then
  free_port nginx_port
  mkdir -p "$work/nginx"
  {
    echo "worker_processes $workers;"
    nginx_common "$work/nginx"
    echo "http {"
    nginx_http_common "$work/nginx"
    cat <<EOF
  upstream app {
    server 127.0.0.1:$upstream_port;
    # Idle upstream connections kept per worker: more than the h2-100 mode's 400 requests in flight, so nginx,
    # like the gateway (1024 per endpoint) and HAProxy, reuses its upstream connections instead of reopening them.
    keepalive 512;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
  }
  server {
    # h2 in ALPN, as the gateway offers it (a client that offers no ALPN, like the HTTP/1.1 modes', gets HTTP/1.1).
    listen 127.0.0.1:$nginx_port ssl http2;
    ssl_certificate $pki/localhost.pem;
    ssl_certificate_key $pki/localhost.key;
    ssl_client_certificate $pki/ca.pem;
    ssl_verify_client on;
    ssl_verify_depth 4;
    ssl_protocols TLSv1.3 TLSv1.2;
    ssl_ciphers $tls12_ciphers;
    ssl_conf_command Ciphersuites $tls13_suites;
    ssl_prefer_server_ciphers on;
    # Tickets are on by default (ssl_session_tickets on); said here because resume mode depends on them.
    ssl_session_tickets on;
    location / {
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host \$host;
      # What the gateway sends too: the verified identity (replacing any client copy) and forwarding headers.
      proxy_set_header X-Client-Subject \$ssl_client_s_dn;
      proxy_set_header X-Forwarded-Client-Cert "Hash=\$ssl_client_fingerprint;Subject=\"\$ssl_client_s_dn\"";
      proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      proxy_set_header X-Forwarded-Proto \$scheme;
      proxy_set_header X-Forwarded-Host \$host;
    }
EOF
    [ "$grpc" = 0 ] || cat <<EOF
    location /bench.Load/ {
      grpc_pass grpc://grpc_app;
      grpc_set_header X-Client-Subject \$ssl_client_s_dn;
      grpc_set_header X-Forwarded-Client-Cert "Hash=\$ssl_client_fingerprint;Subject=\"\$ssl_client_s_dn\"";
      grpc_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;
      grpc_set_header X-Forwarded-Proto \$scheme;
      grpc_set_header X-Forwarded-Host \$host;
    }
EOF
    echo "  }"
    [ "$grpc" = 0 ] || cat <<EOF
  upstream grpc_app {
    server 127.0.0.1:$grpc_port;
    keepalive 512;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
  }
EOF
    echo "}"
  } >"$work/nginx/nginx.conf"
  nginx_check "$work/nginx"
  # shellcheck disable=SC2046
  start_pinned "$work/nginx/stdout.log" "$nginx_bin" $(nginx_args "$work/nginx") -g "daemon off;"
  targets+=(nginx); port_of[nginx]="$nginx_port"; pid_of[nginx]="$started_pid"; is_jvm[nginx]=0
fi

# --- HAProxy ----------------------------------------------------------------------------------------------------
if [[ " $peers " == *" haproxy "* ]]; then
  free_port haproxy_port
  mkdir -p "$work/haproxy"
  # HAProxy wants the certificate and its key in one PEM file.
  cat "$pki/localhost.pem" "$pki/localhost.key" >"$work/haproxy/localhost.pem"
  cat >"$work/haproxy/haproxy.cfg" <<EOF
global
  nbthread $workers
  maxconn 4096
  ssl-default-bind-options ssl-min-ver TLSv1.2
  ssl-default-bind-ciphers $tls12_ciphers
  ssl-default-bind-ciphersuites $tls13_suites
  # No "log" line: nothing is logged per request, as with the other proxies.

defaults
  mode http
  option http-keep-alive
  timeout connect 5s
  timeout client 300s
  timeout server 300s
  timeout http-keep-alive 300s

frontend mtls
  # Server cipher preference is HAProxy's default; TLS 1.3 tickets are on by default (no "no-tls-tickets").
  bind 127.0.0.1:$haproxy_port ssl crt $work/haproxy/localhost.pem ca-file $pki/ca.pem verify required alpn h2,http/1.1
  # The verified identity (replacing any client copy) and the forwarding headers, as the gateway sends them.
  http-request set-header X-Client-Subject %[ssl_c_s_dn(,0,rfc2253)]
  http-request set-header X-Forwarded-Client-Cert "Hash=%[ssl_c_der,sha2(256),hex,lower];Subject=\"%[ssl_c_s_dn(,0,rfc2253)]\""
  http-request set-header X-Forwarded-For %[src]
  http-request set-header X-Forwarded-Proto https
  http-request set-header X-Forwarded-Host %[req.hdr(host)]
  use_backend grpc if { path_beg /bench.Load/ }
  default_backend app

backend app
  http-reuse always
  server app 127.0.0.1:$upstream_port

backend grpc
  http-reuse always
  server grpc 127.0.0.1:${grpc_port:-1} proto h2
EOF
  "$haproxy_bin" -c -q -f "$work/haproxy/haproxy.cfg" >&2 || die "haproxy rejected $work/haproxy/haproxy.cfg"
  # -db: foreground, one process, so $! is the process that does the work.
  start_pinned "$work/haproxy/stdout.log" "$haproxy_bin" -db -f "$work/haproxy/haproxy.cfg"
  targets+=(haproxy); port_of[haproxy]="$haproxy_port"; pid_of[haproxy]="$started_pid"; is_jvm[haproxy]=0
fi

# --- mtls-gateway: the jar under test, and the baseline jar if given -----------------------------------------------
start_gateway() { # name jar jvm-options transport workers
  local gw_port gw_admin
  free_port gw_port; free_port gw_admin
  cat >"$work/$1.yaml" <<EOF
version: 1
workers: $5
transport: $4
admin:
  listen: 127.0.0.1:$gw_admin
# The peers log nothing per request; the same job here (LOAD_GATEWAY_ACCESS_LOG=true measures its cost).
accessLog:
  enabled: ${LOAD_GATEWAY_ACCESS_LOG:-false}
listeners:
  - name: load
    listen: 127.0.0.1:$gw_port
    tls:
      certificate: $pki/localhost.pem
      privateKey: $pki/localhost.key
      clientAuth: require
      clientCa: $pki/ca.pem
      verifyDepth: 4
      protocols: [TLSv1.3, TLSv1.2]
    identityHeaders:
      X-Client-Subject: "\${subject}"
    xfcc: sanitize-set
    http2:
      # nginx's keepalive_requests above: the client keeps its connections for a whole run.
      maxRequestsPerConnection: 10000000
routes:
EOF
  [ "$grpc" = 0 ] || cat >>"$work/$1.yaml" <<EOF
  - name: grpc
    match: { pathPrefix: /bench.Load/ }
    upstream: grpc
EOF
  cat >>"$work/$1.yaml" <<EOF
  - name: all
    match: { pathPrefix: / }
    upstream: app
upstreams:
  app:
    endpoints: [127.0.0.1:$upstream_port]
EOF
  [ "$grpc" = 0 ] || cat >>"$work/$1.yaml" <<EOF
  grpc:
    endpoints: [127.0.0.1:$grpc_port]
    protocol: h2c
EOF
  # shellcheck disable=SC2086 # the JVM options are a list of words
  start_pinned "$work/$1.log" java $3 -jar "$2" run --config "$work/$1.yaml"
  targets+=("$1"); port_of[$1]="$gw_port"; pid_of[$1]="$started_pid"; pids_of[$1]="$started_pid"; is_jvm[$1]=1
}
gateway_transport="${LOAD_GATEWAY_TRANSPORT:-auto}"
baseline_transport="${LOAD_BASELINE_TRANSPORT:-$gateway_transport}"
baseline_workers="${LOAD_BASELINE_WORKERS:-$workers}"
start_gateway gateway "$gateway_jar" "${LOAD_GATEWAY_JAVA_OPTS:-}" "$gateway_transport" "$workers"
[ -z "$baseline_jar" ] || start_gateway baseline "$baseline_jar" "${LOAD_BASELINE_JAVA_OPTS-${LOAD_GATEWAY_JAVA_OPTS:-}}" \
  "$baseline_transport" "$baseline_workers"

# The gateways first: their rows lead the table and the ratios are theirs.
ordered=()
for target in gateway baseline nginx haproxy; do [ -z "${port_of[$target]:-}" ] || ordered+=("$target"); done
targets=("${ordered[@]}")

# --- readiness and the identity each proxy forwards --------------------------------------------------------------
request() { # port path
  curl -sS --max-time 5 --cacert "$pki/ca.pem" --cert "$pki/loadclient.pem" --key "$pki/loadclient.key" \
    --resolve "localhost:$1:127.0.0.1" "https://localhost:$1$2"
}
wait_ready() { # name
  local port="${port_of[$1]}" pid="${pid_of[$1]}"
  for _ in $(seq 1 120); do
    kill -0 "$pid" 2>/dev/null || { cat "$work"/*.log "$work"/*/error.log "$work"/*/stdout.log >&2 2>/dev/null; die "$1 exited during start-up"; }
    [ "$(request "$port" / 2>/dev/null)" = "ok" ] && return 0
    sleep 0.5
  done
  die "$1 did not answer ok on 127.0.0.1:$port within 60 s"
}

# The same handshake shape on every target (version, suite, key exchange, tickets), as OpenSSL's client sees it.
handshake_shape() { # port
  command -v openssl >/dev/null || { echo "not checked: openssl not installed"; return 0; }
  printf 'GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n' \
    | timeout 10 openssl s_client -connect "127.0.0.1:$1" -servername localhost -CAfile "$pki/ca.pem" \
        -cert "$pki/loadclient.pem" -key "$pki/loadclient.key" -ign_eof 2>&1 \
    | awk '/^New, / { cipher = $0 } /^Server Temp Key: / { sub(/^Server Temp Key: /, ""); kx = $0 }
           /^Peer signature type: / { sub(/^Peer signature type: /, ""); sig = $0 }
           /Session Ticket arrived/ { tickets++ }
           END { printf "%s; key exchange %s; signature %s; %d session tickets\n", cipher, kx, sig, tickets }'
}

# CPU time is charged to the proxy's processes: a gateway's JVM; nginx's master and workers; HAProxy's process.
children() { ps -o pid= --ppid "$1" | tr -d ' ' | paste -sd, -; }
identities="{}"; shapes="{}"
for target in "${targets[@]}"; do
  wait_ready "$target"
  # A JVM just started on a busy machine can miss curl's 5 s once: three tries, then a clear failure.
  identity=""
  for _ in 1 2 3; do identity="$(request "${port_of[$target]}" /identity 2>/dev/null)" && break; done
  [ -n "$identity" ] || die "$target did not answer /identity (the forwarded identity check)"
  shape="$(handshake_shape "${port_of[$target]}")"
  say "$target forwards: $identity"
  say "$target handshake: $shape"
  identities="$(jq -c --arg k "$target" --arg v "$identity" '. + {($k): $v}' <<<"$identities")"
  shapes="$(jq -c --arg k "$target" --arg v "$shape" '. + {($k): $v}' <<<"$shapes")"
  if [ "$target" = nginx ]; then pids_of[nginx]="${pid_of[nginx]},$(children "${pid_of[nginx]}")"; fi
  if [ "$target" = haproxy ]; then pids_of[haproxy]="${pid_of[haproxy]}"; fi
done
upstream_pids="$upstream_pid,$(children "$upstream_pid")"

# --- machine facts --------------------------------------------------------------------------------------------
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
jdk="$(java -version 2>&1 | sed -n 2p)"
nginx_version="$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')"
# awk reads to the end: a reader that stops early (grep -m1) makes nginx die of SIGPIPE, failing the script.
nginx_openssl="$("$nginx_bin" -V 2>&1 | awk '/^built with/ && !seen { sub(/^built with /, ""); print; seen = 1 }')"
haproxy_version="$([ -z "$haproxy_bin" ] || "$haproxy_bin" -v 2>&1 | sed -n '1s/^HAProxy version \([^ ]*\).*/\1/p')"
haproxy_openssl="$([ -z "$haproxy_bin" ] || "$haproxy_bin" -vv 2>&1 | sed -n 's/^Running on OpenSSL version : //p')"
openssl_version="$(openssl version 2>/dev/null || echo unknown)"
netty_version="$(sed -n 's:.*<netty.version>\(.*\)</netty.version>.*:\1:p' pom.xml)"
jar_id() { sha256sum "$1" | cut -c1-12; }
load_before="$(loadavg)"
uptime_before="$(uptime)"

# Runs the load client once; prints its JSON line. Arguments: mode target warmup duration [max-operations].
client_status=0
run_client() {
  local connections extra=() ups="$upstream_pids"
  [ -z "${5:-}" ] || extra+=(--max-requests "$5")
  [ -z "$client_groups" ] || extra+=(--groups "$client_groups")
  case "$1" in
    keepalive) connections="$keepalive_connections"; extra+=(--mode keepalive) ;;
    handshake | resume) connections="$handshake_connections"; extra+=(--mode "$1") ;;
    h2-*) connections="$h2_connections"; extra+=(--mode h2 --streams "${1#h2-}") ;;
    grpc-*) connections="$h2_connections"; ups="$grpc_pid"
      extra+=(--mode grpc --streams "${1#grpc-}" --path /bench.Load/Unary) ;;
    *) die "unknown mode '$1'" ;;
  esac
  client_status=0
  java -cp "$bench_jar" io.mtlsgateway.bench.load.LoadClient "${extra[@]}" --host 127.0.0.1 \
    --port "${port_of[$2]}" --server-name localhost --ca "$pki/ca.pem" --cert "$pki/loadclient.pem" \
    --key "$pki/loadclient.key" --connections "$connections" --threads "$client_threads" \
    --warmup "$3" --duration "$4" --label "$2" --protocols "$protocols" --proxy-pids "${pids_of[$2]}" \
    --upstream-pids "$ups" --clock-ticks "$(getconf CLK_TCK)" || client_status=$?
}

# --- priming: a gateway's JIT compiles its hot paths during the first tens of seconds of load (minutes on a busy
# machine, where C2 shares the proxy's core with everything else), so each JVM gets unmeasured load first in every
# mode; the per-run warm-up then only has to settle connections. LOAD_PRIME seconds first; then, with
# LOAD_PRIME_MAX > LOAD_PRIME, chunks of LOAD_PRIME_CHUNK seconds until two chunks in a row are steady (in each the
# JIT compiler threads took at most LOAD_PRIME_JIT_SHARE of the JVM's CPU, and the second's CPU per operation
# without them is within LOAD_PRIME_SETTLE of the first's) or LOAD_PRIME_MAX seconds have passed. Every chunk is recorded. --------
prime="${LOAD_PRIME:-10}"
prime_connections="${LOAD_PRIME_CONNECTIONS:-20000}"
prime_runs="${LOAD_PRIME_RUNS:-4}"
[ "$prime_runs" -ge 1 ] 2>/dev/null || die "LOAD_PRIME_RUNS: $prime_runs (expected: a whole number >= 1)"
prime_max="${LOAD_PRIME_MAX:-0}"
prime_chunk="${LOAD_PRIME_CHUNK:-10}"
prime_jit_share="${LOAD_PRIME_JIT_SHARE:-0.03}"
prime_settle="${LOAD_PRIME_SETTLE:-0.15}"
primed="[]"
priming="$work/priming.jsonl"
: >"$priming"
prime_client() { # mode target seconds [connection cap]; leaves the result in $work/prime.json
  run_client "$1" "$2" 0 "$3" "${4:-}" >"$work/prime.json" 2>"$work/prime.log" \
    || { cat "$work/prime.log" >&2; die "priming $2 failed"; }
  # Errors stop the script; a cold JVM on a busy machine that answered nothing in time does not.
  [ "$(jq '.errors.total' "$work/prime.json" 2>/dev/null || echo -1)" = 0 ] \
    || { cat "$work/prime.log" >&2; die "priming $2 ($1) had errors"; }
}
prime_chunk_once() { # mode target seconds elapsed-before; appends the chunk to $priming
  prime_client "$1" "$2" "$3"
  jq -c --argjson from "$4" --arg load "$(loadavg)" '{label: .label, mode: .mode, fromSecond: $from, seconds: .windowSeconds,
      measured: .measured, proxyCpuMicrosPerRequest: .proxyCpuMicrosPerRequest,
      proxyCpuMicrosPerRequestWithoutJit: .proxyCpuMicrosPerRequestWithoutJit,
      jitShare: (if .proxyCpuMicrosPerRequest > 0
                 then (1 - .proxyCpuMicrosPerRequestWithoutJit / .proxyCpuMicrosPerRequest) * 1000 | round / 1000
                 else null end),
      loadavgAfter: $load}' "$work/prime.json" >>"$priming"
}
for mode in $modes; do
  for target in "${targets[@]}"; do
    [ "${is_jvm[$target]}" = 1 ] || continue
    case "$mode" in
      # Bounded by connections (the client stops at the cap), with 600 s as the client's longest run.
      handshake | resume) [ "$prime_connections" -gt 0 ] && cap="$prime_connections" seconds=600 || cap="" seconds="$prime" ;;
      *) cap="" seconds="$prime" ;;
    esac
    elapsed=0
    # By connections: in LOAD_PRIME_RUNS client runs, so the start and end of a client are primed too.
    runs_left=1
    [ -z "$cap" ] || runs_left="$prime_runs"
    while [ "$seconds" -gt 0 ] && [ "$runs_left" -gt 0 ]; do
      runs_left=$((runs_left - 1))
      run_cap="$cap"
      [ -z "$cap" ] || run_cap=$(( (cap + prime_runs - 1) / prime_runs ))
      say "priming $target with $mode load (not recorded): ${run_cap:+$run_cap connections, at most }$seconds s"
      prime_client "$mode" "$target" "$seconds" "$run_cap"
      # What the priming did, and how much of it the JIT took, so a reader can see whether it was enough.
      primed="$(jq -c --arg t "$target" --arg m "$mode" --slurpfile p "$work/prime.json" \
        '. + [{target: $t, mode: $m, operations: $p[0].measured, seconds: $p[0].windowSeconds,
               jitShare: (if $p[0].proxyCpuMicrosPerRequest > 0 then
                 (1 - $p[0].proxyCpuMicrosPerRequestWithoutJit / $p[0].proxyCpuMicrosPerRequest) * 1000 | round / 1000
                 else null end)}]' <<<"$primed" 2>/dev/null || echo "$primed")"
      say "primed $target ($mode): $(jq -c '.[-1]' <<<"$primed")"
      elapsed="$(jq -r '.[-1].seconds | floor' <<<"$primed" 2>/dev/null || echo "$seconds")"
    done
    [ -z "$cap" ] || continue # primed by connections: no chunks after
    previous="" # the previous chunk's CPU per operation without JIT, when its JIT share was low already
    while [ "$elapsed" -lt "$prime_max" ]; do
      prime_chunk_once "$mode" "$target" "$prime_chunk" "$elapsed"
      elapsed=$((elapsed + prime_chunk))
      chunk="$(tail -n 1 "$priming")"
      now="$(jq -r .proxyCpuMicrosPerRequestWithoutJit <<<"$chunk")"
      say "priming $target ($mode) at $elapsed s: $(jq -r .proxyCpuMicrosPerRequest <<<"$chunk") µs/op," \
        "$now without JIT, JIT share $(jq -r .jitShare <<<"$chunk")"
      if [ -n "$previous" ] && jq -e --argjson prev "$previous" --argjson share "$prime_jit_share" \
          --argjson settle "$prime_settle" \
          '.jitShare != null and .jitShare <= $share and $prev > 0
           and ((.proxyCpuMicrosPerRequestWithoutJit - $prev) / $prev | fabs) <= $settle' <<<"$chunk" >/dev/null; then
        say "priming $target ($mode): steady after $elapsed s"
        break
      fi
      previous=""
      if jq -e --argjson share "$prime_jit_share" '.jitShare != null and .jitShare <= $share' <<<"$chunk" >/dev/null; then
        previous="$now"
      fi
    done
  done
done

# --- runs: every target in turn, the first target rotating per round, so drift in the machine's load and the
# position in the round hit every target alike ------------------------------------------------------------------
runs="$work/runs.jsonl"
: >"$runs"
all_valid=1
count=${#targets[@]}
for round in $(seq 1 "$rounds"); do
  for mode in $modes; do
    for i in $(seq 0 $((count - 1))); do
      target="${targets[$(((i + round - 1) % count))]}"
      say "round $round/$rounds: $mode against $target (load average $(loadavg))"
      before="$(loadavg)"
      # Not in a command substitution: run_client must set client_status in this shell.
      run_client "$mode" "$target" "$warmup" "$duration" >"$work/line.json"
      line="$(cat "$work/line.json")"
      [ "$client_status" = 0 ] || all_valid=0
      if [ -z "$line" ]; then die "the load client printed no result (exit $client_status)"; fi
      jq -c --argjson round "$round" --arg before "$before" --arg after "$(loadavg)" \
        '. + {round: $round, loadavgBefore: $before, loadavgAfter: $after}' <<<"$line" >>"$runs"
    done
  done
done
load_after="$(loadavg)"
for target in "${targets[@]}"; do
  kill -0 "${pid_of[$target]}" 2>/dev/null || { say "$target died during the runs"; all_valid=0; }
done

# --- results --------------------------------------------------------------------------------------------------
date_utc="$(date -u +%F)"
out="${LOAD_OUT:-bench/results/load-$date_utc.json}"
if [ -z "${LOAD_OUT:-}" ]; then
  n=2
  while [ -e "$out" ]; do out="bench/results/load-$date_utc-$n.json"; n=$((n + 1)); done
fi
mkdir -p "$(dirname "$out")"

jars="$(jq -nc --arg g "$gateway_jar" --arg gi "$(jar_id "$gateway_jar")" --arg b "$baseline_jar" \
  --arg bi "$([ -z "$baseline_jar" ] || jar_id "$baseline_jar")" \
  '{gateway: {path: $g, sha256prefix: $gi}} + (if $b == "" then {} else {baseline: {path: $b, sha256prefix: $bi}} end)')"
targets_json="$(printf '%s\n' "${targets[@]}" | jq -R . | jq -sc .)"

jq -s \
  --arg date "$(date -u +%FT%TZ)" --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg nproc "$(nproc)" --arg cpu "$cpu_model" --arg kernel "$(uname -r)" --arg jdk "$jdk" \
  --arg nginx "$nginx_version" --arg nginxOpenssl "$nginx_openssl" --arg openssl "$openssl_version" \
  --arg haproxy "$haproxy_version" --arg haproxyOpenssl "$haproxy_openssl" \
  --arg netty "$netty_version" --arg loadBefore "$load_before" --arg loadAfter "$load_after" \
  --arg uptimeBefore "$uptime_before" --arg uptimeAfter "$(uptime)" \
  --argjson identities "$identities" --argjson shapes "$shapes" --argjson jars "$jars" \
  --argjson targets "$targets_json" --arg protocols "$protocols" --arg proxyCpus "$proxy_cpus" \
  --argjson duration "$duration" --argjson warmup "$warmup" --argjson rounds "$rounds" --argjson prime "$prime" \
  --argjson primeConnections "$prime_connections" --argjson primeRuns "$prime_runs" --argjson primed "$primed" \
  --arg clientGroups "$client_groups" \
  --argjson workers "$workers" --argjson baselineWorkers "$baseline_workers" --argjson clientThreads "$client_threads" \
  --argjson kaConn "$keepalive_connections" --argjson hsConn "$handshake_connections" \
  --argjson h2Conn "$h2_connections" \
  --arg gatewayJavaOpts "${LOAD_GATEWAY_JAVA_OPTS:-}" \
  --arg baselineJavaOpts "${LOAD_BASELINE_JAVA_OPTS-${LOAD_GATEWAY_JAVA_OPTS:-}}" \
  --arg gatewayTransport "$gateway_transport" --arg baselineTransport "$baseline_transport" \
  --argjson primeMax "$prime_max" --argjson primeChunk "$prime_chunk" --argjson primeJitShare "$prime_jit_share" \
  --argjson primeSettle "$prime_settle" --slurpfile priming "$priming" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
                     else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def ratio(a; b): if a == null or b == null or b == 0 then null else (a / b * 1000 | round / 1000) end;
  def r1: if . == null then null else (. * 10 | round / 10) end;
  def stats(f): map(f) | {median: (median | r1), min: (min | r1), max: (max | r1)};
  def ratios($r; $field): $targets | map(select(. != "gateway")) | map(. as $t
    | {key: $t, value: {
        ofMedians: ratio($r | map(select(.label == "gateway")) | map(.[$field]) | median;
                         $r | map(select(.label == $t)) | map(.[$field]) | median),
        perRound: [range(1; $rounds + 1) as $i
          | ratio($r | map(select(.label == "gateway" and .round == $i)) | .[0][$field];
                  $r | map(select(.label == $t and .round == $i)) | .[0][$field])]}})
    # The median of the per-round ratios pairs runs that met the same machine state: steadier than the
    # ratio of the medians when a JVM is still warming up over the rounds.
    | map(.value.medianOfRounds = (.value.perRound | map(select(. != null)) | median
        | if . == null then null else (. * 1000 | round / 1000) end))
    | from_entries;
  . as $runs
  | {
      benchmark: "load: mtls-gateway vs peers, mutual-TLS reverse proxy, 127.0.0.1",
      date: $date, commit: $commit, targets: $targets, jars: $jars,
      machine: {nproc: ($nproc | tonumber), cpu: $cpu, kernel: $kernel, jdk: $jdk, netty: $netty,
                nginx: $nginx, nginxBuiltWith: $nginxOpenssl, haproxy: $haproxy, haproxyOpenssl: $haproxyOpenssl,
                openssl: $openssl, loadavgBefore: $loadBefore, loadavgAfter: $loadAfter,
                uptimeBefore: $uptimeBefore, uptimeAfter: $uptimeAfter},
      settings: {durationSeconds: $duration, warmupSeconds: $warmup, primeSecondsPerModeAndJvm: $prime,
                 primeConnectionsPerHandshakeModeAndJvm: $primeConnections, primeRunsPerHandshakeModeAndJvm: $primeRuns,
                 priming: $primed,
                 primeMaxSeconds: $primeMax, primeChunkSeconds: $primeChunk, primeSteadyJitShare: $primeJitShare,
                 primeSteadySettle: $primeSettle,
                 rounds: $rounds, proxyWorkers: $workers, baselineWorkers: $baselineWorkers, proxyCpus: $proxyCpus, clientThreads: $clientThreads,
                 clientProtocols: $protocols, clientGroups: (if $clientGroups == "" then "netty default" else $clientGroups end),
                 keepaliveConnections: $kaConn, handshakeConnections: $hsConn,
                 h2Connections: $h2Conn,
                 gatewayJavaOptions: $gatewayJavaOpts, baselineJavaOptions: $baselineJavaOpts,
                 gatewayTransport: $gatewayTransport, baselineTransport: $baselineTransport},
      identityForwarded: $identities,
      handshakeSeenByOpensslClient: $shapes,
      allValid: ($runs | all(.valid)),
      # The priming chunks after the first LOAD_PRIME seconds (LOAD_PRIME_MAX): how the JVMs warmed up.
      primingChunks: $priming,
      summary: (reduce ($runs[] | .mode) as $m ([]; if any(.[]; . == $m) then . else . + [$m] end)
        | map(. as $m
        | ($runs | map(select(.valid and .mode == $m))) as $r
        | {mode: $m,
           perTarget: ($targets | map(. as $t | ($r | map(select(.label == $t))) as $tr
             | {key: $t, value: {validRuns: ($tr | length),
                 proxyCpuMicrosPerOp: ($tr | stats(.proxyCpuMicrosPerRequest)),
                 proxyCpuMicrosPerOpWithoutJit: ($tr | stats(.proxyCpuMicrosPerRequestWithoutJit)),
                 throughputPerSecond: ($tr | stats(.throughputPerSecond)),
                 p99Micros: ($tr | stats(.latencyMicros.p99)),
                 resumedFraction: ($tr | map(if .handshakes > 0 then .resumed / .handshakes else 0 end) | median
                   | if . == null then null else (. * 1000 | round / 1000) end),
                 loadavg1Min: ($tr | map(.loadavgBefore | split(" ")[0] | tonumber) | {min: min, max: max})}})
             | from_entries),
           # gateway ÷ each other target: the ratio of the medians, and the same ratio within each round; for the
           # whole process (the figure the peers are compared by) and without the JVM JIT compiler threads.
           gatewayCpuRatio: ratios($r; "proxyCpuMicrosPerRequest"),
           gatewayCpuRatioWithoutJit: ratios($r; "proxyCpuMicrosPerRequestWithoutJit")})),
      runs: $runs
    }' "$runs" >"$out"
say "wrote $out"

# --- markdown tables on stdout: proxy CPU per operation, median (min-max) over the rounds -------------------------
jq -r '
  (.targets | map(select(. != "gateway"))) as $others
  | def table($cpu; $ratio):
      "| mode | " + ((.targets | map(. + " CPU µs/op")) + ($others | map("gateway ÷ " + .)) | join(" | ")) + " |",
      "|---|" + ((.targets + $others) | map("---:") | join("|")) + "|",
      (.summary[] | . as $s
       | "| \(.mode) | "
         + (([$s.perTarget[] | .[$cpu] | "\(.median) (\(.min)–\(.max))"])
            + ($others | map(. as $t | $s[$ratio][$t]
               | "\(.medianOfRounds) (rounds \(.perRound | map(tostring) | join(", ")))")) | join(" | ")) + " |");
    "Whole process (all threads):", "", table("proxyCpuMicrosPerOp"; "gatewayCpuRatio"), "",
    "Without the JVMs\u0027 JIT compiler threads (warm-up work; the peers have none):", "",
    table("proxyCpuMicrosPerOpWithoutJit"; "gatewayCpuRatioWithoutJit"), "",
    "Operations/s (requests/s; connections/s in handshake and resume modes), whole machine shared:", "",
    "| mode | " + (.targets | map(. + " ops/s") | join(" | ")) + " |",
    "|---|" + (.targets | map("---:") | join("|")) + "|",
    (.summary[] | "| \(.mode) | " + ([.perTarget[] | .throughputPerSecond | "\(.median) (\(.min)–\(.max))"] | join(" | ")) + " |"), "",
    "CPU: median (min–max) over \(.settings.rounds) rounds; ratios: median of the per-round ratios; workers \(.settings.proxyWorkers) each"
      + (if .settings.baselineWorkers != .settings.proxyWorkers then " (baseline \(.settings.baselineWorkers))" else "" end)
      + ", pinned to CPUs \(.settings.proxyCpus | if . == "" then "none" else . end);"
      + " load average (1, 5, 15 min): \(.machine.loadavgBefore) before, \(.machine.loadavgAfter) after;"
      + " nproc \(.machine.nproc); all runs valid: \(.allValid)"
' "$out"

[ "$all_valid" = 1 ] || { say "some runs had errors: they are recorded with valid=false and left out of the summary"; exit 1; }
}
