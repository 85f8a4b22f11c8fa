package io.mtlsgateway.gateway.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.mtlsgateway.config.XfccMode;
import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The request's writes to its upstream connection: a failed one is never silent. */
class RequestRelayTest {
    @Test
    void aFailedUpstreamWriteReachesTheConnectionAsAnExceptionAndWhatItCarriedIsReleased() {
        List<Throwable> caught = new ArrayList<>();
        EmbeddedChannel upstream = new EmbeddedChannel(new ChannelOutboundHandlerAdapter() {
            @Override
            public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
                ReferenceCountUtil.release(msg);
                promise.setFailure(new IOException("Broken pipe"));
            }
        }, new ChannelInboundHandlerAdapter() {
            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                // As the pooled connection's last handler does: close, and tell the exchange.
                caught.add(cause);
                ctx.close();
            }
        });
        RequestRelay relay = new RequestRelay(new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/"),
                new IdentityHeaderWriter(Map.of(), XfccMode.SANITIZE, false, Optional.empty()),
                new RequestRecord("main", "POST", "/", null));
        ByteBuf body = Unpooled.copiedBuffer("body", StandardCharsets.US_ASCII);
        relay.add(new DefaultLastHttpContent(body));

        relay.connected(upstream, false);
        relay.flush();

        assertInstanceOf(IOException.class, caught.get(0));
        assertFalse(upstream.isOpen());
        assertEquals(0, body.refCnt(), "the held body part was written (and released by the failing write)");
        upstream.finishAndReleaseAll();
    }
}
