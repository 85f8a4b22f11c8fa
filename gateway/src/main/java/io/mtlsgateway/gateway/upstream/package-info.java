/** Upstream connection pools bound to the downstream event loop, and the request/response relay between them. */
package io.mtlsgateway.gateway.upstream;
