package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.jwt.RouteTokenPolicy;
import io.mtlsgateway.gateway.jwt.TokenRefusal;
import io.mtlsgateway.gateway.jwt.VerifiedToken;
import io.mtlsgateway.gateway.routing.Route;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;

/** What the gateway does with one request head: answer it itself, or forward it. */
public sealed interface RequestPlan
        permits RequestPlan.Reject, RequestPlan.Forward, RequestPlan.AwaitKeys, RequestPlan.ServerOptions {

    /** {@code OPTIONS *}: the gateway answers for itself with the methods it forwards; nothing is forwarded. */
    record ServerOptions() implements RequestPlan {}

    /**
     * The gateway answers with an error and forwards nothing.
     *
     * @param route the matched route, when the request got that far (a 403 names it)
     * @param mustClose the connection cannot be trusted to find the next request (a framing error)
     * @param token why the request's token was refused, when that is the reason (401/403 with a challenge)
     */
    record Reject(ProxyError error, Optional<Route> route, boolean mustClose, Optional<TokenRefusal> token)
            implements RequestPlan {
        public Reject {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(route, "route");
            Objects.requireNonNull(token, "token");
        }

        /** A refusal that is not about a token. */
        public Reject(ProxyError error, Optional<Route> route, boolean mustClose) {
            this(error, route, mustClose, Optional.empty());
        }
    }

    /**
     * The request goes to the route's upstream.
     *
     * @param target the path and query the upstream receives: normalised, with the route's prefix rewritten
     * @param upgrade the request asks to switch protocols, and the switch is relayed
     * @param expectContinue the client waits for {@code 100 Continue} before sending its body
     * @param retryable idempotent and without a body: may be sent once more when a connection
     *     fails before any response came back
     * @param tokenPolicy the route's token policy, when it has one (claim headers, forwardToken)
     * @param token the request's verified token, when it sent one the route asked for
     */
    record Forward(Route route, String target, boolean upgrade, boolean expectContinue, boolean retryable,
            Optional<RouteTokenPolicy> tokenPolicy, Optional<VerifiedToken> token) implements RequestPlan {
        public Forward {
            Objects.requireNonNull(route, "route");
            Objects.requireNonNull(target, "target");
            Objects.requireNonNull(tokenPolicy, "tokenPolicy");
            Objects.requireNonNull(token, "token");
        }

        /** A forward on a route that asks for no token. */
        public Forward(Route route, String target, boolean upgrade, boolean expectContinue, boolean retryable) {
            this(route, target, upgrade, expectContinue, retryable, Optional.empty(), Optional.empty());
        }
    }

    /**
     * The request's token names a key its issuer's key set lacks, and the set is being fetched
     * again: plan the request once more when {@code keys} completes, and if its key is still
     * unknown then, answer {@code otherwise}. Nothing of the request is read meanwhile.
     */
    record AwaitKeys(CompletableFuture<Void> keys, Reject otherwise) implements RequestPlan {
        public AwaitKeys {
            Objects.requireNonNull(keys, "keys");
            Objects.requireNonNull(otherwise, "otherwise");
        }
    }
}
