package io.mtlsgateway.gateway.pipeline;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.upstream.UpstreamAlpnException;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolConfig.Protocol;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectedListenerFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolConfig.SelectorFailureBehavior;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.ReferenceCountUtil;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The {@code upstream-alpn} stage of a {@code protocol: h2} upstream connection, over a real TLS
 * handshake between two embedded channels: h2 chosen puts the HTTP/2 stages in its place; anything
 * else fails the connection with nothing of HTTP/2 sent.
 */
class UpstreamAlpnGateTest {
    private static final IssuedCertificate CA = new CertificateBuilder().subject("CN=alpn CA,O=Test").ca(-1)
            .selfSigned();
    private static final IssuedCertificate SERVER = new CertificateBuilder().subject("CN=upstream,O=Test").forServer()
            .dns("localhost").signedBy(CA);

    private final List<Object> seen = new ArrayList<>();
    private final List<SslContext> contexts = new ArrayList<>();
    private EmbeddedChannel client;
    private EmbeddedChannel server;

    @AfterEach
    void close() {
        for (EmbeddedChannel ch : new EmbeddedChannel[] {client, server}) {
            if (ch != null) {
                ch.finishAndReleaseAll();
            }
        }
        contexts.forEach(ReferenceCountUtil::release);
    }

    private SslContext kept(SslContext context) {
        contexts.add(context);
        return context;
    }

    /**
     * A client offering h2, as the gateway's upstream TLS does for {@code protocol: h2}, and
     * {@code offered} besides: a conforming upstream can only choose what was offered, and the gate
     * must refuse any choice but h2, however the upstream came to make it.
     */
    private SslContext clientContext(String... offered) throws Exception {
        List<String> protocols = new ArrayList<>(List.of(ApplicationProtocolNames.HTTP_2));
        protocols.addAll(List.of(offered));
        return kept(SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(CA.certificate())
                .applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                        SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, protocols))
                .build());
    }

    /** An upstream that chooses from {@code protocols} (none: it does not take part in ALPN). */
    private SslContext serverContext(String... protocols) throws Exception {
        SslContextBuilder builder = SslContextBuilder.forServer(SERVER.privateKey(), SERVER.certificate())
                .sslProvider(SslProvider.JDK);
        if (protocols.length > 0) {
            builder.applicationProtocolConfig(new ApplicationProtocolConfig(Protocol.ALPN,
                    SelectorFailureBehavior.NO_ADVERTISE, SelectedListenerFailureBehavior.ACCEPT, protocols));
        }
        return kept(builder.build());
    }

    /** The pooled connection's pipeline as {@code UpstreamInitializers} builds it for {@code protocol: h2}. */
    private void connect(SslContext clientTls, SslContext serverTls) throws Exception {
        client = new EmbeddedChannel();
        client.pipeline()
                .addLast(PipelineNames.TLS, clientTls.newHandler(client.alloc(), "localhost", 443))
                .addLast(PipelineNames.UPSTREAM_ALPN, new UpstreamAlpnGate("ledger", new HostPort("localhost", 443)))
                .addLast(PipelineNames.UPSTREAM_IDLE, new ChannelInboundHandlerAdapter())
                .addLast(PipelineNames.UPSTREAM_H2, new ChannelInboundHandlerAdapter() {
                    @Override
                    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
                        seen.add(evt);
                    }

                    @Override
                    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                        seen.add(cause);
                    }
                });
        server = new EmbeddedChannel(serverTls.newHandler(client.alloc()));
        // The handshake: each side's records to the other until neither has more to say.
        for (boolean moved = true; moved; ) {
            moved = shuttle(client, server) | shuttle(server, client);
        }
    }

    private static boolean shuttle(EmbeddedChannel from, EmbeddedChannel to) {
        boolean moved = false;
        for (ByteBuf record; (record = from.readOutbound()) != null; ) {
            to.writeInbound(record);
            moved = true;
        }
        return moved;
    }

    /** What the upstream's application read: the bytes the gateway sent after the handshake. */
    private String upstreamRead() {
        StringBuilder read = new StringBuilder();
        for (Object msg; (msg = server.readInbound()) != null; ) {
            read.append(((ByteBuf) msg).toString(StandardCharsets.ISO_8859_1));
            ReferenceCountUtil.release(msg);
        }
        return read.toString();
    }

    @Test
    void putsTheHttp2StagesInItsPlaceWhenTheUpstreamChoseH2() throws Exception {
        connect(clientContext(), serverContext(ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1));
        assertNull(client.pipeline().get(PipelineNames.UPSTREAM_ALPN), "the gate left");
        assertInstanceOf(Http2FrameCodec.class, client.pipeline().get(PipelineNames.UPSTREAM_H2_CODEC));
        assertInstanceOf(Http2MultiplexHandler.class, client.pipeline().get(PipelineNames.UPSTREAM_H2_MULTIPLEX));
        assertEquals(List.of(PipelineNames.TLS, PipelineNames.UPSTREAM_H2_CODEC, PipelineNames.UPSTREAM_H2_FLUSH,
                PipelineNames.UPSTREAM_IDLE, PipelineNames.UPSTREAM_H2, PipelineNames.UPSTREAM_H2_MULTIPLEX), names());
        assertTrue(seen.get(0) instanceof SslHandshakeCompletionEvent done && done.isSuccess(),
                "the handshake's end still reaches upstream-h2: " + seen);
        shuttle(client, server);
        assertTrue(upstreamRead().startsWith("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"), "the h2 preface went out");
    }

    @Test
    void failsTheConnectionWithNothingSentWhenTheUpstreamChoseHttp11() throws Exception {
        connect(clientContext(ApplicationProtocolNames.HTTP_1_1), serverContext(ApplicationProtocolNames.HTTP_1_1));
        assertRefused("http/1.1");
    }

    @Test
    void failsTheConnectionWithNothingSentWhenTheUpstreamTookNoPartInAlpn() throws Exception {
        connect(clientContext(), serverContext());
        assertRefused(null);
    }

    private void assertRefused(String chosen) {
        assertNotNull(client.pipeline().get(PipelineNames.UPSTREAM_ALPN), "no h2 stage was installed");
        assertNull(client.pipeline().get(PipelineNames.UPSTREAM_H2_CODEC));
        assertEquals(2, seen.size(), seen.toString());
        assertTrue(seen.get(0) instanceof SslHandshakeCompletionEvent done && done.isSuccess());
        UpstreamAlpnException refused = assertInstanceOf(UpstreamAlpnException.class, seen.get(1));
        assertTrue(refused.getMessage().contains(" chose " + (chosen == null ? "no protocol" : chosen) + " in ALPN"),
                refused.getMessage());
        shuttle(client, server);
        assertEquals("", upstreamRead(), "no byte of HTTP/2");
        assertFalse(client.pipeline().names().contains(PipelineNames.UPSTREAM_H2_MULTIPLEX));
    }

    private List<String> names() {
        List<String> names = new ArrayList<>(client.pipeline().names());
        names.removeIf(name -> name.startsWith("DefaultChannelPipeline$TailContext"));
        return names;
    }
}
