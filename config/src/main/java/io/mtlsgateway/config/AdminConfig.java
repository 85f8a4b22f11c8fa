package io.mtlsgateway.config;

import java.util.Objects;

/** The admin endpoint (metrics, health); loopback by default. */
public record AdminConfig(HostPort listen) {
    public static final HostPort DEFAULT_LISTEN = new HostPort("127.0.0.1", 9901);

    public AdminConfig {
        Objects.requireNonNull(listen, "listen");
    }
}
