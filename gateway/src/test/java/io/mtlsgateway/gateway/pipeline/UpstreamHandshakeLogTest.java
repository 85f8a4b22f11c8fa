package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.gateway.testing.CapturedLogs;
import io.mtlsgateway.gateway.verify.ClientCertificateRejectedException;
import io.mtlsgateway.gateway.verify.HandshakeReason;
import io.mtlsgateway.gateway.verify.Verdict;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.logging.LogRecord;
import javax.net.ssl.SSLHandshakeException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** A failed upstream handshake is one WARN line with its reason; the handler leaves after any handshake. */
class UpstreamHandshakeLogTest {
    private final List<Object> passedOn = new ArrayList<>();
    private CapturedLogs logs;
    private EmbeddedChannel channel;

    @BeforeEach
    void start() {
        logs = CapturedLogs.of(UpstreamHandshakeLog.class);
        channel = new EmbeddedChannel(new UpstreamHandshakeLog("payments", new HostPort("10.0.0.7", 8443)),
                new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        passedOn.add(evt);
                    }
                });
    }

    @AfterEach
    void stop() {
        logs.close();
        channel.finishAndReleaseAll();
    }

    @Test
    void aSuccessfulHandshakeLogsNothingAndTheHandlerLeaves() {
        channel.pipeline().fireUserEventTriggered(SslHandshakeCompletionEvent.SUCCESS);

        assertEquals(List.of(), logs.warnings());
        assertNull(channel.pipeline().get(UpstreamHandshakeLog.class));
        assertEquals(List.of(SslHandshakeCompletionEvent.SUCCESS), passedOn);
    }

    @Test
    void aRejectionByOurVerifierNamesItsReasonAndDetail() {
        Verdict.Rejected rejected = new Verdict.Rejected(HandshakeReason.NAME_MISMATCH,
                "the certificate names other.test, not payments.test");
        SSLHandshakeException failure = new SSLHandshakeException("handshake failed");
        failure.initCause(new ClientCertificateRejectedException(rejected, null));
        SslHandshakeCompletionEvent event = new SslHandshakeCompletionEvent(failure);

        channel.pipeline().fireUserEventTriggered(event);

        List<LogRecord> warnings = logs.warnings();
        assertEquals(1, warnings.size());
        assertEquals("upstream payments 10.0.0.7:8443: TLS refused (name_mismatch): the certificate names other.test,"
                + " not payments.test; nothing was sent", warnings.get(0).getMessage());
        assertNull(channel.pipeline().get(UpstreamHandshakeLog.class));
        assertSame(event, passedOn.get(0));
    }

    @Test
    void aFailureTheUpstreamCausedIsHandshakeWithTheInnermostMessage() {
        SSLHandshakeException failure = new SSLHandshakeException("outer");
        failure.initCause(new IllegalStateException("SSLV3_ALERT_BAD_CERTIFICATE"));

        channel.pipeline().fireUserEventTriggered(new SslHandshakeCompletionEvent(failure));

        List<LogRecord> warnings = logs.warnings();
        assertEquals(1, warnings.size());
        assertTrue(warnings.get(0).getMessage().contains("TLS refused (handshake): IllegalStateException:"
                + " SSLV3_ALERT_BAD_CERTIFICATE; nothing was sent"), warnings.get(0).getMessage());
    }
}
