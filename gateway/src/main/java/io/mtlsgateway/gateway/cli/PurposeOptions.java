package io.mtlsgateway.gateway.cli;

import io.mtlsgateway.config.ServerName;
import io.mtlsgateway.gateway.verify.ClientVerifier;
import io.mtlsgateway.gateway.verify.ClientVerifierBuilder;
import io.mtlsgateway.gateway.verify.Purpose;
import io.mtlsgateway.gateway.verify.ServerVerifier;
import io.mtlsgateway.gateway.verify.Verdict;
import java.security.cert.X509Certificate;
import java.util.List;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code verify}'s options for whom the chain is judged: a client as a listener judges it, or a
 * server as the gateway judges an upstream ({@code --purpose server}, with {@code --name}).
 */
final class PurposeOptions {
    @Spec(Spec.Target.MIXEE)
    private CommandSpec spec;

    @Option(names = "--purpose", paramLabel = "client|server", defaultValue = "client",
            description = "Judge the chain as a listener judges a client (default), or as the gateway judges an"
                    + " upstream: EKU serverAuth, CA/Browser Forum leaf profile.")
    private String purpose;

    @Option(names = "--name", paramLabel = "HOST|IP",
            description = "With --purpose server: the name the gateway connects to (an upstream's serverName);"
                    + " checked against the DNS and IP subjectAltNames (RFC 9525).")
    private String name;

    @Option(names = "--require-eku",
            description = "With --purpose client: refuse a leaf without extended key usage (a listener's"
                    + " requireEku: true).")
    private boolean requireEku;

    /** The purpose asked for; a bad value or a mismatched option is a usage error. */
    Purpose purpose() {
        Purpose chosen = switch (purpose) {
            case "client" -> Purpose.CLIENT;
            case "server" -> Purpose.SERVER;
            default -> throw new ParameterException(spec.commandLine(), "--purpose: " + purpose
                    + " (expected: client or server)");
        };
        if (name != null && chosen != Purpose.SERVER) {
            throw new ParameterException(spec.commandLine(), "--name applies to --purpose server only");
        }
        if (requireEku && chosen != Purpose.CLIENT) {
            throw new ParameterException(spec.commandLine(), "--require-eku applies to --purpose client only"
                    + " (a server leaf always needs EKU serverAuth)");
        }
        return chosen;
    }

    /** The name to check, parsed; a bad one is a usage error. */
    ServerName serverName() {
        if (name == null) {
            return null;
        }
        try {
            return ServerName.parse(name);
        } catch (IllegalArgumentException e) {
            throw new ParameterException(spec.commandLine(), "--name: " + e.getMessage());
        }
    }

    /** Applies the purpose to a verifier being built. */
    ClientVerifierBuilder configure(ClientVerifierBuilder builder) {
        return builder.purpose(purpose()).requireEku(requireEku);
    }

    /** The verdict: the chain, then for a server with {@code --name} the name. */
    Verdict verify(ClientVerifier verifier, List<X509Certificate> presented) {
        ServerName expected = serverName();
        if (verifier.purpose() == Purpose.SERVER && expected != null) {
            return ServerVerifier.checkingNames(verifier).verify(presented, expected);
        }
        return verifier.verify(presented);
    }
}
