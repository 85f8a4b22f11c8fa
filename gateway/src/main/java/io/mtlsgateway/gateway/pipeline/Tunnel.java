package io.mtlsgateway.gateway.pipeline;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.AttributeKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A client connection and an upstream connection joined after a 101 Switching Protocols: the HTTP
 * codecs leave both pipelines and bytes flow unchanged both ways, with the same backpressure as
 * the HTTP relay (a side that cannot write stops the other side reading). Either side closing, or
 * no traffic for the listener's idle timeout, closes both. So does a reload that no longer trusts
 * the client (at once), the expiry of the client's certificate or of the token that authorized the
 * request, and the end of a drain ({@link DrainEvent#CLOSE_TUNNELS}). This class
 * rewires the pipelines; each side's {@link TunnelRelay} moves the bytes.
 */
public final class Tunnel {
    /** Marks a client connection that became a tunnel, so a drain knows it cannot end by itself. */
    static final AttributeKey<Boolean> OPEN = AttributeKey.valueOf("mtls-gateway.tunnel");

    private Tunnel() {}

    /**
     * Whose tunnel this is, for the events that end it.
     *
     * @param listener the listener the client connected to
     * @param host the listener's host entry the client connected to (empty on a listener without hosts)
     * @param chain the client's verified chain, leaf first (empty without a certificate)
     * @param tokenAcceptedUntil when the route asked for a token: the end of its validity ({@code exp}
     *     and the issuer's clock skew), where the tunnel it authorized ends
     * @param closedBy told the reason ({@code untrusted}, {@code token_expired}, {@code drain}) when the
     *     gateway closes the tunnel
     */
    public record Owner(String listener, Optional<String> host, List<X509Certificate> chain,
            Optional<Instant> tokenAcceptedUntil, Consumer<String> closedBy) {
        public Owner {
            chain = List.copyOf(chain);
            Objects.requireNonNull(tokenAcceptedUntil, "tokenAcceptedUntil");
        }

        /** The tunnel of a request no token authorized. */
        public Owner(String listener, Optional<String> host, List<X509Certificate> chain, Consumer<String> closedBy) {
            this(listener, host, chain, Optional.empty(), closedBy);
        }
    }

    static boolean isTunnel(Channel channel) {
        return Boolean.TRUE.equals(channel.attr(OPEN).get());
    }

    /**
     * Rewires both pipelines. Call it on the shared event loop as soon as the 101 head has been
     * read from the upstream and written to the client; whatever the upstream decoder still holds
     * or emits after that reaches the relay.
     *
     * @param downstream the client connection's pipeline, still holding the HTTP stage
     */
    public static void open(ChannelPipeline downstream, Channel upstream, Duration idleTimeout, Owner owner) {
        Channel client = downstream.channel();
        client.attr(OPEN).set(true);
        // Relays first, then the codecs: removing a decoder hands any bytes it still holds to the
        // handler after it, which must already be the relay.
        downstream.replace(PipelineNames.PROXY, PipelineNames.TUNNEL, new TunnelRelay(upstream, owner));
        removeIfPresent(downstream, PipelineNames.HTTP_GUARD);
        removeIfPresent(downstream, PipelineNames.HTTP_TIMEOUTS);
        downstream.addBefore(PipelineNames.TUNNEL, PipelineNames.TUNNEL_IDLE,
                new IdleStateHandler(0, 0, idleTimeout.toMillis(), TimeUnit.MILLISECONDS));
        downstream.remove(PipelineNames.HTTP_CODEC);

        ChannelPipeline up = upstream.pipeline();
        up.replace(PipelineNames.UPSTREAM_HANDLER, PipelineNames.TUNNEL, new TunnelRelay(client, null));
        // A tunnel's silence is judged on the client side; the pool's idle rule no longer applies.
        removeIfPresent(up, PipelineNames.UPSTREAM_IDLE);
        up.remove(PipelineNames.UPSTREAM_CODEC);

        client.config().setAutoRead(true);
        upstream.config().setAutoRead(true);
        if (!client.isActive() || !upstream.isActive()) {
            client.close();
            upstream.close();
        }
    }

    private static void removeIfPresent(ChannelPipeline pipeline, String name) {
        if (pipeline.get(name) != null) {
            pipeline.remove(name);
        }
    }
}
