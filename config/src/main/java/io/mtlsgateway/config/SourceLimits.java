package io.mtlsgateway.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Limits per client address block, applied when a connection is accepted, before any TLS byte is
 * read (so before any certificate is parsed).
 *
 * @param handshakesPerSecond new connections a block may open per second (a token bucket holding
 *     one second's worth); 0 for no limit
 * @param concurrentHandshakes connections of a block still in their handshake; 0 for no limit
 * @param penalty refusing a block that keeps failing handshakes, if set
 * @param ipv4Prefix leading bits of an IPv4 address that make a block (32: each address)
 * @param ipv6Prefix leading bits of an IPv6 address that make a block (64: a typical subnet)
 */
public record SourceLimits(int handshakesPerSecond, int concurrentHandshakes, Optional<PenaltyConfig> penalty,
        int ipv4Prefix, int ipv6Prefix) {
    public static final int DEFAULT_IPV4_PREFIX = 32;
    public static final int DEFAULT_IPV6_PREFIX = 64;

    public SourceLimits {
        if (handshakesPerSecond < 0) {
            throw new IllegalArgumentException("handshakesPerSecond: " + handshakesPerSecond + " (expected: >= 0)");
        }
        if (concurrentHandshakes < 0) {
            throw new IllegalArgumentException("concurrentHandshakes: " + concurrentHandshakes + " (expected: >= 0)");
        }
        Objects.requireNonNull(penalty, "penalty");
        if (ipv4Prefix < 1 || ipv4Prefix > 32) {
            throw new IllegalArgumentException("ipv4Prefix: " + ipv4Prefix + " (expected: 1..32)");
        }
        if (ipv6Prefix < 1 || ipv6Prefix > 128) {
            throw new IllegalArgumentException("ipv6Prefix: " + ipv6Prefix + " (expected: 1..128)");
        }
    }
}
