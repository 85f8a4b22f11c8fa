package io.mtlsgateway.gateway.tls;

import io.mtlsgateway.config.HostPort;
import io.mtlsgateway.config.ServerName;
import io.mtlsgateway.config.UpstreamConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.Objects;

/**
 * The TLS an upstream's new connections are made with: its client context (verifier, client
 * certificate, session cache) and the material it was built from. One per upstream per config
 * snapshot; a reload builds a new one, so new connections use new files while open ones keep
 * theirs (each engine holds its own reference to the context).
 */
public final class UpstreamTlsContext {
    private final UpstreamConfig upstream;
    private final SslContext context;
    private final UpstreamTlsMaterial material;

    /** Takes over the caller's reference to {@code context}. */
    public UpstreamTlsContext(UpstreamConfig upstream, SslContext context, UpstreamTlsMaterial material) {
        this.upstream = Objects.requireNonNull(upstream, "upstream");
        this.context = Objects.requireNonNull(context, "context");
        this.material = Objects.requireNonNull(material, "material");
    }

    /**
     * A handler for a new connection to {@code endpoint}: SNI and the name checked are the
     * upstream's serverName, or the endpoint's host; the handshake must finish within the
     * connect timeout.
     */
    public SslHandler newHandler(ByteBufAllocator alloc, HostPort endpoint) {
        ServerName name = upstream.serverName(endpoint);
        // The peer host is what the trust manager checks and what the session cache is keyed by.
        String host = name.isIp() && name.text().startsWith("[") ? name.text().substring(1, name.text().length() - 1)
                : name.text();
        SslHandler handler = context.newHandler(alloc, host, endpoint.port());
        handler.setHandshakeTimeoutMillis(upstream.connectTimeout().toMillis());
        return handler;
    }

    public UpstreamTlsMaterial material() {
        return material;
    }

    /** Whether {@code other} was built from the same settings and the same file contents. */
    boolean sameAs(UpstreamTlsContext other) {
        return upstream.tls().equals(other.upstream.tls())
                && upstream.protocol() == other.upstream.protocol()
                && upstream.connectTimeout().equals(other.upstream.connectTimeout())
                && material.cas().equals(other.material.cas())
                && material.clientChain().equals(other.material.clientChain())
                && Objects.equals(material.clientKey(), other.material.clientKey())
                && material.crls().equals(other.material.crls());
    }

    void retain() {
        ReferenceCountUtil.retain(context);
    }

    /** Gives up one reference; engines of open connections keep theirs. */
    public void release() {
        ReferenceCountUtil.release(context);
    }
}
