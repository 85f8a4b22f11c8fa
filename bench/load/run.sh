#!/usr/bin/env bash
# End-to-end load benchmark: mtls-gateway versus nginx doing the same mutual-TLS reverse-proxy job, on this
# machine, in the same run, in front of the same upstream. Everything listens on and talks to 127.0.0.1 only.
#
#   bench/load/run.sh                 # ~5 min with the defaults below
#
# Settings (environment):
#   LOAD_DURATION=20         measured seconds per run
#   LOAD_WARMUP=5            warm-up seconds per run (not measured)
#   LOAD_GATEWAY_ACCESS_LOG=false  the gateway's access log (nginx's is off)
#   LOAD_PRIME=15            unmeasured seconds of each mode against each proxy before round 1 (JIT warm-up)
#   LOAD_ROUNDS=2            rounds; each round runs every mode against gateway, then nginx
#   LOAD_MODES="keepalive handshake"
#   LOAD_KEEPALIVE_CONNECTIONS=16   concurrent connections in keepalive mode
#   LOAD_HANDSHAKE_CONNECTIONS=8    concurrent connection openers in handshake mode
#   LOAD_PROTOCOLS=TLSv1.3,TLSv1.2  what the load client offers (TLSv1.2 alone compares TLS 1.2 handshakes)
#   LOAD_CLIENT_THREADS=2    load-client event loops
#   LOAD_WORKERS=2           gateway workers = nginx worker_processes (the proxy under test)
#   LOAD_UPSTREAM_WORKERS=1  worker_processes of the shared upstream nginx
#   LOAD_GATEWAY_JAVA_OPTS=  extra JVM options for the gateway
#   LOAD_OUT=bench/results/load-<UTC date>.json (a -2, -3... suffix is added rather than overwrite)
#   LOAD_KEEP_TMP=0          1 keeps the temporary folder (configs, logs, PKI) for inspection
#
# Exit status: 0 when every run was valid (no errors, no resumed handshakes), 1 otherwise, 2 on setup failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

duration="${LOAD_DURATION:-20}"
warmup="${LOAD_WARMUP:-5}"
rounds="${LOAD_ROUNDS:-2}"
modes="${LOAD_MODES:-keepalive handshake}"
keepalive_connections="${LOAD_KEEPALIVE_CONNECTIONS:-16}"
handshake_connections="${LOAD_HANDSHAKE_CONNECTIONS:-8}"
client_threads="${LOAD_CLIENT_THREADS:-2}"
workers="${LOAD_WORKERS:-2}"
protocols="${LOAD_PROTOCOLS:-TLSv1.3,TLSv1.2}"

gateway_jar="$root/gateway/target/mtls-gateway.jar"
bench_jar="$root/bench/target/benchmarks.jar"

say() { echo "load: $*" >&2; }
die() { say "$*"; exit 2; }

# --- tools --------------------------------------------------------------------------------------------------
command -v java >/dev/null || die "java is required (JDK 17+)"
command -v jq >/dev/null || die "jq is required to assemble the results (apt-get install -y jq)"
command -v curl >/dev/null || die "curl is required for the readiness and identity checks (apt-get install -y curl)"
if ! command -v nginx >/dev/null; then
  # The comparison needs nginx itself; the package also installs a system service, which this script never
  # starts, stops or reconfigures: it runs its own nginx processes from a temporary folder.
  say "nginx not found: installing the Debian package 'nginx' with apt-get (needs root)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q >&2 && apt-get install -y -q nginx >&2 || die "could not install nginx; install it and rerun"
fi
nginx_bin="$(command -v nginx)"

if [ ! -f "$gateway_jar" ] || [ ! -f "$bench_jar" ]; then
  command -v mvn >/dev/null || die "mvn is required to build the jars"
  say "building gateway/target/mtls-gateway.jar and bench/target/benchmarks.jar"
  mvn -q -B package -DskipTests >&2
fi

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
free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$((20000 + RANDOM % 12000))
    case " $taken " in *" $port "*) continue ;; esac
    if [ -z "$(ss -Htan "( sport = :$port )" 2>/dev/null)" ]; then
      taken="$taken $port"
      printf -v "$1" '%s' "$port"
      return 0
    fi
  done
  die "no free port found"
}
free_port upstream_port
free_port nginx_port
free_port gateway_port
free_port admin_port

# --- PKI: one CA, one ECDSA P-256 server certificate both proxies present, one client certificate ------------
pki="$work/pki"
java -jar "$gateway_jar" pki init --dir "$pki" >/dev/null
java -jar "$gateway_jar" pki issue --dir "$pki" --server localhost --dns localhost --ip 127.0.0.1 >/dev/null
java -jar "$gateway_jar" pki issue --dir "$pki" --client loadclient >/dev/null

