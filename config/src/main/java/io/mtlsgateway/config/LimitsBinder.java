package io.mtlsgateway.config;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Binds {@code listeners[].limits} and {@code routes[].limits}. */
final class LimitsBinder {
    static final List<String> LISTENER_KEYS = List.of("perSource", "perIdentity", "anonymous", "maxTracked",
            "maxConnections");
    static final List<String> ROUTE_KEYS = List.of("perIdentity", "anonymous");
    static final List<String> SOURCE_KEYS =
            List.of("handshakesPerSecond", "concurrentHandshakes", "penalty", "ipv4Prefix", "ipv6Prefix");
    static final List<String> PENALTY_KEYS = List.of("failures", "base", "max");
    static final List<String> REQUEST_KEYS = List.of("requestsPerSecond", "burst", "connections", "inFlight");
    static final List<String> ROUTE_REQUEST_KEYS = List.of("requestsPerSecond", "burst", "inFlight");

    private LimitsBinder() {}

    static Optional<LimitsConfig> listener(YamlNode node) {
        return node.mapping(LISTENER_KEYS).flatMap(limits -> {
            Optional<Optional<SourceLimits>> perSource =
                    limits.optional("perSource", n -> source(n).map(Optional::of), Optional.empty());
            Optional<Optional<RequestLimits>> perIdentity =
                    limits.optional("perIdentity", n -> requests(n, REQUEST_KEYS).map(Optional::of), Optional.empty());
            Optional<Optional<RequestLimits>> anonymous =
                    limits.optional("anonymous", n -> requests(n, REQUEST_KEYS).map(Optional::of), Optional.empty());
            Optional<Integer> maxTracked = limits.optional("maxTracked", n -> n.integer(1, 10_000_000),
                    LimitsConfig.DEFAULT_MAX_TRACKED);
            Optional<Integer> maxConnections = limits.optional("maxConnections", n -> n.integer(1, 10_000_000), 0);
            if (!Binding.allPresent(perSource, perIdentity, anonymous, maxTracked, maxConnections)) {
                return Optional.empty();
            }
            return node.problems().construct(node, () -> new LimitsConfig(
                    perSource.get(), perIdentity.get(), anonymous.get(), maxTracked.get(), maxConnections.get()));
        });
    }

    static Optional<LimitsConfig> route(YamlNode node) {
        return node.mapping(ROUTE_KEYS).flatMap(limits -> {
            Optional<Optional<RequestLimits>> perIdentity = limits.optional("perIdentity",
                    n -> requests(n, ROUTE_REQUEST_KEYS).map(Optional::of), Optional.empty());
            Optional<Optional<RequestLimits>> anonymous = limits.optional("anonymous",
                    n -> requests(n, ROUTE_REQUEST_KEYS).map(Optional::of), Optional.empty());
            if (!Binding.allPresent(perIdentity, anonymous)) {
                return Optional.empty();
            }
            return Optional.of(new LimitsConfig(Optional.empty(), perIdentity.get(), anonymous.get(),
                    LimitsConfig.DEFAULT_MAX_TRACKED));
        });
    }

    private static Optional<SourceLimits> source(YamlNode node) {
        return node.mapping(SOURCE_KEYS).flatMap(source -> {
            Optional<Integer> rate = source.optional("handshakesPerSecond", n -> n.integer(1, 1_000_000), 0);
            Optional<Integer> concurrent = source.optional("concurrentHandshakes", n -> n.integer(1, 1_000_000), 0);
            Optional<Optional<PenaltyConfig>> penalty =
                    source.optional("penalty", n -> penalty(n).map(Optional::of), Optional.empty());
            Optional<Integer> ipv4 = source.optional("ipv4Prefix", n -> n.integer(1, 32), SourceLimits.DEFAULT_IPV4_PREFIX);
            Optional<Integer> ipv6 = source.optional("ipv6Prefix", n -> n.integer(1, 128), SourceLimits.DEFAULT_IPV6_PREFIX);
            if (!Binding.allPresent(rate, concurrent, penalty, ipv4, ipv6)) {
                return Optional.empty();
            }
            return node.problems().construct(node, () -> new SourceLimits(
                    rate.get(), concurrent.get(), penalty.get(), ipv4.get(), ipv6.get()));
        });
    }

    private static Optional<PenaltyConfig> penalty(YamlNode node) {
        return node.mapping(PENALTY_KEYS).flatMap(penalty -> {
            Optional<Integer> failures = penalty.optional("failures", n -> n.integer(1, 1_000_000),
                    PenaltyConfig.DEFAULT_FAILURES);
            Optional<Duration> base = penalty.optional("base", YamlNode::positiveDuration, PenaltyConfig.DEFAULT_BASE);
            Optional<Duration> max = penalty.optional("max", YamlNode::positiveDuration, PenaltyConfig.DEFAULT_MAX);
            if (!Binding.allPresent(failures, base, max)) {
                return Optional.empty();
            }
            return node.problems().construct(node, () -> new PenaltyConfig(failures.get(), base.get(), max.get()));
        });
    }

    private static Optional<RequestLimits> requests(YamlNode node, List<String> keys) {
        return node.mapping(keys).flatMap(limits -> {
            Optional<Integer> rate = limits.optional("requestsPerSecond", n -> n.integer(1, 1_000_000), 0);
            // A bucket of one second's worth unless told otherwise.
            Optional<Integer> burst = limits.optional("burst", n -> n.integer(1, 10_000_000), rate.orElse(0));
            Optional<Integer> connections = limits.optional("connections", n -> n.integer(1, 1_000_000), 0);
            Optional<Integer> inFlight = limits.optional("inFlight", n -> n.integer(1, 1_000_000), 0);
            if (!Binding.allPresent(rate, burst, connections, inFlight)) {
                return Optional.empty();
            }
            return node.problems().construct(node, () -> new RequestLimits(
                    rate.get(), burst.get(), connections.get(), inFlight.get()));
        });
    }
}
