package io.mtlsgateway.gateway.accesslog;

import static io.mtlsgateway.gateway.Json.quote;

import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.proxy.ProxyError;
import io.mtlsgateway.gateway.proxy.RequestRecord;
import java.time.Instant;
import java.util.Optional;

/** Formats one request as one JSON line; field names are part of the documented log format. */
public final class AccessLogLine {
    private AccessLogLine() {}

    public static String format(RequestRecord r) {
        Optional<PeerIdentity> id = r.identity();
        String target = LoggedTarget.of(r.target());
        StringBuilder json = new StringBuilder(384)
                .append("{\"time\":").append(quote(Instant.ofEpochMilli(r.startEpochMillis()).toString()))
                .append(",\"listener\":").append(quote(r.listener()))
                .append(",\"host\":").append(nullable(r.host()))
                .append(",\"route\":").append(nullable(r.route()))
                .append(",\"protocol\":").append(quote(r.protocol()))
                .append(",\"streamId\":").append(r.streamId())
                .append(",\"method\":").append(quote(r.method()))
                .append(",\"path\":").append(quote(target))
                .append(",\"status\":").append(r.status())
                .append(",\"truncated\":").append(r.responseTruncated())
                .append(",\"bytesIn\":").append(r.bytesIn())
                .append(",\"bytesOut\":").append(r.bytesOut())
                .append(",\"durationMs\":").append(String.format(java.util.Locale.ROOT, "%.3f",
                        r.durationNanos() / 1_000_000.0))
                .append(",\"upstream\":").append(nullable(r.upstreamEndpoint()))
                .append(",\"upstreamError\":").append(nullable(r.upstreamError().map(ProxyError::code)))
                .append(",\"clientSubject\":").append(nullable(id.map(PeerIdentity::subject)))
                .append(",\"spiffeId\":").append(nullable(id.flatMap(PeerIdentity::spiffe)))
                .append(",\"fingerprint\":").append(nullable(id.map(PeerIdentity::fingerprint)))
                .append('}');
        return json.toString();
    }

    private static String nullable(Optional<String> value) {
        return value.map(v -> quote(v)).orElse("null");
    }
}
