package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.util.AsciiString;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Makes what Netty's h2 stream codec decodes look exactly like what the HTTP/1.1 codec decodes:
 * a request that ended with its HEADERS frame is split into its head and its (empty) end, and the
 * {@code x-http2-*} names Netty uses to carry h2 details through HTTP/1.1 objects are removed,
 * whether Netty or the client put them there: an upstream must never see them.
 */
final class Http2RequestAdapter extends ChannelInboundHandlerAdapter {
    static final String TRANSLATION_PREFIX = "x-http2-";

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof FullHttpRequest full) {
            stripTranslationHeaders(full.headers());
            HttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(),
                    full.headers());
            head.setDecoderResult(full.decoderResult());
            LastHttpContent end = new DefaultLastHttpContent(full.content(), true);
            if (!full.trailingHeaders().isEmpty()) {
                stripTranslationHeaders(full.trailingHeaders());
                end.trailingHeaders().set(full.trailingHeaders());
            }
            ctx.fireChannelRead(head);
            ctx.fireChannelRead(end);
            return;
        }
        if (msg instanceof HttpRequest request) {
            stripTranslationHeaders(request.headers());
        } else if (msg instanceof LastHttpContent last) {
            stripTranslationHeaders(last.trailingHeaders());
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException) {
            // A malformed stream the codec has reset already (counted on the connection): the
            // client caused it, so no warning per stream; the request stage sees the stream close.
            ctx.close();
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    // Runs for every stream: compares the names as they are stored (no String copy, no lower-casing)
    // and allocates only when there is something to remove (Netty's x-http2-stream-id, always).
    static void stripTranslationHeaders(HttpHeaders headers) {
        List<CharSequence> names = null;
        Iterator<Map.Entry<CharSequence, CharSequence>> entries = headers.iteratorCharSequence();
        while (entries.hasNext()) {
            CharSequence name = entries.next().getKey();
            if (AsciiString.regionMatches(name, true, 0, TRANSLATION_PREFIX, 0, TRANSLATION_PREFIX.length())) {
                if (names == null) {
                    names = new ArrayList<>(2);
                }
                names.add(name);
            }
        }
        if (names != null) {
            names.forEach(headers::remove);
        }
    }
}
