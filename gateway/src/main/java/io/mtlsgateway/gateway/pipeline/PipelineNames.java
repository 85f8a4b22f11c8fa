package io.mtlsgateway.gateway.pipeline;

/**
 * Every handler name, in pipeline order. A downstream connection starts as
 * {@code tls -> handshake-gate}; once the client is verified the gate replaces itself with
 * {@code http-codec -> http-guard -> proxy}. An upstream connection is
 * {@code upstream-codec -> upstream-idle -> upstream}.
 */
public final class PipelineNames {
    public static final String TLS = "tls";
    public static final String HANDSHAKE_GATE = "handshake-gate";
    public static final String HTTP_CODEC = "http-codec";
    public static final String PROXY = "proxy";

    public static final String UPSTREAM_CODEC = "upstream-codec";
    public static final String UPSTREAM_IDLE = "upstream-idle";
    public static final String UPSTREAM_HANDLER = "upstream";

    private PipelineNames() {}
}