# --- nginx: the upstream, then the mTLS proxy -------------------------------------------------------------------
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

mkdir -p "$work/upstream" "$work/nginx"
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

{
  echo "worker_processes $workers;"
  nginx_common "$work/nginx"
  echo "http {"
  nginx_http_common "$work/nginx"
  cat <<EOF
  upstream app {
    server 127.0.0.1:$upstream_port;
    keepalive 64;
    keepalive_requests 10000000;
    keepalive_timeout 300s;
  }
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $pki/localhost.pem;
    ssl_certificate_key $pki/localhost.key;
    ssl_client_certificate $pki/ca.pem;
    ssl_verify_client on;
    ssl_verify_depth 4;
    ssl_protocols TLSv1.3 TLSv1.2;
    # The gateway's suites in the gateway's order, chosen by server preference as the gateway does, so both
    # negotiate the same suite whatever the client offers first.
    ssl_ciphers ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305;
    ssl_conf_command Ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256;
    ssl_prefer_server_ciphers on;
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
  }
}
EOF
} >"$work/nginx/nginx.conf"

started_pid=""
start_nginx() { # dir; sets started_pid to the master's id
  "$nginx_bin" -t -q -p "$1" -e "$1/error.log" -c "$1/nginx.conf" >&2 || die "nginx rejected $1/nginx.conf"
  "$nginx_bin" -p "$1" -e "$1/error.log" -c "$1/nginx.conf" -g "daemon off;" </dev/null >"$1/stdout.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}
start_nginx "$work/upstream"; upstream_pid="$started_pid"
start_nginx "$work/nginx"; nginx_pid="$started_pid"

# --- mtls-gateway ------------------------------------------------------------------------------------------------
cat >"$work/gateway.yaml" <<EOF
version: 1
workers: $workers
admin:
  listen: 127.0.0.1:$admin_port
# nginx runs with access_log off; the same job here (LOAD_GATEWAY_ACCESS_LOG=true measures its cost).
accessLog:
  enabled: ${LOAD_GATEWAY_ACCESS_LOG:-false}
listeners:
  - name: load
    listen: 127.0.0.1:$gateway_port
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
routes:
  - name: all
    match: { pathPrefix: / }
    upstream: app
upstreams:
  app:
    endpoints: [127.0.0.1:$upstream_port]
EOF
# shellcheck disable=SC2086 # the JVM options are a list of words
java ${LOAD_GATEWAY_JAVA_OPTS:-} -jar "$gateway_jar" run --config "$work/gateway.yaml" </dev/null >"$work/gateway.log" 2>&1 &
gateway_pid=$!; pids+=("$gateway_pid")

# --- readiness and the identity each proxy forwards --------------------------------------------------------------
request() { # port path
  curl -sS --max-time 5 --cacert "$pki/ca.pem" --cert "$pki/loadclient.pem" --key "$pki/loadclient.key" \
    --resolve "localhost:$1:127.0.0.1" "https://localhost:$1$2"
}
wait_ready() { # name port pid
  for _ in $(seq 1 120); do
    kill -0 "$3" 2>/dev/null || { cat "$work"/*.log "$work"/*/error.log >&2 2>/dev/null; die "$1 exited during start-up"; }
    [ "$(request "$2" / 2>/dev/null)" = "ok" ] && return 0
    sleep 0.5
  done
  die "$1 did not answer ok on 127.0.0.1:$2 within 60 s"
}
wait_ready nginx "$nginx_port" "$nginx_pid"
wait_ready gateway "$gateway_port" "$gateway_pid"
identity_gateway="$(request "$gateway_port" /identity)"
identity_nginx="$(request "$nginx_port" /identity)"
say "gateway forwards: $identity_gateway"
say "nginx   forwards: $identity_nginx"

# The same handshake shape on both (version, suite, key exchange, tickets), as OpenSSL's own client sees it.
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
shape_gateway="$(handshake_shape "$gateway_port")"
shape_nginx="$(handshake_shape "$nginx_port")"
say "gateway handshake: $shape_gateway"
say "nginx   handshake: $shape_nginx"

# CPU time is charged to the proxy's processes: the gateway's JVM; nginx's master and workers.
children() { ps -o pid= --ppid "$1" | tr -d ' ' | paste -sd, -; }
nginx_pids="$nginx_pid,$(children "$nginx_pid")"
upstream_pids="$upstream_pid,$(children "$upstream_pid")"

# --- machine facts --------------------------------------------------------------------------------------------
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
cpu_model="$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')"
jdk="$(java -version 2>&1 | sed -n 2p)"
nginx_version="$("$nginx_bin" -v 2>&1 | sed 's/^nginx version: //')"
nginx_openssl="$("$nginx_bin" -V 2>&1 | grep -m1 '^built with' | sed 's/^built with //')"
openssl_version="$(openssl version 2>/dev/null || echo unknown)"
netty_version="$(sed -n 's:.*<netty.version>\(.*\)</netty.version>.*:\1:p' pom.xml)"
load_before="$(loadavg)"
uptime_before="$(uptime)"

# Runs the load client once; prints its JSON line. Arguments: mode target warmup duration.
client_status=0
run_client() {
  local connections port proxy_pids
  case "$1" in
    keepalive) connections="$keepalive_connections" ;;
    handshake) connections="$handshake_connections" ;;
    *) die "unknown mode '$1' (expected keepalive or handshake)" ;;
  esac
  if [ "$2" = gateway ]; then port="$gateway_port"; proxy_pids="$gateway_pid"; else port="$nginx_port"; proxy_pids="$nginx_pids"; fi
  client_status=0
  java -cp "$bench_jar" io.mtlsgateway.bench.load.LoadClient --mode "$1" --host 127.0.0.1 \
    --port "$port" --server-name localhost --ca "$pki/ca.pem" --cert "$pki/loadclient.pem" \
    --key "$pki/loadclient.key" --connections "$connections" --threads "$client_threads" \
    --warmup "$3" --duration "$4" --label "$2" --protocols "$protocols" --proxy-pids "$proxy_pids" \
    --upstream-pids "$upstream_pids" --clock-ticks "$(getconf CLK_TCK)" || client_status=$?
}

