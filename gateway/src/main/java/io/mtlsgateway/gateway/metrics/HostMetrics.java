package io.mtlsgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One host entry's meters, on a listener with {@code hosts}: handshakes by outcome and reason,
 * requests by status, and the expiry of the entry's server certificate, client CAs and CRLs. The
 * {@code host} label is the entry's first name from the config (bounded), never a name a client sent.
 */
public final class HostMetrics {
    private final MeterRegistry registry;
    private final String listener;
    private final String host;
    private final Map<HandshakeReason, Counter> handshakes = new ConcurrentHashMap<>();
    private final Map<Integer, Counter> requests = new ConcurrentHashMap<>();
    private volatile double serverExpiry = Double.NaN;
    private volatile double caExpiry = Double.NaN;
    private volatile double crlNextUpdate = Double.NaN;

    HostMetrics(MeterRegistry registry, String listener, String host) {
        this.registry = registry;
        this.listener = listener;
        this.host = host;
        gauge("server", () -> serverExpiry);
        gauge("ca", () -> caExpiry);
        gauge("crl", () -> crlNextUpdate);
    }

    private void gauge(String role, java.util.function.DoubleSupplier value) {
        Gauge.builder("mtls.gateway.host.certificate.expiry.timestamp", value::getAsDouble)
                .description("Unix time when the earliest certificate (or CRL, nextUpdate) of this role of a host"
                        + " entry expires; NaN when the entry has none")
                .baseUnit("seconds")
                .tag("listener", listener)
                .tag("host", host)
                .tag("role", role)
                .strongReference(true)
                .register(registry);
    }

    /** A handshake of this entry ended; {@link HandshakeReason#NONE} for a success. */
    public void handshake(HandshakeReason reason) {
        handshakes.computeIfAbsent(reason, r -> Counter.builder("mtls.gateway.host.handshakes")
                .description("TLS handshakes by host entry, outcome and bounded reason")
                .tag("listener", listener)
                .tag("host", host)
                .tag("outcome", r == HandshakeReason.NONE ? "success" : "failure")
                .tag("reason", r.label())
                .register(registry)).increment();
    }

    /** A request on a connection of this entry was answered with {@code status}. */
    public void request(int status) {
        int code = status >= 100 && status < 600 ? status : 499;
        requests.computeIfAbsent(code, c -> Counter.builder("mtls.gateway.host.requests")
                .description("Requests by host entry and the status code answered")
                .tag("listener", listener)
                .tag("host", host)
                .tag("code", Integer.toString(c))
                .register(registry)).increment();
    }

    /** Publishes the expiry of what the entry now serves with; called on every (re)load. */
    public void certificates(Instant server, Optional<Instant> earliestCa, Optional<Instant> earliestCrlNextUpdate) {
        serverExpiry = server.getEpochSecond();
        caExpiry = earliestCa.map(i -> (double) i.getEpochSecond()).orElse(Double.NaN);
        crlNextUpdate = earliestCrlNextUpdate.map(i -> (double) i.getEpochSecond()).orElse(Double.NaN);
    }
}
