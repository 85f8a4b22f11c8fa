package io.mtlsgateway.gateway.proxy;

import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import java.util.List;

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
        @Override
        public List<String> all(String name) {
            return headers.getAll(name);
        }

        @Override
        public String first(String name) {
            // One look-up without the list getAll builds: the planner asks this of every request.
            return headers.get(name);
        }

        @Override
        public int size() {
            return headers.size();
        }
    }
}
