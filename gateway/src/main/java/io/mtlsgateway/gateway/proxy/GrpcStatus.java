package io.mtlsgateway.gateway.proxy;

/**
 * The gRPC status a gRPC client gets for an error the gateway answers itself, as Envoy does: the
 * gRPC spec's mapping of HTTP statuses, except that waiting too long for the upstream is
 * DEADLINE_EXCEEDED rather than UNAVAILABLE.
 */
final class GrpcStatus {
    static final int INTERNAL = 13;
    static final int UNKNOWN = 2;

    private GrpcStatus() {}

    static int of(ProxyError error) {
        return switch (error) {
            case UPSTREAM_TIMEOUT, UPSTREAM_CONNECT_TIMEOUT, UPSTREAM_IDLE, HEADER_READ_TIMEOUT,
                    DEADLINE_EXCEEDED -> 4; // DEADLINE_EXCEEDED
            case INVALID_GRPC_TIMEOUT -> 3; // INVALID_ARGUMENT
            case NO_ROUTE, METHOD_NOT_ALLOWED -> 12; // UNIMPLEMENTED
            case FORBIDDEN, TOKEN_INSUFFICIENT -> 7; // PERMISSION_DENIED
            case TOKEN_MISSING, TOKEN_INVALID -> 16; // UNAUTHENTICATED
            case UPSTREAM_OVERLOADED, UPSTREAM_UNAVAILABLE, UPSTREAM_RESET, TOO_MANY_REQUESTS -> 14; // UNAVAILABLE
            case HEADERS_TOO_LARGE, TOO_MANY_HEADERS -> 8; // RESOURCE_EXHAUSTED
            default -> error.status() >= 400 && error.status() < 500 ? INTERNAL : UNKNOWN;
        };
    }
}
