package io.mtlsgateway.gateway.cli;

import java.util.Properties;

/**
 * System properties the process sets for itself before Netty is loaded, each only when the user
 * did not set it (a {@code -D} on the command line, or {@code MTLS_GATEWAY_JAVA_OPTS}, wins).
 *
 * <p>Netty's leak detector is off: at its default level it records a stack trace for a sample of
 * buffers, which on the keep-alive request path cost about 3 % of the gateway's CPU in
 * {@code bench/load} (2026-12-01, docs/performance.md), and it finds nothing the test suite, which runs
 * with {@code paranoid} detection and fails on a leak, does not. Turn it on to chase a suspected
 * leak with {@code -Dio.netty.leakDetection.level=simple} (or {@code paranoid}).
 */
final class RuntimeDefaults {
    static final String LEAK_DETECTION_LEVEL = "io.netty.leakDetection.level";
    /** The older name Netty still reads. */
    static final String LEAK_DETECTION_LEVEL_LEGACY = "io.netty.leakDetectionLevel";

    private RuntimeDefaults() {}

    /** Sets the defaults missing from {@code properties}; call before any Netty class is loaded. */
    static void apply(Properties properties) {
        if (properties.getProperty(LEAK_DETECTION_LEVEL) == null
                && properties.getProperty(LEAK_DETECTION_LEVEL_LEGACY) == null) {
            properties.setProperty(LEAK_DETECTION_LEVEL, "disabled");
        }
    }
}
