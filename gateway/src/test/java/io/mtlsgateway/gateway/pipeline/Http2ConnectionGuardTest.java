package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2Stream;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.TestPki;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.Optional;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One h2 connection's life after the frame codec: an idle connection, one at its age and a drain
 * are asked to go away (a GOAWAY the codec writes), counted by reason, and so is a connection whose
 * client a reload's trust of its own host entry refuses; stream errors are counted
 * and passed on; connection errors are left to the codec.
 */
class Http2ConnectionGuardTest {
    private static final Duration IDLE = Duration.ofSeconds(30);
    private static final int GOAWAY = 0x7;

    /** A stream the codec has reset, as its exception names it (Http2ServerStreamsTest uses it too). */
    static final Http2FrameStream RESET_STREAM = new Http2FrameStream() {
        @Override
        public int id() {
            return 3;
        }

        @Override
        public Http2Stream.State state() {
            return Http2Stream.State.CLOSED;
        }
    };

    private final GatewayMetrics metrics = new GatewayMetrics(List.of());
    private final EmbeddedChannel channel = new EmbeddedChannel();

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        metrics.close();
    }

    private void start(Duration maxAge) {
        channel.freezeTime();
        Http2Limits limits = new Http2Limits(Http2Limits.DEFAULT_MAX_CONCURRENT_STREAMS,
                Http2Limits.DEFAULT_MAX_HEADER_LIST_SIZE, maxAge, 1000);
        channel.pipeline().addLast(Http2Stage.codec(limits), new Http2ConnectionGuard(limits, IDLE, Optional.empty(),
                "edge", Optional.empty(), new VerifiedPeer(null, List.of(), "127.0.0.1"), metrics.listener("edge").http2()));
    }

    private double count(String name, String reason) {
        Counter counter = metrics.registry().find(name).tag("listener", "edge").tag("reason", reason).counter();
        return counter == null ? 0 : counter.count();
    }

    /** The types of the frames the codec wrote so far. */
    private List<Integer> framesWritten() {
        ByteBuf all = Unpooled.buffer();
        ByteBuf part;
        while ((part = channel.readOutbound()) != null) {
            all.writeBytes(part);
            part.release();
        }
        List<Integer> types = new ArrayList<>();
        while (all.readableBytes() >= 9) {
            int length = all.readUnsignedMedium();
            types.add((int) all.readUnsignedByte());
            all.skipBytes(5 + length);
        }
        all.release();
        return types;
    }

    private void advance(Duration by) {
        channel.advanceTimeBy(by.toMillis(), TimeUnit.MILLISECONDS);
        channel.runScheduledPendingTasks();
    }

    @Test
    void aConnectionWithoutStreamsForTheIdleTimeoutIsAskedToGoAway() {
        start(Duration.ofHours(1));
        advance(IDLE.minusMillis(1));
        assertFalse(framesWritten().contains(GOAWAY));

        advance(Duration.ofMillis(1));

        assertTrue(framesWritten().contains(GOAWAY));
        assertEquals(1.0, count("mtls.gateway.h2.goaway", "idle"));
    }

    @Test
    void aConnectionAtItsMaximumAgeIsAskedToGoAwayOnce() {
        start(Duration.ofSeconds(10));
        advance(Duration.ofSeconds(10));

        assertTrue(framesWritten().contains(GOAWAY));
        assertEquals(1.0, count("mtls.gateway.h2.goaway", "max_age"));
        advance(IDLE);
        assertEquals(0.0, count("mtls.gateway.h2.goaway", "idle"), "one GOAWAY per connection");
    }

    @Test
    void aDrainAsksTheClientToGoAwayAndIsPassedOn() {
        start(Duration.ofHours(1));
        channel.pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);

        assertTrue(framesWritten().contains(GOAWAY));
        assertEquals(1.0, count("mtls.gateway.h2.goaway", "drain"));
    }

    @Test
    void aStreamErrorGoesOnToTheStreamAndIsCountedOnlyWhereItsResetIsWritten() {
        start(Duration.ofHours(1));
        channel.pipeline().context(Http2FrameCodec.class).fireExceptionCaught(
                new Http2FrameStreamException(RESET_STREAM, Http2Error.PROTOCOL_ERROR, new IllegalStateException("bad")));

        // h2-streams writes the reset, which the codec's StreamResetCounter counts: counting here too
        // counted each such reset twice (Http2StreamResetsTest.aStreamErrorOnAnOpenStreamIsCountedOnce).
        assertEquals(0.0, count("mtls.gateway.h2.resets", "protocol_error"));
        assertThrows(Http2FrameStreamException.class, channel::checkException);
        assertTrue(channel.isOpen(), "the connection goes on");
    }

    @Test
    void onAListenerWithHostsOnlyATrustChangeOfItsOwnEntryAsksItToGoAway(@TempDir Path dir) throws Exception {
        IssuedCertificate client = new TestPki(dir).client("app", null);
        List<X509Certificate> chain = client.chainWithoutRoot();
        channel.freezeTime();
        Http2Limits limits = new Http2Limits(Http2Limits.DEFAULT_MAX_CONCURRENT_STREAMS,
                Http2Limits.DEFAULT_MAX_HEADER_LIST_SIZE, Duration.ofHours(1), 1000);
        channel.pipeline().addLast(Http2Stage.codec(limits), new Http2ConnectionGuard(limits, IDLE, Optional.empty(),
                "edge", Optional.of("api.bank.test"), new VerifiedPeer(PeerIdentity.of(chain), chain, "127.0.0.1"),
                metrics.listener("edge").http2()));

        // Another entry's new trust (its own CA) would refuse this client: not this connection's business.
        channel.pipeline().fireUserEventTriggered(new TrustChangedEvent("edge", c -> false, Optional.of("ops.bank.test")));
        assertFalse(framesWritten().contains(GOAWAY));

        channel.pipeline().fireUserEventTriggered(new TrustChangedEvent("edge", c -> false, Optional.of("api.bank.test")));
        assertTrue(framesWritten().contains(GOAWAY));
        assertEquals(1.0, count("mtls.gateway.h2.goaway", "untrusted"));
    }

    @Test
    void aConnectionErrorIsLeftToTheCodecThatAnswersIt() {
        start(Duration.ofHours(1));
        channel.pipeline().context(Http2FrameCodec.class).fireExceptionCaught(
                Http2Exception.connectionError(Http2Error.PROTOCOL_ERROR, "bad frame"));

        channel.checkException(); // it went no further
        assertTrue(channel.isOpen(), "the guard itself neither closes nor sends a NO_ERROR GOAWAY first");
        assertFalse(framesWritten().contains(GOAWAY));
    }
}
