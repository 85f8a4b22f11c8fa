package io.mtlsgateway.bench.load;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLEngine;

/**
 * One unit of concurrency in the closed loop: at most one connection at a time, with one request in flight on
 * it (or, in the h2 and grpc modes, {@code --streams} streams).
 *
 * <p>A slot is bound to one event loop for its whole life, so its connections, counters and samples are only
 * ever touched by that thread and need no locking; {@link #done()} publishes them to the reader when the slot
 * has stopped.
 */
final class Slot {
    // What the upstream started by run.sh answers; anything else means the proxy answered on its own.
    static final String EXPECTED_BODY = "ok";
    // Pause before reconnecting after a refused connect, so a dead target fails the run without a busy loop.
    private static final long RECONNECT_DELAY_MILLIS = 50;
    // The response is a few bytes; the limit only guards against a proxy sending something unexpected.
    private static final int MAX_RESPONSE_BYTES = 64 * 1024;

    private final LoadRun run;
    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final CompletableFuture<Slot> done = new CompletableFuture<>();
    private final long[] errors = new long[ErrorKind.values().length];
    private final LatencySamples latencies = new LatencySamples();
    private long completed;
    private long handshakes;
    private Channel channel;
    private boolean finished;

    Slot(LoadRun run, EventLoop loop, Bootstrap template) {
        this.run = run;
        this.loop = loop;
        this.bootstrap = template.clone(loop);
    }

    void start() {
        loop.execute(this::connect);
    }

    /** Completes, with this slot, once the slot has stopped and its figures are final. */
    CompletableFuture<Slot> done() {
        return done;
    }

    /** Asks the slot's loop to stop the slot, counting an exchange still in flight as unfinished. */
    void abortSoon() {
        loop.execute(this::abort);
    }

    private void abort() {
        if (finished) {
            return;
        }
        errors[ErrorKind.UNFINISHED.ordinal()]++;
        finish();
        if (channel != null) {
            channel.close();
        }
    }

    private void connect() {
        if (finished || !run.mayContinue(System.nanoTime())) {
            finish();
            return;
        }
        long started = System.nanoTime();
        // The bootstrap is confined to this slot's loop, so swapping its handler before each connect is safe.
        ChannelFuture connecting = bootstrap.handler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                SslHandler tls = run.sslContext().newHandler(ch.alloc(), run.options().serverName(), run.options().port());
                ch.pipeline().addLast(tls, new ReadTimeoutHandler(run.options().timeoutSeconds(), TimeUnit.SECONDS));
                if (run.options().mode().multiplexed()) {
                    ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().build(),
                            new Http2ExchangeHandler(Slot.this, run));
                } else {
                    ch.pipeline().addLast(
                            new HttpClientCodec(),
                            new HttpObjectAggregator(MAX_RESPONSE_BYTES),
                            new ExchangeHandler(Slot.this, run, started));
                }
            }
        }).connect();
        channel = connecting.channel();
        connecting.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                error(ErrorKind.CONNECT, f.cause());
                channel = null;
                loop.schedule(this::connect, RECONNECT_DELAY_MILLIS, TimeUnit.MILLISECONDS);
            }
        });
    }

    /** The connection is gone: open the next one, or stop if the run is over. */
    void connectionClosed() {
        channel = null;
        connect();
    }

    void handshakeCompleted(SSLEngine engine) {
        if (!finished) {
            handshakes++;
            run.noteNegotiated(engine);
        }
    }

    /** Accounts for one response; {@code origin} is when its latency clock started. */
    void responseReceived(FullHttpResponse response, long origin, long end) {
        ErrorKind wrong = null;
        if (response.status().code() != 200) {
            wrong = ErrorKind.STATUS;
        } else if (!response.content().toString(StandardCharsets.US_ASCII).strip().equals(EXPECTED_BODY)) {
            wrong = ErrorKind.BODY;
        }
        exchangeCompleted(wrong, origin, end);
    }

    /** Accounts for one completed exchange; {@code wrong} is what was wrong with its response, or null. */
    void exchangeCompleted(ErrorKind wrong, long origin, long end) {
        if (finished) {
            return;
        }
        completed++;
        if (wrong != null) {
            error(wrong, null);
        }
        if (run.inWindow(end)) {
            latencies.add(end - origin);
        }
    }

    void error(ErrorKind kind, Throwable cause) {
        if (!finished) {
            errors[kind.ordinal()]++;
            run.logError(kind, cause);
        }
    }

    private void finish() {
        if (!finished) {
            finished = true;
            done.complete(this);
        }
    }

    long errors(ErrorKind kind) {
        return errors[kind.ordinal()];
    }

    long completed() {
        return completed;
    }

    long handshakes() {
        return handshakes;
    }

    LatencySamples latencies() {
        return latencies;
    }
}
