package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.ApplicationProtocol;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.gateway.tls.ListenerMaterial;
import io.mtlsgateway.gateway.tls.ServerTlsContextFactory;
import io.mtlsgateway.gateway.tls.ServerTlsContextFactory.ServerCredentials;
import io.mtlsgateway.gateway.verify.ClientVerifier;
import io.mtlsgateway.gateway.verify.HandshakeVerdicts;
import io.mtlsgateway.gateway.verify.VerifierTrustManager;
import io.netty.handler.ssl.SslContext;
import java.time.Clock;
import java.util.List;
import java.util.Objects;

/**
 * The TLS side of a listener, made from its config in the one place that does it: the files read
 * once ({@link ListenerMaterial}), the client verifier built on those bytes, and the BoringSSL
 * context. {@code run}, every reload, {@code check} and the handshake benchmark all come here.
 *
 * @param verifier null when client auth is none
 * @param context reference counted: its owner releases it
 */
public record ListenerTls(ListenerMaterial material, VerifierTrustManager verifier, SslContext context) {
    public ListenerTls {
        Objects.requireNonNull(material, "material");
        Objects.requireNonNull(context, "context");
    }

    /**
     * @param alpn the protocols offered in ALPN, preferred first
     * @throws ListenerMaterial.MaterialException when a file is missing, unreadable or inconsistent
     * @throws Exception when BoringSSL refuses the material
     */
    public static ListenerTls build(TlsConfig tls, List<ApplicationProtocol> alpn) throws Exception {
        return build(tls, alpn, ClientVerifier.DEFAULT_CACHE_SIZE);
    }

    /** As {@link #build(TlsConfig, List)}, with a verdict cache of this size (the handshake benchmark's cold path). */
    public static ListenerTls build(TlsConfig tls, List<ApplicationProtocol> alpn, int verdictCacheSize)
            throws Exception {
        ListenerMaterial material = ListenerMaterial.load(tls);
        VerifierTrustManager verifier = tls.clientAuth() == ClientAuthMode.NONE ? null
                : new VerifierTrustManager(ClientVerifier.forListener(tls, material, Clock.systemUTC(),
                        verdictCacheSize));
        ServerCredentials credentials = new ServerCredentials(material.serverChain(), material.key());
        return new ListenerTls(material, verifier, ServerTlsContextFactory.build(tls, credentials, verifier, alpn));
    }

    /** The same listener served with {@code served}, a context that wraps or is {@link #context()}. */
    public ListenerTls withContext(SslContext served) {
        return new ListenerTls(material, verifier, served);
    }

    /** Where each handshake's accepted verdict waits for the gate. */
    public HandshakeVerdicts verdicts() {
        return HandshakeVerdicts.SHARED;
    }
}
