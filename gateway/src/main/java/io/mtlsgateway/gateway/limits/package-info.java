/**
 * Rate and concurrency limits, plain Java: per source address before TLS (state per event loop)
 * and per verified identity after the handshake (state shared by the loops, lock-free).
 */
package io.mtlsgateway.gateway.limits;