# --- priming: the gateway's JIT compiles its hot paths during the first tens of seconds of load, so each proxy
# gets the same unmeasured load first; the per-run warm-up then only has to settle connections ----------------
prime="${LOAD_PRIME:-15}"
if [ "$prime" -gt 0 ]; then
  for mode in $modes; do
    for target in gateway nginx; do
      say "priming $target with $prime s of $mode load (not recorded)"
      run_client "$mode" "$target" 0 "$prime" >/dev/null 2>"$work/prime.log" \
        || { cat "$work/prime.log" >&2; die "priming $target failed"; }
      [ "$client_status" = 0 ] || { cat "$work/prime.log" >&2; die "priming $target ($mode) had errors"; }
    done
  done
fi

# --- runs: gateway, nginx, gateway, nginx... so that drift in the machine's load hits both -----------------------
runs="$work/runs.jsonl"
: >"$runs"
all_valid=1
for round in $(seq 1 "$rounds"); do
  for mode in $modes; do
    for target in gateway nginx; do
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

# --- results --------------------------------------------------------------------------------------------------
date_utc="$(date -u +%F)"
out="${LOAD_OUT:-bench/results/load-$date_utc.json}"
if [ -z "${LOAD_OUT:-}" ]; then
  n=2
  while [ -e "$out" ]; do out="bench/results/load-$date_utc-$n.json"; n=$((n + 1)); done
fi
mkdir -p "$(dirname "$out")"

