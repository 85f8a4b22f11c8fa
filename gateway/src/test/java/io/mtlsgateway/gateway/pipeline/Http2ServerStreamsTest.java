package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * {@code h2-streams} against a real h2 client codec, bytes carried between two embedded channels:
 * each stream is served without a channel of its own, its answers leave as its frames, its request
 * body waits (and its window stays taken) while the request stage does not read, and its end is a
 * reset only when one side has not ended it.
 */
class Http2ServerStreamsTest {
    private final GatewayMetrics metrics = new GatewayMetrics(List.of());
    private final EmbeddedChannel server = new EmbeddedChannel();
    private final List<Http2StreamFrame> clientFrames = new ArrayList<>();
    private final List<HttpObject> read = new ArrayList<>();
    private final List<Downstream> streams = new ArrayList<>();
    private final List<Boolean> writability = new ArrayList<>();
    private int closed;
    private int readCompletes;
    /** What the request stage does with each head it reads. */
    private Consumer<Downstream> onHead = stream -> { };
    /** What the request stage does with each body part it reads. */
    private Consumer<Downstream> onBody = stream -> { };
    private EmbeddedChannel client;
    private ClientFrames clientCodec;

    /** The client's end: records what it reads, opens streams. */
    private final class ClientFrames extends Http2ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof Http2StreamFrame frame && (msg instanceof Http2HeadersFrame
                    || msg instanceof Http2DataFrame || msg instanceof Http2ResetFrame)) {
                clientFrames.add(frame);
            } else {
                ReferenceCountUtil.release(msg);
            }
        }

        Http2FrameStream open() {
            return newStream();
        }
    }

    @BeforeEach
    void connect() {
        server.pipeline().addLast(PipelineNames.HANDSHAKE_GATE, new ChannelInboundHandlerAdapter());
        server.pipeline().addLast(PipelineNames.ERRORS, new ChannelInboundHandlerAdapter());
        Http2Stage.install(server.pipeline().context(PipelineNames.HANDSHAKE_GATE), Http2Limits.defaults(),
                Duration.ofMinutes(1), new RecordingStage(), new VerifiedPeer(null, List.of(), "127.0.0.1"), "edge",
                Optional.empty(), metrics.listener("edge").http2());
        clientCodec = new ClientFrames();
        Http2FrameCodec codec = Http2FrameCodecBuilder.forClient().build();
        client = new EmbeddedChannel(codec, clientCodec);
        carry();
    }

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
        server.finishAndReleaseAll();
        read.forEach(ReferenceCountUtil::release);
        clientFrames.forEach(ReferenceCountUtil::release);
        metrics.close();
    }

    private final class RecordingStage implements HttpStage.Factory {
        @Override
        public HttpStage create(VerifiedPeer peer) {
            throw new AssertionError("not an HTTP/1.1 connection");
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
                            read.add(message);
                            if (message instanceof HttpRequest) {
                                onHead.accept(stream);
                            } else if (message instanceof HttpContent) {
                                onBody.accept(stream);
                            }
                        }

                        @Override
                        public void readComplete() {
                            readCompletes++;
                        }

                        @Override
                        public void writabilityChanged(boolean writable) {
                            writability.add(writable);
                        }

                        @Override
                        public void closed() {
                            closed++;
                        }
                    };
                }

                @Override
                public void connectionClosed() {}
            };
        }
    }

    /**
     * Moves bytes both ways until neither side has more to say (held flushes run as their tasks);
     * what the client wrote since the last round arrives in one read, as from a socket.
     */
    private void carry() {
        boolean moved;
        do {
            moved = false;
            client.flushOutbound();
            ByteBuf bytes;
            ByteBuf sent = null;
            while ((bytes = client.readOutbound()) != null) {
                sent = sent == null ? Unpooled.buffer() : sent;
                sent.writeBytes(bytes);
                bytes.release();
            }
            if (sent != null) {
                server.writeInbound(sent);
                moved = true;
            }
            server.runPendingTasks();
            server.flushOutbound();
            while ((bytes = server.readOutbound()) != null) {
                client.writeInbound(bytes);
                moved = true;
            }
        } while (moved);
    }

    private Http2FrameStream send(Http2Headers head, boolean endStream) {
        Http2FrameStream stream = clientCodec.open();
        client.writeOneOutbound(new DefaultHttp2HeadersFrame(head, endStream).stream(stream));
        carry();
        return stream;
    }

    private static Http2Headers request(String method) {
        return new DefaultHttp2Headers().method(method).scheme("https").authority("api.test").path("/a");
    }

    private Http2FrameCodec serverCodec() {
        return server.pipeline().get(Http2FrameCodec.class);
    }

    private double openStreams() {
        return metrics.registry().get("mtls.gateway.h2.streams.active").gauge().value();
    }

    @Test
    void aWholeAnswerWithoutBodyIsOneHeadersFrameThatEndsTheStream() {
        send(request("GET"), true);
        assertEquals(1, streams.size());
        assertInstanceOf(HttpRequest.class, read.get(0));
        assertInstanceOf(LastHttpContent.class, read.get(1));
        assertEquals(1, readCompletes);
        assertEquals(1.0, openStreams());

        FullHttpResponse trailersOnly = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        trailersOnly.headers().set("grpc-status", "12").set("content-length", "0");
        streams.get(0).writeAndFlush(trailersOnly, false);
        carry();

        assertEquals(1, clientFrames.size(), clientFrames.toString());
        Http2HeadersFrame answer = assertInstanceOf(Http2HeadersFrame.class, clientFrames.get(0));
        assertTrue(answer.isEndStream());
        assertEquals("200", answer.headers().status().toString());
        assertEquals("12", answer.headers().get("grpc-status").toString());
        assertEquals(1, closed, "both sides ended: the stream closed, without a reset");
        assertEquals(0.0, openStreams());
    }

    @Test
    void aHeadThenBodyPartsLeaveAsHeadersThenDataFrames() {
        send(request("GET"), true);
        Downstream stream = streams.get(0);
        stream.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        stream.writeAndFlush(new DefaultLastHttpContent(Unpooled.copiedBuffer("hello", StandardCharsets.US_ASCII)),
                false);
        carry();

        assertEquals(2, clientFrames.size(), clientFrames.toString());
        assertFalse(assertInstanceOf(Http2HeadersFrame.class, clientFrames.get(0)).isEndStream());
        Http2DataFrame body = assertInstanceOf(Http2DataFrame.class, clientFrames.get(1));
        assertEquals("hello", body.content().toString(StandardCharsets.US_ASCII));
        assertTrue(body.isEndStream());
        assertEquals(1, closed);
    }

    @Test
    void aBodyWaitsWhileTheRequestStageDoesNotReadAndItsWindowIsTakenUntilItDoes() {
        onHead = stream -> stream.reading(false);
        Http2FrameStream stream = send(request("POST"), false);
        client.writeOneOutbound(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[1000]), false)
                .stream(stream));
        carry();

        assertEquals(1, read.size(), "only the head: the body waits");
        var serverStream = serverCodec().connection().stream(stream.id());
        assertEquals(1000, serverCodec().connection().local().flowController().unconsumedBytes(serverStream),
                "not given back while the request stage does not take it");

        streams.get(0).reading(true);
        carry();

        HttpContent part = assertInstanceOf(HttpContent.class, read.get(1));
        assertEquals(1000, part.content().readableBytes());
        assertEquals(0, serverCodec().connection().local().flowController().unconsumedBytes(serverStream),
                "given back once taken");
        assertEquals(2, readCompletes, "the head's read, then the held body's");
    }

    @Test
    void aWindowTakenByTheLastPartReadBeforeTheRequestStageStoppedGoesBackWhenItReadsOn() {
        // The upstream stopped taking bytes at the part that used up the client's window: nothing
        // is held, and the client has nothing to send until the window comes back.
        onBody = stream -> stream.reading(false);
        Http2FrameStream stream = send(request("POST"), false);
        client.writeOneOutbound(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[1000]), false)
                .stream(stream));
        carry();
        var serverStream = serverCodec().connection().stream(stream.id());
        assertEquals(2, read.size(), "the part was taken");
        assertEquals(1000, serverCodec().connection().local().flowController().unconsumedBytes(serverStream));

        streams.get(0).reading(true);
        carry();

        assertEquals(0, serverCodec().connection().local().flowController().unconsumedBytes(serverStream),
                "given back once the request stage reads on, though nothing waited");
    }

    @Test
    void endingAStreamTheClientHasNotEndedResetsItWithCancel() {
        send(request("POST"), false);
        streams.get(0).writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.FORBIDDEN), true);
        carry();

        Http2HeadersFrame answer = assertInstanceOf(Http2HeadersFrame.class, clientFrames.get(0));
        assertEquals("403", answer.headers().status().toString());
        Http2ResetFrame reset = assertInstanceOf(Http2ResetFrame.class, clientFrames.get(1));
        assertEquals(Http2Error.CANCEL.code(), reset.errorCode());
        assertEquals(1, closed);
        assertFalse(streams.get(0).isWritable());
    }

    @Test
    void aMalformedStreamIsResetWithTheErrorAndTheConnectionGoesOn() {
        Http2FrameStream stream = send(request("POST").setInt("content-length", 2), false);
        client.writeOneOutbound(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(new byte[5]), true).stream(stream));
        carry();

        Http2ResetFrame reset = assertInstanceOf(Http2ResetFrame.class, clientFrames.get(clientFrames.size() - 1));
        assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.errorCode());
        assertEquals(1, closed);

        send(request("GET"), true);
        assertEquals(2, streams.size(), "the next stream is served");
        assertTrue(server.isActive());
    }

    @Test
    void aStreamErrorOnAnOpenStreamIsAnsweredWithItsCode() {
        assertStreamErrorAnswered();
    }

    @Test
    void aStreamErrorAfterTheAnswerStartedIsAnsweredWithItsCodeToo() {
        // As for a request the gateway refuses at once (404): its answer is on its way, the client's
        // frames that cause the error were in the same read.
        onHead = stream -> stream.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.NOT_FOUND, Unpooled.copiedBuffer("{}", StandardCharsets.US_ASCII)), true);
        assertStreamErrorAnswered();
    }

    private void assertStreamErrorAnswered() {
        Http2FrameStream stream = clientCodec.open();
        client.writeOneOutbound(new DefaultHttp2HeadersFrame(request("POST"), false).stream(stream));
        // WINDOW_UPDATE with an increment of 0 on the stream: a stream error (RFC 9113 section 6.9).
        ByteBuf zero = Unpooled.buffer(13).writeMedium(4).writeByte(0x8).writeByte(0).writeInt(stream.id())
                .writeInt(0);
        client.writeOneOutbound(zero);
        carry();

        Http2ResetFrame reset = assertInstanceOf(Http2ResetFrame.class, clientFrames.get(clientFrames.size() - 1));
        assertEquals(Http2Error.PROTOCOL_ERROR.code(), reset.errorCode());
        assertEquals(1, closed);
    }

    @Test
    void aStreamOutOfSendWindowIsNotWritableUntilTheClientGivesItBack() {
        send(request("GET"), true);
        Downstream stream = streams.get(0);
        stream.write(new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));
        assertTrue(stream.isWritable());
        // The client's window: 65535 bytes.
        stream.writeAndFlush(new io.netty.handler.codec.http.DefaultHttpContent(
                Unpooled.wrappedBuffer(new byte[70_000])), false);
        assertFalse(stream.isWritable(), "more written than the window");
        assertEquals(List.of(false), writability);
        carry();

        // The client takes the bytes and gives them back.
        Http2FrameStream clientStream = clientFrames.get(0).stream();
        int received = 0;
        for (Http2StreamFrame frame : clientFrames) {
            if (frame instanceof Http2DataFrame data) {
                received += data.initialFlowControlledBytes();
            }
        }
        client.writeOneOutbound(new io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame(received)
                .stream(clientStream));
        carry();

        assertTrue(stream.isWritable());
        assertEquals(List.of(false, true), writability);
    }

    @Test
    void theEndOfARequestThatEndedWithItsHeadersFollowsItsHeadThoughTheHeadStoppedReading() {
        onHead = stream -> stream.reading(false);
        send(request("GET"), true);

        assertInstanceOf(HttpRequest.class, read.get(0));
        assertInstanceOf(LastHttpContent.class, read.get(1), "one frame, one delivery");
    }
}
