package io.mtlsgateway.bench.load;

import java.util.Locale;

/** Why an exchange failed; any of them makes a run invalid. */
enum ErrorKind {
    /** TCP connect refused or timed out. */
    CONNECT,
    /** The TLS handshake failed (or the connection broke before it completed). */
    HANDSHAKE,
    /** ALPN did not choose h2 in the h2 and grpc modes. */
    ALPN,
    /** A response other than 200. */
    STATUS,
    /** A 200 whose body is not the upstream's {@code ok}: someone else answered. */
    BODY,
    /** A gRPC call that ended without {@code grpc-status: 0} in its trailers. */
    GRPC_STATUS,
    /** The server reset a stream (RST_STREAM) in the h2 and grpc modes. */
    RESET,
    /** A read or write failed after the handshake. */
    IO,
    /** Nothing was received for {@code --timeout} seconds. */
    TIMEOUT,
    /** The server closed the connection while a request was in flight. */
    CLOSED,
    /** The exchange in flight at the end of the run never completed, even after a grace period. */
    UNFINISHED;

    String jsonName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
