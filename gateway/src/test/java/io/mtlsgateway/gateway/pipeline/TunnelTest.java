package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.gateway.testing.TestPki;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.util.CharsetUtil;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two pipelines joined after a 101: the HTTP handlers leave, bytes pass unchanged both ways, a close closes both. */
class TunnelTest {
    private final EmbeddedChannel client = new EmbeddedChannel();
    private final EmbeddedChannel upstream = new EmbeddedChannel();
    private final List<String> closedBy = new ArrayList<>();

    @AfterEach
    void close() {
        client.finishAndReleaseAll();
        upstream.finishAndReleaseAll();
    }

    private void open() {
        open(Optional.empty(), List.of());
    }

    private void open(Optional<String> host, List<X509Certificate> chain) {
        open(host, chain, Optional.empty());
    }

    private void open(Optional<String> host, List<X509Certificate> chain, Optional<Instant> tokenAcceptedUntil) {
        client.pipeline().addLast(PipelineNames.HTTP_CODEC, new ChannelDuplexHandler())
                .addLast(PipelineNames.PROXY, new ChannelInboundHandlerAdapter());
        upstream.pipeline().addLast(PipelineNames.UPSTREAM_CODEC, new ChannelDuplexHandler())
                .addLast(PipelineNames.UPSTREAM_HANDLER, new ChannelInboundHandlerAdapter());
        Tunnel.open(client.pipeline(), upstream, Duration.ofSeconds(30),
                new Tunnel.Owner("edge", host, chain, tokenAcceptedUntil, reason -> closedBy.add(reason)));
    }

    private static String text(ByteBuf buf) {
        try {
            return buf.toString(CharsetUtil.US_ASCII);
        } finally {
            buf.release();
        }
    }

    @Test
    void replacesTheHttpStageOnBothSides() {
        open();
        assertNull(client.pipeline().get(PipelineNames.HTTP_CODEC));
        assertNull(client.pipeline().get(PipelineNames.PROXY));
        assertNotNull(client.pipeline().get(PipelineNames.TUNNEL));
        assertNotNull(client.pipeline().get(PipelineNames.TUNNEL_IDLE));
        assertNull(upstream.pipeline().get(PipelineNames.UPSTREAM_CODEC));
        assertNotNull(upstream.pipeline().get(PipelineNames.TUNNEL));
    }

    @Test
    void relaysBytesUnchangedBothWays() {
        open();
        client.writeInbound(Unpooled.copiedBuffer("ping", CharsetUtil.US_ASCII));
        assertEquals("ping", text(upstream.readOutbound()));
        upstream.writeInbound(Unpooled.copiedBuffer("pong", CharsetUtil.US_ASCII));
        assertEquals("pong", text(client.readOutbound()));
    }

    @Test
    void onAListenerWithHostsOnlyATrustChangeOfItsOwnEntryClosesIt(@TempDir Path dir) throws Exception {
        open(Optional.of("api.bank.test"), new TestPki(dir).client("app", null).chainWithoutRoot());

        // Another entry's new trust (its own CA) would refuse this client: not this tunnel's business.
        client.pipeline().fireUserEventTriggered(new TrustChangedEvent("edge", c -> false, Optional.of("ops.bank.test")));
        assertTrue(client.isOpen());
        assertTrue(upstream.isOpen());

        client.pipeline().fireUserEventTriggered(new TrustChangedEvent("edge", c -> false, Optional.of("api.bank.test")));
        assertFalse(client.isOpen());
        assertFalse(upstream.isOpen());
        assertEquals(List.of("untrusted"), closedBy);
    }

    @Test
    void aTunnelATokenAuthorizedEndsWhenTheTokenIsNoLongerValid() {
        client.freezeTime();
        // Sooner than the idle timeout (30 s): only the token's end closes it.
        open(Optional.empty(), List.of(), Optional.of(Instant.now().plusSeconds(20)));
        client.advanceTimeBy(19, TimeUnit.SECONDS);
        client.runScheduledPendingTasks();
        assertTrue(client.isOpen(), "closed before the token's end");
        client.advanceTimeBy(2, TimeUnit.SECONDS);
        client.runScheduledPendingTasks();
        assertFalse(client.isOpen());
        assertFalse(upstream.isOpen());
        assertEquals(List.of("token_expired"), closedBy);
    }

    @Test
    void eitherSideClosingClosesTheOther() {
        open();
        upstream.close();
        assertFalse(client.isOpen());
        assertEquals(List.of(), closedBy, "a peer closing is not the gateway closing the tunnel");
    }
}
