package io.mtlsgateway.gateway.cli;

import io.mtlsgateway.gateway.identity.DnFormat;
import io.mtlsgateway.gateway.pki.CrlIssuer;
import io.mtlsgateway.gateway.pki.DevCa;
import io.mtlsgateway.gateway.pki.KeyType;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.io.PrintWriter;
import java.math.BigInteger;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509CRL;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mtls-gateway pki}: the development CA. Exit codes: 0 done; 2 bad usage or input the
 * command line can fix (a bad name, a missing file, no CA in --dir); 1 an operation the CA refuses
 * (a CA already there, a certificate it did not issue).
 */
@Command(
        name = "pki",
        mixinStandardHelpOptions = true,
        description = {
            "Development PKI: a CA kept in one folder, for development and tests, never production.",
            "Typical use: pki init, pki issue --server, pki issue --client; revoke, then pki crl to publish."
        },
        subcommands = {PkiCommand.Init.class, PkiCommand.Issue.class, PkiCommand.Revoke.class, PkiCommand.Crl.class,
            PkiTokenCommand.class})
public final class PkiCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Override
    public Integer call() {
        throw new ParameterException(spec.commandLine(), "Missing required subcommand (init, issue, revoke, crl or token)");
    }

    /** {@code pki init --dir DIR [--rsa]}. */
    @Command(name = "init", mixinStandardHelpOptions = true,
            description = "Create a dev root CA (ECDSA P-256, 10 years) and an empty CRL in DIR.")
    static final class Init implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder for the CA (created owner-only).")
        private Path dir;

        @Option(names = "--rsa", description = "RSA-2048 root key instead of ECDSA P-256.")
        private boolean rsa;

        @Override
        public Integer call() {
            return report(spec, () -> {
                DevCa ca = DevCa.init(dir, rsa ? KeyType.RSA_2048 : KeyType.EC_P256);
                PrintWriter out = spec.commandLine().getOut();
                X509Certificate root = ca.root().certificate();
                out.printf("Created dev CA %s in %s%n", DnFormat.rfc2253(root.getSubjectX500Principal()), ca.dir());
                out.printf("  certificate: %s  (trust anchor: the route file's clientCa)%n", ca.caCertificate());
                out.printf("  private key: %s  (owner-only; signs everything this CA issues)%n",
                        ca.dir().resolve("ca.key"));
                out.printf("  CRL:         %s  (the route file's crl; next update %s)%n", ca.crl(),
                        PemFiles.readCrls(ca.crl()).get(0).getNextUpdate().toInstant());
                out.printf("  serial:      %s%n", hex(root.getSerialNumber()));
                out.printf("  expires:     %s%n", root.getNotAfter().toInstant());
                out.printf("Next: mtls-gateway pki issue --dir %s --server NAME --dns HOST%n", dir);
            });
        }
    }

    /** {@code pki issue --dir DIR (--client NAME | --server NAME) ...}. */
    @Command(name = "issue", mixinStandardHelpOptions = true,
            description = "Issue a client or server certificate: writes NAME.pem and NAME.key (owner-only) in DIR,"
                    + " replacing earlier ones.")
    static final class Issue implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder of the CA (see pki init).")
        private Path dir;

        @ArgGroup(exclusive = true, multiplicity = "1")
        private Kind kind;

        @Option(names = "--spiffe", paramLabel = "URI",
                description = "SPIFFE ID as URI SAN (client only), e.g. spiffe://example.org/ns/prod/sa/web.")
        private List<String> spiffeIds = new ArrayList<>();

        @Option(names = "--dns", paramLabel = "D", description = "DNS name SAN; repeatable. A server needs --dns or --ip.")
        private List<String> dnsNames = new ArrayList<>();

        @Option(names = "--ip", paramLabel = "A", description = "IP address SAN (server only); repeatable.")
        private List<String> ipAddresses = new ArrayList<>();

        @Option(names = "--days", paramLabel = "N", description = "Days of validity (default: ${DEFAULT-VALUE}).")
        private int days = DevCa.DEFAULT_DAYS;

        @Option(names = "--rsa", description = "RSA-2048 key instead of ECDSA P-256.")
        private boolean rsa;

        static final class Kind {
            @Option(names = "--client", required = true, paramLabel = "NAME", description = "Client certificate CN=NAME (EKU clientAuth).")
            private String client;

            @Option(names = "--server", required = true, paramLabel = "NAME", description = "Server certificate CN=NAME (EKU serverAuth).")
            private String server;
        }

        @Override
        public Integer call() {
            if (kind.server != null && !spiffeIds.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--spiffe applies to --client only");
            }
            if (kind.client != null && !ipAddresses.isEmpty()) {
                throw new ParameterException(spec.commandLine(), "--ip applies to --server only");
            }
            return report(spec, () -> {
                DevCa ca = DevCa.open(dir);
                KeyType keyType = rsa ? KeyType.RSA_2048 : KeyType.EC_P256;
                Path certFile = kind.client != null
                        ? ca.issueClient(kind.client, spiffeIds, dnsNames, days, keyType)
                        : ca.issueServer(kind.server, dnsNames, ipAddresses, days, keyType);
                String name = kind.client != null ? kind.client : kind.server;
                X509Certificate cert = PemFiles.readCertificates(certFile).get(0);
                PrintWriter out = spec.commandLine().getOut();
                out.printf("Issued %s certificate %s%n", kind.client != null ? "client" : "server",
                        DnFormat.rfc2253(cert.getSubjectX500Principal()));
                out.printf("  certificate: %s%n", certFile);
                out.printf("  private key: %s  (owner-only)%n", certFile.resolveSibling(name + ".key"));
                out.printf("  SANs:        %s%n", subjectAltNames(cert));
                out.printf("  serial:      %s%n", hex(cert.getSerialNumber()));
                out.printf("  expires:     %s%n", cert.getNotAfter().toInstant());
                out.printf("  issuer:      %s (%s)%n", DnFormat.rfc2253(cert.getIssuerX500Principal()), ca.caCertificate());
            });
        }
    }

    /** {@code pki revoke --dir DIR CERT.pem}. */
    @Command(name = "revoke", mixinStandardHelpOptions = true,
            description = "Record a certificate this CA issued as revoked; publish with pki crl.")
    static final class Revoke implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder of the CA (see pki init).")
        private Path dir;

        @Parameters(paramLabel = "CERT.pem", description = "The certificate to revoke (its first certificate).")
        private Path certFile;

        @Override
        public Integer call() {
            return report(spec, () -> {
                DevCa ca = DevCa.open(dir);
                X509Certificate cert = PemFiles.readCertificates(certFile).get(0);
                boolean already = ca.revokedSerials().contains(cert.getSerialNumber());
                ca.revoke(certFile);
                PrintWriter out = spec.commandLine().getOut();
                out.printf("%s serial %s (%s)%n", already ? "Already revoked:" : "Revoked",
                        hex(cert.getSerialNumber()), DnFormat.rfc2253(cert.getSubjectX500Principal()));
                if (PemFiles.readCrls(ca.crl()).get(0).getRevokedCertificate(cert.getSerialNumber()) != null) {
                    out.printf("%s already lists it.%n", ca.crl());
                } else {
                    // Revocation only takes effect once a CRL lists it; forgetting that is the usual mistake.
                    out.printf("%s does not list it yet: run `mtls-gateway pki crl --dir %s` to publish.%n",
                            ca.crl(), dir);
                }
            });
        }
    }

    /** {@code pki crl --dir DIR [--days N]}. */
    @Command(name = "crl", mixinStandardHelpOptions = true,
            description = "Re-issue DIR/ca.crl listing every revoked certificate, with the next CRL number.")
    static final class Crl implements Callable<Integer> {
        @Spec
        private CommandSpec spec;

        @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder of the CA (see pki init).")
        private Path dir;

        @Option(names = "--days", paramLabel = "N",
                description = "Days until nextUpdate; re-run before then (default: ${DEFAULT-VALUE}).")
        private int days = (int) DevCa.DEFAULT_CRL_VALIDITY.toDays();

        @Override
        public Integer call() {
            return report(spec, () -> {
                if (days < 1) {
                    throw new IllegalArgumentException("--days: " + days + " (expected: > 0)");
                }
                DevCa ca = DevCa.open(dir);
                Path file = ca.writeCrl(Duration.ofDays(days));
                X509CRL crl = PemFiles.readCrls(file).get(0);
                Collection<?> entries = crl.getRevokedCertificates();
                PrintWriter out = spec.commandLine().getOut();
                out.printf("Wrote CRL %s%n", file);
                out.printf("  revoked:     %d certificate(s)%n", entries == null ? 0 : entries.size());
                out.printf("  CRL number:  %s%n", CrlIssuer.crlNumber(crl));
                out.printf("  next update: %s  (re-run before then)%n", crl.getNextUpdate().toInstant());
            });
        }
    }

    private interface Action {
        void run() throws IOException;
    }

    /** Runs a subcommand's action, turning its failure into one line on stderr and an exit code. */
    private static int report(CommandSpec spec, Action action) {
        try {
            action.run();
            spec.commandLine().getOut().flush();
            return 0;
        } catch (IllegalArgumentException e) {
            return fail(spec, e.getMessage(), Main.EXIT_USAGE);
        } catch (NoSuchFileException e) {
            // Usually a mistyped --dir or CERT.pem: the command line can fix it, so it is usage.
            String reason = e.getReason();
            return fail(spec, e.getFile() + (reason != null ? ": " + reason : ": not found"), Main.EXIT_USAGE);
        } catch (IOException e) {
            return fail(spec, e.getMessage(), Main.EXIT_REJECTED);
        }
    }

    private static int fail(CommandSpec spec, String message, int exitCode) {
        PrintWriter err = spec.commandLine().getErr();
        err.printf("%s: %s%n", spec.qualifiedName(" "), message);
        err.flush();
        return exitCode;
    }

    private static String hex(BigInteger serial) {
        return serial.toString(16);
    }

    private static String subjectAltNames(X509Certificate cert) throws IOException {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return "(none)";
            }
            List<String> shown = new ArrayList<>();
            for (List<?> name : names) {
                String kind = switch ((Integer) name.get(0)) {
                    case 2 -> "DNS";
                    case 6 -> "URI";
                    case 7 -> "IP";
                    default -> "other";
                };
                shown.add(kind + ":" + name.get(1));
            }
            return String.join(", ", shown);
        } catch (CertificateParsingException e) {
            throw new IOException("cannot read the SANs of " + DnFormat.rfc2253(cert.getSubjectX500Principal()), e);
        }
    }
}
