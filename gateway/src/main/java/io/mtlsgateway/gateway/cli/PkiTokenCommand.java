package io.mtlsgateway.gateway.cli;

import io.mtlsgateway.config.Durations;
import io.mtlsgateway.gateway.pki.DevCa;
import io.mtlsgateway.gateway.pki.DevTokenIssuer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code pki token}: a development access token from the dev CA's token key. The token alone goes
 * to standard output (for {@code TOKEN=$(...)}); what it says goes to standard error.
 */
@Command(name = "token", mixinStandardHelpOptions = true,
        description = {"Sign a development JWT (ES256) with DIR/token.key, created on first use with its public"
                + " JWKS DIR/token-jwks.json; bound to the client's certificate (RFC 8705) unless --unbound.",
                "Issuer: " + DevTokenIssuer.ISSUER})
final class PkiTokenCommand implements Callable<Integer> {
    @Spec
    private CommandSpec spec;

    @Option(names = "--dir", required = true, paramLabel = "DIR", description = "Folder of the CA (see pki init).")
    private Path dir;

    @Option(names = "--client", required = true, paramLabel = "NAME",
            description = "The client (DIR/NAME.pem) the token is bound to; also its client_id claim.")
    private String client;

    @Option(names = "--sub", required = true, paramLabel = "USER", description = "The sub claim: who the user is.")
    private String subject;

    @Option(names = "--scope", paramLabel = "S", description = "A scope; repeatable (joined with spaces).")
    private List<String> scopes = new ArrayList<>();

    @Option(names = "--unbound", description = "No cnf claim: the token is usable with any certificate.")
    private boolean unbound;

    @Option(names = "--ttl", paramLabel = "DURATION", description = "Lifetime, such as 10m or 1h (default: 10m).")
    private String ttl = "10m";

    @Option(names = "--audience", paramLabel = "AUD", description = "The aud claim (default: ${DEFAULT-VALUE}).")
    private String audience = DevTokenIssuer.DEFAULT_AUDIENCE;

    @Override
    public Integer call() {
        PrintWriter err = spec.commandLine().getErr();
        try {
            Duration lifetime = Durations.parse(ttl);
            DevTokenIssuer issuer = DevTokenIssuer.of(DevCa.open(dir));
            DevTokenIssuer.Issued issued = issuer.issue(new DevTokenIssuer.Request(client, subject,
                    scopes.isEmpty() ? Optional.empty() : Optional.of(String.join(" ", scopes)), !unbound, lifetime,
                    audience));
            spec.commandLine().getOut().println(issued.token());
            spec.commandLine().getOut().flush();
            err.printf("Signed a token for sub %s, client %s, aud %s, expires %s%n", subject, client, audience,
                    issued.expires());
            err.printf("  bound to:  %s%n", issued.thumbprint().map(t -> "cnf.x5t#S256 " + t + " (" + client + ".pem)")
                    .orElse("nothing (--unbound)"));
            err.printf("  key:       kid %s; public keys in %s (jwks: { file: ... })%n", issued.keyId(), issued.jwks());
            err.flush();
            return 0;
        } catch (IllegalArgumentException e) {
            return fail(err, e.getMessage(), Main.EXIT_USAGE);
        } catch (NoSuchFileException e) {
            return fail(err, e.getFile() + (e.getReason() != null ? ": " + e.getReason() : ": not found"),
                    Main.EXIT_USAGE);
        } catch (IOException e) {
            return fail(err, e.getMessage(), Main.EXIT_REJECTED);
        }
    }

    private int fail(PrintWriter err, String message, int code) {
        err.printf("%s: %s%n", spec.qualifiedName(" "), message);
        err.flush();
        return code;
    }
}
