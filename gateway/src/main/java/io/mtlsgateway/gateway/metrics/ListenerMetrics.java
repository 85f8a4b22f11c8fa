package io.mtlsgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.mtlsgateway.gateway.vhost.HostNameTable;
import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One listener's meters, registered once and kept across reloads: handshakes by outcome and
 * reason, handshake duration, open connections, how close clients are to expiry, and the expiry
 * of the listener's own certificate, trust anchors and CRLs.
 */
public final class ListenerMetrics {
    private final MeterRegistry registry;
    private final String listener;
    private final Map<HandshakeReason, Counter> handshakes = new EnumMap<>(HandshakeReason.class);
    private final Timer handshakeDuration;
    private final Counter fullSessions;
    private final Counter resumedSessions;
    private final Counter ticketsWithheld;
    private final DistributionSummary clientValidity;
    private final AtomicInteger active = new AtomicInteger();
    private final Counter xfccTrimmed;
    private volatile double serverExpiry = Double.NaN;
    private volatile double caExpiry = Double.NaN;
    private volatile double crlNextUpdate = Double.NaN;
    private Gauge crlGauge;
    /** Registered on first use: only listeners with {@code hosts} export them. */
    private final Map<HostNameTable.Outcome, Counter> sniSelections = new ConcurrentHashMap<>();
    private final Map<String, HostMetrics> hosts = new ConcurrentHashMap<>();
    private final Http2Metrics http2;

    ListenerMetrics(MeterRegistry registry, String listener) {
        this.registry = registry;
        this.listener = listener;
        this.http2 = new Http2Metrics(registry, listener);
        for (HandshakeReason reason : HandshakeReason.values()) {
            handshakes.put(reason, Counter.builder("mtls.gateway.handshakes")
                    .description("TLS handshakes by outcome and bounded reason")
                    .tag("listener", listener)
                    .tag("outcome", reason == HandshakeReason.NONE ? "success" : "failure")
                    .tag("reason", reason.label())
                    .register(registry));
        }
        fullSessions = sessions(registry, "full");
        resumedSessions = sessions(registry, "resumed");
        ticketsWithheld = Counter.builder("mtls.gateway.tls.tickets.withheld")
                .description("Full handshakes after which no session ticket was issued, by reason")
                .tag("listener", listener)
                .tag("reason", "large_client_chain")
                .register(registry);
        handshakeDuration = Timer.builder("mtls.gateway.handshake.duration")
                .description("Time from accepting a connection to the end of its TLS handshake")
                .tag("listener", listener)
                .serviceLevelObjectives(Buckets.LATENCY)
                .register(registry);
        clientValidity = DistributionSummary.builder("mtls.gateway.client.cert.remaining.validity")
                .description("Remaining validity of client certificates at their handshake")
                .baseUnit("seconds")
                .tag("listener", listener)
                .serviceLevelObjectives(Buckets.VALIDITY_SECONDS)
                .register(registry);
        Gauge.builder("mtls.gateway.connections.active", active, AtomicInteger::get)
                .description("Open downstream connections")
                .tag("listener", listener)
                .register(registry);
        xfccTrimmed = Counter.builder("mtls.gateway.xfcc.trimmed")
                .description("Requests whose X-Forwarded-Client-Cert element left out URI/DNS pairs to fit its size budget")
                .tag("listener", listener)
                .register(registry);
        expiryGauge("server", () -> serverExpiry);
        expiryGauge("ca", () -> caExpiry);
    }

    private Counter sessions(MeterRegistry registry, String kind) {
        return Counter.builder("mtls.gateway.tls.sessions")
                .description("Successful TLS handshakes by kind: full, or resumed from a session ticket or ID")
                .tag("listener", listener)
                .tag("kind", kind)
                .register(registry);
    }

    /**
     * A successful handshake was a resumption or a full handshake; {@code ticketWithheld}: a full one
     * whose client chain is too large for a session ticket.
     */
    public void sessionEstablished(boolean resumed, boolean ticketWithheld) {
        (resumed ? resumedSessions : fullSessions).increment();
        if (ticketWithheld) {
            ticketsWithheld.increment();
        }
    }

    private Gauge expiryGauge(String role, java.util.function.DoubleSupplier value) {
        return Gauge.builder("mtls.gateway.certificate.expiry.timestamp", value::getAsDouble)
                .description("Unix time when the earliest certificate (or CRL, nextUpdate) of this role expires")
                .baseUnit("seconds")
                .tag("listener", listener)
                .tag("role", role)
                // Upstream roles share the name; Prometheus wants one label set per name.
                .tag("upstream", "")
                .strongReference(true)
                .register(registry);
    }

    /** A successful handshake, and the remaining validity of the client's certificate if it sent one. */
    public void handshakeSucceeded(long durationNanos, Optional<Instant> clientNotAfter) {
        handshakes.get(HandshakeReason.NONE).increment();
        handshakeDuration.record(durationNanos, TimeUnit.NANOSECONDS);
        clientNotAfter.ifPresent(notAfter ->
                clientValidity.record(Math.max(0, notAfter.getEpochSecond() - Instant.now().getEpochSecond())));
    }

    /** A failed handshake. */
    public void handshakeFailed(long durationNanos, HandshakeReason reason) {
        handshakes.get(reason == HandshakeReason.NONE ? HandshakeReason.OTHER : reason).increment();
        handshakeDuration.record(durationNanos, TimeUnit.NANOSECONDS);
    }

    /** How a ClientHello's server name selected a host entry (or did not: no default). */
    public void sniSelection(HostNameTable.Outcome outcome) {
        sniSelections.computeIfAbsent(outcome, o -> Counter.builder("mtls.gateway.sni.selections")
                .description("ClientHellos on a listener with hosts, by how their server name chose the host entry")
                .tag("listener", listener)
                .tag("sni", o.name().toLowerCase(java.util.Locale.ROOT))
                .register(registry)).increment();
    }

    /** The meters of one host entry (its first name), registered at first use. */
    public HostMetrics host(String label) {
        return hosts.computeIfAbsent(label, l -> new HostMetrics(registry, listener, l));
    }

    /** A request on a connection of host entry {@code label} was answered. */
    public void hostRequest(String label, int status) {
        host(label).request(status);
    }

    /** A request's XFCC element was trimmed to its size budget. */
    public void xfccTrimmed() {
        xfccTrimmed.increment();
    }

    /** The listener's h2 meters. */
    public Http2Metrics http2() {
        return http2;
    }

    public void connectionOpened() {
        active.incrementAndGet();
    }

    public void connectionClosed() {
        active.decrementAndGet();
    }

    /**
     * Publishes the expiry of what the listener now serves with; called on every (re)load.
     *
     * @param crlNextUpdate the earliest nextUpdate of the listener's CRLs; empty when it has none,
     *     which removes the series
     */
    public synchronized void certificates(Instant server, Optional<Instant> earliestCa, Optional<Instant> crlNextUpdate) {
        serverExpiry = server.getEpochSecond();
        caExpiry = earliestCa.map(i -> (double) i.getEpochSecond()).orElse(Double.NaN);
        this.crlNextUpdate = crlNextUpdate.map(i -> (double) i.getEpochSecond()).orElse(Double.NaN);
        if (crlNextUpdate.isPresent() && crlGauge == null) {
            crlGauge = expiryGauge("crl", () -> this.crlNextUpdate);
        } else if (crlNextUpdate.isEmpty() && crlGauge != null) {
            registry.remove(crlGauge);
            crlGauge = null;
        }
    }
}
