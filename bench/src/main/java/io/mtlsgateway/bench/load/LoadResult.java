package io.mtlsgateway.bench.load;

import io.mtlsgateway.gateway.Json;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The figures of one run, and their two renderings: one JSON line for scripts and a short text for people.
 *
 * <p>A run is {@linkplain #valid() valid} only when nothing failed, the handshakes were full or resumed as the
 * mode asks and something was measured: a proxy that answers quickly with errors must not look fast.
 */
record LoadResult(
        LoadOptions options, String transport, String negotiated, double windowSeconds, long measured,
        long completedTotal, long[] latencyMicros, long handshakes, long serverChecks, Map<ErrorKind, Long> errors,
        double clientCpuMicrosPerRequest, double proxyCpuMicrosPerRequest, double proxyCpuMicrosPerRequestWithoutJit,
        double proxyCores,
        double upstreamCpuMicrosPerRequest, boolean capReached) {

    private static final double[] PERCENTILES = {0.50, 0.90, 0.99, 1.0};

    static LoadResult of(LoadOptions options, String transport, String negotiated, List<Slot> slots,
            long serverChecks, long windowNanos, LoadRun.CpuSample before, LoadRun.CpuSample after,
            boolean capReached) {
        long[] sorted = LatencySamples.sortedUnion(slots.stream().map(Slot::latencies).toList());
        long[] micros = new long[PERCENTILES.length];
        for (int i = 0; i < PERCENTILES.length; i++) {
            micros[i] = LatencySamples.percentile(sorted, PERCENTILES[i]) / 1_000;
        }
        Map<ErrorKind, Long> errors = new EnumMap<>(ErrorKind.class);
        for (ErrorKind kind : ErrorKind.values()) {
            errors.put(kind, slots.stream().mapToLong(slot -> slot.errors(kind)).sum());
        }
        long measured = sorted.length;
        return new LoadResult(options, transport, negotiated == null ? "" : negotiated, windowNanos / 1e9, measured,
                slots.stream().mapToLong(Slot::completed).sum(), micros,
                slots.stream().mapToLong(Slot::handshakes).sum(), serverChecks, errors,
                perRequest(before.client(), after.client(), measured),
                perRequest(before.proxy(), after.proxy(), measured),
                perRequest(before.proxyWithoutJit(), after.proxyWithoutJit(), measured),
                before.proxy() < 0 || after.proxy() < 0 ? -1 : (after.proxy() - before.proxy()) / (double) windowNanos,
                perRequest(before.upstream(), after.upstream(), measured), capReached);
    }

    // CPU microseconds per measured request, or -1 when the figure is unavailable.
    private static double perRequest(long before, long after, long requests) {
        return before < 0 || after < 0 || requests == 0 ? -1 : (after - before) / 1_000.0 / requests;
    }

    double throughput() {
        return windowSeconds > 0 ? measured / windowSeconds : 0;
    }

    /** Handshakes that completed without the client checking the server chain, i.e. resumed sessions. */
    long resumed() {
        return Math.max(0, handshakes - serverChecks);
    }

    long errorTotal() {
        return errors.values().stream().mapToLong(Long::longValue).sum();
    }

    /** Handshakes in which the client checked the server chain: full ones. */
    long fullHandshakes() {
        return Math.min(handshakes, serverChecks);
    }

    /**
     * Whether the handshakes were of the kind the mode measures: none resumed in keep-alive and handshake
     * modes; in resume mode all but the first of each connection slot (and a 1 % allowance for a ticket that
     * raced its successor) resumed, so a proxy that never resumes cannot pass as a resuming one.
     */
    boolean handshakesAsIntended() {
        if (options.mode() != LoadOptions.Mode.RESUME) {
            return resumed() == 0;
        }
        return fullHandshakes() <= options.connections() + handshakes / 100;
    }

    boolean valid() {
        return errorTotal() == 0 && handshakesAsIntended() && measured > 0;
    }

    String toJson() {
        StringBuilder json = new StringBuilder(512).append('{');
        field(json, "label", Json.quote(options.label()));
        field(json, "mode", Json.quote(options.modeLabel()));
        field(json, "target", Json.quote(options.host().getHostAddress() + ":" + options.port()));
        field(json, "serverName", Json.quote(options.serverName()));
        field(json, "path", Json.quote(options.path()));
        field(json, "connections", options.connections());
        field(json, "streamsPerConnection", options.streams());
        field(json, "clientThreads", options.threads());
        field(json, "transport", Json.quote(transport));
        field(json, "offeredProtocols", Json.quote(String.join(",", options.protocols())));
        field(json, "negotiated", Json.quote(negotiated));
        field(json, "warmupSeconds", options.warmupSeconds());
        field(json, "windowSeconds", round(windowSeconds, 3));
        field(json, "measured", measured);
        field(json, "throughputPerSecond", round(throughput(), 1));
        field(json, "latencyMicros", "{\"p50\":" + latencyMicros[0] + ",\"p90\":" + latencyMicros[1]
                + ",\"p99\":" + latencyMicros[2] + ",\"max\":" + latencyMicros[3] + "}");
        field(json, "completedTotal", completedTotal);
        field(json, "handshakes", handshakes);
        field(json, "serverChainChecks", serverChecks);
        field(json, "resumed", resumed());
        field(json, "fullHandshakes", fullHandshakes());
        StringBuilder errorJson = new StringBuilder("{\"total\":").append(errorTotal());
        errors.forEach((kind, count) -> errorJson.append(",\"").append(kind.jsonName()).append("\":").append(count));
        field(json, "errors", errorJson.append('}'));
        field(json, "clientCpuMicrosPerRequest", round(clientCpuMicrosPerRequest, 1));
        field(json, "proxyCpuMicrosPerRequest", round(proxyCpuMicrosPerRequest, 1));
        field(json, "proxyCpuMicrosPerRequestWithoutJit", round(proxyCpuMicrosPerRequestWithoutJit, 1));
        field(json, "proxyCpuCores", round(proxyCores, 3));
        field(json, "upstreamCpuMicrosPerRequest", round(upstreamCpuMicrosPerRequest, 1));
        field(json, "capReached", capReached);
        field(json, "valid", valid());
        json.setLength(json.length() - 1);
        return json.append('}').toString();
    }

    String summary() {
        boolean perConnection = options.mode() == LoadOptions.Mode.HANDSHAKE || options.mode() == LoadOptions.Mode.RESUME;
        String unit = perConnection ? "connections/s" : "requests/s";
        StringBuilder text = new StringBuilder();
        text.append(String.format(Locale.ROOT, "%s %s %s:%d  %d connections, %d s window (after %d s warm-up), %s%n",
                options.label().isEmpty() ? "load" : options.label(), options.modeLabel(),
                options.host().getHostAddress(), options.port(), options.connections(), options.durationSeconds(),
                options.warmupSeconds(), negotiated));
        text.append(String.format(Locale.ROOT, "  %.1f %s  latency p50 %d us, p90 %d us, p99 %d us, max %d us%n",
                throughput(), unit, latencyMicros[0], latencyMicros[1], latencyMicros[2], latencyMicros[3]));
        text.append(String.format(Locale.ROOT, "  CPU per request: client %.1f us, proxy %.1f us (%.1f us without its"
                + " JIT compiler threads), upstream %.1f us (-1: not sampled)%n", clientCpuMicrosPerRequest,
                proxyCpuMicrosPerRequest, proxyCpuMicrosPerRequestWithoutJit, upstreamCpuMicrosPerRequest));
        text.append(String.format(Locale.ROOT, "  handshakes %d (resumed %d), errors %d %s%s%n", handshakes,
                resumed(), errorTotal(), errors, capReached ? ", request cap reached" : ""));
        text.append(valid() ? "  VALID"
                : "  INVALID: a run with errors, handshakes of the wrong kind or no response is not a result");
        return text.toString();
    }

    private static void field(StringBuilder json, String name, Object value) {
        json.append('"').append(name).append("\":").append(value).append(',');
    }

    // Fixed decimals keep the JSON free of exponents and of noise digits; -1 stays -1.
    private static String round(double value, int decimals) {
        return value < 0 ? "-1" : String.format(Locale.ROOT, "%." + decimals + "f", value);
    }
}
