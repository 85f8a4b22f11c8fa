package io.mtlsgateway.gateway.upstream;

import io.mtlsgateway.config.HostPort;

/** Every connection an endpoint may have is in use. */
public final class PoolExhaustedException extends Exception {
    private static final long serialVersionUID = 1L;

    PoolExhaustedException(HostPort endpoint) {
        super("connection limit reached for " + endpoint, null, false, false);
    }
}
