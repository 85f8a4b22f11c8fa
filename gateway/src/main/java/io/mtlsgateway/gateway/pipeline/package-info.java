/**
 * Every pipeline the process builds, in the order {@link io.mtlsgateway.gateway.pipeline.PipelineNames}
 * documents: downstream TLS and the handshake gate, the HTTP/1.1 and h2 stage installers (with
 * the h2 connection's guard and its stream adapter), upstream and
 * health-check connections, tunnels; and the events fired down open connections.
 */
package io.mtlsgateway.gateway.pipeline;
