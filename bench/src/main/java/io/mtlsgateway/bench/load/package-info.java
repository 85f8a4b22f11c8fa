/**
 * End-to-end load client: closed-loop mutual-TLS HTTP/1.1 load over loopback, run by {@code bench/load/run.sh}
 * against mtls-gateway and nginx.
 */
package io.mtlsgateway.bench.load;
