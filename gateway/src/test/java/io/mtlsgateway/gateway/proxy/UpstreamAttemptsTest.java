package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.upstream.UpstreamStreamException;
import java.io.IOException;
import org.junit.jupiter.api.Test;

/** When a request whose upstream closed unanswered is sent once more: the rule alone, without a cluster. */
class UpstreamAttemptsTest {
    private static final IOException RESET = new IOException("Connection reset by peer");
    private static final UpstreamStreamException REFUSED = new UpstreamStreamException("REFUSED_STREAM", true);

    @Test
    void aRetryableRequestIsSentAgainOnceAfterAReset() {
        UpstreamAttempts retries = new UpstreamAttempts(null, true);
        assertFalse(retries.retried());
        assertTrue(retries.take(RESET, false, true));
        assertTrue(retries.retried());
        assertFalse(retries.take(RESET, false, true), "one retry per request");
    }

    @Test
    void nothingIsSentAgainOnceAnAnswerCameOrWhenTheRequestIsNotWholeOrNotRetryable() {
        assertFalse(new UpstreamAttempts(null, true).take(RESET, true, true));
        assertFalse(new UpstreamAttempts(null, true).take(RESET, false, false));
        assertFalse(new UpstreamAttempts(null, false).take(RESET, false, true));
        assertFalse(new UpstreamAttempts(null, false).take(REFUSED, false, true));
    }

    @Test
    void aStreamTheUpstreamRefusedUnprocessedDoesNotUseUpTheRetryUpToALimit() {
        UpstreamAttempts retries = new UpstreamAttempts(null, true);
        for (int i = 0; i < UpstreamAttempts.MAX_REFUSALS; i++) {
            assertTrue(retries.take(REFUSED, false, true), "refusal " + (i + 1));
        }
        assertTrue(retries.take(RESET, false, true), "the one retry is still there");
        assertFalse(retries.take(REFUSED, false, true), "refusals past the limit are not sent again");
    }
}
