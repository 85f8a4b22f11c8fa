package io.mtlsgateway.gateway.cli;

import io.mtlsgateway.config.OcspMode;
import io.mtlsgateway.gateway.Json;
import io.mtlsgateway.gateway.identity.DnFormat;
import io.mtlsgateway.gateway.identity.PeerIdentity;
import io.mtlsgateway.gateway.tls.PemFiles;
import io.mtlsgateway.gateway.tls.UnparseableCertificateException;
import io.mtlsgateway.gateway.verify.ClientVerifier;
import io.mtlsgateway.gateway.verify.ClientVerifierBuilder;
import io.mtlsgateway.gateway.verify.Purpose;
import io.mtlsgateway.gateway.verify.HandshakeReason;
import io.mtlsgateway.gateway.verify.Verdict;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Instant;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code mtls-gateway verify}: runs the proxy's own client verifier on files, to answer "why was
 * this client refused?" (or, with {@code --purpose server}, "why does the gateway refuse this
 * upstream?"). Exit codes: 0 accepted (prints the identity as JSON), 1 rejected (prints the reason
 * and what to do; a certificate that cannot be parsed is rejected as {@code malformed}, as in a
 * handshake), 2 bad usage or an unreadable file.
 */
@Command(
        name = "verify",
        mixinStandardHelpOptions = true,
        description = {
            "Verify a client certificate (or with --purpose server an upstream's) exactly as the gateway would,"
                    + " offline.",
            "Prints the client's identity as JSON and exits 0, or prints why it is rejected and exits 1."
        })
