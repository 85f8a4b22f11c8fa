package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2Connection;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.collection.IntObjectMap;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code h2-streams}: the client streams of one h2 connection, after the frame codec and the guard,
 * in place of Netty's multiplexer. A stream the codec reports active (its HEADERS arrived) becomes
 * an {@link Http2ServerStream} served by the request stage; its frames go to it, its
 * writability and its close too. Streams that read during a read of the connection hear its end
 * once, in the order they read (as the multiplexer's read-complete queue did), then the
 * connection is flushed once.
 */
final class Http2ServerStreams extends ChannelInboundHandlerAdapter {
    private final HttpStage.Http2Streams requests;
    private final Http2ConnectionGuard guard;
    private final IntObjectMap<Http2ServerStream> streams = new IntObjectHashMap<>();
    private final List<Http2ServerStream> readThisRound = new ArrayList<>(4);
    private ChannelHandlerContext ctx;
    private Http2Connection connection;
    private boolean reading;
    /** A stream flushed during the current read: the connection is flushed at its end. */
    private boolean flushDue;

    Http2ServerStreams(HttpStage.Http2Streams requests, Http2ConnectionGuard guard) {
        this.requests = requests;
        this.guard = guard;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.connection = ctx.pipeline().get(Http2FrameCodec.class).connection();
    }

    /** Whether the connection is in a read (a stream's read-complete then waits for its end). */
    boolean reading() {
        return reading;
    }

    void flushDue() {
        flushDue = true;
    }

    void readCompleteDue(Http2ServerStream stream) {
        readThisRound.add(stream);
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        reading = true;
        if (msg instanceof Http2StreamFrame frame && frame.stream() != null) {
            Http2ServerStream stream = streams.get(frame.stream().id());
            if (stream == null || !(msg instanceof Http2HeadersFrame || msg instanceof Http2DataFrame)) {
                // Only HEADERS and DATA are the stream's. A reset closes the stream, which the codec
                // reports next; window updates are the codec's; a frame of an unknown type is
                // ignored (RFC 9113 section 4.1), its payload released.
                ReferenceCountUtil.release(msg);
            } else if (stream.read(frame)) {
                readThisRound.add(stream);
            }
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        try {
            if (!readThisRound.isEmpty()) {
                // Still reading: what the streams flush now leaves in the one flush below. Index loop:
                // a stream may turn reading on again here and join the list.
                for (int i = 0; i < readThisRound.size(); i++) {
                    readThisRound.get(i).readComplete();
                }
                flushDue = true;
            }
        } finally {
            // Even when a stream's request stage throws (the terminal handler then closes the
            // connection): left "reading", every stream's flush would wait for a read that may not come.
            readThisRound.clear();
            reading = false;
        }
        if (flushDue) {
            flushDue = false;
            ctx.flush();
        }
        ctx.fireChannelReadComplete();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (!(evt instanceof Http2FrameStreamEvent event)) {
            ctx.fireUserEventTriggered(evt);
            return;
        }
        Http2FrameStream frameStream = event.stream();
        if (event.type() == Http2FrameStreamEvent.Type.Writability) {
            Http2ServerStream stream = streams.get(frameStream.id());
            if (stream != null) {
                stream.writabilityChanged();
            }
            return;
        }
        switch (frameStream.state()) {
            case OPEN, HALF_CLOSED_REMOTE -> {
                if (!streams.containsKey(frameStream.id())) {
                    open(frameStream);
                }
            }
            case CLOSED -> {
                Http2ServerStream stream = streams.remove(frameStream.id());
                if (stream != null) {
                    guard.streamClosed();
                    stream.closed();
                }
            }
            default -> { }
        }
    }

    private void open(Http2FrameStream frameStream) {
        Http2Stream stream = connection.stream(frameStream.id());
        Http2ServerStream served = new Http2ServerStream(ctx, frameStream, stream,
                connection.remote().flowController(), this);
        streams.put(frameStream.id(), served);
        guard.streamOpened();
        served.serve(requests.open(served));
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (cause instanceof Http2FrameStreamException streamError) {
            // A malformed stream: reset with the error (counted by StreamResetCounter as the reset is
            // written), as the multiplexer closed the stream's channel with it. The connection goes on.
            Http2ServerStream stream = streams.get(streamError.stream().id());
            if (stream != null) {
                stream.reset(streamError.error());
            }
            return;
        }
        ctx.fireExceptionCaught(cause);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        closeAll();
        ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        closeAll();
    }

    /** The codec closes its streams as the connection ends; whatever it did not report is closed here. */
    private void closeAll() {
        if (streams.isEmpty()) {
            return;
        }
        List<Http2ServerStream> open = new ArrayList<>(streams.values());
        streams.clear();
        for (Http2ServerStream stream : open) {
            guard.streamClosed();
            stream.closed();
        }
    }
}
