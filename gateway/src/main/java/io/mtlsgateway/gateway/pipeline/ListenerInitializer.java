package io.mtlsgateway.gateway.pipeline;

import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.upstream.ListenerRuntime;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * A new downstream connection: TLS first, and a gate that admits the HTTP stage only after the
 * client has been verified. The TLS context is read per connection, so a reload changes new
 * connections only.
 */
public final class ListenerInitializer extends ChannelInitializer<SocketChannel> {
    private static final long HANDSHAKE_TIMEOUT_MILLIS = 10_000;

    private final Supplier<SslContext> tlsContext;
    private final ListenerRuntime runtime;
    private final Executor verificationExecutor;
    private final Function<List<X509Certificate>, PeerIdentity> identities;
    private final HandshakeFailureLog failures = new HandshakeFailureLog();

    /**
     * @param verificationExecutor runs client-chain verification, off the event loop
     * @param identities turns a verified chain (leaf first) into the caller's identity
     */
    public ListenerInitializer(Supplier<SslContext> tlsContext, ListenerRuntime runtime,
            Executor verificationExecutor, Function<List<X509Certificate>, PeerIdentity> identities) {
        this.tlsContext = tlsContext;
        this.runtime = runtime;
        this.verificationExecutor = verificationExecutor;
        this.identities = identities;
    }

    @Override
    protected void initChannel(SocketChannel ch) {
        SslHandler tls = tlsContext.get().newHandler(ch.alloc(), verificationExecutor);
        tls.setHandshakeTimeoutMillis(HANDSHAKE_TIMEOUT_MILLIS);
        ch.pipeline()
                .addLast(PipelineNames.TLS, tls)
                .addLast(PipelineNames.HANDSHAKE_GATE, new HandshakeGateHandler(runtime, identities, failures));
    }
}
