package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Netty's translation of a client stream's frames into HTTP/1.1 objects, with the request
 * stage's answer to two authorities. Netty turns {@code :authority} into a Host and keeps one
 * Host for {@code host} fields naming the same authority (RFC 9113 §8.3.1 allows both), but
 * resets the stream when a {@code host} field names another: here such a request instead reaches
 * the request stage with all its Host values, which refuses it (400 {@code bad_host}) before
 * routing and before any upstream, as it refuses an HTTP/1.1 request with two Host headers.
 */
final class Http2StreamCodec extends Http2StreamFrameToHttpObjectCodec {
    Http2StreamCodec() {
        super(true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        List<CharSequence> conflicting = frame instanceof Http2HeadersFrame headers && headers.headers().method() != null
                ? takeConflictingHosts(headers.headers()) : null;
        super.decode(ctx, frame, out);
        if (conflicting != null) {
            for (Object decoded : out) {
                if (decoded instanceof HttpRequest request) {
                    conflicting.forEach(host -> request.headers().add(HttpHeaderNames.HOST, host));
                }
            }
        }
    }

    /**
     * The {@code host} fields of a request head, removed from it, when one names another authority
     * than {@code :authority} (or, without it, than the first {@code host} field); host names
     * compare case-insensitively, ports must be the same. Null, and nothing removed, otherwise.
     */
    static List<CharSequence> takeConflictingHosts(Http2Headers head) {
        CharSequence first = head.get(HttpHeaderNames.HOST);
        if (first == null) {
            return null; // the usual request: one look-up
        }
        CharSequence authority = head.authority();
        CharSequence named = authority != null ? authority : first;
        List<CharSequence> hosts = head.getAll(HttpHeaderNames.HOST);
        for (CharSequence host : hosts) {
            if (!AsciiString.contentEqualsIgnoreCase(named, host)) {
                head.remove(HttpHeaderNames.HOST);
                return hosts;
            }
        }
        return null;
    }
}
