package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.AsciiString;
import java.util.List;

/**
 * Netty's translation of a client stream's frames into HTTP/1.1 objects, with one Host. Netty
 * turns {@code :authority} into a {@code host} field and keeps any {@code host} field the client
 * sent as well, so a client that sends both (RFC 9113 §8.3.1 allows it when they name the same
 * authority) would reach the request stage with two. Here, before that translation, a single
 * {@code host} field naming the same authority as {@code :authority} (host case-insensitive, the
 * same port) is dropped: one Host remains. Any other combination is left as it is and arrives as
 * two or more Host values, which the request stage refuses (400 {@code bad_host}) before routing
 * and before any upstream, as RFC 9113 calls such a request malformed.
 */
final class Http2StreamCodec extends Http2StreamFrameToHttpObjectCodec {
    Http2StreamCodec() {
        super(true);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, Http2StreamFrame frame, List<Object> out) throws Exception {
        if (frame instanceof Http2HeadersFrame headers) {
            dropHostNamingTheAuthority(headers.headers());
        }
        super.decode(ctx, frame, out);
    }

    // Runs for every HEADERS frame: one look-up when the client sent no host field (the usual case).
    static void dropHostNamingTheAuthority(Http2Headers headers) {
        CharSequence host = headers.get(HttpHeaderNames.HOST);
        if (host == null) {
            return;
        }
        CharSequence authority = headers.authority();
        if (authority != null && AsciiString.contentEqualsIgnoreCase(authority, host)
                && headers.getAll(HttpHeaderNames.HOST).size() == 1) {
            headers.remove(HttpHeaderNames.HOST);
        }
    }
}
