package io.mtlsgateway.gateway.pipeline;

import io.netty.buffer.ByteBuf;

/**
 * Reads the raw bytes of a request head, ahead of Netty's decoder, for the forms the decoder
 * tolerates but a smuggling-safe proxy must refuse: obs-fold (a header line continued on a line
 * that starts with a space or tab — Netty silently joins it, another parser may not), an
 * HTTP/0.9-style request line without a version (Netty silently skips it), and a request line
 * holding anything but visible ASCII and spaces (Netty reads such bytes as ISO-8859-1 and the
 * encoder writes them as UTF-8, so the upstream would see another target than the router did).
 * State survives between reads, because a head can arrive a few bytes at a time.
 */
final class RequestHeadScanner {
    private int scanned;
    private boolean started;
    private boolean done;
    private int line;
    private int spacesInRequestLine;
    private boolean atLineStart;

    /**
     * Scans the bytes of {@code buffer} not scanned yet, up to the end of the head.
     *
     * @return why the head must be refused, or null
     */
    String scan(ByteBuf buffer) {
        for (int i = buffer.readerIndex() + scanned; i < buffer.writerIndex() && !done; i++) {
            scanned++;
            String problem = next(buffer.getByte(i));
            if (problem != null) {
                return problem;
            }
        }
        return null;
    }

    private String next(byte b) {
        if (!started) {
            if (b == '\r' || b == '\n') {
                return null; // empty lines before a request line are allowed (RFC 9112 section 2.2)
            }
            started = true;
        }
        if (atLineStart) {
            atLineStart = false;
            if (b == '\r' || b == '\n') {
                done = true; // the empty line that ends the head
                return null;
            }
            if (b == ' ' || b == '\t') {
                return "obs-fold or whitespace at the start of a header line";
            }
        }
        if (line == 0 && !requestLineByte(b)) {
            return String.format("byte 0x%02x in the request line (expected: visible ASCII and spaces only)", b & 0xff);
        }
        if (b == '\n') {
            if (line == 0 && spacesInRequestLine < 2) {
                return "request line without an HTTP version (HTTP/0.9)";
            }
            line++;
            atLineStart = true;
        } else if (line == 0 && b == ' ') {
            spacesInRequestLine++;
        }
        return null;
    }

    /** RFC 9112 section 3: method, target and version are visible ASCII, separated by single spaces. */
    private static boolean requestLineByte(byte b) {
        return (b > 0x20 && b < 0x7f) || b == ' ' || b == '\r' || b == '\n';
    }

    /** The decoder consumed {@code bytes} from the front of the buffer. */
    void consumed(int bytes) {
        scanned = Math.max(0, scanned - bytes);
    }

    /** A request ended: the next byte starts a new head. */
    void reset() {
        scanned = 0;
        started = false;
        done = false;
        line = 0;
        spacesInRequestLine = 0;
        atLineStart = false;
    }
}
