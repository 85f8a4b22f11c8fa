package io.mtlsgateway.gateway.identity;

import io.mtlsgateway.gateway.DerElement;
import java.util.Arrays;

/**
 * {@link DnFormat}'s walk over a name's DER without building BouncyCastle objects: a new client's subject is
 * printed on every verdict-cache miss, and the object tree was most of that cost. Only the plain encoding is read
 * here (single-byte tags, shortest definite lengths, primitive values), for which the value's bytes are exactly what
 * BouncyCastle's DER encoding of it would be; anything else gives null and is read by BouncyCastle, as before.
 */
final class RawName {
    private RawName() {}

    /** The name as {@link DnFormat#rfc2253(byte[])} prints it, or null when it is not of the plain encoding. */
    static String rfc2253(byte[] der) {
        return rfc2253(der, false);
    }

    /**
     * As {@link #rfc2253(byte[])}; with {@code singleValuedOnly}, also null for a name with a multi-valued RDN (whose
     * attributes the JDK re-encodes in its own order: see {@link DnFormat#plainRfc2253}).
     */
    static String rfc2253(byte[] der, boolean singleValuedOnly) {
        // Positions of each attribute's OID contents and value element, and the RDN each belongs to.
        int[] found = new int[5 * 8];
        int count = 0;
        int[] tlv = new int[3];
        if (!DerElement.read(der, 0, der.length, tlv) || der[0] != 0x30 || tlv[2] != der.length) {
            return null;
        }
        int rdnIndex = 0;
        for (int at = tlv[1]; at < der.length; rdnIndex++) {
            if (!DerElement.read(der, at, der.length, tlv) || der[at] != 0x31 || tlv[1] == tlv[2]) {
                return null;
            }
            int setEnd = tlv[2];
            at = setEnd;
            for (int pair = tlv[1]; pair < setEnd; ) {
                if (!DerElement.read(der, pair, setEnd, tlv) || der[pair] != 0x30) {
                    return null;
                }
                int pairEnd = tlv[2];
                int contents = tlv[1];
                pair = pairEnd;
                if (!DerElement.read(der, contents, pairEnd, tlv) || der[contents] != 0x06) {
                    return null;
                }
                int oidStart = tlv[1];
                int oidEnd = tlv[2];
                int value = oidEnd;
                if (!DerElement.read(der, value, pairEnd, tlv) || tlv[2] != pairEnd
                        || !plainString(der[value], tlv[2] - tlv[1])) {
                    return null;
                }
                if (count * 5 == found.length) {
                    found = Arrays.copyOf(found, found.length * 2);
                }
                int k = count++ * 5;
                found[k] = oidStart;
                found[k + 1] = oidEnd;
                found[k + 2] = value;
                found[k + 3] = pairEnd;
                found[k + 4] = rdnIndex;
            }
        }
        if (singleValuedOnly && count != rdnIndex) {
            return null;
        }
        StringBuilder out = new StringBuilder(64);
        for (int i = count - 1; i >= 0; i--) {
            int k = i * 5;
            if (i < count - 1) {
                out.append(found[k + 5 + 4] == found[k + 4] ? '+' : ',');
            }
            String oid = oid(der, found[k], found[k + 1]);
            if (oid == null) {
                return null;
            }
            DnFormat.appendAttribute(out, oid, Arrays.copyOfRange(der, found[k + 2], found[k + 3]));
        }
        return out.toString();
    }

    /**
     * Whether a value of this tag and length is a string type whose bytes BouncyCastle keeps as they are (so its DER
     * is these bytes); the rest (other types, odd-length BMP or Universal strings) are BouncyCastle's to read.
     */
    private static boolean plainString(byte tag, int length) {
        return switch (tag) {
            case 0x0C, 0x12, 0x13, 0x14, 0x16, 0x1A -> true;
            case 0x1E -> length % 2 == 0;
            case 0x1C -> length % 4 == 0;
            default -> false;
        };
    }

    /** The dotted form of an OID's contents, or null when they are not a well-formed OID. */
    private static String oid(byte[] der, int start, int end) {
        if (start == end || (der[end - 1] & 0x80) != 0) {
            return null;
        }
        StringBuilder out = new StringBuilder(16);
        long value = 0;
        boolean first = true;
        for (int i = start; i < end; i++) {
            int b = der[i] & 0xFF;
            if (value == 0 && b == 0x80 || value > (Long.MAX_VALUE >> 7)) {
                return null; // a padded sub-identifier, or one too large for this walk
            }
            value = value << 7 | (b & 0x7F);
            if ((b & 0x80) == 0) {
                if (first) {
                    int arc = value < 40 ? 0 : value < 80 ? 1 : 2;
                    out.append(arc).append('.').append(value - 40L * arc);
                    first = false;
                } else {
                    out.append('.').append(value);
                }
                value = 0;
            }
        }
        return out.toString();
    }
}
