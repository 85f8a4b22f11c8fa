package io.mtlsgateway.gateway.pipeline;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.CombinedChannelDuplexHandler;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.ArrayDeque;
import java.util.List;

/**
 * The client-facing HTTP/1.1 codec: Netty's strict decoder with a {@link RequestHeadScanner} in
 * front of it, so obs-fold, HTTP/0.9 request lines and non-ASCII targets fail decoding like every
 * other ambiguous form, and Content-Length rewritten in its canonical spelling; and the response
 * encoder, told which responses answer a HEAD (they have no body).
 */
public final class StrictServerCodec extends CombinedChannelDuplexHandler<HttpRequestDecoder, HttpResponseEncoder> {
    private final ArrayDeque<HttpMethod> methods = new ArrayDeque<>();

    StrictServerCodec(HttpDecoderConfig config) {
        init(new Decoder(config), new Encoder());
    }

    private final class Decoder extends HttpRequestDecoder {
        private final RequestHeadScanner scanner = new RequestHeadScanner();
        private boolean refused;

        Decoder(HttpDecoderConfig config) {
            super(config);
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (refused) {
                buffer.skipBytes(buffer.readableBytes());
                return;
            }
            String problem = scanner.scan(buffer);
            if (problem != null) {
                // Nothing after a refused head can be framed: drop it all, like the decoder does.
                refused = true;
                buffer.skipBytes(buffer.readableBytes());
                HttpMessage invalid = createInvalidMessage();
                invalid.setDecoderResult(DecoderResult.failure(new IllegalArgumentException(problem)));
                out.add(invalid);
                return;
            }
            int before = buffer.readerIndex();
            int produced = out.size();
            super.decode(ctx, buffer, out);
            scanner.consumed(buffer.readerIndex() - before);
            for (int i = produced; i < out.size(); i++) {
                Object message = out.get(i);
                if (message instanceof HttpRequest request) {
                    methods.add(request.method());
                    normalizeContentLength(request);
                }
                if (message instanceof LastHttpContent) {
                    scanner.reset();
                }
            }
        }
    }

    /**
     * The decoder checked that the length is one number; it is forwarded as that number, never in
     * the client's spelling ({@code 005}, thirty digits), which another parser could read otherwise.
     */
    private static void normalizeContentLength(HttpRequest request) {
        if (request.decoderResult().isSuccess() && request.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            try {
                long length = HttpUtil.getContentLength(request, -1L);
                if (length >= 0) {
                    request.headers().set(HttpHeaderNames.CONTENT_LENGTH, Long.toString(length));
                }
            } catch (NumberFormatException e) {
                // Left as sent: the request checks refuse a length that is not one number.
            }
        }
    }

    private final class Encoder extends HttpResponseEncoder {
        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse response) {
            int code = response.status().code();
            if (code >= 100 && code < 200 && code != HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                return super.isContentAlwaysEmpty(response); // an interim response answers no request
            }
            HttpMethod method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(response);
        }
    }
}
