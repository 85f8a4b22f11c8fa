package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.jwt.JwtRejection;
import java.util.Optional;

/**
 * What happened to one request, filled in on the event loop as it goes and handed to the
 * {@link ExchangeObserver} at the end: the facts for metrics and the access log.
 */
public final class RequestRecord {
    /** The status recorded when the client went away before any response head was sent (nginx's choice). */
    public static final int CLIENT_CLOSED = 499;

    private final String listener;
    private final String method;
    private final String target;
    private final PeerIdentity identity;
    private final long startEpochMillis = System.currentTimeMillis();
    private final long startNanos = System.nanoTime();
    private long durationNanos = -1;
    private String route;
    /** The host entry's first name, on a listener with hosts. */
    private String host;
    private String upstream;
    private String upstreamEndpoint;
    private ProxyError upstreamError;
    private JwtRejection tokenRefusal;
    private int status = CLIENT_CLOSED;
    private boolean truncated;
    private long bytesIn;
    private long bytesOut;
    private String protocol = "http1";
    private int streamId;
    private boolean grpc;
    private boolean http10;

    RequestRecord(String listener, String method, String target, PeerIdentity identity) {
        this.listener = listener;
        this.method = method;
        this.target = target;
        this.identity = identity;
    }

    void host(String label) {
        this.host = label;
    }

    /**
     * The host entry the connection's SNI selected (its first name, from the config: a bounded
     * label, never the request's Host header); empty on a listener without hosts.
     */
    public Optional<String> host() {
        return Optional.ofNullable(host);
    }

    void route(String name, String upstreamName) {
        this.route = name;
        this.upstream = upstreamName;
    }

    /** @param streamId the h2 stream that carried the request; 0 for HTTP/1.1 */
    void protocol(String name, int streamId) {
        this.protocol = name;
        this.streamId = streamId;
    }

    /** The request is a gRPC call: the gateway's own errors are answered in gRPC form. */
    void grpc(boolean grpc) {
        this.grpc = grpc;
    }

    /** {@code http1} or {@code h2}: a bounded label. */
    public String protocol() {
        return protocol;
    }

    /** The h2 stream id; 0 for HTTP/1.1. */
    public int streamId() {
        return streamId;
    }

    public boolean grpc() {
        return grpc;
    }

    /** The client asked in HTTP/1.0: its connection persists only when an answer says {@code keep-alive}. */
    void http10(boolean http10) {
        this.http10 = http10;
    }

    boolean http10() {
        return http10;
    }

    void upstreamEndpoint(String endpoint) {
        this.upstreamEndpoint = endpoint;
    }

    void upstreamError(ProxyError error) {
        this.upstreamError = error;
    }

    void tokenRefusal(JwtRejection reason) {
        this.tokenRefusal = reason;
    }

    /** Why the request's token was refused, if that is why it was answered by the gateway. */
    public Optional<JwtRejection> tokenRefusal() {
        return Optional.ofNullable(tokenRefusal);
    }

    void status(int code) {
        this.status = code;
    }

    void truncated() {
        this.truncated = true;
    }

    void addBytesIn(long n) {
        bytesIn += n;
    }

    void addBytesOut(long n) {
        bytesOut += n;
    }

    /** Marks the end; later calls change nothing. */
    boolean finish() {
        if (durationNanos >= 0) {
            return false;
        }
        durationNanos = System.nanoTime() - startNanos;
        return true;
    }

    public String listener() {
        return listener;
    }

    public String method() {
        return method;
    }

    /** The request target as the client sent it (path and query). */
    public String target() {
        return target;
    }

    /** The verified client; empty when it sent no certificate. */
    public Optional<PeerIdentity> identity() {
        return Optional.ofNullable(identity);
    }

    public long startEpochMillis() {
        return startEpochMillis;
    }

    public long durationNanos() {
        return durationNanos;
    }

    /** The matched route; empty when none matched or the request was refused before routing. */
    public Optional<String> route() {
        return Optional.ofNullable(route);
    }

    /** The matched route's upstream. */
    public Optional<String> upstream() {
        return Optional.ofNullable(upstream);
    }

    /** {@code host:port} of the upstream endpoint used, if a connection was made. */
    public Optional<String> upstreamEndpoint() {
        return Optional.ofNullable(upstreamEndpoint);
    }

    /** The gateway's error when the upstream failed, such as {@link ProxyError#UPSTREAM_TIMEOUT}. */
    public Optional<ProxyError> upstreamError() {
        return Optional.ofNullable(upstreamError);
    }

    /**
     * Whether the response was cut off after its head was sent (the upstream broke mid-body): the
     * client got {@link #status()}'s status line but not the whole response.
     */
    public boolean responseTruncated() {
        return truncated;
    }

    /** The status code sent to the client ({@link #CLIENT_CLOSED} when none was). */
    public int status() {
        return status;
    }

    /** Request body bytes read from the client. */
    public long bytesIn() {
        return bytesIn;
    }

    /** Response body bytes sent to the client. */
    public long bytesOut() {
        return bytesOut;
    }
}
