package io.mtlsgateway.gateway.verify;

import io.mtlsgateway.gateway.DerElement;
import java.math.BigInteger;
import java.time.DateTimeException;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.HexFormat;

/**
 * Reads DER strictly, one element at a time, within a range of a byte array: single-byte tags, definite lengths in
 * their shortest form, and nothing after the last element of a range. Every departure from that throws
 * {@link Malformed}, which {@link LeafFields} turns into "not of the simple shape" (never into a rejection). Elements
 * are handed out as ranges of the same array, so reading copies nothing.
 */
final class DerReader {
    /** The input is not strict DER of the expected structure. */
    static final class Malformed extends Exception {
        Malformed() {
            super(null, null, false, false);
        }
    }

    private static final Malformed MALFORMED = new Malformed();
    private static final HexFormat HEX = HexFormat.of();

    private final byte[] bytes;
    private final int end;
    private int at;
    /** The tag, content start and content end of the element last read. */
    int tag;
    int start;
    int stop;
    /** The element's header as {@link DerElement} reads it. */
    private final int[] tlv = new int[3];

    DerReader(byte[] bytes, int from, int to) {
        this.bytes = bytes;
        this.at = from;
        this.end = to;
    }

    /** A reader over the contents of the element this one read last. */
    DerReader contents() {
        return new DerReader(bytes, start, stop);
    }

    boolean hasMore() {
        return at < end;
    }

    /** Reads the next element, which must have tag {@code expected}. */
    DerReader next(int expected) throws Malformed {
        next();
        if (tag != expected) {
            throw MALFORMED;
        }
        return this;
    }

    /** Reads the next element, whatever its tag (a single-byte tag). */
    DerReader next() throws Malformed {
        if (!DerElement.read(bytes, at, end, tlv)) {
            // Longer than 65,535 bytes, indefinite (BER), not in the shortest form, or past the range.
            throw MALFORMED;
        }
        tag = bytes[at] & 0xFF;
        start = tlv[1];
        stop = tlv[2];
        at = stop;
        return this;
    }

    /** Throws unless the range has been read to its end. */
    void end() throws Malformed {
        if (at != end) {
            throw MALFORMED;
        }
    }

    int length() {
        return stop - start;
    }

    /** The whole element last read (tag and length included), as a new array. */
    byte[] element(int elementStart) {
        return Arrays.copyOfRange(bytes, elementStart, stop);
    }

    /** Where the next element begins (to take a whole element with {@link #element}). */
    int position() {
        return at;
    }

    /** The contents of the element last read, as a new array. */
    byte[] content() {
        return Arrays.copyOfRange(bytes, start, stop);
    }

    /** The contents of the element last read from {@code offset} on, as a new array. */
    byte[] content(int offset) {
        return Arrays.copyOfRange(bytes, start + offset, stop);
    }

    byte byteAt(int offset) {
        return bytes[start + offset];
    }

    /** Whether the contents of the element last read are exactly {@code expected}. */
    boolean contentIs(byte[] expected) {
        return Arrays.equals(bytes, start, stop, expected, 0, expected.length);
    }

    /** The element last read as an INTEGER in its shortest two's-complement form. */
    BigInteger integer() throws Malformed {
        int length = length();
        require(length > 0 && length <= 32);
        if (length > 1) {
            int first = byteAt(0);
            int second = byteAt(1);
            require(!(first == 0 && second >= 0) && !(first == -1 && second < 0));
        }
        return new BigInteger(content());
    }

    /** The INTEGER last read in lowercase hex without leading zeros, as {@code BigInteger.toString(16)} writes it. */
    String integerHex() {
        if (byteAt(0) < 0) {
            return new BigInteger(content()).toString(16);
        }
        String hex = HEX.formatHex(content());
        int zeros = 0;
        while (zeros < hex.length() - 1 && hex.charAt(zeros) == '0') {
            zeros++;
        }
        return hex.substring(zeros);
    }

    /** Checks the OID last read as the JDK's parser does: no padded sub-identifier, none left unfinished. */
    void oid() throws Malformed {
        int length = length();
        require(length > 0 && length <= 64 && (byteAt(length - 1) & 0x80) == 0);
        boolean startOfComponent = true;
        for (int i = 0; i < length; i++) {
            byte c = byteAt(i);
            require(!(startOfComponent && c == (byte) 0x80));
            startOfComponent = (c & 0x80) == 0;
        }
    }

    /** The UTCTime {@code YYMMDDHHMMSSZ} or GeneralizedTime {@code YYYYMMDDHHMMSSZ} last read (RFC 5280 4.1.2.5). */
    Instant time() throws Malformed {
        int yearDigits = tag == 0x17 ? 2 : tag == 0x18 ? 4 : -1;
        int length = length();
        require(yearDigits > 0 && length == yearDigits + 11 && byteAt(length - 1) == 'Z');
        for (int i = 0; i < length - 1; i++) {
            byte c = byteAt(i);
            require(c >= '0' && c <= '9');
        }
        int year = digits(0, yearDigits);
        if (yearDigits == 2) {
            year += year < 50 ? 2000 : 1900;
        }
        try {
            return LocalDateTime.of(year, digits(yearDigits, 2), digits(yearDigits + 2, 2),
                    digits(yearDigits + 4, 2), digits(yearDigits + 6, 2),
                    digits(yearDigits + 8, 2)).toInstant(ZoneOffset.UTC);
        } catch (DateTimeException e) {
            throw MALFORMED;
        }
    }

    private int digits(int from, int count) {
        int n = 0;
        for (int i = from; i < from + count; i++) {
            n = n * 10 + byteAt(i) - '0';
        }
        return n;
    }

    private static void require(boolean condition) throws Malformed {
        if (!condition) {
            throw MALFORMED;
        }
    }

    static Malformed malformed() {
        return MALFORMED;
    }
}
