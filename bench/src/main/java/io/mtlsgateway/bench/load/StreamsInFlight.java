package io.mtlsgateway.bench.load;

import io.netty.handler.codec.http2.Http2FrameStream;
import java.util.HashMap;
import java.util.Map;

/**
 * The streams of one h2 load connection still waiting for their response, and how many ended
 * during the current read: those are replaced only once the read is complete, because the codec
 * closes a stream after the handler saw its last frame, and opening the next one before would
 * exceed the server's concurrent-stream limit.
 */
final class StreamsInFlight {
    // The codec hands back the stream object the handler created, so identity keys find the response.
    private final Map<Http2FrameStream, StreamResponse> responses = new HashMap<>();
    private int toReplace;

    void opened(Http2FrameStream stream, StreamResponse response) {
        responses.put(stream, response);
    }

    /** The response of {@code stream}, or null for a stream not (any more) in flight. */
    StreamResponse response(Http2FrameStream stream) {
        return responses.get(stream);
    }

    /** {@code stream} is done (answered, reset, failed); false when it was not in flight. */
    boolean ended(Http2FrameStream stream) {
        if (responses.remove(stream) == null) {
            return false;
        }
        toReplace++;
        return true;
    }

    /** Asks for one more replacement without a stream ending (a GOAWAY, so that the read's end looks again). */
    void replaceOne() {
        toReplace++;
    }

    /** How many streams to open now; counted down to zero by this call. */
    int takeReplacements() {
        int n = toReplace;
        toReplace = 0;
        return n;
    }

    boolean isEmpty() {
        return responses.isEmpty();
    }

    void clear() {
        responses.clear();
    }
}
