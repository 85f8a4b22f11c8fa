/** Upstream connection pools bound to the downstream event loop: endpoints, balancing, health checks and outlier ejection. */
package io.mtlsgateway.gateway.upstream;
