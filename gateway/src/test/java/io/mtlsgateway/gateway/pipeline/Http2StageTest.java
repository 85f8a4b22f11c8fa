package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2FrameWriter;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The h2 stage takes the gate's place as {@code h2-tls-flushes -> h2-codec -> h2-flush -> h2-stream-flushes ->
 * h2-guard -> h2-streams}, with the
 * listener's limits in the codec's settings, and gives each stream to the request stage, as HTTP
 * messages, without a channel of its own.
 */
class Http2StageTest {
    private final GatewayMetrics metrics = new GatewayMetrics(List.of());
    private final List<Object> streamMessages = new ArrayList<>();
    private final List<Downstream> streams = new ArrayList<>();
    private final AtomicInteger connectionsClosed = new AtomicInteger();
    private final EmbeddedChannel server = new EmbeddedChannel();

    @AfterEach
    void close() {
        server.finishAndReleaseAll();
        streamMessages.forEach(ReferenceCountUtil::release);
        metrics.close();
    }

    private final HttpStage.Factory requestStage = new HttpStage.Factory() {
        @Override
        public HttpStage create(VerifiedPeer peer) {
            throw new AssertionError("an h2 connection asks for its streams' handlers, not an HTTP/1.1 stage");
        }

        @Override
        public HttpStage.Http2Streams http2Streams(VerifiedPeer peer) {
            return new HttpStage.Http2Streams() {
                @Override
                public Http2StreamRequests open(Downstream stream) {
                    streams.add(stream);
                    return new Http2StreamRequests() {
                        @Override
                        public void read(HttpObject message) {
                            streamMessages.add(message);
                        }

                        @Override
                        public void readComplete() {}

                        @Override
                        public void writabilityChanged(boolean writable) {}

                        @Override
                        public void closed() {}
                    };
                }

                @Override
                public void connectionClosed() {
                    connectionsClosed.incrementAndGet();
                }
            };
        }
    };

    private void install(Http2Limits limits) {
        server.pipeline().addLast(PipelineNames.HANDSHAKE_GATE, new ChannelInboundHandlerAdapter());
        server.pipeline().addLast(PipelineNames.ERRORS, new ChannelInboundHandlerAdapter());
        Http2Stage.install(server.pipeline().context(PipelineNames.HANDSHAKE_GATE), limits, Duration.ofMinutes(1),
                requestStage, new VerifiedPeer(null, List.of(), "127.0.0.1"), "edge", Optional.empty(),
                metrics.listener("edge").http2());
    }

    /**
     * What a client sends to open a stream with a GET that has no body (stream 3).
     */
    private static ByteBuf clientPrefaceAndGet() {
        EmbeddedChannel client = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        ChannelHandlerContext ctx = client.pipeline().firstContext();
        DefaultHttp2FrameWriter writer = new DefaultHttp2FrameWriter();
        ByteBuf wire = ctx.alloc().buffer();
        wire.writeBytes(Http2CodecUtil.connectionPrefaceBuf());
        writer.writeSettings(ctx, new Http2Settings(), ctx.newPromise());
        writer.writeHeaders(ctx, 3, new DefaultHttp2Headers().method("GET").scheme("https").authority("api.test")
                .path("/accounts"), 0, true, ctx.newPromise());
        client.flushOutbound();
        ByteBuf part;
        while ((part = client.readOutbound()) != null) {
            wire.writeBytes(part);
            part.release();
        }
        client.finishAndReleaseAll();
        return wire;
    }

    /** MAX_CONCURRENT_STREAMS of the first SETTINGS frame the server wrote. */
    private long advertisedMaxConcurrentStreams() {
        ByteBuf all = Unpooled.buffer();
        ByteBuf part;
        while ((part = server.readOutbound()) != null) {
            all.writeBytes(part);
            part.release();
        }
        try {
            while (all.readableBytes() >= 9) {
                int length = all.readUnsignedMedium();
                int type = all.readUnsignedByte();
                all.skipBytes(5);
                ByteBuf payload = all.readSlice(length);
                while (type == 0x4 && payload.readableBytes() >= 6) {
                    int id = payload.readUnsignedShort();
                    long value = payload.readUnsignedInt();
                    if (id == 0x3) {
                        return value;
                    }
                }
            }
            return -1;
        } finally {
            all.release();
        }
    }

    @Test
    void theStageTakesTheGatesPlaceInTheDocumentedOrderWithTheListenersLimits() {
        install(new Http2Limits(7, 8192, Duration.ofHours(1), 1000));

        assertEquals(List.of(PipelineNames.H2_TLS_FLUSHES, PipelineNames.H2_CODEC, PipelineNames.H2_FLUSH,
                PipelineNames.H2_STREAM_FLUSHES, PipelineNames.H2_GUARD, PipelineNames.H2_STREAMS,
                PipelineNames.ERRORS), server.pipeline().names().subList(0, 7));
        assertEquals(7L, advertisedMaxConcurrentStreams(), "the SETTINGS the client is sent");

        server.close();
        assertEquals(1, connectionsClosed.get(), "the request stage hears the connection end");
    }

    @Test
    void eachStreamGoesToTheRequestStageAsHttpMessages() {
        install(Http2Limits.defaults());
        server.writeInbound(clientPrefaceAndGet());

        assertEquals(1, streams.size());
        assertEquals(3, streams.get(0).streamId());
        assertEquals(server, streams.get(0).connection(), "the stream's connection is the client's connection");
        HttpRequest head = assertInstanceOf(HttpRequest.class, streamMessages.get(0));
        assertEquals("/accounts", head.uri());
        assertInstanceOf(LastHttpContent.class, streamMessages.get(1), "the HEADERS frame ended the request");
        assertEquals(1.0, metrics.registry().get("mtls.gateway.h2.streams.active").gauge().value(),
                "the guard counted the open stream");
    }
}
