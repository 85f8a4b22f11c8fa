package io.mtlsgateway.gateway.upstream;

/**
 * An HTTP/2 upstream ended a request's stream without an answer: a RST_STREAM, a GOAWAY that left
 * the stream out, or the connection closing. {@link #unprocessed()} when the upstream said it never
 * processed the request (REFUSED_STREAM, or a stream above the GOAWAY's last stream id): sending it
 * again elsewhere is safe, and it says nothing about the endpoint's health.
 */
public final class UpstreamStreamException extends Exception {
    private static final long serialVersionUID = 1L;

    private final boolean unprocessed;

    public UpstreamStreamException(String message, boolean unprocessed) {
        super(message, null, false, false);
        this.unprocessed = unprocessed;
    }

    public boolean unprocessed() {
        return unprocessed;
    }
}
