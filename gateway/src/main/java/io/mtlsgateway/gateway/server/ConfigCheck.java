package io.mtlsgateway.gateway.server;

import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HostConfig;
import io.mtlsgateway.config.JwksSource;
import io.mtlsgateway.config.JwtIssuerConfig;
import io.mtlsgateway.config.ListenerConfig;
import io.mtlsgateway.config.TlsConfig;
import io.mtlsgateway.gateway.identity.DnFormat;
import io.mtlsgateway.config.UpstreamConfig;
import io.mtlsgateway.gateway.pipeline.UpstreamInitializers;
import io.mtlsgateway.gateway.jwt.JwksFiles;
import io.mtlsgateway.gateway.jwt.KeySet;
import io.mtlsgateway.gateway.jwt.KeySetException;
import io.mtlsgateway.gateway.tls.ListenerMaterial;
import io.mtlsgateway.gateway.tls.ListenerMaterial.MaterialException;
import io.mtlsgateway.gateway.tls.UpstreamTlsContext;
import io.mtlsgateway.gateway.tls.UpstreamTlsMaterial;
import io.mtlsgateway.gateway.proxy.ExchangeObserver;
import io.mtlsgateway.gateway.tls.SessionTicketPolicy;
import io.netty.bootstrap.Bootstrap;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * What {@code mtls-gateway check} reports: each listener built exactly as {@code run} builds it
 * (same code, then released), with what was loaded and every problem found.
 */
public final class ConfigCheck {
    private ConfigCheck() {}

    /**
     * One listener's result.
     *
     * @param material empty when its files could not be loaded
     * @param problems every problem, each naming its file
     */
    public record ListenerReport(String listener, Optional<ListenerMaterial> material, List<String> problems,
            List<HostReport> hosts) {
        public ListenerReport {
            hosts = List.copyOf(hosts);
        }

        public ListenerReport(String listener, Optional<ListenerMaterial> material, List<String> problems) {
            this(listener, material, problems, List.of());
        }
    }

    /**
     * What one host entry of a listener with {@code hosts} serves with.
     *
     * @param host the entry's first name
     * @param names every name of the entry
     * @param isDefault whether it is the listener's {@code default} entry
     */
    public record HostReport(String host, List<String> names, boolean isDefault, ListenerMaterial material) {}

    /**
     * One TLS upstream's result, built exactly as {@code run} builds it (then released).
     *
     * @param material empty when its files could not be loaded
     */
    public record UpstreamReport(String upstream, Optional<UpstreamTlsMaterial> material, List<String> problems) {}

    /** Warnings that do not fail the check: what an operator should know they asked for. */
    public static List<String> warnings(GatewayConfig config) {
        List<String> warnings = new ArrayList<>();
        for (ListenerConfig listener : config.listeners()) {
            if (listener.plaintext()) {
                warnings.add("listener " + listener.name() + " takes plain HTTP (tls: none) on " + listener.listen()
                        + (listener.listen().isLoopback() ? "" : ", which is not a loopback address (allowPlaintext:"
                                + " true)") + ": callers are not authenticated, every route is open to them");
            }
        }
        return warnings;
    }

    /** Builds the TLS of every upstream with a {@code tls} block, as {@code run} would, at {@code now}. */
    public static List<UpstreamReport> upstreams(GatewayConfig config, Instant now) {
        List<UpstreamReport> reports = new ArrayList<>();
        for (UpstreamConfig upstream : config.upstreams().values()) {
            if (upstream.tls().isEmpty()) {
                continue;
            }
            List<String> problems = new ArrayList<>();
            Optional<UpstreamTlsMaterial> material = Optional.empty();
            try {
                UpstreamTlsContext context = UpstreamTlsLoader.build(upstream);
                material = Optional.of(context.material());
                context.release();
            } catch (MaterialException e) {
                problems.addAll(e.problems());
            } catch (Exception e) {
                problems.add(upstream.tls().get().ca() + ": " + e.getMessage());
            }
            material.ifPresent(m -> problems.addAll(upstreamExpiryProblems(upstream, m, now)));
            reports.add(new UpstreamReport(upstream.name(), material, problems));
        }
        return reports;
    }

    /**
     * One token issuer's result.
     *
     * @param source where its keys come from
     * @param keys one line per usable key (kid, type, algorithm), for a JWKS file
     * @param notes keys left out and why
     * @param problems each naming the file
     */
    public record IssuerReport(String issuer, String source, List<String> keys, List<String> notes,
            List<String> problems) {}

    /**
     * Reads every JWKS file as {@code run} reads it; a JWKS URL is named but not fetched (the
     * gateway fetches it at start, and keeps retrying).
     */
    public static List<IssuerReport> issuers(GatewayConfig config) {
        List<IssuerReport> reports = new ArrayList<>();
        for (JwtIssuerConfig issuer : config.jwt().values()) {
            if (issuer.jwks() instanceof JwksSource.Url url) {
                reports.add(new IssuerReport(issuer.name(), "JWKS URL " + url.uri() + " (fetched at start, not by check)",
                        List.of(), List.of(), List.of()));
                continue;
            }
            Path file = ((JwksSource.File) issuer.jwks()).path();
            try {
                KeySet keys = JwksFiles.read(file);
                reports.add(new IssuerReport(issuer.name(), "JWKS file " + file, keys.describe(), keys.notes(),
                        List.of()));
            } catch (KeySetException e) {
                reports.add(new IssuerReport(issuer.name(), "JWKS file " + file, List.of(), List.of(),
                        List.of(e.getMessage())));
            }
        }
        return reports;
    }

