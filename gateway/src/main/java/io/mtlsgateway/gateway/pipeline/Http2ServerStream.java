package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2RemoteFlowController;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.util.ReferenceCountUtil;
import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One client stream of an h2 connection, served straight from the connection's frame codec: what
 * it reads goes to its {@link Http2StreamRequests} as HTTP messages ({@link Http2RequestMessages}),
 * what the request stage writes leaves as the stream's frames ({@link Http2ResponseFrames}) through
 * {@code h2-streams}' context (so past the guard, the flush consolidation and into the codec).
 * Replaces Netty's child channel per stream (a channel, its pipeline, registration, promises
 * chained to the parent's, a read-complete queue): about a third of what an h2 request cost beyond
 * an HTTP/1.1 one at one stream per connection, by the profile in docs/performance.md.
 *
 * <p>Flow control keeps backpressure: the bytes of the request body count as consumed, and the
 * stream's window is given back ({@code WINDOW_UPDATE}), only once the request stage took them
 * while it wanted more (reading on); while it does not, what the client still sends within its
 * window waits here. Writability is the codec's: the stream's send window and the connection's
 * buffer ({@link Http2RemoteFlowController#isWritable}).
 */
final class Http2ServerStream implements Downstream {
    private static final Logger LOG = Logger.getLogger(Http2ServerStream.class.getName());

    private final ChannelHandlerContext ctx;
    private final Http2FrameStream frameStream;
    private final Http2Stream stream;
    private final Http2RemoteFlowController flow;
    /** Whether the connection is in a read that will end with a read-complete for this stream. */
    private final Http2ServerStreams connection;
    /** One listener for every frame written: a frame that could not be written resets the stream. */
    private final ChannelFutureListener endOnFailure = f -> {
        if (!f.isSuccess()) {
            close();
        }
    };
    private final List<Http2StreamFrame> frames = new ArrayList<>(3);
    private Http2StreamRequests requests;
    private boolean reading = true;
    /** Read while the request stage did not want more; made when the first is. */
    private ArrayDeque<HttpObject> held;
    private boolean delivering;
    /** The frame being read goes to the request stage at once (else it waits in {@link #held}). */
    private boolean deliverFrame;
    /** Request-body bytes read and not given back to the client's window yet. */
    private int consumed;
    private boolean readCompleteDue;
    /** Messages went to the request stage since its last read-complete. */
    private boolean delivered;
    private boolean receivedEnd;
    private boolean sentEnd;
    private boolean resetSent;
    private boolean closed;

    Http2ServerStream(ChannelHandlerContext ctx, Http2FrameStream frameStream, Http2Stream stream,
            Http2RemoteFlowController flow, Http2ServerStreams connection) {
        this.ctx = ctx;
        this.frameStream = frameStream;
        this.stream = stream;
        this.flow = flow;
        this.connection = connection;
    }

    void serve(Http2StreamRequests requests) {
        this.requests = requests;
    }

    /**
     * A HEADERS or DATA frame of this stream; takes ownership of it.
     *
     * @return whether the stream's read-complete is now due at the end of the connection's read
     */
    boolean read(Http2StreamFrame frame) {
        if (closed || resetSent) {
            ReferenceCountUtil.release(frame);
            return false;
        }
        if (frame instanceof Http2DataFrame data) {
            consumed += data.initialFlowControlledBytes();
            receivedEnd |= data.isEndStream();
        } else if (frame instanceof Http2HeadersFrame headers) {
            receivedEnd |= headers.isEndStream();
        }
        // The messages of one frame go on together, as a codec hands on what it decoded from one
        // read: a GET's head and its end, though the head made the request stage stop reading.
        deliverFrame = reading && (held == null || held.isEmpty()) && !delivering;
        try {
            Http2RequestMessages.decode(frameStream.id(), frame, this::arrived);
        } catch (Http2Exception | RuntimeException e) {
            // Only a HEADERS frame fails, and it holds no buffer.
            LOG.log(Level.FINE, "h2 stream " + frameStream.id() + ": malformed", e);
            reset(Http2Error.PROTOCOL_ERROR);
            return false;
        }
        return delivered && markReadCompleteDue();
    }

    /** @return true when this stream's read-complete was not due yet and now is */
    boolean markReadCompleteDue() {
        if (readCompleteDue || closed) {
            return false;
        }
        readCompleteDue = true;
        return true;
    }

    private void arrived(HttpObject message) {
        if (deliverFrame) {
            deliver(message);
        } else {
            if (held == null) {
                held = new ArrayDeque<>(4);
            }
            held.add(message);
        }
    }

    private void deliver(HttpObject message) {
        if (closed) {
            ReferenceCountUtil.release(message);
            return;
        }
        delivered = true;
        try {
            requests.read(message);
        } catch (RuntimeException e) {
            // A bug of the request stage must not take the connection's other streams with it.
            LOG.log(Level.WARNING, "h2 stream " + frameStream.id() + ": request stage failed", e);
            reset(Http2Error.INTERNAL_ERROR);
        }
    }

    /** The connection's read that delivered this stream's messages ended. */
    void readComplete() {
        readCompleteDue = false;
        delivered = false;
        if (!closed) {
            requests.readComplete();
            giveBackWindow();
        }
    }

    void writabilityChanged() {
        if (!closed) {
            requests.writabilityChanged(isWritable());
        }
    }

    /** The codec closed the stream (or the connection is gone): the request stage hears of it once. */
    void closed() {
        if (closed) {
            return;
        }
        closed = true;
        HttpObject message;
        while (held != null && (message = held.poll()) != null) {
            ReferenceCountUtil.release(message);
        }
        requests.closed();
    }

    /** Resets the stream with {@code error} (once); the codec then closes it. */
    void reset(Http2Error error) {
        if (resetSent || closed) {
            return;
        }
        resetSent = true;
        ctx.write(new DefaultHttp2ResetFrame(error).stream(frameStream), ctx.newPromise());
        flush();
    }

    private void giveBackWindow() {
        if (consumed > 0 && reading && (held == null || held.isEmpty()) && !resetSent) {
            int bytes = consumed;
            consumed = 0;
            // A failure (the stream closed meanwhile) needs nothing: a closed stream's bytes go back
            // to the connection's window by themselves.
            ctx.write(new DefaultHttp2WindowUpdateFrame(bytes).stream(frameStream), ctx.newPromise());
            flush();
        }
    }

    @Override
    public Channel connection() {
        return ctx.channel();
    }

    @Override
    public int streamId() {
        return frameStream.id();
    }

    @Override
    public void write(HttpObject message) {
        writeFrames(message);
    }

    @Override
    public ChannelFuture writeAndFlush(HttpObject message, boolean closeAfter) {
        ChannelFuture written = writeFrames(message);
        flush();
        if (closeAfter) {
            closeAfter(written);
        }
        return written;
    }

    private ChannelFuture writeFrames(HttpObject message) {
        if (closed || resetSent) {
            ReferenceCountUtil.release(message);
            return ctx.newFailedFuture(new ClosedChannelException());
        }
        Http2ResponseFrames.encode(message, frames);
        ChannelFuture last = null;
        for (int i = 0; i < frames.size(); i++) {
            Http2StreamFrame frame = frames.get(i).stream(frameStream);
            sentEnd |= frame instanceof Http2DataFrame data ? data.isEndStream()
                    : ((Http2HeadersFrame) frame).isEndStream();
            last = ctx.write(frame);
            last.addListener(endOnFailure);
        }
        frames.clear();
        return last != null ? last : ctx.newSucceededFuture();
    }

    /**
     * During a read of the connection the flush waits for its end, as a child channel's did: one
     * flush for all the streams that wrote, and nothing leaves early (Netty's flush consolidation
     * flushes what it holds when a stream error passes it: a refused request's end would then go
     * out, and its stream be ended by a reset of CANCEL, before the error's own reset).
     */
    @Override
    public void flush() {
        if (connection.reading()) {
            connection.flushDue();
        } else {
            ctx.flush();
        }
    }

    /** As a child channel closes: a stream either side has not ended yet is reset with CANCEL. */
    @Override
    public void close() {
        if (!closed && !(receivedEnd && sentEnd)) {
            reset(Http2Error.CANCEL);
        }
    }

    @Override
    public void closeAfter(ChannelFuture written) {
        written.addListener(f -> close());
    }

    @Override
    public boolean isWritable() {
        return !closed && !resetSent && flow.isWritable(stream);
    }

    @Override
    public boolean reading() {
        return reading;
    }

    /** Reading on again hands over what was held (at once, as a child channel does), then the window. */
    @Override
    public void reading(boolean on) {
        reading = on;
        if (!on || delivering) {
            return;
        }
        if (held == null || held.isEmpty()) {
            // What was taken before the request stage stopped goes back now: the client may have
            // used up its window and have nothing to send until it does.
            if (!closed) {
                giveBackWindow();
            }
            return;
        }
        delivering = true;
        try {
            HttpObject message;
            while (reading && !closed && (message = held.poll()) != null) {
                deliver(message);
            }
        } finally {
            delivering = false;
        }
        if (!delivered) {
            return;
        }
        if (connection.reading()) {
            if (markReadCompleteDue()) {
                connection.readCompleteDue(this);
            }
        } else {
            readComplete();
        }
    }

    @Override
    public void connectionCapExceeded() {
        ctx.channel().pipeline().fireUserEventTriggered(Http2ConnectionCap.EXCEEDED);
    }

    @Override
    public ChannelPipeline tunnelPipeline() {
        throw new UnsupportedOperationException("an h2 stream does not become a tunnel");
    }
}
