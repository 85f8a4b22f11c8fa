package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.util.ReferenceCountUtil;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code upstream-h2} stage of a health check to an h2 upstream, between embedded channels
 * speaking real HTTP/2 to each other: the probe's stream opens once the upstream's SETTINGS are in
 * (never before), carries the probe's request and the answer, and the connection ends with it.
 */
class Http2ProbeStreamTest {
    private final List<Object> probeRead = new ArrayList<>();
    private final List<Http2HeadersFrame> upstreamRead = new ArrayList<>();
    private EmbeddedChannel gateway;
    private EmbeddedChannel upstream;

    @AfterEach
    void close() {
        probeRead.forEach(ReferenceCountUtil::release);
        for (EmbeddedChannel ch : new EmbeddedChannel[] {gateway, upstream}) {
            if (ch != null) {
                ch.finishAndReleaseAll();
            }
        }
    }

    /** A probe as simple as the real one: asks once, keeps what it is told, closes its stream when answered. */
    private final class Probe extends ChannelInboundHandlerAdapter {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            DefaultFullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/healthz");
            request.headers().set(HttpHeaderNames.HOST, "ledger");
            ctx.writeAndFlush(request);
            ctx.fireChannelActive();
        }

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            probeRead.add(msg);
            if (msg instanceof io.netty.handler.codec.http.LastHttpContent) {
                ctx.close();
            }
        }
    }

    /** The health-check pipeline as {@code UpstreamInitializers} builds it for {@code protocol: h2c}. */
    private void connect() {
        gateway = new EmbeddedChannel();
        gateway.pipeline().addLast(PipelineNames.UPSTREAM_H2, new Http2ProbeStream(new Probe()));
        UpstreamHttp2.install(gateway.pipeline());
        upstream = new EmbeddedChannel(Http2FrameCodecBuilder.forServer().build(), new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext ctx, Object msg) {
                if (msg instanceof Http2HeadersFrame headers) {
                    upstreamRead.add(headers);
                    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status("204"), true)
                            .stream(headers.stream()));
                }
                ReferenceCountUtil.release(msg);
            }
        });
    }

    private static boolean shuttle(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        for (ByteBuf bytes; (bytes = from.readOutbound()) != null; ) {
            to.writeInbound(bytes);
            moved = true;
        }
        return moved;
    }

    private void converse() {
        for (boolean moved = true; moved; ) {
            moved = shuttle(gateway, upstream) | shuttle(upstream, gateway);
        }
    }

    @Test
    void opensTheProbesStreamOnlyOnceTheUpstreamsSettingsArrivedAndClosesTheConnectionWithIt() {
        connect();
        // The gateway's preface and SETTINGS reach the upstream, but nothing of the upstream's is read yet.
        shuttle(gateway, upstream);
        assertTrue(upstreamRead.isEmpty(), "no stream before the upstream's SETTINGS");
        assertTrue(probeRead.isEmpty());

        converse();
        assertEquals(1, upstreamRead.size(), "one stream, the probe's");
        assertEquals("/healthz", upstreamRead.get(0).headers().path().toString());
        assertEquals("GET", upstreamRead.get(0).headers().method().toString());
        HttpResponse answer = assertInstanceOf(HttpResponse.class, probeRead.get(0));
        assertEquals(204, answer.status().code());
        gateway.runPendingTasks();
        assertFalse(gateway.isOpen(), "the connection ends with the probe's stream");
    }

    @Test
    void aConnectionErrorClosesTheConnection() {
        connect();
        gateway.pipeline().fireExceptionCaught(new IOException("connection reset"));
        assertFalse(gateway.isOpen());
        assertNull(gateway.readInbound());
    }
}
