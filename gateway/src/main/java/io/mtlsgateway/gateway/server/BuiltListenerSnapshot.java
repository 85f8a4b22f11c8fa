package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.ApplicationProtocol;
import io.mtlsgateway.config.ClientAuthMode;
import io.mtlsgateway.config.Http2Limits;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.LimitsConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.jwt.TokenPolicies;
import io.mtlsgateway.gateway.limits.RequestLimiter;
import io.mtlsgateway.gateway.pipeline.ListenerSnapshot;
import io.mtlsgateway.gateway.tls.ListenerMaterial;
import io.mtlsgateway.gateway.tls.SessionTicketPolicy;
import io.mtlsgateway.gateway.proxy.ExchangeObserver;
import io.mtlsgateway.gateway.proxy.HttpStageSnapshot;
import io.mtlsgateway.gateway.upstream.UpstreamPipelines;
import io.mtlsgateway.gateway.upstream.Upstreams;
import io.mtlsgateway.gateway.verify.HandshakeVerdicts;
import io.mtlsgateway.gateway.verify.VerifierTrustManager;
import io.netty.bootstrap.Bootstrap;
import io.netty.handler.ssl.SslContext;
import io.netty.util.IllegalReferenceCountException;
import io.netty.util.ReferenceCountUtil;
import io.mtlsgateway.gateway.pipeline.VirtualHosts;
import io.mtlsgateway.config.HostConfig;
import io.mtlsgateway.gateway.vhost.HostNameTable;
import io.mtlsgateway.gateway.vhost.HostScope;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A {@link ListenerSnapshot} built from config: everything one listener serves new connections
 * with, from one config snapshot: the TLS context (with its client verifier), and its
 * {@link HttpStageSnapshot} (the routes, the identity-header writer, the upstream pools). Built off
 * the event loops at start and on every reload; replaced whole, then retired. It owns what it built.
 */
final class BuiltListenerSnapshot implements ListenerSnapshot {
    private final SslContext tls;
    private final HttpStageSnapshot httpStage;
    private final ListenerMaterial material;
    private final VerifierTrustManager verifier;
    private final TlsConfig tlsConfig;
    private final LimitsConfig limits;
    private final ListenerConfig listenerConfig;
    /** On a listener with hosts: each entry's state, and the table that picks one; else null. */
    private final VirtualHosts hosts;
    /** The host entries of a reload that kept their previous state (their new files were unusable). */
    private final List<KeptHostEntry> kept;

    private BuiltListenerSnapshot(SslContext tls, HttpStageSnapshot httpStage, ListenerMaterial material,
            VerifierTrustManager verifier, TlsConfig tlsConfig, ListenerConfig listenerConfig, VirtualHosts hosts) {
        this(tls, httpStage, material, verifier, tlsConfig, listenerConfig, hosts, List.of());
    }

    private BuiltListenerSnapshot(SslContext tls, HttpStageSnapshot httpStage, ListenerMaterial material,
            VerifierTrustManager verifier, TlsConfig tlsConfig, ListenerConfig listenerConfig, VirtualHosts hosts,
            List<KeptHostEntry> kept) {
        this.kept = List.copyOf(kept);
        this.listenerConfig = listenerConfig;
        this.limits = listenerConfig.limits();
        this.tls = tls;
        this.httpStage = httpStage;
        this.material = material;
        this.verifier = verifier;
        this.tlsConfig = tlsConfig;
        this.hosts = hosts;
    }

    /**
     * The one place a listener's runtime objects are made from config: start and reload both
     * come here, so a richer verifier (CRLs, OCSP) slots in once.
     *
     * @throws ListenerMaterial.MaterialException when a file is missing, unreadable or inconsistent
     * @throws Exception when BoringSSL refuses the material
     */
    static BuiltListenerSnapshot build(GatewayConfig config, ListenerConfig listener, Bootstrap upstreamTemplate,
            ExchangeObserver observer, UpstreamPipelines pipelines, SessionTicketPolicy tickets) throws Exception {
        return build(config, listener, upstreamTemplate, observer, pipelines, TokenPolicies.NONE, RequestLimiter.NONE,
                tickets, Optional.empty());
    }

