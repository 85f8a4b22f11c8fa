package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.gateway.metrics.GatewayMetrics;
import io.mtlsgateway.gateway.testing.CapturedLogs;
import io.mtlsgateway.gateway.testing.TestPki;
import io.mtlsgateway.gateway.verify.HandshakeVerdicts;
import io.mtlsgateway.gateway.vhost.HostNameTable;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.Executor;
import java.util.logging.SimpleFormatter;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The first stage of a listener with hosts: the ClientHello's server name picks the entry, whose
 * TLS handler and gate take this handler's place; a name no entry has, with no default, is
 * refused with an unrecognized_name alert before any TLS is spoken.
 */
class HostSelectionHandlerTest {
    private static final String API = "api.bank.test";
    private static final Executor INLINE = Runnable::run;
    private static Path dir;
    private static SslContext apiContext;

    private final GatewayMetrics metrics = new GatewayMetrics(List.of());
    private final List<String> sourceReports = new ArrayList<>();
    private final List<ListenerSnapshot> gatesMadeFor = new ArrayList<>();
    private final ChannelHandler gate = new ChannelInboundHandlerAdapter();
    private EmbeddedChannel channel;

    @BeforeAll
    static void pki() throws Exception {
        dir = Files.createTempDirectory("host-selection");
        TestPki pki = new TestPki(dir);
        apiContext = SslContextBuilder.forServer(pki.server.privateKey(), pki.server.chainWithoutRoot())
                .sslProvider(SslProvider.OPENSSL_REFCNT).build();
    }

