package io.mtlsgateway.gateway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jwt.SignedJWT;
import io.mtlsgateway.config.CertificateBinding;
import io.mtlsgateway.config.JwksSource;
import io.mtlsgateway.config.JwtIssuerConfig;
import io.mtlsgateway.gateway.jwt.JwksFiles;
import io.mtlsgateway.gateway.jwt.JwtRejection;
import io.mtlsgateway.gateway.jwt.KeySource;
import io.mtlsgateway.gateway.jwt.TokenValidator;
import io.mtlsgateway.gateway.jwt.TokenVerdict;
import io.mtlsgateway.gateway.pki.DevTokenIssuer;
import io.mtlsgateway.gateway.testing.TestIssuer;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code pki token}, driven in-process; its tokens are judged by the gateway's own validator. */
class PkiTokenCommandTest {
    @TempDir
    Path tmp;

    private record Run(int exitCode, String out, String err) {}

    private static Run run(String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int code = Main.commandLine().setOut(new PrintWriter(out)).setErr(new PrintWriter(err)).execute(args);
        Run result = new Run(code, out.toString(), err.toString());
        assertFalse((result.out + result.err).contains("PRIVATE KEY"), "never print a private key");
        assertFalse(result.err.contains("\tat "), "no stack trace: " + result.err);
        return result;
    }

    private Path ca() {
        return tmp.resolve("ca");
    }

    @BeforeEach
    void setUp() {
        assertEquals(0, run("pki", "init", "--dir", ca().toString()).exitCode());
        assertEquals(0, run("pki", "issue", "--dir", ca().toString(), "--client", "app").exitCode());
        assertEquals(0, run("pki", "issue", "--dir", ca().toString(), "--client", "other").exitCode());
    }

    private TokenVerdict validate(String token, String client) throws Exception {
        JwtIssuerConfig config = new JwtIssuerConfig("dev", DevTokenIssuer.ISSUER, List.of("mtls-gateway"),
                new JwksSource.File(ca().resolve(DevTokenIssuer.JWKS_FILE)), List.of("ES256"), Duration.ofSeconds(60),
                CertificateBinding.REQUIRED, Map.of(), Optional.of("at+jwt"), 8192, true);
        TokenValidator validator = new TokenValidator(config,
                KeySource.of(JwksFiles.read(ca().resolve(DevTokenIssuer.JWKS_FILE))), Set.of("scope", "client_id"));
        byte[] leaf = TestIssuer.sha256(PemFiles.readCertificates(ca().resolve(client + ".pem")).get(0));
        return validator.validate(token, Optional.of(leaf), Instant.now());
    }

    @Test
    void signsATokenBoundToTheClientThatTheGatewayAccepts() throws Exception {
        Run token = run("pki", "token", "--dir", ca().toString(), "--client", "app", "--sub", "alice",
                "--scope", "payments:write", "--scope", "payments:read", "--ttl", "5m");
        assertEquals(0, token.exitCode(), token.err());
        String jwt = token.out().trim();
        assertEquals(List.of(jwt), token.out().lines().toList(), "the token alone on stdout");
        assertTrue(token.err().contains("cnf.x5t#S256"), token.err());

        TokenVerdict.Accepted accepted = assertInstanceOf(TokenVerdict.Accepted.class, validate(jwt, "app"));
        assertEquals(Optional.of("alice"), accepted.token().subject());
        assertEquals(Optional.of("payments:write payments:read"), accepted.token().text("scope"));
        assertEquals(Optional.of("app"), accepted.token().text("client_id"));
        Duration ttl = Duration.between(Instant.now(), SignedJWT.parse(jwt).getJWTClaimsSet().getExpirationTime()
                .toInstant());
        assertTrue(ttl.compareTo(Duration.ofMinutes(5)) <= 0 && ttl.compareTo(Duration.ofMinutes(4)) > 0, ttl::toString);

        // The same token over another client's certificate is refused.
        TokenVerdict.Refused stolen = assertInstanceOf(TokenVerdict.Refused.class, validate(jwt, "other"));
        assertEquals(JwtRejection.BINDING_MISMATCH, stolen.reason());
    }

    @Test
    void keepsOneTokenKeyOwnerOnlyAndPublishesItsJwks() throws Exception {
        String first = run("pki", "token", "--dir", ca().toString(), "--client", "app", "--sub", "a").out().trim();
        String second = run("pki", "token", "--dir", ca().toString(), "--client", "app", "--sub", "b").out().trim();
        assertEquals(SignedJWT.parse(first).getHeader().getKeyID(), SignedJWT.parse(second).getHeader().getKeyID());
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(ca().resolve(DevTokenIssuer.TOKEN_KEY))));
        assertEquals(List.of("kid '" + SignedJWT.parse(first).getHeader().getKeyID() + "': EC P-256, alg ES256"),
                JwksFiles.read(ca().resolve(DevTokenIssuer.JWKS_FILE)).describe());
        assertFalse(Files.readString(ca().resolve(DevTokenIssuer.JWKS_FILE)).contains("\"d\""));
    }

    @Test
    void anUnboundTokenHasNoConfirmationClaim() throws Exception {
        Run token = run("pki", "token", "--dir", ca().toString(), "--client", "ghost", "--sub", "alice", "--unbound");
        assertEquals(0, token.exitCode(), token.err());
        assertEquals(null, SignedJWT.parse(token.out().trim()).getJWTClaimsSet().getClaim("cnf"));
        TokenVerdict.Refused refused = assertInstanceOf(TokenVerdict.Refused.class, validate(token.out().trim(), "app"));
        assertEquals(JwtRejection.UNBOUND, refused.reason());
    }

    @Test
    void aMissingClientOrABadLifetimeIsBadUsage() {
        Run missing = run("pki", "token", "--dir", ca().toString(), "--client", "ghost", "--sub", "alice");
        assertEquals(Main.EXIT_USAGE, missing.exitCode());
        assertTrue(missing.err().contains("ghost.pem: not found; issue it first"), missing.err());
        assertEquals("", missing.out());
        Run ttl = run("pki", "token", "--dir", ca().toString(), "--client", "app", "--sub", "alice", "--ttl", "2d");
        assertEquals(Main.EXIT_USAGE, ttl.exitCode());
        assertTrue(ttl.err().contains("bad duration '2d'"), ttl.err());
        Run tooLong = run("pki", "token", "--dir", ca().toString(), "--client", "app", "--sub", "alice", "--ttl", "25h");
        assertEquals(Main.EXIT_USAGE, tooLong.exitCode());
        assertTrue(tooLong.err().contains("at most 24h"), tooLong.err());
    }
}
