package io.mtlsgateway.gateway.pipeline;

/**
 * Every handler name, in pipeline order. A downstream connection starts as
 * {@code tls -> handshake-gate -> errors}; once the client is verified the gate replaces itself with
 * {@code http-timeouts -> http-codec -> http-guard -> proxy}, or for h2 (chosen in ALPN)
 * {@code h2-tls-flushes -> h2-codec -> h2-flush -> h2-stream-flushes -> h2-guard -> h2-streams}, each
 * stream served from {@code h2-streams} without a channel of its own. A plain-HTTP (egress) listener's
 * connection starts at {@code http-timeouts}. An upstream connection is
 * {@code [upstream-tls -> upstream-tls-log ->] upstream-codec -> upstream-idle -> upstream}, the
 * TLS stages only for an upstream with a {@code tls} block; a health check {@code upstream-codec -> health-check}.
 * An HTTP/2 upstream connection is {@code [upstream-tls -> upstream-tls-log ->] upstream-h2-codec -> upstream-h2-flush ->
 * upstream-idle -> upstream-h2 -> upstream-h2-multiplex} (over TLS the two h2 stages start as
 * {@code upstream-alpn}), each request a stream {@code upstream-h2-stream-codec -> upstream-h2-stream ->
 * upstream-idle -> upstream}.
 * After a 101 Switching Protocols both become byte tunnels: {@code tls -> tunnel-idle -> tunnel -> errors}
 * and {@code tunnel}.
 */
public final class PipelineNames {
    public static final String TLS = "tls";
    public static final String HANDSHAKE_GATE = "handshake-gate";
    /** Raw-byte side of the header-read and idle timeouts (sees when a request starts). */
    public static final String HTTP_TIMEOUTS = "http-timeouts";
    public static final String HTTP_CODEC = "http-codec";
    /** Message side of the timeouts (sees when a request head is complete and a response ends). */
    public static final String HTTP_GUARD = "http-guard";
    public static final String PROXY = "proxy";
    /** Always last downstream: the one terminal exception handler. */
    public static final String ERRORS = "errors";

    /** h2 connection after the gate: the frame codec (flow control, flood limits). */
    public static final String H2_CODEC = "h2-codec";
    /**
     * Holds the connection's flushes until the event loop has handled what is ready (every
     * stream's response written in this round goes out in one TLS write).
     */
    public static final String H2_FLUSH = "h2-flush";
    /** Between TLS and {@link #H2_CODEC}: the codec's flushes reach TLS only when it wrote since the last one. */
    public static final String H2_TLS_FLUSHES = "h2-tls-flushes";
    /** After {@link #H2_FLUSH}: the streams' flushes are held there only when they wrote since the last one. */
    public static final String H2_STREAM_FLUSHES = "h2-stream-flushes";
    /** Connection age, request count, idleness, drain and trust changes: when to send GOAWAY. */
    public static final String H2_GUARD = "h2-guard";
    /** Serves each client stream: its frames to the request stage as HTTP messages (as HTTP/1.1's look) and back. */
    public static final String H2_STREAMS = "h2-streams";

    /** The upstream connection's TLS client, verifying the upstream with server purpose. */
    public static final String UPSTREAM_TLS = "upstream-tls";
    /** Logs a failed upstream handshake once, with its reason. */
    public static final String UPSTREAM_TLS_LOG = "upstream-tls-log";
    public static final String UPSTREAM_CODEC = "upstream-codec";
    public static final String UPSTREAM_IDLE = "upstream-idle";
    public static final String UPSTREAM_HANDLER = "upstream";
    /** A {@code protocol: h2} upstream connection until ALPN chose h2: then the two h2 stages below. */
    public static final String UPSTREAM_ALPN = "upstream-alpn";
    /** An HTTP/2 upstream connection's frame codec (flow control, HPACK, header validation). */
    public static final String UPSTREAM_H2_CODEC = "upstream-h2-codec";
    /** As {@link #H2_FLUSH}, on an HTTP/2 upstream connection: the requests of one client read, one write. */
    public static final String UPSTREAM_H2_FLUSH = "upstream-h2-flush";
    /** Gives each request its own stream channel on an HTTP/2 upstream connection. */
    public static final String UPSTREAM_H2_MULTIPLEX = "upstream-h2-multiplex";
    /** Readiness, stream limit, GOAWAY of an HTTP/2 upstream connection, for the pool; before the multiplexer. */
    public static final String UPSTREAM_H2 = "upstream-h2";
    /** First on a request's upstream stream: h2 frames to HTTP messages and back. */
    public static final String UPSTREAM_H2_STREAM_CODEC = "upstream-h2-stream-codec";
    /** Makes a stream's messages look like HTTP/1.1's (and its resets failures); then {@link #UPSTREAM_IDLE}. */
    public static final String UPSTREAM_H2_STREAM = "upstream-h2-stream";
    /** The probe of a health-check connection, after {@link #UPSTREAM_CODEC}. */
    public static final String HEALTH_CHECK = "health-check";

    public static final String TUNNEL = "tunnel";
    public static final String TUNNEL_IDLE = "tunnel-idle";

    private PipelineNames() {}
}
