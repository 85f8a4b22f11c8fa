package io.mtlsgateway.bench.load;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The load client's command line, parsed and checked once.
 *
 * @param mode          keep-alive requests, or one new connection per request (full or resumed handshake)
 * @param host          the address to connect to; must be a loopback address
 * @param port          the port to connect to
 * @param serverName    SNI and the name the server certificate is verified against
 * @param ca            PEM trust anchor for the server certificate
 * @param cert          PEM client certificate
 * @param key           PEM (PKCS#8) client private key
 * @param path          request path
 * @param connections   concurrent connections (closed loop: one request in flight on each, or {@code streams}
 *                      in the multiplexed modes)
 * @param streams       h2 and grpc modes: concurrent streams on each connection (1 in the other modes)
 * @param threads       client event-loop threads
 * @param warmupSeconds seconds of load before measuring
 * @param durationSeconds seconds measured
 * @param protocols     TLS versions offered
 * @param groups        key-exchange groups offered, in order (BoringSSL names); empty: Netty's default, which
 *                      puts the hybrid post-quantum X25519MLKEM768 first
 * @param label         free text copied into the report (e.g. {@code gateway})
 * @param maxRequests   safety bound on requests sent in one run
 * @param timeoutSeconds a connection that receives nothing for this long counts as an error
 * @param proxyPids     processes whose CPU time is charged to the proxy under test (may be empty)
 * @param upstreamPids  processes whose CPU time is charged to the upstream (may be empty)
 * @param clockTicks    the kernel's clock ticks per second, for {@code /proc/PID/stat}
 */
record LoadOptions(
        Mode mode, InetAddress host, int port, String serverName, Path ca, Path cert, Path key, String path,
        int connections, int streams, int threads, int warmupSeconds, int durationSeconds, List<String> protocols,
        List<String> groups, String label, long maxRequests, int timeoutSeconds, List<Long> proxyPids, List<Long> upstreamPids,
        int clockTicks) {

    /** How requests map onto connections. */
    enum Mode {
        /** C long-lived connections, requests back to back on each. */
        KEEPALIVE,
        /** Every request on a new connection with a full handshake (no resumption). */
        HANDSHAKE,
        /**
         * Every request on a new connection that resumes a session from an earlier one (TLS 1.3 ticket,
         * or a TLS 1.2 session): the cost of a returning client.
         */
        RESUME,
        /** C long-lived h2 connections (ALPN h2), each with S streams in flight: GETs back to back. */
        H2,
        /**
         * As {@link #H2}, with gRPC unary calls: a POST of one length-prefixed message, {@code te: trailers},
         * answered by a message and {@code grpc-status: 0} in the trailers.
         */
        GRPC;

        /** Whether requests are streams of an h2 connection. */
        boolean multiplexed() {
            return this == H2 || this == GRPC;
        }
    }

    static final String USAGE = """
            usage: LoadClient --mode keepalive|handshake|resume|h2|grpc --port N --ca FILE --cert FILE --key FILE
                              [--host 127.0.0.1] [--server-name localhost] [--path /]
                              [--connections 16] [--streams 1 (h2, grpc)] [--threads 2] [--warmup 5] [--duration 20]
                              [--protocols TLSv1.3,TLSv1.2] [--groups X25519,P-256] [--label TEXT]
                              [--max-requests 20000000]
                              [--timeout 10] [--proxy-pids P,P] [--upstream-pids P,P] [--clock-ticks 100]
            """;

    LoadOptions {
        protocols = List.copyOf(protocols);
        groups = List.copyOf(groups);
        proxyPids = List.copyOf(proxyPids);
        upstreamPids = List.copyOf(upstreamPids);
    }

    /**
     * The mode as reported and grouped by {@code run.sh}: {@code keepalive}, ..., and for the multiplexed modes
     * the streams per connection too ({@code h2-10}, {@code grpc-100}), since each count is its own figure.
     */
    String modeLabel() {
        String name = mode.name().toLowerCase(java.util.Locale.ROOT);
        return mode.multiplexed() ? name + "-" + streams : name;
    }

    /** Parses {@code args}; every problem found is listed in the exception's message. */
    static LoadOptions parse(String[] args) {
        Map<String, String> values = new HashMap<>();
        List<String> problems = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (!name.startsWith("--") || i + 1 >= args.length) {
                problems.add(name + ": expected --option VALUE");
                continue;
            }
            if (values.put(name.substring(2), args[++i]) != null) {
                problems.add(name + ": given twice");
            }
        }
        Reader in = new Reader(values, problems);
        Mode mode = in.mode();
        InetAddress host = in.loopback("host", "127.0.0.1");
        int port = in.integer("port", null, 1, 65_535);
        String serverName = in.text("server-name", "localhost");
        Path ca = in.file("ca");
        Path cert = in.file("cert");
        Path key = in.file("key");
        String path = in.text("path", "/");
        if (!path.startsWith("/")) {
            problems.add("--path: " + path + " (expected: starts with /)");
        }
        int connections = in.integer("connections", 16, 1, 1024);
        int streams = in.integer("streams", 1, 1, 1000);
        if (streams != 1 && !mode.multiplexed()) {
            problems.add("--streams: " + streams + " (only the h2 and grpc modes have streams)");
        }
        int threads = in.integer("threads", 2, 1, 16);
        int warmup = in.integer("warmup", 5, 0, 300);
        int duration = in.integer("duration", 20, 1, 600);
        List<String> protocols = List.of(in.text("protocols", "TLSv1.3,TLSv1.2").split(","));
        for (String protocol : protocols) {
            if (!protocol.equals("TLSv1.3") && !protocol.equals("TLSv1.2")) {
                problems.add("--protocols: " + protocol + " (expected: TLSv1.3 or TLSv1.2)");
            }
        }
        String groupList = in.text("groups", "");
        List<String> groups = groupList.isEmpty() ? List.of() : List.of(groupList.split(","));
        String label = in.text("label", "");
        long maxRequests = in.integer("max-requests", 20_000_000, 1, Integer.MAX_VALUE);
        int timeout = in.integer("timeout", 10, 1, 120);
        List<Long> proxyPids = in.pids("proxy-pids");
        List<Long> upstreamPids = in.pids("upstream-pids");
        int clockTicks = in.integer("clock-ticks", 100, 1, 1_000_000);
        values.keySet().removeAll(in.known);
        for (String unknown : values.keySet()) {
            problems.add("--" + unknown + ": unknown option");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return new LoadOptions(mode, host, port, serverName, ca, cert, key, path, connections, streams, threads, warmup,
                duration, protocols, groups, label, maxRequests, timeout, proxyPids, upstreamPids, clockTicks);
    }

    /** Reads typed values, collecting problems instead of stopping at the first. */
    private static final class Reader {
        private final Map<String, String> values;
        private final List<String> problems;
        final List<String> known = new ArrayList<>();

        Reader(Map<String, String> values, List<String> problems) {
            this.values = values;
            this.problems = problems;
        }

        private String raw(String name) {
            known.add(name);
            return values.get(name);
        }

        String text(String name, String fallback) {
            String value = raw(name);
            return value == null ? fallback : value;
        }

        Mode mode() {
            String value = raw("mode");
            if (value == null) {
                problems.add("--mode: missing (expected: keepalive, handshake, resume, h2 or grpc)");
                return Mode.KEEPALIVE;
            }
            try {
                return Mode.valueOf(value.toUpperCase(java.util.Locale.ROOT));
            } catch (IllegalArgumentException e) {
                problems.add("--mode: " + value + " (expected: keepalive, handshake, resume, h2 or grpc)");
                return Mode.KEEPALIVE;
            }
        }

        int integer(String name, Integer fallback, int min, int max) {
            String value = raw(name);
            if (value == null) {
                if (fallback == null) {
                    problems.add("--" + name + ": missing");
                    return min;
                }
                return fallback;
            }
            try {
                int parsed = Integer.parseInt(value);
                if (parsed < min || parsed > max) {
                    problems.add("--" + name + ": " + value + " (expected: " + min + ".." + max + ")");
                }
                return parsed;
            } catch (NumberFormatException e) {
                problems.add("--" + name + ": " + value + " (expected: an integer)");
                return min;
            }
        }

        Path file(String name) {
            String value = raw(name);
            if (value == null) {
                problems.add("--" + name + ": missing");
                return Path.of("");
            }
            Path file = Path.of(value);
            if (!Files.isReadable(file)) {
                problems.add("--" + name + ": " + value + " (not a readable file)");
            }
            return file;
        }

        // The benchmark must never send traffic off this machine, so anything but loopback is refused here.
        InetAddress loopback(String name, String fallback) {
            String value = text(name, fallback);
            try {
                InetAddress address = InetAddress.getByName(value);
                if (!address.isLoopbackAddress()) {
                    problems.add("--" + name + ": " + value + " (expected: a loopback address)");
                }
                return address;
            } catch (UnknownHostException e) {
                problems.add("--" + name + ": " + value + " (unknown host)");
                return InetAddress.getLoopbackAddress();
            }
        }

        List<Long> pids(String name) {
            String value = raw(name);
            List<Long> pids = new ArrayList<>();
            if (value == null || value.isBlank()) {
                return pids;
            }
            for (String part : value.split(",")) {
                try {
                    pids.add(Long.parseLong(part.trim()));
                } catch (NumberFormatException e) {
                    problems.add("--" + name + ": " + part + " (expected: a process id)");
                }
            }
            return pids;
        }
    }
}
