package io.mtlsgateway.gateway.jwt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.nimbusds.jose.EncryptionMethod;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWEAlgorithm;
import com.nimbusds.jose.JWEHeader;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.RSAEncrypter;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.EncryptedJWT;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.PlainJWT;
import com.nimbusds.jwt.SignedJWT;
import io.mtlsgateway.config.CertificateBinding;
import io.mtlsgateway.config.JwksSource;
import io.mtlsgateway.config.JwtIssuerConfig;
import io.mtlsgateway.gateway.pki.CertificateBuilder;
import io.mtlsgateway.gateway.pki.IssuedCertificate;
import io.mtlsgateway.gateway.testing.TestIssuer;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TokenValidatorTest {
    private static IssuedCertificate ca;
    private static X509Certificate app;
    private static X509Certificate otherApp;
    private static TestIssuer es256;

    @BeforeAll
    static void pki() {
        ca = new CertificateBuilder().subject("CN=test CA").ca(-1).selfSigned();
        app = new CertificateBuilder().subject("CN=mobile-app").forClient().signedBy(ca).certificate();
        otherApp = new CertificateBuilder().subject("CN=other-app").forClient().signedBy(ca).certificate();
        es256 = TestIssuer.create("ES256", "k1");
    }

    private static JwtIssuerConfig config(CertificateBinding binding, Optional<String> typ, List<String> algorithms) {
        return new JwtIssuerConfig("bank-idp", TestIssuer.ISSUER, List.of(TestIssuer.AUDIENCE, "ledger"),
                new JwksSource.File(Path.of("unused.json")), algorithms, Duration.ofSeconds(60), binding,
                Map.of("X-User-Id", "sub", "X-Roles", "roles"), typ, JwtIssuerConfig.DEFAULT_MAX_TOKEN_SIZE, true);
    }

    private static TokenValidator validator(TestIssuer... issuers) {
        return validator(CertificateBinding.REQUIRED, issuers);
    }

    private static TokenValidator validator(CertificateBinding binding, TestIssuer... issuers) {
        return new TokenValidator(config(binding, Optional.empty(), JwtIssuerConfig.DEFAULT_ALGORITHMS),
                KeySource.of(keys(issuers)), Set.of("tenant"));
    }

    private static KeySet keys(TestIssuer... issuers) {
        try {
            TestIssuer[] rest = java.util.Arrays.copyOfRange(issuers, 1, issuers.length);
            return KeySet.parse(issuers[0].jwks(rest));
        } catch (KeySetException e) {
            throw new AssertionError(e);
        }
    }

    private static JWTClaimsSet.Builder bound() {
        return TestIssuer.boundTo(TestIssuer.validClaims(), app);
    }

    private static TokenVerdict check(TokenValidator validator, String token) {
        return validator.validate(token, Optional.of(TestIssuer.sha256(app)), Instant.now());
    }

    private static TokenVerdict.Refused refused(TokenVerdict verdict, JwtRejection reason) {
        TokenVerdict.Refused refused = assertInstanceOf(TokenVerdict.Refused.class, verdict);
        assertEquals(reason, refused.reason(), refused.detail());
        return refused;
    }

    private static VerifiedToken accepted(TokenVerdict verdict) {
        if (verdict instanceof TokenVerdict.Refused refused) {
            throw new AssertionError("refused: " + refused.reason() + " " + refused.detail());
        }
        return ((TokenVerdict.Accepted) verdict).token();
    }

    @ParameterizedTest
    @ValueSource(strings = {"ES256", "RS256", "PS256", "EdDSA"})
    void acceptsABoundTokenSignedWithEachDefaultAlgorithm(String algorithm) {
        TestIssuer issuer = TestIssuer.create(algorithm, "key-" + algorithm);
        VerifiedToken token = accepted(check(validator(issuer), issuer.sign(bound().claim("roles", List.of("a", "b"))
                .claim("tenant", "bank").build())));
        assertEquals(Optional.of("alice"), token.subject());
        assertEquals(Optional.of("token-1"), token.id());
        assertEquals(Optional.of("alice"), token.text("sub"));
        assertEquals(Optional.of("a,b"), token.text("roles"));
        assertEquals(Optional.of("bank"), token.text("tenant"));
    }

    @Test
    void refusesAnEncryptedTokenWithoutDecryptingIt() throws Exception {
        RSAKey rsa = new com.nimbusds.jose.jwk.gen.RSAKeyGenerator(2048).generate();
        EncryptedJWT jwe = new EncryptedJWT(new JWEHeader(JWEAlgorithm.RSA_OAEP_256, EncryptionMethod.A128GCM),
                bound().build());
        jwe.encrypt(new RSAEncrypter(rsa.toRSAPublicKey()));
        TokenVerdict.Refused refused = refused(check(validator(es256), jwe.serialize()), JwtRejection.MALFORMED);
        assertTrue(refused.detail().contains("encrypted token (JWE)"), refused.detail());
        assertEquals(Optional.empty(), refused.subject());
    }

    @Test
    void refusesAnUnsignedToken() {
        String token = new PlainJWT(bound().build()).serialize();
        assertTrue(refused(check(validator(es256), token), JwtRejection.MALFORMED).detail().contains("alg none"));
    }

    @Test
    void refusesHmacSignedWithThePublicKeyAsSecret() throws Exception {
        TestIssuer rsa = TestIssuer.create("RS256", "rsa");
        byte[] publicKeyAsSecret = ((RSAKey) rsa.publicJwk()).toRSAPublicKey().getEncoded();
        SignedJWT forged = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.HS256).keyID("rsa").build(), bound().build());
        forged.sign(new MACSigner(publicKeyAsSecret));
        TokenVerdict.Refused refused = refused(check(validator(rsa), forged.serialize()), JwtRejection.BAD_SIGNATURE);
        assertTrue(refused.detail().contains("alg HS256 is not allowed"), refused.detail());
    }

    @Test
    void refusesAnAlgorithmOffTheAllowList() {
        TestIssuer rs384 = TestIssuer.create("RS384", "k384");
        refused(check(validator(rs384), rs384.sign(bound().build())), JwtRejection.BAD_SIGNATURE);
    }

    @Test
    void neverUsesAKeyTheTokenCarries() {
        TestIssuer attacker = TestIssuer.create("ES256", "k1");
        // Same kid as the real key, and the attacker's own public key in the jwk header.
        String token = attacker.sign(bound().build(), header -> header.jwk(attacker.publicJwk())
                .jwkURL(java.net.URI.create("https://attacker.example/jwks"))
                .x509CertURL(java.net.URI.create("https://attacker.example/cert")));
        refused(check(validator(es256), token), JwtRejection.BAD_SIGNATURE);
        TestIssuer stranger = TestIssuer.create("ES256", "attacker-kid");
        TokenVerdict.Refused unknown = refused(check(validator(es256),
                stranger.sign(bound().build(), header -> header.jwk(stranger.publicJwk()))), JwtRejection.UNKNOWN_KEY);
        assertEquals(Optional.of("attacker-kid"), unknown.keyId());
    }

    @ParameterizedTest
    @ValueSource(strings = {"ES256", "RS256", "PS256", "EdDSA"})
    void refusesATamperedPayload(String algorithm) {
        TestIssuer issuer = TestIssuer.create(algorithm, "key-" + algorithm);
        String token = issuer.sign(bound().build());
        String[] parts = token.split("\\.");
        String other = issuer.sign(TestIssuer.boundTo(TestIssuer.validClaims().subject("mallory"), app).build());
        String spliced = parts[0] + "." + other.split("\\.")[1] + "." + parts[2];
        refused(check(validator(issuer), spliced), JwtRejection.BAD_SIGNATURE);
    }

    @Test
    void refusesATokenOverTheSizeCapBeforeParsingIt() {
        String huge = es256.sign(bound().claim("padding", "x".repeat(9000)).build());
        assertTrue(refused(check(validator(es256), huge), JwtRejection.MALFORMED).detail().contains("maxTokenSize"));
        refused(check(validator(es256), "not a token"), JwtRejection.MALFORMED);
        refused(check(validator(es256), "a.b.c"), JwtRejection.MALFORMED);
    }

    @Test
    void requiresExpAndHonoursTheSkew() {
        Instant now = Instant.now();
        TokenValidator validator = validator(es256);
        TokenVerdict.Refused noExp = refused(check(validator, es256.sign(bound().expirationTime(null).build())),
                JwtRejection.MALFORMED);
        assertEquals(Optional.of("alice"), noExp.subject());
        refused(check(validator, es256.sign(bound().expirationTime(Date.from(now.minusSeconds(120))).build())),
                JwtRejection.EXPIRED);
        accepted(check(validator, es256.sign(bound().expirationTime(Date.from(now.minusSeconds(30))).build())));
        refused(check(validator, es256.sign(bound().notBeforeTime(Date.from(now.plusSeconds(120))).build())),
                JwtRejection.NOT_YET_VALID);
        accepted(check(validator, es256.sign(bound().notBeforeTime(Date.from(now.plusSeconds(30))).build())));
        refused(check(validator, es256.sign(bound().issueTime(Date.from(now.plusSeconds(300))).build())),
                JwtRejection.NOT_YET_VALID);
    }

    @Test
    void comparesIssuerAndAudienceExactly() {
        TokenValidator validator = validator(es256);
        refused(check(validator, es256.sign(bound().issuer(TestIssuer.ISSUER + "/").build())), JwtRejection.WRONG_ISSUER);
        refused(check(validator, es256.sign(bound().issuer(null).build())), JwtRejection.WRONG_ISSUER);
        refused(check(validator, es256.sign(bound().audience("payments-api-2").build())), JwtRejection.WRONG_AUDIENCE);
        refused(check(validator, es256.sign(bound().audience((String) null).build())), JwtRejection.WRONG_AUDIENCE);
        accepted(check(validator, es256.sign(bound().audience(List.of("other", "ledger")).build())));
    }

    @Test
    void checksTypWhenConfigured() {
        TokenValidator validator = new TokenValidator(config(CertificateBinding.REQUIRED, Optional.of("at+jwt"),
                JwtIssuerConfig.DEFAULT_ALGORITHMS), KeySource.of(keys(es256)), Set.of());
        refused(check(validator, es256.sign(bound().build())), JwtRejection.MALFORMED);
        accepted(check(validator, es256.sign(bound().build(),
                h -> h.type(new JOSEObjectType("application/AT+JWT")))));
    }

    @Test
    void requiredBindingRefusesUnboundAndOtherCertificates() {
        TokenValidator validator = validator(es256);
        refused(check(validator, es256.sign(TestIssuer.validClaims().build())), JwtRejection.UNBOUND);
        String stolen = es256.sign(TestIssuer.boundTo(TestIssuer.validClaims(), otherApp).build());
        TokenVerdict.Refused mismatch = refused(check(validator, stolen), JwtRejection.BINDING_MISMATCH);
        assertTrue(mismatch.detail().contains("another certificate"), mismatch.detail());
        refused(validator.validate(es256.sign(bound().build()), Optional.empty(), Instant.now()),
                JwtRejection.BINDING_MISMATCH);
    }

    @Test
    void aHexDigestWhereBase64urlBelongsIsAMismatchAndSaysSo() {
        String hex = HexFormat.of().formatHex(TestIssuer.sha256(app));
        String token = es256.sign(TestIssuer.validClaims().claim("cnf", Map.of("x5t#S256", hex)).build());
        TokenVerdict.Refused refused = refused(check(validator(es256), token), JwtRejection.BINDING_MISMATCH);
        assertTrue(refused.detail().contains("as hex; RFC 8705 requires base64url"), refused.detail());
        String padded = es256.sign(TestIssuer.validClaims()
                .claim("cnf", Map.of("x5t#S256", TestIssuer.thumbprint(app) + "=")).build());
        assertTrue(refused(check(validator(es256), padded), JwtRejection.BINDING_MISMATCH).detail().contains("padding"));
    }

    @Test
    void ifPresentChecksOnlyBoundTokensAndOffChecksNone() {
        TokenValidator ifPresent = validator(CertificateBinding.IF_PRESENT, es256);
        accepted(check(ifPresent, es256.sign(TestIssuer.validClaims().build())));
        refused(check(ifPresent, es256.sign(TestIssuer.boundTo(TestIssuer.validClaims(), otherApp).build())),
                JwtRejection.BINDING_MISMATCH);
        accepted(check(validator(CertificateBinding.OFF, es256),
                es256.sign(TestIssuer.boundTo(TestIssuer.validClaims(), otherApp).build())));
    }

    @Test
    void refusesClaimsAHeaderCannotCarry() {
        TokenValidator validator = validator(es256);
        TokenVerdict.Refused crlf = refused(check(validator, es256.sign(bound().subject("alice\r\nX-Admin: 1").build())),
                JwtRejection.MALFORMED);
        assertTrue(crlf.detail().contains("CR or LF"), crlf.detail());
        refused(check(validator, es256.sign(bound().claim("tenant", "ba\u0000nk").build())), JwtRejection.MALFORMED);
        refused(check(validator, es256.sign(bound().claim("roles", List.of("a", Map.of("b", 1))).build())),
                JwtRejection.MALFORMED);
        // A claim nobody forwards may hold anything.
        accepted(check(validator, es256.sign(bound().claim("note", "line1\nline2").build())));
    }

    @Test
    void withoutKeysAnswersJwksUnavailable() {
        TokenValidator validator = new TokenValidator(config(CertificateBinding.REQUIRED, Optional.empty(),
                JwtIssuerConfig.DEFAULT_ALGORITHMS), Optional::empty, Set.of());
        refused(check(validator, es256.sign(bound().build())), JwtRejection.JWKS_UNAVAILABLE);
    }

    @Test
    void anUnknownKidAsksTheSourceOnceAndUsesWhatItFetched() {
        TestIssuer rotated = TestIssuer.create("ES256", "k2");
        AtomicReference<KeySet> current = new AtomicReference<>(keys(es256));
        int[] refreshes = {0};
        KeySource source = new KeySource() {
            @Override
            public Optional<KeySet> keys() {
                return Optional.of(current.get());
            }

            @Override
            public java.util.concurrent.CompletableFuture<Void> refreshForUnknownKey() {
                refreshes[0]++;
                current.set(TokenValidatorTest.keys(es256, rotated));
                return java.util.concurrent.CompletableFuture.completedFuture(null);
            }
        };
        TokenValidator validator = new TokenValidator(config(CertificateBinding.REQUIRED, Optional.empty(),
                JwtIssuerConfig.DEFAULT_ALGORITHMS), source, Set.of());
        TokenVerdict verdict = validator.validateFollowingRotation(rotated.sign(bound().build()),
                Optional.of(TestIssuer.sha256(app)), Instant::now).join();
        accepted(verdict);
        assertEquals(1, refreshes[0]);
        accepted(validator.validateFollowingRotation(es256.sign(bound().build()),
                Optional.of(TestIssuer.sha256(app)), Instant::now).join());
        assertEquals(1, refreshes[0]);
    }
}
