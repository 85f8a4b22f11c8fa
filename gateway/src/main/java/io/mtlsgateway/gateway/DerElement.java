package io.mtlsgateway.gateway;

/**
 * The one reading of a DER element's header for the code that walks certificate bytes itself (the client
 * verifier's fast path and the names it prints): a single-byte tag and a definite length in its shortest form,
 * at most 65,535 bytes. Anything else — a multi-byte tag, BER's indefinite length, a padded length, an element
 * running past its range — is "not read", which each caller treats as "not sure" and hands the bytes to the
 * JDK or BouncyCastle instead.
 */
public final class DerElement {
    private DerElement() {}

    /**
     * Reads the header of the element at {@code at}, which must end by {@code end}, into {@code tlv}: [0] its
     * start, [1] the start of its contents, [2] its end.
     *
     * @return false when the element is not read (see the class); {@code tlv} is then unchanged
     */
    public static boolean read(byte[] der, int at, int end, int[] tlv) {
        if (end - at < 2 || (der[at] & 0x1F) == 0x1F) {
            return false;
        }
        int first = der[at + 1] & 0xFF;
        int length;
        int header;
        if (first < 0x80) {
            length = first;
            header = 2;
        } else if (first == 0x81 && end - at >= 3 && (der[at + 2] & 0xFF) >= 0x80) {
            length = der[at + 2] & 0xFF;
            header = 3;
        } else if (first == 0x82 && end - at >= 4 && der[at + 2] != 0) {
            length = (der[at + 2] & 0xFF) << 8 | der[at + 3] & 0xFF;
            header = 4;
        } else {
            return false;
        }
        if (length > end - at - header) {
            return false;
        }
        tlv[0] = at;
        tlv[1] = at + header;
        tlv[2] = at + header + length;
        return true;
    }
}
