package io.mtlsgateway.gateway.verify;

import java.util.Arrays;

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

    private final byte[] bytes;
    private final int end;
    private int at;
    /** The tag, content start and content end of the element last read. */
    int tag;
    int start;
    int stop;

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
        if (end - at < 2) {
            throw MALFORMED;
        }
        tag = bytes[at] & 0xFF;
        if ((tag & 0x1F) == 0x1F) {
            throw MALFORMED;
        }
        int first = bytes[at + 1] & 0xFF;
        int length;
        int header;
        if (first < 0x80) {
            length = first;
            header = 2;
        } else if (first == 0x81 && end - at >= 3 && (bytes[at + 2] & 0xFF) >= 0x80) {
            length = bytes[at + 2] & 0xFF;
            header = 3;
        } else if (first == 0x82 && end - at >= 4 && bytes[at + 2] != 0) {
            length = (bytes[at + 2] & 0xFF) << 8 | bytes[at + 3] & 0xFF;
            header = 4;
        } else {
            // Longer than 65,535 bytes, indefinite (BER), or not in the shortest form.
            throw MALFORMED;
        }
        if (length > end - at - header) {
            throw MALFORMED;
        }
        start = at + header;
        stop = start + length;
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

    static Malformed malformed() {
        return MALFORMED;
    }
}
