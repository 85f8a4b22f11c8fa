package io.mtlsgateway.bench;

import io.mtlsgateway.config.ConnectionReuse;
import io.mtlsgateway.config.HealthCheckConfig;
import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.LoadBalancing;
import io.mtlsgateway.config.OutlierDetectionConfig;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.gateway.pipeline.PipelineNames;
import io.mtlsgateway.gateway.pipeline.UpstreamInitializers;
import io.mtlsgateway.gateway.upstream.UpstreamCluster;
import io.mtlsgateway.gateway.upstream.UpstreamListener;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * One request's work on a pooled HTTP/1.1 upstream connection, in memory: the head and its end
 * written and flushed through the real pooled pipeline ({@code upstream-codec -> upstream-idle ->
 * upstream}), the response read back to the exchange. {@code writes=listener} is how the gateway
 * wrote before issue 11's upstream cut (a promise and a close-on-failure listener per write, Netty's
 * {@code IdleStateHandler} as {@code upstream-idle}, which hangs its own listener on each write);
 * {@code writes=void} is how it writes now (the void promise, the gateway's {@code UpstreamIdleHandler}).
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class UpstreamExchangeBenchmark {
    @Param({"listener", "void"})
    public String writes;

    private EmbeddedChannel channel;
    private HttpRequest head;
    private ByteBuf response;
    private int responses;

    @Setup
    public void setUp() {
        UpstreamConfig upstream = new UpstreamConfig("app", List.of(new HostPort("127.0.0.1", 8080)),
                Duration.ofSeconds(10), Duration.ofSeconds(10), UpstreamConfig.DEFAULT_IDLE_TIMEOUT, 8,
                Optional.<HealthCheckConfig>empty(), LoadBalancing.ROUND_ROBIN, 16, OutlierDetectionConfig.defaults(),
                ConnectionReuse.SAFE);
        channel = new EmbeddedChannel(UpstreamInitializers.INSTANCE.pooled(upstream, upstream.endpoints().get(0)));
        if (writes.equals("listener")) {
            channel.pipeline().replace(PipelineNames.UPSTREAM_IDLE, PipelineNames.UPSTREAM_IDLE,
                    new IdleStateHandler(0, 0, upstream.idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
        }
        new UpstreamCluster.Lease(null, channel, null, false).attach(new Exchange());
        head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bench");
        head.headers().set(HttpHeaderNames.HOST, "localhost")
                .set("x-forwarded-for", "127.0.0.1")
                .set("x-forwarded-proto", "https")
                .set("x-forwarded-client-cert", "Hash=1ee9708059fe15bfe77776862007f1b6467bddccd4c5ff3a241045738019f024;"
                        + "Subject=\"CN=loadclient\";URI=");
        response = Unpooled.unreleasableBuffer(Unpooled.copiedBuffer("HTTP/1.1 200 OK\r\nServer: nginx\r\n"
                + "Date: Wed, 02 Dec 2026 02:00:00 GMT\r\nContent-Type: text/plain\r\nContent-Length: 3\r\n"
                + "Connection: keep-alive\r\n\r\nok\n", StandardCharsets.US_ASCII));
    }

    @TearDown
    public void tearDown() {
        channel.finishAndReleaseAll();
    }

    @Benchmark
    public int request() {
        if (writes.equals("listener")) {
            channel.write(head).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
            channel.write(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        } else {
            channel.write(head, channel.voidPromise());
            channel.write(LastHttpContent.EMPTY_LAST_CONTENT, channel.voidPromise());
        }
        channel.flush();
        Object sent;
        while ((sent = channel.readOutbound()) != null) {
            ReferenceCountUtil.release(sent);
        }
        channel.writeInbound(response.duplicate());
        return responses;
    }

    /** Takes the response as the exchange would: counted, released. */
    private final class Exchange implements UpstreamListener {
        @Override
        public void onResponse(HttpObject message) {
            responses++;
            ReferenceCountUtil.release(message);
        }

        @Override
        public void onUpstreamReadComplete() {}

        @Override
        public void onUpstreamWritabilityChanged(boolean writable) {}

        @Override
        public void onUpstreamIdle() {}

        @Override
        public void onUpstreamClosed(Throwable cause) {
            throw new IllegalStateException("the benchmark's upstream connection closed", cause);
        }
    }
}
