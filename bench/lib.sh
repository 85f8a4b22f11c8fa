# Shared by bench/load/run.sh, bench/scale/run.sh and bench/scale/start.sh (sourced, not run): messages, the
# temporary folder and the processes started in it, ports, the PKI, the nginx upstream's common configuration
# and the gateway's route file. Each script sets bench_name (its message prefix) before sourcing this file.

say() { echo "$bench_name: $*" >&2; }
die() { say "$*"; exit 2; }

# The temporary folder ($work) and every process started in it ($pids, by id): on exit each process gets TERM,
# up to 10 s to go, then KILL, and the folder is removed (kept when $1 is 1, for inspection).
bench_work() { # keep prefix
  bench_keep_tmp="$1"
  work="$(mktemp -d "/tmp/$2.XXXXXX")"
  pids=()
  trap bench_cleanup EXIT
  trap 'exit 130' INT TERM
}
bench_cleanup() {
  local status=$?
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -KILL "$pid" 2>/dev/null || true
  done
  if [ "$bench_keep_tmp" = 1 ]; then say "kept $work"; else rm -rf "$work"; fi
  exit "$status"
}
stop_pid() { # pid: TERM, wait up to 10 s, KILL
  kill -TERM "$1" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
}

# free_port NAME (one home for every script that needs ports: deploy/lib/free-port.sh).
# shellcheck source=../deploy/lib/free-port.sh
. "$(dirname "${BASH_SOURCE[0]}")/../deploy/lib/free-port.sh"

loadavg() { cut -d' ' -f1-3 /proc/loadavg; }

# One CA, one ECDSA P-256 server certificate for localhost (every proxy presents it) and, when named, one client
# certificate: $pki/ca.pem, $pki/localhost.{pem,key}, $pki/<client>.{pem,key}.
bench_pki() { # jar [client]
  pki="$work/pki"
  java -jar "$1" pki init --dir "$pki" >/dev/null
  java -jar "$1" pki issue --dir "$pki" --server localhost --dns localhost --ip 127.0.0.1 >/dev/null
  [ -z "${2:-}" ] || java -jar "$1" pki issue --dir "$pki" --client "$2" >/dev/null
}

# A GET over mTLS with the client certificate $pki/<client>.pem, printing the body.
mtls_get() { # port path client
  curl -sS --max-time 5 --cacert "$pki/ca.pem" --cert "$pki/$3.pem" --key "$pki/$3.key" \
    --resolve "localhost:$1:127.0.0.1" "https://localhost:$1$2"
}

# nginx instances keep every file (pid, logs, temp) in their own folder and run in the foreground of a
# background job, so $! is the master's id; nothing of the system's nginx configuration is read.
nginx_common() { # folder
  cat <<EOF
pid $1/nginx.pid;
error_log $1/error.log warn;
events { worker_connections 4096; }
EOF
}
nginx_http_common() { # folder
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

# The gateway's route file, in parts every benchmark shares: the top (workers, admin, access log), the one
# mTLS listener (the PKI above, TLS 1.3 and 1.2, the subject and XFCC identity headers), a route, an upstream.
# A script prints them in order, with its own lines between, into one file.
gateway_top() { # workers admin-listen access-log-enabled
  cat <<EOF
version: 1
workers: $1
admin:
  listen: $2
accessLog:
  enabled: $3
EOF
}
gateway_listener() { # name port
  cat <<EOF
listeners:
  - name: $1
    listen: 127.0.0.1:$2
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
EOF
}
gateway_route() { # name path-prefix upstream (after a "routes:" line)
  cat <<EOF
  - name: $1
    match: { pathPrefix: $2 }
    upstream: $3
EOF
}
gateway_upstream() { # name endpoint (after an "upstreams:" line)
  cat <<EOF
  $1:
    endpoints: [$2]
EOF
}
