package io.mtlsgateway.gateway.limits;

import java.net.Inet4Address;
import java.net.InetAddress;

/**
 * The address block a connection comes from: an IPv4 or IPv6 address cut to a prefix length, so
 * one host (or one customer's /64) is one source however many addresses it uses inside it.
 */
public record SourceKey(boolean ipv6, long high, long low) {
    /** The block of {@code address}, keeping {@code ipv4Prefix} or {@code ipv6Prefix} leading bits. */
    public static SourceKey of(InetAddress address, int ipv4Prefix, int ipv6Prefix) {
        byte[] bytes = address.getAddress();
        if (address instanceof Inet4Address) {
            long value = 0;
            for (byte b : bytes) {
                value = (value << 8) | (b & 0xff);
            }
            return new SourceKey(false, 0, value & (0xffffffffL << (32 - ipv4Prefix)) & 0xffffffffL);
        }
        long high = 0;
        long low = 0;
        for (int i = 0; i < 8; i++) {
            high = (high << 8) | (bytes[i] & 0xff);
            low = (low << 8) | (bytes[i + 8] & 0xff);
        }
        return new SourceKey(true, high & mask(ipv6Prefix), low & mask(ipv6Prefix - 64));
    }

    /** The top {@code bits} bits of a 64-bit word set (0 or fewer: none; 64 or more: all). */
    private static long mask(int bits) {
        if (bits <= 0) {
            return 0;
        }
        return bits >= 64 ? -1L : -1L << (64 - bits);
    }
}
