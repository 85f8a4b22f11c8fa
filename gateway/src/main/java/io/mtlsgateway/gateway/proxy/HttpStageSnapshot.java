package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.config.HttpSettings;
import io.mtlsgateway.gateway.identity.IdentityHeaderWriter;
import io.mtlsgateway.gateway.identity.PeerHeaders;
import io.mtlsgateway.gateway.limits.RequestLimiter;
import io.mtlsgateway.gateway.jwt.TokenPolicies;
import io.mtlsgateway.gateway.pipeline.Downstream;
import io.mtlsgateway.gateway.pipeline.Http2StreamRequests;
import io.mtlsgateway.gateway.pipeline.HttpStage;
import io.mtlsgateway.gateway.pipeline.VerifiedPeer;
import io.mtlsgateway.gateway.routing.RouteTable;
import io.mtlsgateway.gateway.upstream.Upstreams;
import io.mtlsgateway.gateway.vhost.HostScope;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * The HTTP stage's part of a listener snapshot ({@code pipeline/ListenerSnapshot#httpStage}): what
 * each request needs, from one config snapshot: the routes, the identity-header writer, the
 * upstream pools, the listener's HTTP limits, who is told about each request, and the
 * per-identity request limits. Makes the HTTP stage of each verified connection.
 */
public record HttpStageSnapshot(String name, RouteTable routes, IdentityHeaderWriter identityHeaders,
        Upstreams upstreams, HttpSettings http, ExchangeObserver observer, TokenPolicies tokens,
        RequestLimiter limiter, Optional<HostScope> host)
        implements HttpStage.Factory {
    public HttpStageSnapshot {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(tokens, "tokens");
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(routes, "routes");
        Objects.requireNonNull(identityHeaders, "identityHeaders");
        Objects.requireNonNull(upstreams, "upstreams");
        Objects.requireNonNull(http, "http");
        Objects.requireNonNull(observer, "observer");
        Objects.requireNonNull(limiter, "limiter");
    }

    /** A snapshot of a listener without hosts. */
    public HttpStageSnapshot(String name, RouteTable routes, IdentityHeaderWriter identityHeaders, Upstreams upstreams,
            HttpSettings http, ExchangeObserver observer, TokenPolicies tokens, RequestLimiter limiter) {
        this(name, routes, identityHeaders, upstreams, http, observer, tokens, limiter, Optional.empty());
    }

    /** A snapshot whose routes ask for no token and limit nothing. */
    public HttpStageSnapshot(String name, RouteTable routes, IdentityHeaderWriter identityHeaders, Upstreams upstreams,
            HttpSettings http, ExchangeObserver observer) {
        this(name, routes, identityHeaders, upstreams, http, observer, TokenPolicies.NONE, RequestLimiter.NONE);
    }

    /** A snapshot with the default HTTP limits, no request limits, whose requests nobody observes. */
    public HttpStageSnapshot(String name, RouteTable routes, IdentityHeaderWriter identityHeaders, Upstreams upstreams) {
        this(name, routes, identityHeaders, upstreams, HttpSettings.defaults(), ExchangeObserver.NONE);
    }

    /** The planner of this snapshot's requests. */
    RequestPlanner planner() {
        return new RequestPlanner(routes, http.maxHeaderCount(), tokens, host, upstreams.multiplexed());
    }

    @Override
    public HttpStage create(VerifiedPeer peer) {
        HttpTimeouts timeouts = new HttpTimeouts(http);
        return new HttpStage(timeouts.rawSide(), timeouts.messageSide(), new ProxyHandler(this, peer));
    }

    @Override
    public HttpStage.Http2Streams http2Streams(VerifiedPeer peer) {
        // An h2 connection counts once against the client's connection cap, however many streams it has.
        RequestLimiter.Connection connection = limiter.active() ? limiter.open(peer.identity()) : null;
        PeerHeaders peerHeaders = identityHeaders.forPeer(peer.identity());
        return new HttpStage.Http2Streams() {
            @Override
            public Http2StreamRequests open(Downstream stream) {
                return new DownstreamRequests(HttpStageSnapshot.this, peer, stream,
                        ClientLimits.onStream(limiter, peer.identity(), connection), peerHeaders);
            }

            @Override
            public void connectionClosed() {
                if (connection != null) {
                    connection.close();
                }
            }

            @Override
            public Optional<Duration> firstStreamTimeout() {
                // Over the cap the first stream gets 429 and the connection goes away after it; one
                // that opens no stream gets the time a request head may take, not the idle timeout.
                return connection != null && !connection.admitted() ? Optional.of(http.headerReadTimeout())
                        : Optional.empty();
            }
        };
    }
}
