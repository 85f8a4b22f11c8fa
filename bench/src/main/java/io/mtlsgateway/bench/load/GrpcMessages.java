package io.mtlsgateway.bench.load;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The one gRPC call of the grpc mode, shared by the load client and {@link GrpcUpstream}: fixed messages in
 * gRPC's length-prefixed framing (a compressed flag byte, a 4-byte big-endian length, the message). The messages
 * are valid protobuf (field 1, a string) although nothing here parses them: the bytes are compared whole.
 */
final class GrpcMessages {
    /** The method path run.sh routes to the gRPC upstream. */
    static final String METHOD_PATH = "/bench.Load/Unary";
    static final String CONTENT_TYPE = "application/grpc";
    /** The request header the upstream requires: the identity the proxy under test must have injected. */
    static final String IDENTITY_HEADER = "x-client-subject";

    private static final byte[] REQUEST = frame(message("ping"));
    private static final byte[] RESPONSE = frame(message("ok"));

    private GrpcMessages() {}

    /** The framed request message (a fresh copy: callers wrap it in a buffer). */
    static byte[] request() {
        return REQUEST.clone();
    }

    /** The framed response message (a fresh copy). */
    static byte[] response() {
        return RESPONSE.clone();
    }

    /** Whether {@code bytes} (the whole response body) is exactly the framed response message. */
    static boolean isResponse(byte[] bytes, int length) {
        if (length != RESPONSE.length) {
            return false;
        }
        for (int i = 0; i < length; i++) {
            if (bytes[i] != RESPONSE[i]) {
                return false;
            }
        }
        return true;
    }

    static int responseLength() {
        return RESPONSE.length;
    }

    // Protobuf field 1, wire type 2 (length-delimited): tag 0x0a, a one-byte length, the UTF-8 text.
    private static byte[] message(String text) {
        byte[] utf8 = text.getBytes(StandardCharsets.UTF_8);
        byte[] message = new byte[utf8.length + 2];
        message[0] = 0x0a;
        message[1] = (byte) utf8.length;
        System.arraycopy(utf8, 0, message, 2, utf8.length);
        return message;
    }

    private static byte[] frame(byte[] message) {
        return ByteBuffer.allocate(5 + message.length).put((byte) 0).putInt(message.length).put(message).array();
    }
}