    private static List<String> upstreamExpiryProblems(UpstreamConfig upstream, UpstreamTlsMaterial m, Instant now) {
        List<String> problems = new ArrayList<>();
        var tls = upstream.tls().orElseThrow();
        m.clientNotAfter().filter(notAfter -> notAfter.isBefore(now)).ifPresent(notAfter -> problems.add(
                tls.certificate().orElseThrow() + ": the gateway's client certificate expired on " + notAfter));
        for (X509Certificate ca : m.cas()) {
            if (ca.getNotAfter().toInstant().isBefore(now)) {
                problems.add(tls.ca() + ": CA " + ListenerMaterial.subject(ca) + " expired on "
                        + ca.getNotAfter().toInstant());
            }
        }
        for (X509CRL crl : m.crls()) {
            if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(now)) {
                problems.add("CRL of " + DnFormat.rfc2253(crl.getIssuerX500Principal()) + " is stale: nextUpdate was "
                        + crl.getNextUpdate().toInstant() + " (" + tls.crl() + ")");
            }
        }
        return problems;
    }

    /** Builds every listener of {@code config} as {@code run} would, at {@code now}. */
    public static List<ListenerReport> run(GatewayConfig config, Instant now) {
        List<ListenerReport> reports = new ArrayList<>();
        // Reads the ticket key files as run does; its rotation thread stops when the check is done.
        try (SessionTicketPolicy tickets = new SessionTicketPolicy()) {
            for (ListenerConfig listener : config.listeners()) {
                reports.add(check(config, listener, now, tickets));
            }
        }
        return reports;
    }

    private static ListenerReport check(GatewayConfig config, ListenerConfig listener, Instant now,
            SessionTicketPolicy tickets) {
        List<String> problems = new ArrayList<>();
        Optional<ListenerMaterial> material = Optional.empty();
        List<HostReport> hosts = new ArrayList<>();
        try {
            // The pools of an unused template open no connection; the context is released at once.
            BuiltListenerSnapshot state = BuiltListenerSnapshot.build(config, listener, new Bootstrap(), ExchangeObserver.NONE,
                    UpstreamInitializers.INSTANCE, tickets);
            material = Optional.ofNullable(state.material());
            for (BuiltListenerSnapshot face : state.faces()) {
                if (face.material() != null) {
                    problems.addAll(expiryProblems(face.tlsConfig(), face.material(), now));
                    face.host().ifPresent(host -> hosts.add(hostReport(listener, host, face.material())));
                }
            }
            state.retire();
        } catch (MaterialException e) {
            problems.addAll(e.problems());
        } catch (Exception e) {
            problems.add((listener.plaintext() ? "listener " + listener.name() : listener.tls().certificate().toString())
                    + ": " + e.getMessage());
        }
        return new ListenerReport(listener.name(), material, problems, hosts);
    }

    private static HostReport hostReport(ListenerConfig listener, String label, ListenerMaterial material) {
        HostConfig entry = listener.hosts().entries().stream().filter(e -> e.label().equals(label)).findFirst()
                .orElseThrow();
        boolean isDefault = listener.hosts().defaultEntry().filter(d -> d.label().equals(label)).isPresent();
        return new HostReport(label, entry.names(), isDefault, material);
    }

    private static List<String> expiryProblems(TlsConfig tls, ListenerMaterial m, Instant now) {
        List<String> problems = new ArrayList<>();
        X509Certificate leaf = m.serverChain().get(0);
        if (leaf.getNotAfter().toInstant().isBefore(now)) {
            problems.add(tls.certificate() + ": the server certificate expired on "
                    + leaf.getNotAfter().toInstant());
        }
        for (X509Certificate ca : m.clientCas()) {
            if (ca.getNotAfter().toInstant().isBefore(now)) {
                problems.add(tls.clientCa() + ": CA " + ListenerMaterial.subject(ca) + " expired on "
                        + ca.getNotAfter().toInstant());
            }
        }
        for (X509CRL crl : m.crls()) {
            if (crl.getNextUpdate() != null && crl.getNextUpdate().toInstant().isBefore(now)) {
                problems.add("CRL of " + DnFormat.rfc2253(crl.getIssuerX500Principal()) + " is stale: nextUpdate was "
                        + crl.getNextUpdate().toInstant() + " (" + tls.crl() + ")");
            }
        }
        return problems;
    }

    /** Whole days from {@code now} to {@code when}; negative once past. */
    public static long daysLeft(Instant when, Instant now) {
        return Math.floorDiv(Duration.between(now, when).toSeconds(), 86_400);
    }
}
