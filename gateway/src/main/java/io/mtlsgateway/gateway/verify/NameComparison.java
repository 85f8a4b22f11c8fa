package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.DerElement;
/**
 * Tells, from two names' DER alone, that the JDK would find them different ({@code X500Principal.equals}, which
 * compares RFC 2253 canonical forms), so {@link FastPath} can skip the JDK's parse and canonicalisation of a new
 * leaf's subject for the chain builder's self-issued check in the common case. Only a sure answer counts: false
 * means "not decided here", and the caller asks the JDK.
 *
 * <p>Why the answer is sure: two names of single-attribute RDNs, with the same number of RDNs, are equal to the JDK
 * only if their attributes are equal one by one, and an attribute's canonical form starts with its type (one name per
 * OID). For the same type and two values that are UTF8 or Printable strings of printable ASCII, the canonical
 * value is the text with backslashes added, runs of spaces collapsed, the ends trimmed and letters lower-cased:
 * none of that adds, removes or reorders a letter or digit. So two values whose letters and digits, lower-cased,
 * differ, or two types that differ, make the names differ.
 */
final class NameComparison {
    private NameComparison() {}

    /** True only when the JDK would certainly find the two names different. */
    static boolean differ(byte[] a, byte[] b) {
        int[] ra = new int[3];
        int[] rb = new int[3];
        if (!element(a, 0, a.length, 0x30, ra) || !element(b, 0, b.length, 0x30, rb)) {
            return false;
        }
        int atA = ra[1];
        int atB = rb[1];
        boolean differ = false;
        while (atA < a.length && atB < b.length) {
            // Each RDN: a SET holding exactly one SEQUENCE { OID, value }.
            if (!element(a, atA, a.length, 0x31, ra) || !element(b, atB, b.length, 0x31, rb)) {
                return false;
            }
            int setEndA = ra[2];
            int setEndB = rb[2];
            if (!element(a, ra[1], setEndA, 0x30, ra) || ra[2] != setEndA
                    || !element(b, rb[1], setEndB, 0x30, rb) || rb[2] != setEndB) {
                return false;
            }
            int pairEndA = ra[2];
            int pairEndB = rb[2];
            if (!element(a, ra[1], pairEndA, 0x06, ra) || !element(b, rb[1], pairEndB, 0x06, rb)) {
                return false;
            }
            boolean sameType = java.util.Arrays.equals(a, ra[1], ra[2], b, rb[1], rb[2]);
            int valueA = ra[2];
            int valueB = rb[2];
            if (!element(a, valueA, pairEndA, -1, ra) || ra[2] != pairEndA
                    || !element(b, valueB, pairEndB, -1, rb) || rb[2] != pairEndB) {
                return false;
            }
            differ |= !sameType || asciiText(a, valueA, ra) && asciiText(b, valueB, rb)
                    && !sameLettersAndDigits(a, ra[1], ra[2], b, rb[1], rb[2]);
            atA = setEndA;
            atB = setEndB;
        }
        // A different number of RDNs also makes them differ.
        return differ || atA != a.length || atB != b.length;
    }

    /**
     * Whether the value element at {@code start} is a UTF8 or Printable string of printable ASCII: the two types the
     * JDK canonicalises as text (an IA5String, for one, becomes its DER in hex, which a text can imitate).
     */
    private static boolean asciiText(byte[] der, int start, int[] tlv) {
        int tag = der[start];
        if (tag != 0x0C && tag != 0x13) {
            return false;
        }
        for (int i = tlv[1]; i < tlv[2]; i++) {
            if (der[i] < 0x20 || der[i] > 0x7E) {
                return false;
            }
        }
        return true;
    }

    private static boolean sameLettersAndDigits(byte[] a, int fromA, int toA, byte[] b, int fromB, int toB) {
        int i = fromA;
        int j = fromB;
        while (true) {
            while (i < toA && !Character.isLetterOrDigit(a[i])) {
                i++;
            }
            while (j < toB && !Character.isLetterOrDigit(b[j])) {
                j++;
            }
            if (i == toA || j == toB) {
                return i == toA && j == toB;
            }
            if (Character.toLowerCase(a[i]) != Character.toLowerCase(b[j])) {
                return false;
            }
            i++;
            j++;
        }
    }

    /**
     * Reads the element at {@code at} into {@code tlv} (start, contents start, end); false unless it has tag
     * {@code tag} (any tag for -1), a single-byte tag and a shortest-form definite length within {@code end}.
     */
    private static boolean element(byte[] der, int at, int end, int tag, int[] tlv) {
        return at < end && (tag < 0 || (der[at] & 0xFF) == tag) && DerElement.read(der, at, end, tlv);
    }
}
