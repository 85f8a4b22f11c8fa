package io.mtlsgateway.config;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * The per-request access log: one JSON line per request.
 *
 * @param enabled whether requests are logged at all
 * @param file where lines go (absolute); empty for standard output
 */
public record AccessLogConfig(boolean enabled, Optional<Path> file) {
    /** The default: on, to standard output (what container log collectors read). */
    public static final AccessLogConfig DEFAULT = new AccessLogConfig(true, Optional.empty());
    /** No access log. */
    public static final AccessLogConfig OFF = new AccessLogConfig(false, Optional.empty());

    public AccessLogConfig {
        Objects.requireNonNull(file, "file");
    }
}
