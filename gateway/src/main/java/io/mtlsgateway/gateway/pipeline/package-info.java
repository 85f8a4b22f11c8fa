/** Per-connection pipelines: handler names and order, the initializers, the handshake gate. */
package io.mtlsgateway.gateway.pipeline;