jq -s \
  --arg date "$(date -u +%FT%TZ)" --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg nproc "$(nproc)" --arg cpu "$cpu_model" --arg kernel "$(uname -r)" --arg jdk "$jdk" \
  --arg nginx "$nginx_version" --arg nginxOpenssl "$nginx_openssl" --arg openssl "$openssl_version" \
  --arg netty "$netty_version" --arg loadBefore "$load_before" --arg loadAfter "$load_after" \
  --arg uptimeBefore "$uptime_before" --arg uptimeAfter "$(uptime)" \
  --arg idGateway "$identity_gateway" --arg idNginx "$identity_nginx" \
  --arg shapeGateway "$shape_gateway" --arg shapeNginx "$shape_nginx" --arg protocols "$protocols" \
  --argjson duration "$duration" --argjson warmup "$warmup" --argjson rounds "$rounds" --argjson prime "$prime" \
  --argjson workers "$workers" --argjson clientThreads "$client_threads" \
  --argjson kaConn "$keepalive_connections" --argjson hsConn "$handshake_connections" '
  def mean(f): if length == 0 then null else (map(f) | add / length) end;
  def ratio(a; b): if a == null or b == null or b == 0 then null else (a / b * 1000 | round / 1000) end;
  def r1: if . == null then null else (. * 10 | round / 10) end;
  . as $runs
  | {
      benchmark: "load: mtls-gateway vs nginx, mutual-TLS reverse proxy, 127.0.0.1",
      date: $date, commit: $commit,
      machine: {nproc: ($nproc | tonumber), cpu: $cpu, kernel: $kernel, jdk: $jdk, netty: $netty,
                nginx: $nginx, nginxBuiltWith: $nginxOpenssl, openssl: $openssl,
                loadavgBefore: $loadBefore, loadavgAfter: $loadAfter,
                uptimeBefore: $uptimeBefore, uptimeAfter: $uptimeAfter},
      settings: {durationSeconds: $duration, warmupSeconds: $warmup, primeSecondsPerModeAndProxy: $prime, rounds: $rounds, proxyWorkers: $workers,
                 clientThreads: $clientThreads, clientProtocols: $protocols, keepaliveConnections: $kaConn, handshakeConnections: $hsConn},
      identityForwarded: {gateway: $idGateway, nginx: $idNginx},
      handshakeSeenByOpensslClient: {gateway: $shapeGateway, nginx: $shapeNginx},
      allValid: ($runs | all(.valid)),
      summary: (reduce ($runs[] | select(.valid) | .mode) as $m ([]; if any(.[]; . == $m) then . else . + [$m] end)
        | map(. as $m
        | ($runs | map(select(.valid and .mode == $m))) as $r
        | ($r | map(select(.label == "gateway"))) as $g
        | ($r | map(select(.label == "nginx"))) as $n
        | {mode: $m, validRuns: {gateway: ($g | length), nginx: ($n | length)},
           throughput: {gateway: ($g | mean(.throughputPerSecond) | r1), nginx: ($n | mean(.throughputPerSecond) | r1),
                        ratio: ratio($g | mean(.throughputPerSecond); $n | mean(.throughputPerSecond))},
           p99Micros: {gateway: ($g | mean(.latencyMicros.p99) | r1), nginx: ($n | mean(.latencyMicros.p99) | r1),
                       ratio: ratio($g | mean(.latencyMicros.p99); $n | mean(.latencyMicros.p99))},
           p50Micros: {gateway: ($g | mean(.latencyMicros.p50) | r1), nginx: ($n | mean(.latencyMicros.p50) | r1),
                       ratio: ratio($g | mean(.latencyMicros.p50); $n | mean(.latencyMicros.p50))},
           proxyCpuMicrosPerRequest: {gateway: ($g | mean(.proxyCpuMicrosPerRequest) | r1),
                                      nginx: ($n | mean(.proxyCpuMicrosPerRequest) | r1),
                                      ratio: ratio($g | mean(.proxyCpuMicrosPerRequest); $n | mean(.proxyCpuMicrosPerRequest))},
           throughputRatioPerRound: [range(1; $rounds + 1) as $i
             | ratio($g | map(select(.round == $i)) | mean(.throughputPerSecond);
                     $n | map(select(.round == $i)) | mean(.throughputPerSecond))]})),
      runs: $runs
    }' "$runs" >"$out"
say "wrote $out"

# --- markdown table on stdout -------------------------------------------------------------------------------------
jq -r '
  "| mode | metric | mtls-gateway | nginx | gateway / nginx |",
  "|---|---|---:|---:|---:|",
  (.summary[] | . as $s
   | (if .mode == "handshake" then "connections/s" else "requests/s" end) as $unit
   | "| \(.mode) | \($unit) | \(.throughput.gateway) | \(.throughput.nginx) | \(.throughput.ratio) (per round: \(.throughputRatioPerRound | map(tostring) | join(", "))) |",
     "| \(.mode) | p50 latency, µs | \(.p50Micros.gateway) | \(.p50Micros.nginx) | \(.p50Micros.ratio) |",
     "| \(.mode) | p99 latency, µs | \(.p99Micros.gateway) | \(.p99Micros.nginx) | \(.p99Micros.ratio) |",
     "| \(.mode) | proxy CPU µs / request | \(.proxyCpuMicrosPerRequest.gateway) | \(.proxyCpuMicrosPerRequest.nginx) | \(.proxyCpuMicrosPerRequest.ratio) |"),
  "",
  "load average (1, 5, 15 min): \(.machine.loadavgBefore) before, \(.machine.loadavgAfter) after; nproc \(.machine.nproc); all runs valid: \(.allValid)"
' "$out"

[ "$all_valid" = 1 ] || { say "some runs had errors: they are recorded with valid=false and left out of the summary"; exit 1; }
