#!/usr/bin/env python3
"""A plaintext HTTP/1.1 upstream for deploy/test-image.sh and deploy/fleet-test.sh, on 127.0.0.1.

  GET /headers      200, the request headers as JSON (the identity the gateway injected)
  GET /slow?ms=N    200 "ok" after N milliseconds (a request in flight during a drain)
  GET /inflight     how many /slow requests are being served now
  anything else     200 "ok" (what bench/load's LoadClient expects)

Usage: upstream.py PORT_FILE   binds an ephemeral port and writes it to PORT_FILE.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse


IN_FLIGHT = [0]
LOCK = threading.Lock()


def slow(ms):
    with LOCK:
        IN_FLIGHT[0] += 1
    try:
        time.sleep(ms / 1000)
    finally:
        with LOCK:
            IN_FLIGHT[0] -= 1


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"   # keep-alive, as the gateway's pool expects

    def do_GET(self):
        url = urlparse(self.path)
        kind = "text/plain"
        if url.path == "/headers":
            body = json.dumps({k: v for k, v in self.headers.items()}, indent=2).encode()
            kind = "application/json"
        elif url.path == "/inflight":
            with LOCK:
                body = b"%d\n" % IN_FLIGHT[0]
        else:
            if url.path == "/slow":
                slow(int(parse_qs(url.query).get("ms", ["1000"])[0]))
            body = b"ok\n"
        self.send_response(200)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass   # quiet: the scripts print what matters


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass   # a proxy closing a pooled connection is normal, not worth a traceback


def main():
    server = Server(("127.0.0.1", 0), Handler)
    with open(sys.argv[1], "w") as f:
        f.write(str(server.server_address[1]))
    server.serve_forever()


if __name__ == "__main__":
    main()
