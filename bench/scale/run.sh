#!/usr/bin/env bash
# Scale figures of mtls-gateway on this machine: memory with many idle verified mTLS connections, the time from
# start to a listening socket, and keep-alive requests/s with 2 workers versus 1. Everything on 127.0.0.1.
#
#   bench/scale/run.sh                # ~4-6 min with the defaults below
#
# Its start-to-ready figure is the jar run with `java -jar` (no class-data archive); bench/scale/start.sh times
# `bin/mtls-gateway run` as users start it, in wall and CPU time, with and without the launcher's archive.
#
# Settings (environment):
#   SCALE_CONNECTIONS=10000    idle connections held open for the memory figure
#   SCALE_STARTS=5             starts timed for start-to-ready (median reported)
#   SCALE_ROUNDS=3             interleaved rounds of the workers=1 / workers=2 throughput runs
#   SCALE_DURATION=10          measured seconds per throughput run (after 2 s of warm-up)
#   SCALE_PRIME=20             unmeasured seconds of keep-alive load per gateway before the throughput rounds
#   SCALE_KEEPALIVE_CONNECTIONS=32   concurrent keep-alive connections in the throughput runs
#   SCALE_GATEWAY_JAR=gateway/target/mtls-gateway.jar
#   SCALE_BENCH_JAR=bench/target/benchmarks.jar   (the load clients)
#   SCALE_GATEWAY_JAVA_OPTS=   extra JVM options for the gateway (none: what `bin/mtls-gateway run` passes)
#   SCALE_OUT=bench/results/scale-<UTC date>.json (a -2, -3... suffix is added rather than overwrite)
#
# The gateway runs with no CPU pinning (it sees both cores) and no access log; its route file is the load
# benchmark's (one listener, identity headers, one route to a local nginx answering 200 "ok"), with
# http.idleTimeout raised to 10 min so the idle connections are not closed while the memory is read.
# Exit status: 0 when every measurement was valid, 1 otherwise, 2 on setup failure.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$root"

connections="${SCALE_CONNECTIONS:-10000}"
starts="${SCALE_STARTS:-5}"
rounds="${SCALE_ROUNDS:-3}"
duration="${SCALE_DURATION:-10}"
prime="${SCALE_PRIME:-20}"
ka_connections="${SCALE_KEEPALIVE_CONNECTIONS:-32}"
gateway_jar="${SCALE_GATEWAY_JAR:-$root/gateway/target/mtls-gateway.jar}"
bench_jar="${SCALE_BENCH_JAR:-$root/bench/target/benchmarks.jar}"

bench_name=scale
# shellcheck source=../lib.sh
. "$root/bench/lib.sh"

for tool in java jq curl; do command -v "$tool" >/dev/null || die "$tool is required"; done
if ! command -v nginx >/dev/null; then
  say "nginx not found (the upstream): installing the Debian package with apt-get (needs root)"
  export DEBIAN_FRONTEND=noninteractive
  { apt-get update -q && apt-get install -y -q nginx; } >&2 || die "could not install nginx; install it and rerun"
fi
if [ ! -f "$gateway_jar" ] || [ ! -f "$bench_jar" ]; then
  command -v mvn >/dev/null || die "mvn is required to build the jars"
  say "building gateway/target/mtls-gateway.jar and bench/target/benchmarks.jar"
  mvn -q -B package -DskipTests >&2
fi

# Each idle connection is a socket in the gateway and one in the client: raise the per-process open-file limit
# of this shell, which both inherit (each needs the connections plus its jars, pipes and upstream sockets).
# Raising the hard limit needs root with CAP_SYS_RESOURCE.
want_files=$((connections + 2048))
if [ "$(ulimit -n)" != unlimited ] && [ "$(ulimit -n)" -lt "$want_files" ]; then
  if [ "$(ulimit -Hn)" != unlimited ] && [ "$(ulimit -Hn)" -lt "$want_files" ]; then
    ulimit -Hn "$want_files" 2>/dev/null || true
  fi
  ulimit -n "$want_files" 2>/dev/null \
    || die "cannot raise the open-file limit to $want_files (ulimit -n is $(ulimit -n)); run as root or lower SCALE_CONNECTIONS"
fi
ports_free=$(( $(cut -f2 /proc/sys/net/ipv4/ip_local_port_range) - $(cut -f1 /proc/sys/net/ipv4/ip_local_port_range) ))
[ "$ports_free" -gt "$((connections + 1000))" ] || die "the ephemeral port range holds $ports_free ports; $connections connections need more"

bench_work 0 mtls-scale

# --- PKI and the upstream --------------------------------------------------------------------------------------
bench_pki "$gateway_jar" scaleclient

