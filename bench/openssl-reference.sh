#!/usr/bin/env bash
# Native OpenSSL reference for SslHandshakeBenchmark, on the same machine and in the same session:
#  1. `openssl speed`: ECDSA P-256 and RSA-2048 sign/verify per second;
#  2. `openssl s_server` + `s_time -new`: full mutual-TLS handshakes per second over 127.0.0.1 only, with the
#     same certificate shapes as the benchmark (written by ReferenceCertificates from the shaded jar).
# Every run is bounded: s_time lasts RUN_SECONDS, the server is ours (killed by pid) and under `timeout`.
# Usage (from the repository root, after `mvn -B -o -q package -DskipTests`): bench/openssl-reference.sh
set -euo pipefail

jar=${JAR:-bench/target/benchmarks.jar}
run_seconds=${RUN_SECONDS:-10}
port=${PORT:-14433}
work=$(mktemp -d)
server_pid=
cleanup() {
  if [[ -n "$server_pid" ]]; then kill "$server_pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT

echo "== $(openssl version); nproc $(nproc);$(uptime | sed 's/.*load/ load/')"
openssl speed -seconds 3 ecdsap256 rsa2048 2>/dev/null | sed -n '/^ *sign/,$p'

for key in ecp256 rsa2048; do
  java -cp "$jar" io.mtlsgateway.bench.ReferenceCertificates "$work/$key" "$key"
  for proto in tls1_3 tls1_2; do
    # -Verify 1: a client certificate is required and verified (the server's own X509 verification,
    # unlike the gateway, where verification runs in Java). -www makes each client wait for a response,
    # so the rate is paced by the server finishing every handshake.
    timeout $((run_seconds + 20)) openssl s_server -accept "127.0.0.1:$port" -naccept 1000000 -www -quiet \
      -cert "$work/$key/server.pem" -key "$work/$key/server.key" \
      -CAfile "$work/$key/ca.pem" -Verify 1 -verify_return_error >"$work/server.log" 2>&1 &
    server_pid=$!
    sleep 1
    echo "== s_time $key $proto, ${run_seconds}s:"
    # s_time prints whole real seconds only, so the wall time is taken here for the rate.
    start=$(date +%s.%N)
    openssl s_time -connect "127.0.0.1:$port" -new -"$proto" -time "$run_seconds" -www / \
      -cert "$work/$key/client.pem" -key "$work/$key/client.key" -CAfile "$work/$key/ca.pem" \
      >"$work/client.log"
    end=$(date +%s.%N)
    grep -E 'connections' "$work/client.log"
    awk -v s="$start" -v e="$end" '/real seconds/ { printf "=> %.1f handshakes/s (%d in %.2f s wall)\n", $1 / (e - s), $1, e - s }' \
      "$work/client.log"
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    server_pid=
    if grep -qiE 'error|fail' "$work/server.log"; then
      echo "server reported errors:"; head -5 "$work/server.log"
    fi
  done
done
