package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.ApplicationProtocol;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.jwt.TokenPolicies;
import io.mtlsgateway.gateway.limits.RequestLimiter;
import io.mtlsgateway.gateway.pipeline.HttpStage;
import io.mtlsgateway.gateway.pipeline.ListenerSnapshot;
import io.mtlsgateway.gateway.routing.RouteTable;
import io.mtlsgateway.gateway.tls.ListenerMaterial;
import io.mtlsgateway.gateway.tls.ServerTlsContextFactory;
import io.mtlsgateway.gateway.tls.ServerTlsContextFactory.ServerCredentials;
import io.mtlsgateway.gateway.tls.SessionTicketPolicy;
import io.mtlsgateway.gateway.proxy.ExchangeObserver;
import io.mtlsgateway.gateway.proxy.ListenerRuntime;
import io.mtlsgateway.gateway.pipeline.TrustChangedEvent;
import io.mtlsgateway.gateway.upstream.UpstreamPipelines;
import io.mtlsgateway.gateway.upstream.Upstreams;
import io.mtlsgateway.gateway.verify.VerifierTrustManager;
import io.netty.bootstrap.Bootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.util.ReferenceCountUtil;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Everything one listener serves new connections with, built from one config snapshot: the TLS
 * context (with its client verifier), the routes, the identity-header writer and the upstream
 * pools. Built off the event loops at start and on every reload; replaced whole, then retired. A
 * plain-HTTP (egress) listener has no TLS context, material or verifier: all three are null.
 */
final class ListenerState implements ListenerSnapshot {
    private final SslContext tls;
    private final ListenerRuntime runtime;
    private final ListenerMaterial material;
    private final VerifierTrustManager verifier;
    private final TlsConfig tlsConfig;
    private final LimitsConfig limits;
    private final ListenerConfig listenerConfig;

    private ListenerState(SslContext tls, ListenerRuntime runtime, ListenerMaterial material,
            VerifierTrustManager verifier, TlsConfig tlsConfig, ListenerConfig listenerConfig) {
        this.listenerConfig = listenerConfig;
        this.limits = listenerConfig.limits();
        this.tls = tls;
        this.runtime = runtime;
        this.material = material;
        this.verifier = verifier;
        this.tlsConfig = tlsConfig;
    }

    /**
     * The one place a listener's runtime objects are made from config: start and reload both
     * come here, so a richer verifier (CRLs, OCSP) slots in once.
     *
     * @throws ListenerMaterial.MaterialException when a file is missing, unreadable or inconsistent
     * @throws Exception when BoringSSL refuses the material
     */
    static ListenerState build(GatewayConfig config, ListenerConfig listener, Bootstrap upstreamTemplate,
            ExchangeObserver observer, UpstreamPipelines pipelines, SessionTicketPolicy tickets) throws Exception {
        return build(config, listener, upstreamTemplate, observer, pipelines, TokenPolicies.NONE, RequestLimiter.NONE,
                tickets);
    }

    /**
     * @param tokens the token policies of the config's routes (one set for every listener)
     * @param limiter the listener's per-identity limits
     * @param tickets the running gateway's session ticket keys (per listener, kept across reloads)
     */
    static ListenerState build(GatewayConfig config, ListenerConfig listener, Bootstrap upstreamTemplate,
            ExchangeObserver observer, UpstreamPipelines pipelines, TokenPolicies tokens, RequestLimiter limiter,
            SessionTicketPolicy tickets) throws Exception {
        if (listener.plaintext()) {
            return new ListenerState(null, runtime(config, listener, Optional.empty(), upstreamTemplate, observer,
                    pipelines, tokens, limiter), null, null, null, listener);
        }
        ListenerMaterial material = ListenerMaterial.load(listener.tls());
        VerifierTrustManager verifier = listener.tls().clientAuth() == ClientAuthMode.NONE ? null
                : VerifierTrustManager.forListener(listener.tls());
        ServerCredentials credentials = new ServerCredentials(material.serverChain(), material.key());
        SslContext tls = tickets.apply(listener.name(), listener.tls(),
                ServerTlsContextFactory.build(listener.tls(), credentials, verifier, listener.alpn()));
        try {
            ListenerRuntime runtime = runtime(config, listener, uriSan(credentials), upstreamTemplate, observer,
                    pipelines, tokens, limiter);
            return new ListenerState(tls, runtime, material, verifier, listener.tls(), listener);
        } catch (RuntimeException | Error e) {
            ReferenceCountUtil.release(tls);
            throw e;
        }
    }

    private static ListenerRuntime runtime(GatewayConfig config, ListenerConfig listener, Optional<String> xfccBy,
            Bootstrap upstreamTemplate, ExchangeObserver observer, UpstreamPipelines pipelines, TokenPolicies tokens,
            RequestLimiter limiter) {
        return new ListenerRuntime(listener.name(), RouteTable.of(config.routes()),
                new IdentityHeaderWriter(listener, xfccBy, tokens.claimHeaderNames()),
                new Upstreams(config.upstreams(), upstreamTemplate, config.workers(), pipelines), listener.http(),
                observer, tokens, limiter);
    }

    /** The first URI SAN of the gateway's own certificate: who "By" is in XFCC (Envoy's choice too). */
    private static Optional<String> uriSan(ServerCredentials credentials) {
        return PeerIdentity.of(List.of(credentials.chain().get(0))).sanUri().stream().findFirst();
    }

    @Override
    public SslContext tls() {
        return tls;
    }

    @Override
    public String listener() {
        return runtime.name();
    }

    @Override
    public HttpStage.Factory httpStage() {
        return runtime;
    }

    ListenerRuntime runtime() {
        return runtime;
    }

    @Override
    public List<ApplicationProtocol> alpn() {
        return listenerConfig.alpn();
    }

    @Override
    public Duration idleTimeout() {
        return listenerConfig.http().idleTimeout();
    }

    @Override
    public Http2Limits http2() {
        return listenerConfig.http2();
    }

    @Override
    public LimitsConfig limits() {
        return limits;
    }

    /** Null for a plain-HTTP listener. */
    ListenerMaterial material() {
        return material;
    }

    /**
     * What open connections must hear when this state replaces {@code previous}: null when nothing
     * about client trust changed (anchors, CRLs, OCSP mode, depth), so a route-only reload does
     * not re-check every connection.
     */
    TrustChangedEvent trustChangeSince(ListenerState previous) {
        if (tlsConfig == null) {
            return null;
        }
        boolean sameTrust = tlsConfig.clientAuth() == previous.tlsConfig.clientAuth()
                && tlsConfig.ocsp() == previous.tlsConfig.ocsp()
                && tlsConfig.verifyDepth() == previous.tlsConfig.verifyDepth()
                // Certificates and CRLs compare by their encoding.
                && material.clientCas().equals(previous.material.clientCas())
                && material.crls().equals(previous.material.crls());
        return verifier == null || sameTrust ? null : new TrustChangedEvent(runtime.name(), verifier::stillTrusts);
    }

    /**
     * Gives up this state's hold on its resources. Open connections keep working: each TLS engine
     * holds its own reference to the context, and busy upstream connections finish their exchange
     * (then idle out).
     */
    void retire() {
        ReferenceCountUtil.release(tls);
        runtime.upstreams().closeIdle();
    }
}