free_port upstream_port
mkdir -p "$work/upstream"
{
  echo "worker_processes 1;"
  nginx_common "$work/upstream"
  echo "http {"
  nginx_http_common "$work/upstream"
  cat <<EOF
  server { listen 127.0.0.1:$upstream_port; default_type text/plain; location / { return 200 "ok\n"; } }
}
EOF
} >"$work/upstream/nginx.conf"
nginx -p "$work/upstream" -e "$work/upstream/error.log" -c "$work/upstream/nginx.conf" -g "daemon off;" \
  </dev/null >"$work/upstream/stdout.log" 2>&1 &
pids+=($!)

gateway_config() { # file workers port admin_port
  {
    gateway_top "$2" "127.0.0.1:$4" false
    gateway_listener scale "$3"
    echo "    http: { idleTimeout: 600s }"
    echo "routes:"
    gateway_route all / app
    echo "upstreams:"
    gateway_upstream app "127.0.0.1:$upstream_port"
  } >"$1"
}
started_pid=""
start_gateway() { # name workers; sets started_pid and port_<name>
  local port admin
  free_port port; free_port admin
  gateway_config "$work/$1.yaml" "$2" "$port" "$admin"
  # shellcheck disable=SC2086
  java ${SCALE_GATEWAY_JAVA_OPTS:-} -jar "$gateway_jar" run --config "$work/$1.yaml" </dev/null >"$work/$1.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
  printf -v "port_$1" '%s' "$port"
}
request_ok() { # port
  [ "$(mtls_get "$1" / scaleclient 2>/dev/null)" = ok ]
}
wait_ready() { # name pid port
  for _ in $(seq 1 240); do
    kill -0 "$2" 2>/dev/null || { cat "$work/$1.log" >&2; die "$1 exited during start-up"; }
    request_ok "$3" && return 0
    sleep 0.25
  done
  die "$1 did not answer ok on 127.0.0.1:$3 within 60 s"
}
rss_kib() { awk '/^VmRSS:/ { print $2 }' "/proc/$1/status"; }
median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print "null"; else if (NR % 2) print v[(NR + 1) / 2]; else print (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
load_before="$(loadavg)"
all_valid=1

# --- 1. start to ready: from exec to the listener accepting a TCP connection, and to the first 200 ------------
# The clock starts just before the JVM is exec'd; the socket is probed every 10 ms with a bare TCP connect.
say "timing $starts starts (to the listening socket, and to the first proxied 200)"
socket_ms=(); first_ok_ms=(); jvm_ms=()
for i in $(seq 1 "$starts"); do
  # The JVM's own start on this machine at this moment, as a reference: the jar's --version.
  t0=$(date +%s%N)
  java ${SCALE_GATEWAY_JAVA_OPTS:-} -jar "$gateway_jar" --version >/dev/null 2>&1
  jvm_ms+=($(( ($(date +%s%N) - t0) / 1000000 )))
  t0=$(date +%s%N)
  start_gateway "start$i" 1
  pid="$started_pid"; port_var="port_start$i"; port="${!port_var}"
  until (: </dev/tcp/127.0.0.1/"$port") 2>/dev/null; do
    kill -0 "$pid" 2>/dev/null || { cat "$work/start$i.log" >&2; die "the gateway exited during start-up"; }
    sleep 0.01
  done
  t1=$(date +%s%N)
  until request_ok "$port"; do sleep 0.01; done
  t2=$(date +%s%N)
  socket_ms+=($(( (t1 - t0) / 1000000 ))); first_ok_ms+=($(( (t2 - t0) / 1000000 )))
  say "start $i: listening after ${socket_ms[-1]} ms, first 200 after ${first_ok_ms[-1]} ms; --version alone ${jvm_ms[-1]} ms (load $(loadavg))"
  stop_pid "$pid"
done
socket_median="$(printf '%s\n' "${socket_ms[@]}" | median)"
first_ok_median="$(printf '%s\n' "${first_ok_ms[@]}" | median)"
jvm_median="$(printf '%s\n' "${jvm_ms[@]}" | median)"

# --- 2. memory with idle verified connections --------------------------------------------------------------------
say "memory: $connections idle verified connections"
start_gateway idle 1
idle_pid="$started_pid"; wait_ready idle "$idle_pid" "$port_idle"
# A command, not a function: started with &, a function runs in a subshell whose pid $! is, and stopping that
# subshell would leave the JVM holding its connections until --hold ends (under the next measurements).
idle_client=(java -Xss512k -cp "$bench_jar" io.mtlsgateway.bench.load.IdleConnections --port "$port_idle"
  --ca "$pki/ca.pem" --cert "$pki/scaleclient.pem" --key "$pki/scaleclient.key")
# A first batch opened and closed: class loading, JIT and pools settle before the baseline is read.
"${idle_client[@]}" --connections 500 --hold 0 >/dev/null 2>"$work/idle-warm.log" \
  || { cat "$work/idle-warm.log" >&2; die "warm-up connections failed"; }
sleep 2
rss_before="$(rss_kib "$idle_pid")"
mkfifo "$work/idle.out"
# Held up to 60 s, stopped as soon as the figures are read.
"${idle_client[@]}" --connections "$connections" --hold 60 >"$work/idle.out" 2>"$work/idle.log" &
client_pid=$!; pids+=("$client_pid")
read -r idle_line <"$work/idle.out" || { cat "$work/idle.log" >&2; die "the idle client printed nothing"; }
sleep 3
rss_held="$(rss_kib "$idle_pid")"
open_now="$(ss -Htn state established "( sport = :$port_idle )" | wc -l)"
jcmd "$idle_pid" GC.run >/dev/null 2>&1 || true
sleep 2
rss_after_gc="$(rss_kib "$idle_pid")"
heap_used="$(jcmd "$idle_pid" GC.heap_info 2>/dev/null | awk '/used/ { for (i = 1; i <= NF; i++) if ($i == "used") { print $(i + 1); exit } }')"
stop_pid "$client_pid"
wait "$client_pid" 2>/dev/null || true
say "idle client: $idle_line; $open_now established at the gateway; RSS ${rss_before} KiB -> ${rss_held} KiB (${rss_after_gc} KiB after a GC)"
idle_open="$(jq -r .open <<<"$idle_line")"
[ "$(jq -r .failed <<<"$idle_line")" = 0 ] && [ "$idle_open" = "$connections" ] || all_valid=0
stop_pid "$idle_pid"

# --- 3. keep-alive requests/s: workers 2 vs 1, interleaved rounds ------------------------------------------------
say "throughput: workers 1 and 2, $rounds interleaved rounds of $duration s"
start_gateway w1 1; w1_pid="$started_pid"
start_gateway w2 2; w2_pid="$started_pid"
wait_ready w1 "$w1_pid" "$port_w1"; wait_ready w2 "$w2_pid" "$port_w2"
load_client() { # port warmup duration pid label
  java -cp "$bench_jar" io.mtlsgateway.bench.load.LoadClient --mode keepalive --host 127.0.0.1 --port "$1" \
    --server-name localhost --ca "$pki/ca.pem" --cert "$pki/scaleclient.pem" --key "$pki/scaleclient.key" \
    --connections "$ka_connections" --threads 2 --warmup "$2" --duration "$3" --label "$5" \
    --protocols TLSv1.3,TLSv1.2 --proxy-pids "$4" --upstream-pids "${pids[0]}" --clock-ticks "$(getconf CLK_TCK)"
}
if [ "$prime" -gt 0 ]; then
  load_client "$port_w1" 0 "$prime" "$w1_pid" w1 >/dev/null 2>"$work/prime.log" \
    || { cat "$work/prime.log" >&2; die "priming workers=1 failed"; }
  load_client "$port_w2" 0 "$prime" "$w2_pid" w2 >/dev/null 2>"$work/prime.log" \
    || { cat "$work/prime.log" >&2; die "priming workers=2 failed"; }
fi
runs="$work/runs.jsonl"; : >"$runs"
for round in $(seq 1 "$rounds"); do
  order="w1 w2"; [ $((round % 2)) = 0 ] && order="w2 w1"
  for target in $order; do
    port_var="port_$target"; pid_var="${target}_pid"
    line="$(load_client "${!port_var}" 2 "$duration" "${!pid_var}" "$target" 2>/dev/null)" || all_valid=0
    jq -c --argjson round "$round" --arg load "$(loadavg)" '. + {round: $round, loadavgAfter: $load}' <<<"$line" >>"$runs"
    say "round $round: $target $(jq -r '.throughputPerSecond | floor' <<<"$line") requests/s"
  done
done

# --- results --------------------------------------------------------------------------------------------------
date_utc="$(date -u +%F)"
out="${SCALE_OUT:-bench/results/scale-$date_utc.json}"
if [ -z "${SCALE_OUT:-}" ]; then
  n=2; while [ -e "$out" ]; do out="bench/results/scale-$date_utc-$n.json"; n=$((n + 1)); done
fi
jq -s \
  --arg date "$(date -u +%FT%TZ)" --arg commit "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
  --arg nproc "$(nproc)" --arg cpu "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
  --arg jdk "$(java -version 2>&1 | sed -n 2p)" --arg loadBefore "$load_before" --arg loadAfter "$(loadavg)" \
  --arg javaOpts "${SCALE_GATEWAY_JAVA_OPTS:-}" \
  --argjson socketMs "$(printf '%s\n' "${socket_ms[@]}" | jq -sc .)" \
  --argjson firstOkMs "$(printf '%s\n' "${first_ok_ms[@]}" | jq -sc .)" \
  --argjson jvmMs "$(printf '%s\n' "${jvm_ms[@]}" | jq -sc .)" --argjson jvmMedian "$jvm_median" \
  --argjson socketMedian "$socket_median" --argjson firstOkMedian "$first_ok_median" \
  --argjson idle "$idle_line" --argjson connections "$connections" --argjson openAtGateway "$open_now" \
  --argjson rssBefore "$rss_before" --argjson rssHeld "$rss_held" --argjson rssAfterGc "$rss_after_gc" \
  --arg heapUsed "${heap_used:-unknown}" --argjson rounds "$rounds" --argjson duration "$duration" \
  --argjson kaConnections "$ka_connections" '
  def median: sort | if length == 0 then null elif length % 2 == 1 then .[length / 2 | floor]
                     else (.[length / 2 - 1] + .[length / 2]) / 2 end;
  def r1: . * 10 | round / 10;
  . as $runs
  | ($runs | map(select(.label == "w1" and .valid)) | map(.throughputPerSecond)) as $t1
  | ($runs | map(select(.label == "w2" and .valid)) | map(.throughputPerSecond)) as $t2
  | {
      benchmark: "scale: idle-connection memory, start to ready, workers 2 vs 1 (mtls-gateway, 127.0.0.1)",
      date: $date, commit: $commit,
      machine: {nproc: ($nproc | tonumber), cpu: $cpu, jdk: $jdk, loadavgBefore: $loadBefore, loadavgAfter: $loadAfter},
      gatewayJavaOpts: $javaOpts,
      startToReady: {listeningSocketMs: {median: $socketMedian, runs: $socketMs},
                     firstProxied200Ms: {median: $firstOkMedian, runs: $firstOkMs},
                     jvmVersionCommandMs: {median: $jvmMedian, runs: $jvmMs}},
      idleConnections: {requested: $connections, client: $idle, establishedAtGateway: $openAtGateway,
                        rssKiBBefore: $rssBefore, rssKiBHeld: $rssHeld, rssKiBAfterGc: $rssAfterGc,
                        heapUsedAfterGc: $heapUsed,
                        rssMiBHeld: ($rssHeld / 1024 | r1),
                        kiBPerConnection: (($rssHeld - $rssBefore) / $connections | r1),
                        kiBPerConnectionAfterGc: (($rssAfterGc - $rssBefore) / $connections | r1)},
      workers: {rounds: $rounds, durationSeconds: $duration, keepaliveConnections: $kaConnections,
                workers1RequestsPerSecond: {median: ($t1 | median | r1), runs: $t1},
                workers2RequestsPerSecond: {median: ($t2 | median | r1), runs: $t2},
                ratio2to1: (if ($t1 | median) then (($t2 | median) / ($t1 | median) * 100 | round / 100) else null end),
                perRoundRatios: [range(1; $rounds + 1) as $i
                  | ($runs | map(select(.round == $i))) as $r
                  | (($r | map(select(.label == "w2")) | .[0].throughputPerSecond)
                     / ($r | map(select(.label == "w1")) | .[0].throughputPerSecond) * 100 | round / 100)]},
      runs: $runs
    }' "$runs" >"$out"
say "wrote $out"
jq -r '
  "| figure | value |", "|---|---:|",
  "| start to listening socket, median of \(.startToReady.listeningSocketMs.runs | length) | \(.startToReady.listeningSocketMs.median) ms (\(.startToReady.listeningSocketMs.runs | map(tostring) | join(", "))) |",
  "| start to first proxied 200, median | \(.startToReady.firstProxied200Ms.median) ms |",
  "| JVM start reference (`--version`), median | \(.startToReady.jvmVersionCommandMs.median) ms |",
  "| RSS with \(.idleConnections.requested) idle verified connections | \(.idleConnections.rssMiBHeld) MiB (\(.idleConnections.rssKiBBefore / 1024 | . * 10 | round / 10) MiB before) |",
  "| per connection | \(.idleConnections.kiBPerConnection) KiB (\(.idleConnections.kiBPerConnectionAfterGc) KiB after a GC) |",
  "| keep-alive requests/s, workers 1 / 2 (median) | \(.workers.workers1RequestsPerSecond.median) / \(.workers.workers2RequestsPerSecond.median) |",
  "| workers 2 ÷ 1 | \(.workers.ratio2to1) (rounds \(.workers.perRoundRatios | map(tostring) | join(", "))) |",
  "", "load average \(.machine.loadavgBefore) before, \(.machine.loadavgAfter) after; nproc \(.machine.nproc)"
' "$out"
[ "$all_valid" = 1 ] || { say "some measurements were not valid (see the JSON)"; exit 1; }
