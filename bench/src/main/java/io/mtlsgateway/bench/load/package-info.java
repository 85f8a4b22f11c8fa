/**
 * End-to-end load client (closed-loop mutual-TLS HTTP/1.1, h2 and gRPC load over loopback) and the small h2c gRPC
 * upstream of the grpc mode, run by {@code bench/load/run.sh} against mtls-gateway and its peers.
 */
package io.mtlsgateway.bench.load;
