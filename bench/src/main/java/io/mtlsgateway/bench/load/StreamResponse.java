package io.mtlsgateway.bench.load;

import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http2.Http2Headers;
import java.nio.charset.StandardCharsets;

/** What one stream received so far: its status, its body (bounded) and, for gRPC, its grpc-status. */
final class StreamResponse {
    private static final int MAX_BODY = 64;
    private final long started;
    private final boolean grpc;
    private final byte[] body = new byte[MAX_BODY];
    private int bodyLength;
    private boolean overlong;
    private CharSequence status;
    private CharSequence grpcStatus;

    StreamResponse(long started, boolean grpc) {
        this.started = started;
        this.grpc = grpc;
    }

    long started() {
        return started;
    }

    /** Takes a HEADERS frame (the response head, or the trailers); true when the stream ended with it. */
    boolean headers(Http2Headers headers, boolean endStream) {
        if (status == null) {
            status = headers.status();
        }
        CharSequence grpcValue = headers.get("grpc-status");
        if (grpcValue != null) {
            grpcStatus = grpcValue;
        }
        return endStream;
    }

    boolean data(ByteBuf content, boolean endStream) {
        int readable = content.readableBytes();
        if (bodyLength + readable > MAX_BODY) {
            overlong = true;
        } else {
            content.getBytes(content.readerIndex(), body, bodyLength, readable);
            bodyLength += readable;
        }
        return endStream;
    }

    /** What was wrong with the completed response, or null. */
    ErrorKind wrong() {
        if (status == null || !"200".contentEquals(status)) {
            return ErrorKind.STATUS;
        }
        if (grpc) {
            if (grpcStatus == null || !"0".contentEquals(grpcStatus)) {
                return ErrorKind.GRPC_STATUS;
            }
            return !overlong && GrpcMessages.isResponse(body, bodyLength) ? null : ErrorKind.BODY;
        }
        boolean ok = !overlong && new String(body, 0, bodyLength, StandardCharsets.US_ASCII)
                .strip().equals(Slot.EXPECTED_BODY);
        return ok ? null : ErrorKind.BODY;
    }
}