    /**
     * @param tokens the token policies of the config's routes (one set for every listener)
     * @param limiter the listener's per-identity limits
     * @param tickets the running gateway's session ticket keys (per listener, kept across reloads)
     * @param previous on a reload, the state serving now: a host entry whose new files cannot be
     *     used keeps its TLS state from here (see {@link #kept()}); empty at start and for
     *     {@code check}, where any unusable file fails the build
     */
    static BuiltListenerSnapshot build(GatewayConfig config, ListenerConfig listener, Bootstrap upstreamTemplate,
            ExchangeObserver observer, UpstreamPipelines pipelines, TokenPolicies tokens, RequestLimiter limiter,
            SessionTicketPolicy tickets, Optional<BuiltListenerSnapshot> previous) throws Exception {
        Upstreams upstreams = new Upstreams(config.upstreams(), upstreamTemplate, config.workers(), pipelines);
        HttpStageInputs inputs = new HttpStageInputs(config, listener, upstreams, observer, tokens, limiter);
        if (listener.plaintext()) {
            return new BuiltListenerSnapshot(null, inputs.httpStage(Optional.empty(), Optional.empty()), null, null, null,
                    listener, null);
        }
        if (!listener.hosts().present()) {
            return face(inputs, listener.tls(), tickets, Optional.empty());
        }
        HostNameTable table = HostNameTable.of(listener.hosts());
        List<BuiltListenerSnapshot> entries = new ArrayList<>();
        List<KeptHostEntry> kept = new ArrayList<>();
        try {
            for (int i = 0; i < listener.hosts().entries().size(); i++) {
                HostConfig entry = listener.hosts().entries().get(i);
                int index = i;
                HostScope scope = new HostScope(entry.label(), table, index, entry.tls().clientAuth());
                try {
                    entries.add(face(inputs, entry.tls(), tickets, Optional.of(scope)));
                } catch (Exception e) {
                    // Each entry reloads on its own: a broken file of one entry leaves it on its last
                    // good state and does not hold back the others (an entry new in this config has none).
                    Optional<BuiltListenerSnapshot> last = previous.flatMap(p -> p.face(entry.label()));
                    Optional<BuiltListenerSnapshot> reused = last.flatMap(l -> l.reusedFor(inputs, table, index));
                    if (reused.isEmpty()) {
                        throw e;
                    }
                    entries.add(reused.get());
                    kept.add(new KeptHostEntry(listener.name(), entry.label(), problems(e, entry.tls())));
                }
            }
        } catch (Exception | Error e) {
            entries.forEach(entry -> ReferenceCountUtil.release(entry.tls));
            throw e;
        }
        // What is listener-wide (the listener's expiry gauges, XFCC of errors) follows the default entry.
        BuiltListenerSnapshot primary = entries.get(table.defaultEntry().orElse(0));
        return new BuiltListenerSnapshot(primary.tls, primary.httpStage, primary.material, primary.verifier, primary.tlsConfig,
                listener, new VirtualHosts(listener.name(), table, entries), kept);
    }

    /** Each problem names its file: the material's do already; what BoringSSL refuses is the entry's certificate. */
    private static List<String> problems(Exception e, TlsConfig tls) {
        return e instanceof ListenerMaterial.MaterialException m ? m.problems()
                : List.of(tls.certificate() + ": " + e.getMessage());
    }

    /** The face of the host entry whose first name is {@code label}, on a listener with hosts. */
    private Optional<BuiltListenerSnapshot> face(String label) {
        return hosts == null ? Optional.empty()
                : faces().stream().filter(f -> f.host().equals(Optional.of(label))).findFirst();
    }

