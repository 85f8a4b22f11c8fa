package io.mtlsgateway.gateway.proxy;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.netty.util.AsciiString;
import java.util.List;
import java.util.Map;

/** Reads a decoded Netty request head into the planner's Netty-free {@link RequestHead}. */
final class RequestHeads {
    private RequestHeads() {}

    static RequestHead of(HttpRequest request) {
        RequestHead.DecodeFailure failure = failure(request);
        HttpHeaders headers = request.headers();
        boolean decoded = failure == RequestHead.DecodeFailure.NONE;
        // A head the codec refused may hold a Content-Length that does not parse: it is closed anyway.
        long contentLength = decoded ? HttpUtil.getContentLength(request, 0L) : 0L;
        return new RequestHead(request.method().name(), request.uri(), request.protocolVersion().majorVersion(),
                request.protocolVersion().minorVersion(), failure, new NettyHeaders(headers),
                decoded && HttpUtil.isTransferEncodingChunked(request), contentLength, HttpUtil.isKeepAlive(request));
    }

    private static RequestHead.DecodeFailure failure(HttpRequest request) {
        if (!request.decoderResult().isFailure()) {
            return RequestHead.DecodeFailure.NONE;
        }
        Throwable cause = request.decoderResult().cause();
        if (cause instanceof TooLongHttpLineException) {
            return RequestHead.DecodeFailure.LINE_TOO_LONG;
        }
        if (cause instanceof TooLongHttpHeaderException || cause instanceof TooLongFrameException) {
            return RequestHead.DecodeFailure.HEADERS_TOO_LARGE;
        }
        return RequestHead.DecodeFailure.MALFORMED;
    }

    private record NettyHeaders(HttpHeaders headers) implements RequestHead.Headers {
        /**
         * The names the checks and the planner look up on every request, as Netty's AsciiStrings: a
         * String name is hashed character by character on each look-up, an AsciiString once. The
         * map's own look-up uses the String's cached hash.
         */
        private static final Map<String, AsciiString> KNOWN = Map.of(
                "host", HttpHeaderNames.HOST,
                "transfer-encoding", HttpHeaderNames.TRANSFER_ENCODING,
                "expect", HttpHeaderNames.EXPECT,
                "upgrade", HttpHeaderNames.UPGRADE,
                "connection", HttpHeaderNames.CONNECTION,
                "authorization", HttpHeaderNames.AUTHORIZATION);

        private static CharSequence name(String name) {
            AsciiString known = KNOWN.get(name);
            return known != null ? known : name;
        }

        @Override
        public List<String> all(String name) {
            return headers.getAll(name(name));
        }

        @Override
        public String first(String name) {
            // One look-up without the list getAll builds: the planner asks this of every request.
            return headers.get(name(name));
        }

        @Override
        public int size() {
            return headers.size();
        }
    }
}
