/**
 * Every pipeline the process builds, in the order {@link io.mtlsgateway.gateway.pipeline.PipelineNames}
 * documents: downstream TLS and the handshake gate, the HTTP stage installer, upstream and
 * health-check connections, tunnels; and the events fired down open connections.
 */
package io.mtlsgateway.gateway.pipeline;