    /**
     * This entry's TLS state (context, verifier, material, policy) serving entry {@code index} of a
     * new config: its routes, headers and upstreams are the new config's, but its handshakes and the
     * 421 and {@code clientCert} rules follow the policy the context enforces. Empty when this state
     * was released meanwhile (an abandoned reload finishing late).
     */
    private Optional<BuiltListenerSnapshot> reusedFor(HttpStageInputs inputs, HostNameTable table, int index) {
        try {
            ReferenceCountUtil.retain(tls);
        } catch (IllegalReferenceCountException e) {
            return Optional.empty();
        }
        try {
            HostScope scope = new HostScope(host().orElseThrow(), table, index, tlsConfig.clientAuth());
            HttpStageSnapshot next = inputs.httpStage(uriSan(material), Optional.of(scope));
            return Optional.of(new BuiltListenerSnapshot(tls, next, material, verifier, tlsConfig, inputs.listener(), null));
        } catch (RuntimeException | Error e) {
            ReferenceCountUtil.release(tls);
            throw e;
        }
    }

    /** The host entries that kept their previous state in this build (a reload's partial failures). */
    List<KeptHostEntry> kept() {
        return kept;
    }

    /** The state of one TLS policy: the listener's, or one host entry's. */
    private static BuiltListenerSnapshot face(HttpStageInputs inputs, TlsConfig tlsConfig, SessionTicketPolicy tickets,
            Optional<HostScope> host) throws Exception {
        ListenerConfig listener = inputs.listener();
        ListenerTls built = ListenerTls.build(tlsConfig, listener.alpn());
        ListenerMaterial material = built.material();
        VerifierTrustManager verifier = built.verifier();
        // Each host entry has ticket keys of its own: a ticket of one entry never resumes on another,
        // where it would skip that entry's client policy.
        String ticketScope = host.map(h -> listener.name() + "/" + h.label()).orElse(listener.name());
        // On failure the policy has released the context already.
        SslContext tls = tickets.apply(ticketScope, tlsConfig, built.context());
        try {
            return new BuiltListenerSnapshot(tls, inputs.httpStage(uriSan(material), host), material, verifier, tlsConfig,
                    listener, null);
        } catch (RuntimeException | Error e) {
            ReferenceCountUtil.release(tls);
            throw e;
        }
    }

    /** The first URI SAN of the gateway's own certificate: who "By" is in XFCC (Envoy's choice too). */
    private static Optional<String> uriSan(ListenerMaterial material) {
        return PeerIdentity.of(List.of(material.serverChain().get(0))).sanUri().stream().findFirst();
    }

    @Override
    public SslContext tls() {
        return tls;
    }

    @Override
    public String listener() {
        return httpStage.name();
    }

    @Override
    public HandshakeVerdicts verdicts() {
        return HandshakeVerdicts.SHARED;
    }

    /** The HTTP part of this snapshot (routes, identity headers, upstream pools), which makes each connection's HTTP stage. */
    @Override
    public HttpStageSnapshot httpStage() {
        return httpStage;
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

    TlsConfig tlsConfig() {
        return tlsConfig;
    }

    @Override
    public Optional<VirtualHosts> virtualHosts() {
        return Optional.ofNullable(hosts);
    }

    @Override
    public Optional<String> host() {
        return httpStage.host().map(HostScope::label);
    }

    /** Each TLS policy's state: the host entries', or this one. */
    List<BuiltListenerSnapshot> faces() {
        return hosts == null ? List.of(this) : hosts.entries().stream().map(BuiltListenerSnapshot.class::cast).toList();
    }

    /** Null when client auth is none, and on a plain-HTTP listener. */
    VerifierTrustManager verifier() {
        return verifier;
    }

    /**
     * Gives up this state's hold on its resources. Open connections keep working: each TLS engine
     * holds its own reference to the context, and busy upstream connections finish their exchange
     * (then idle out).
     */
    void retire() {
        releaseContexts();
        httpStage.upstreams().closeIdle();
    }

    /** Releases the TLS context of each policy (once each). */
    void releaseContexts() {
        faces().forEach(face -> ReferenceCountUtil.release(face.tls));
    }
}