    @AfterAll
    static void release() throws Exception {
        ReferenceCountUtil.release(apiContext);
        try (var files = Files.walk(dir)) {
            files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
        metrics.close();
    }

    /** A snapshot serving {@code tls}: a host entry, or with {@code hosts} the listener itself. */
    private static ListenerSnapshot snapshot(SslContext tls, Optional<VirtualHosts> hosts) {
        return new ListenerSnapshot() {
            @Override
            public String listener() {
                return "edge";
            }

            @Override
            public SslContext tls() {
                return tls;
            }

            @Override
            public HandshakeVerdicts verdicts() {
                return new HandshakeVerdicts();
            }

            @Override
            public HttpStage.Factory httpStage() {
                throw new AssertionError("the gate makes the HTTP stage, not the host selection");
            }

            @Override
            public Optional<VirtualHosts> virtualHosts() {
                return hosts;
            }

            @Override
            public LimitsConfig limits() {
                return LimitsConfig.NONE;
            }
        };
    }

    /** A listener whose one entry is {@link #API}, the default when {@code withDefault}. */
    private EmbeddedChannel listener(boolean withDefault) {
        VirtualHosts hosts = new VirtualHosts("edge", new HostNameTable(List.of(List.of(API)),
                withDefault ? OptionalInt.of(0) : OptionalInt.empty()), List.of(snapshot(apiContext, Optional.empty())));
        ListenerSnapshot listener = snapshot(apiContext, Optional.of(hosts));
        SourceWatch source = new SourceWatch() {
            @Override
            public void tls(SslHandler tls) {
                sourceReports.add("tls");
            }

            @Override
            public void endedWithoutTls(boolean counts) {
                sourceReports.add(counts ? "refused" : "left");
            }
        };
        channel = new EmbeddedChannel();
        channel.pipeline().addLast(PipelineNames.TLS, new HostSelectionHandler(() -> listener, INLINE, 10_000,
                chosen -> {
                    gatesMadeFor.add(chosen);
                    return gate;
                }, metrics.listener("edge"), source));
        channel.pipeline().addLast(PipelineNames.ERRORS, new ChannelInboundHandlerAdapter());
        return channel;
    }

    /** A real ClientHello (the JDK's TLS client), naming {@code serverName}. */
    private static ByteBuf clientHello(String serverName) throws Exception {
        SSLEngine client = SSLContext.getDefault().createSSLEngine(serverName, 443);
        client.setUseClientMode(true);
        SSLParameters parameters = client.getSSLParameters();
        parameters.setServerNames(List.of(new SNIHostName(serverName)));
        client.setSSLParameters(parameters);
        ByteBuffer out = ByteBuffer.allocate(client.getSession().getPacketBufferSize());
        client.wrap(ByteBuffer.allocate(0), out);
        out.flip();
        return Unpooled.wrappedBuffer(out);
    }

    private double selections(String outcome) {
        return metrics.registry().get("mtls.gateway.sni.selections").tag("listener", "edge").tag("sni", outcome)
                .counter().count();
    }

    @Test
    void theNamedEntrysTlsHandlerAndGateTakeThisHandlersPlace() throws Exception {
        listener(false).writeInbound(clientHello(API));

        assertInstanceOf(SslHandler.class, channel.pipeline().get(PipelineNames.TLS));
        assertSame(gate, channel.pipeline().get(PipelineNames.HANDSHAKE_GATE));
        assertEquals(List.of(PipelineNames.TLS, PipelineNames.HANDSHAKE_GATE, PipelineNames.ERRORS),
                channel.pipeline().names().subList(0, 3));
        assertEquals(1, gatesMadeFor.size());
        assertEquals(List.of("tls"), sourceReports);
        assertEquals(1.0, selections("matched"));
        // The buffered ClientHello went on to the entry's TLS handler, which answers it.
        ByteBuf serverHello = channel.readOutbound();
        assertEquals(0x16, serverHello.getUnsignedByte(0), "a handshake record");
        serverHello.release();
    }

    @Test
    void aNameNoEntryHasWithoutADefaultIsRefusedWithUnrecognizedName() throws Exception {
        listener(false).writeInbound(clientHello("other.bank.test"));

        ByteBuf alert = channel.readOutbound();
        assertArrayEquals(new byte[] {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x70}, ByteBufUtil.getBytes(alert));
        alert.release();
        assertFalse(channel.isOpen());
        assertNull(channel.pipeline().get(SslHandler.class), "no TLS was spoken");
        assertEquals(List.of("refused"), sourceReports);
        assertEquals(1.0, selections("unknown_sni"));
        assertEquals(1.0, metrics.registry().get("mtls.gateway.handshakes").tag("listener", "edge")
                .tag("reason", "unknown_sni").counter().count());
    }

    @Test
    void theRefusedNameIsLoggedEscapedAndCutToTheLongestDnsName() throws Exception {
        // The JDK's client sends no CR LF in a name: two of its bytes are changed in its ClientHello.
        String sent = "forgedqq" + ".a123456789a123456789a123456789a123456789a123456789".repeat(6) + ".test";
        ByteBuf hello = clientHello(sent);
        int at = ByteBufUtil.indexOf(Unpooled.wrappedBuffer("forgedqq".getBytes(StandardCharsets.US_ASCII)), hello);
        hello.setByte(at + 6, '\r').setByte(at + 7, '\n');
        String line;
        try (CapturedLogs logs = CapturedLogs.of(HostSelectionHandler.class)) {
            listener(false).writeInbound(hello);
            line = new SimpleFormatter().formatMessage(logs.warnings().get(0));
        }
        assertFalse(line.contains("\r") || line.contains("\n"), line);
        String named = line.substring(line.indexOf("named \"") + "named \"".length(), line.lastIndexOf('"'));
        String kept = sent.substring(0, HostSelectionHandler.MAX_NAME_LOGGED).replace("qq", "\\x0d\\x0a");
        assertEquals(kept + "...", named);
        ReferenceCountUtil.release(channel.readOutbound());
    }

    @Test
    void aNameNoEntryHasGoesToTheDefaultEntry() throws Exception {
        listener(true).writeInbound(clientHello("other.bank.test"));

        assertInstanceOf(SslHandler.class, channel.pipeline().get(PipelineNames.TLS));
        assertEquals(1.0, selections("unknown_sni"));
        assertEquals(List.of("tls"), sourceReports);
    }

    @Test
    void aClientThatLeavesBeforeItsHelloIsNoHandshakeFailure() {
        listener(false).close();

        assertEquals(List.of("left"), sourceReports);
    }

    @Test
    void aDrainBeforeTheHelloClosesTheConnection() {
        listener(false).pipeline().fireUserEventTriggered(DrainEvent.INSTANCE);

        assertFalse(channel.isOpen());
        assertTrue(gatesMadeFor.isEmpty());
    }
}
