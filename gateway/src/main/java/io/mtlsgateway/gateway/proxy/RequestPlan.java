package io.mtlsgateway.gateway.proxy;

import io.mtlsgateway.gateway.routing.Route;
import java.util.Objects;
import java.util.Optional;

/** What the gateway does with one request head: answer it itself, or forward it. */
public sealed interface RequestPlan permits RequestPlan.Reject, RequestPlan.Forward {

    /**
     * The gateway answers with an error and forwards nothing.
     *
     * @param route the matched route, when the request got that far (a 403 names it)
     * @param mustClose the connection cannot be trusted to find the next request (a framing error)
     */
    record Reject(ProxyError error, Optional<Route> route, boolean mustClose) implements RequestPlan {
        public Reject {
            Objects.requireNonNull(error, "error");
            Objects.requireNonNull(route, "route");
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
     */
    record Forward(Route route, String target, boolean upgrade, boolean expectContinue, boolean retryable)
            implements RequestPlan {
        public Forward {
            Objects.requireNonNull(route, "route");
            Objects.requireNonNull(target, "target");
        }
    }
}
