#!/usr/bin/env bash
# Interop: nginx as the real mutual-TLS upstream (ssl_verify_client on), the gateway as an egress
# sidecar in front of it (plain HTTP in on loopback, mTLS out). Checks, each printing PASS or FAIL:
#  1. a call through the gateway reaches nginx, which verified the gateway's client certificate;
#  2. a later call on a new connection resumes the TLS session (nginx's $ssl_session_reused);
#  3. an upstream whose configured serverName is not in nginx's certificate gets 502 name_mismatch,
#     and nginx logs no request for it;
#  4. without a client certificate nginx refuses (400 "No required SSL certificate was sent").
# Everything listens on 127.0.0.1 with ports the OS picks; nginx and the gateway are ours, stopped
# by pid. Usage (from the repository root; builds the jar on first use): bench/interop/nginx-upstream.sh
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
gw="$root/bin/mtls-gateway"
command -v nginx >/dev/null || { echo "nginx is required (apt-get install nginx-light)" >&2; exit 2; }
work=$(mktemp -d)
nginx_pid=
gateway_pid=
cleanup() {
  [[ -n "$gateway_pid" ]] && kill "$gateway_pid" 2>/dev/null || true
  [[ -n "$nginx_pid" ]] && kill "$nginx_pid" 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
nginx_port=$(free_port)
egress_port=$(free_port)
admin_port=$(free_port)

# One development CA issues nginx's server certificate and the gateway's client certificate.
"$gw" pki init --dir "$work/pki" >/dev/null
"$gw" pki issue --dir "$work/pki" --server ledger --dns localhost --ip 127.0.0.1 >/dev/null
"$gw" pki issue --dir "$work/pki" --client gateway-egress >/dev/null

mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<CONF
worker_processes 1;
error_log $work/nginx/logs/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 64; }
http {
  access_log $work/nginx/logs/access.log;
  # One request per connection, so every call through the gateway is a new TLS connection.
  keepalive_timeout 0;
  server {
    listen 127.0.0.1:$nginx_port ssl;
    ssl_certificate $work/pki/ledger.pem;
    ssl_certificate_key $work/pki/ledger.key;
    ssl_client_certificate $work/pki/ca.pem;
    ssl_verify_client on;
    ssl_protocols TLSv1.2 TLSv1.3;
    ssl_session_cache shared:SSL:1m;
    location / {
      default_type text/plain;
      return 200 "client=\$ssl_client_s_dn verify=\$ssl_client_verify reused=\$ssl_session_reused proto=\$ssl_protocol\n";
    }
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx_pid=$!

upstream() { # name, extra tls lines
  printf '  %s:\n    endpoints: [127.0.0.1:%s]\n    tls:\n      ca: %s\n%s' "$1" "$nginx_port" "$work/pki/ca.pem" "$2"
}
client_lines="      certificate: $work/pki/gateway-egress.pem
      privateKey: $work/pki/gateway-egress.key
"
{
  printf 'version: 1\nadmin:\n  listen: 127.0.0.1:%s\n' "$admin_port"
  printf 'listeners:\n  - name: egress\n    listen: 127.0.0.1:%s\n    tls: none\n' "$egress_port"
  printf 'routes:\n'
  for r in wrongname nocert ledger; do
    printf '  - name: %s\n    match: { pathPrefix: /%s }\n    upstream: %s\n' "$r" "$r" "$r"
  done
  printf 'upstreams:\n'
  upstream ledger "$client_lines"
  upstream wrongname "$client_lines      serverName: ledger.internal
"
  upstream nocert ""
} > "$work/routes.yaml"

"$gw" check --config "$work/routes.yaml" >/dev/null 2>&1 || { "$gw" check --config "$work/routes.yaml"; exit 1; }
"$gw" run --config "$work/routes.yaml" > "$work/gateway.log" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 100); do
  curl -fsS "http://127.0.0.1:$admin_port/readyz" >/dev/null 2>&1 && break
  kill -0 "$gateway_pid" 2>/dev/null || { cat "$work/gateway.log"; exit 1; }
  sleep 0.2
done

failures=0
check() { # description, condition result (0 = pass), detail
  if [[ "$2" == 0 ]]; then echo "PASS $1"; else echo "FAIL $1: $3"; failures=$((failures + 1)); fi
}

first=$(curl -sS "http://127.0.0.1:$egress_port/ledger/accounts/7")
[[ "$first" == *"client=CN=gateway-egress"* && "$first" == *"verify=SUCCESS"* ]]
check "nginx verified the gateway's client certificate" $? "$first"
second=$(curl -sS "http://127.0.0.1:$egress_port/ledger/accounts/8")
[[ "$second" == *"reused=r"* ]]
check "a new connection resumed the TLS session" $? "$second"

before=$(wc -l < "$work/nginx/logs/access.log")
wrong=$(curl -sS -w ' %{http_code}' "http://127.0.0.1:$egress_port/wrongname/x")
after=$(wc -l < "$work/nginx/logs/access.log")
[[ "$wrong" == *"upstream_tls_name_mismatch"*" 502" && "$before" == "$after" ]]
check "a name mismatch is a 502 and nginx saw no request" $? "$wrong (nginx requests $before -> $after)"

nocert=$(curl -sS -w ' %{http_code}' "http://127.0.0.1:$egress_port/nocert/x")
[[ "$nocert" == *"No required SSL certificate was sent"*" 400" ]]
check "without a client certificate nginx refuses" $? "$nocert"

grep -q "TLS refused (name_mismatch)" "$work/gateway.log"
check "the gateway logged the refusal with its reason" $? "$(tail -5 "$work/gateway.log")"

echo "$(nginx -v 2>&1); $failures failure(s)"
exit $((failures > 0))