public final class VerifyCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--trust", required = true, paramLabel = "CA.pem",
            description = "Trust anchors: the listener's clientCa file (CA certificates only).")
    private Path trust;

    @Option(names = "--intermediates", paramLabel = "FILE",
            description = "Intermediate CA certificates, used as if the client had sent them.")
    private Path intermediates;

    @Option(names = "--crl", paramLabel = "FILE", description = "CRL file, PEM or DER; repeatable.")
    private List<Path> crls = new ArrayList<>();

    @Option(names = "--ocsp", paramLabel = "MODE", defaultValue = "off",
            description = "off, soft-fail or hard-fail (default: ${DEFAULT-VALUE}); asks the responder in the"
                    + " certificate's AIA.")
    private String ocsp;

    @Option(names = "--at", paramLabel = "ISO-8601",
            description = "Validation time, e.g. 2030-01-31T12:00:00Z or 2030-01-31 (default: now).")
    private String at;

    @Option(names = "--verify-depth", paramLabel = "N", defaultValue = "4",
            description = "Most intermediates between leaf and anchor (default: ${DEFAULT-VALUE}).")
    private int verifyDepth;

    @Mixin
    private PurposeOptions purpose;

    @Parameters(index = "0", paramLabel = "CERT.pem",
            description = "The client certificate, optionally followed by the intermediates the client sends.")
    private Path certificate;

    @Override
    public Integer call() {
        OcspMode mode = ocspMode();
        Instant time = validationTime();
        if (verifyDepth < 0) {
            throw new ParameterException(spec.commandLine(), "--verify-depth: " + verifyDepth + " (expected: >= 0)");
        }
        Purpose judged = purpose.purpose();
        if (judged == Purpose.SERVER && mode != OcspMode.OFF) {
            throw new ParameterException(spec.commandLine(), "--ocsp applies to --purpose client only (the gateway"
                    + " checks upstream certificates against CRLs)");
        }
        PrintWriter out = spec.commandLine().getOut();
        ClientVerifier verifier;
        List<X509Certificate> presented;
        try {
            try {
                presented = PemFiles.readCertificates(certificate);
            } catch (UnparseableCertificateException e) {
                // What a handshake would say of the same bytes: a rejection, not a usage error.
                return rejected(out, new Verdict.Rejected(HandshakeReason.MALFORMED, e.getMessage()), judged, time);
            }
            List<X509Certificate> anchors = PemFiles.readCertificates(trust);
            ClientVerifierBuilder builder = purpose.configure(ClientVerifier.builder(anchors).crlFiles(crls)
                    .ocsp(mode).verifyDepth(verifyDepth).clock(Clock.fixed(time, ZoneOffset.UTC)));
            if (intermediates != null) {
                builder.intermediates(PemFiles.readCertificates(intermediates));
            }
            try {
                verifier = builder.build();
            } catch (GeneralSecurityException e) {
                return fail(trust + ": " + e.getMessage());
            }
        } catch (NoSuchFileException e) {
            return fail(e.getFile() + ": not found");
        } catch (IOException e) {
            return fail(e.getMessage());
        }
        Verdict verdict = purpose.verify(verifier, presented);
        if (verdict instanceof Verdict.Rejected rejected) {
            return rejected(out, rejected, judged, time);
        }
        Verdict.Accepted accepted = (Verdict.Accepted) verdict;
        out.println(json(accepted.identity(), accepted));
        out.flush();
        return 0;
    }

    private static int rejected(PrintWriter out, Verdict.Rejected rejected, Purpose judged, Instant time) {
        out.printf("rejected: %s: %s. What to do: %s.%n", rejected.reason().label(), rejected.detail(),
                judged.advice(rejected.reason()));
        out.printf("(a TLS %s would receive the alert %s; validation time %s)%n",
                judged == Purpose.CLIENT ? "client" : "server", rejected.reason().alert(), time);
        out.flush();
        return Main.EXIT_REJECTED;
    }

    private OcspMode ocspMode() {
        for (OcspMode mode : OcspMode.values()) {
            if (mode.yamlName().equals(ocsp)) {
                return mode;
            }
        }
        throw new ParameterException(spec.commandLine(), "--ocsp: " + ocsp + " (expected: off, soft-fail or hard-fail)");
    }

    private Instant validationTime() {
        if (at == null) {
            return Instant.now();
        }
        try {
            return OffsetDateTime.parse(at).toInstant();
        } catch (DateTimeParseException notDateTime) {
            try {
                return LocalDate.parse(at).atStartOfDay(ZoneOffset.UTC).toInstant();
            } catch (DateTimeParseException e) {
                throw new ParameterException(spec.commandLine(), "--at: " + at
                        + " (expected: ISO-8601 such as 2030-01-31T12:00:00Z or 2030-01-31)");
            }
        }
    }

    private int fail(String message) {
        PrintWriter err = spec.commandLine().getErr();
        err.printf("verify: %s%n", message);
        err.flush();
        return Main.EXIT_USAGE;
    }

    private static String json(PeerIdentity id, Verdict.Accepted accepted) {
        List<String> chain = new ArrayList<>();
        accepted.path().forEach(cert -> chain.add(DnFormat.rfc2253(cert.getSubjectX500Principal())));
        chain.add(DnFormat.rfc2253(accepted.anchor().getSubjectX500Principal()));
        return "{\n"
                + "  \"subject\": " + Json.quote(id.subject()) + ",\n"
                + "  \"issuer\": " + Json.quote(id.issuer()) + ",\n"
                + "  \"serial\": " + Json.quote(id.serial()) + ",\n"
                + "  \"fingerprint\": " + Json.quote(id.fingerprint()) + ",\n"
                + "  \"spiffe\": " + id.spiffe().map(Json::quote).orElse("null") + ",\n"
                + "  \"sanDns\": " + array(id.sanDns()) + ",\n"
                + "  \"sanUri\": " + array(id.sanUri()) + ",\n"
                + "  \"sanEmail\": " + array(id.sanEmail()) + ",\n"
                + "  \"notBefore\": " + Json.quote(id.notBefore().toString()) + ",\n"
                + "  \"notAfter\": " + Json.quote(id.notAfter().toString()) + ",\n"
                + "  \"chain\": " + array(chain) + "\n"
                + "}";
    }

    private static String array(List<String> values) {
        return values.stream().map(Json::quote).collect(Collectors.joining(", ", "[", "]"));
    }
}
