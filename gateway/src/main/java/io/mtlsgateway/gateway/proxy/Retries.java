package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.upstream.UpstreamStreamException;

/**
 * Whether a request whose upstream connection closed before any answer may be sent once more.
 * Only an idempotent request without a body (still whole) is: sending it again, to another
 * endpoint, cannot do harm twice. One such retry per request; an h2 upstream that refused the
 * stream (REFUSED_STREAM, or left it out of a GOAWAY) never processed it, which does not use up
 * that retry, up to {@link #MAX_REFUSALS} times.
 */
final class Retries {
    /** How often a request refused unprocessed by an h2 upstream is sent again. */
    static final int MAX_REFUSALS = 3;

    private final boolean retryable;
    /** The request is being sent again (its end went with the first attempt). */
    private boolean retried;
    /** The one retry after a failure that may have been the upstream's is spent. */
    private boolean used;
    /** Times an h2 upstream said it did not process this request (each sent again). */
    private int refusals;

    /** @param retryable what the planner said: idempotent and without a body */
    Retries(boolean retryable) {
        this.retryable = retryable;
    }

    /**
     * Takes a retry for a connection that closed with {@code cause}, if one is left.
     *
     * @param answered a response head came back already
     * @param requestComplete the whole request was sent (so it can be sent again)
     */
    boolean take(Throwable cause, boolean answered, boolean requestComplete) {
        boolean refused = cause instanceof UpstreamStreamException stream && stream.unprocessed();
        if (answered || !requestComplete || !retryable || (used && !(refused && refusals < MAX_REFUSALS))) {
            return false;
        }
        if (refused) {
            refusals++;
        } else {
            used = true;
        }
        retried = true;
        return true;
    }

    /** Whether the request is being sent again. */
    boolean retried() {
        return retried;
    }
}
