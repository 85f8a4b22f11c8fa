package io.mtlsgateway.gateway;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * A deadline for a whole JDK HTTP client exchange, body included. The request's own timeout stops
 * counting once the response headers arrive, so a server (or whoever sits between) that trickles
 * the body would hold the exchange, its connection and its buffer for ever; past the deadline
 * this cancels the exchange, which closes the connection.
 */
public final class ExchangeDeadline {
    private ExchangeDeadline() {}

    /**
     * @return what {@code exchange} completes with, or a {@link java.util.concurrent.TimeoutException}
     *     once {@code timeout} has passed (the exchange then cancelled)
     */
    public static <T> CompletableFuture<T> bound(CompletableFuture<T> exchange, Duration timeout) {
        CompletableFuture<T> bounded = exchange.copy().orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS);
        bounded.whenComplete((result, error) -> {
            if (error != null) {
                exchange.cancel(true);
            }
        });
        return bounded;
    }
}
