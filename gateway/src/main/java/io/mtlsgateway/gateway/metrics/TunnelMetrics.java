package io.mtlsgateway.gateway.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** One listener's protocol-switch tunnels that the gateway closed itself, by bounded reason. */
public final class TunnelMetrics {
    /**
     * The {@code reason} labels: the client is no longer trusted (revoked by a reload, or its
     * certificate expired), the token that authorized the tunnel expired, or the gateway is stopping.
     */
    public static final List<String> REASONS = List.of("untrusted", "token_expired", "drain");

    private final Map<String, Counter> closed = new LinkedHashMap<>();

    TunnelMetrics(MeterRegistry registry, String listener) {
        for (String reason : REASONS) {
            closed.put(reason, Counter.builder("mtls.gateway.tunnels.closed")
                    .description("Tunnels (WebSocket and other protocol switches) closed by the gateway, by reason")
                    .tag("listener", listener)
                    .tag("reason", reason)
                    .register(registry));
        }
    }

    /** @param reason one of {@link #REASONS} */
    public void closed(String reason) {
        Counter counter = closed.get(reason);
        if (counter == null) {
            throw new IllegalArgumentException("unknown tunnel close reason " + reason);
        }
        counter.increment();
    }
}
