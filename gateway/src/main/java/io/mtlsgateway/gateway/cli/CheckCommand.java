package io.mtlsgateway.gateway.cli;

import io.mtlsgateway.config.ConfigException;
import io.mtlsgateway.config.ConfigLoader;
import io.mtlsgateway.config.GatewayConfig;
import io.mtlsgateway.config.HostRouteMix;
import io.mtlsgateway.config.RouteShadowing;
import io.mtlsgateway.gateway.identity.DnFormat;
import io.mtlsgateway.gateway.server.ConfigCheck;
import io.mtlsgateway.gateway.server.ConfigCheck.ListenerReport;
import io.mtlsgateway.gateway.server.ConfigCheck.UpstreamReport;
import io.mtlsgateway.gateway.tls.ListenerMaterial;
import io.mtlsgateway.gateway.tls.UpstreamTlsMaterial;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code mtls-gateway check --config FILE}: loads everything {@code run} would (the same code)
 * and prints what it found, with each certificate's expiry; exit 0, or 2 listing every problem.
 */
@Command(name = "check", mixinStandardHelpOptions = true,
        description = "Validate the route file and every file it references; exit 0 or 2.")
final class CheckCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--config", required = true, paramLabel = "FILE", description = "The route file (YAML).")
    private Path config;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        GatewayConfig loaded;
        try {
            loaded = ConfigLoader.load(config);
        } catch (ConfigException e) {
            err.println(e.getMessage());
            err.println("check failed: " + e.problems().size() + " problem(s) in " + config);
            return Main.EXIT_USAGE;
        }
        Instant now = Instant.now();
        List<ListenerReport> reports = ConfigCheck.run(loaded, now);
        out.println(config + ": " + loaded.listeners().size() + " listener(s), " + loaded.routes().size()
                + " route(s), " + loaded.upstreams().size() + " upstream(s); admin on " + loaded.admin().listen());
        // A shadowed route is legal but almost always a mistake in the order of the routes.
        for (String warning : RouteShadowing.warnings(loaded.routes())) {
            err.println(config + ": warning: " + warning);
        }
        for (String warning : ConfigCheck.warnings(loaded)) {
            err.println(config + ": warning: " + warning);
        }
        // Public and mTLS routes under one optional host: legal, but easy to get wrong.
        for (String warning : HostRouteMix.warnings(loaded)) {
            err.println(config + ": warning: " + warning);
        }
        int problems = 0;
        for (ListenerReport report : reports) {
            out.println("listener " + report.listener() + ":");
            if (report.hosts().isEmpty()) {
                report.material().ifPresent(m -> describe(out, m, "  ", now));
            }
            // A listener with hosts: each entry's own certificate, client CAs and CRLs.
            for (ConfigCheck.HostReport host : report.hosts()) {
                out.println("  host " + String.join(", ", host.names()) + (host.isDefault() ? " (default)" : "")
                        + ":");
                describe(out, host.material(), "    ", now);
            }
            if (report.material().isEmpty() && report.problems().isEmpty()) {
                out.println("  plain HTTP (tls: none)");
            }
            for (String problem : report.problems()) {
                err.println(problem);
                problems++;
            }
        }
        for (UpstreamReport report : ConfigCheck.upstreams(loaded, now)) {
            out.println("upstream " + report.upstream() + " (TLS):");
            report.material().ifPresent(m -> describe(out, m, now));
            for (String problem : report.problems()) {
                err.println("upstream " + report.upstream() + ": " + problem);
                problems++;
            }
        }
        for (ConfigCheck.IssuerReport issuer : ConfigCheck.issuers(loaded)) {
            out.println("jwt issuer " + issuer.issuer() + ": " + issuer.source());
            issuer.keys().forEach(key -> out.println("  key " + key));
            issuer.notes().forEach(note -> err.println(config + ": warning: jwt." + issuer.issuer() + ": " + note));
            for (String problem : issuer.problems()) {
                err.println(problem);
                problems++;
            }
        }
        if (problems > 0) {
            err.println("check failed: " + problems + " problem(s)");
            return Main.EXIT_USAGE;
        }
        out.println("ok");
        return 0;
    }

    private static void describe(PrintWriter out, ListenerMaterial m, String indent, Instant now) {
        for (int i = 0; i < m.serverChain().size(); i++) {
            out.println(indent + (i == 0 ? "server certificate" : "server chain " + i) + ": "
                    + certificate(m.serverChain().get(i), now) + (i == 0 ? " (key matches)" : ""));
        }
        for (X509Certificate ca : m.clientCas()) {
            out.println(indent + "client CA: " + certificate(ca, now));
        }
        describeCrls(out, m.crls(), indent, now);
    }

    private static void describe(PrintWriter out, UpstreamTlsMaterial m, Instant now) {
        for (int i = 0; i < m.clientChain().size(); i++) {
            out.println("  " + (i == 0 ? "client certificate" : "client chain " + i) + ": "
                    + certificate(m.clientChain().get(i), now) + (i == 0 ? " (key matches)" : ""));
        }
        for (X509Certificate ca : m.cas()) {
            out.println("  upstream CA: " + certificate(ca, now));
        }
        describeCrls(out, m.crls(), "  ", now);
    }

    private static void describeCrls(PrintWriter out, List<X509CRL> crls, String indent, Instant now) {
        for (X509CRL crl : crls) {
            Instant next = crl.getNextUpdate() == null ? null : crl.getNextUpdate().toInstant();
            out.println(indent + "CRL: issuer " + DnFormat.rfc2253(crl.getIssuerX500Principal()) + ", "
                    + (crl.getRevokedCertificates() == null ? 0 : crl.getRevokedCertificates().size())
                    + " revoked, next update " + (next == null ? "none" : next + " (" + days(next, now) + ")"));
        }
    }

    private static String certificate(X509Certificate cert, Instant now) {
        Instant notAfter = cert.getNotAfter().toInstant();
        return ListenerMaterial.subject(cert) + ", expires " + notAfter + " (" + days(notAfter, now) + ")";
    }

    private static String days(Instant when, Instant now) {
        long days = ConfigCheck.daysLeft(when, now);
        return days < 0 ? "EXPIRED " + -days + " days ago" : days + " days left";
    }
}
