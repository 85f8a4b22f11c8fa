package io.mtlsgateway.gateway.pki;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.mtlsgateway.gateway.identity.DnFormat;
import io.mtlsgateway.gateway.tls.PemFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Signs development access tokens (ES256 JWTs) with a token key kept next to the dev CA
 * ({@code token.key}, owner-only), and publishes its public half as {@code token-jwks.json}, the
 * file a route file's {@code jwks: { file: ... }} points at. Bound by default to a client
 * certificate of the CA (RFC 8705 {@code cnf.x5t#S256}). For development and tests, never production.
 */
public final class DevTokenIssuer {
    public static final String TOKEN_KEY = "token.key";
    public static final String JWKS_FILE = "token-jwks.json";
    /** The {@code iss} of every dev token: what the route file's {@code jwt.*.issuer} must say. */
    public static final String ISSUER = "https://dev-ca.mtls-gateway.invalid";
    public static final String DEFAULT_AUDIENCE = "mtls-gateway";
    public static final Duration DEFAULT_TTL = Duration.ofMinutes(10);
    static final Duration MAX_TTL = Duration.ofDays(1);

    /** What one token says. */
    public record Request(String client, String subject, Optional<String> scope, boolean bound, Duration ttl,
            String audience) {
        public Request {
            Objects.requireNonNull(client, "client");
            Objects.requireNonNull(subject, "subject");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(ttl, "ttl");
            Objects.requireNonNull(audience, "audience");
        }
    }

    /** A signed token with what the operator should see about it (never the key). */
    public record Issued(String token, String keyId, Instant expires, Optional<String> thumbprint, Path jwks) {}

    private final Path dir;

    private DevTokenIssuer(Path dir) {
        this.dir = dir;
    }

    /** The token issuer of the dev CA in {@code dir}; the CA must exist (see {@link DevCa#open}). */
    public static DevTokenIssuer of(DevCa ca) {
        return new DevTokenIssuer(ca.dir());
    }

    /**
     * Signs a token, creating the token key and its JWKS on first use.
     *
     * @throws IllegalArgumentException for a bad name, subject or lifetime
     * @throws IOException when the client certificate of a bound token is missing
     */
    public Issued issue(Request request) throws IOException {
        NameChecks.certificateName(request.client());
        if (request.subject().isBlank() || !printable(request.subject())) {
            throw new IllegalArgumentException("--sub: '" + request.subject() + "' (expected: printable ASCII)");
        }
        if (request.scope().isPresent() && !printable(request.scope().get())) {
            throw new IllegalArgumentException("--scope: not printable ASCII");
        }
        if (request.ttl().isZero() || request.ttl().isNegative() || request.ttl().compareTo(MAX_TTL) > 0) {
            throw new IllegalArgumentException("--ttl: " + request.ttl() + " (expected: more than 0, at most 24h)");
        }
        Optional<String> thumbprint = Optional.empty();
        if (request.bound()) {
            Path certFile = dir.resolve(request.client() + ".pem");
            if (!Files.isRegularFile(certFile)) {
                throw new java.nio.file.NoSuchFileException(certFile.toString(), null, "not found; issue it first"
                        + " (mtls-gateway pki issue --dir " + dir + " --client " + request.client()
                        + "), or pass --unbound");
            }
            thumbprint = Optional.of(thumbprint(PemFiles.readCertificates(certFile).get(0)));
        }
        ECKey key = key();
        Instant now = Instant.now();
        Instant expires = now.plus(request.ttl());
        JWTClaimsSet.Builder claims = new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(request.audience())
                .subject(request.subject())
                .claim("client_id", request.client())
                .jwtID(UUID.randomUUID().toString())
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expires));
        request.scope().ifPresent(scope -> claims.claim("scope", scope));
        thumbprint.ifPresent(t -> claims.claim("cnf", Map.of("x5t#S256", t)));
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256).keyID(key.getKeyID())
                .type(new JOSEObjectType("at+jwt")).build(), claims.build());
        try {
            jwt.sign(new ECDSASigner(key));
        } catch (JOSEException e) {
            throw new IOException("cannot sign with " + dir.resolve(TOKEN_KEY) + ": " + e.getMessage(), e);
        }
        return new Issued(jwt.serialize(), key.getKeyID(), expires, thumbprint, dir.resolve(JWKS_FILE));
    }

    /** RFC 8705 section 3.1: base64url, no padding, of SHA-256 over the certificate's DER. */
    public static String thumbprint(X509Certificate certificate) throws IOException {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot hash " + DnFormat.rfc2253(certificate.getSubjectX500Principal()), e);
        }
    }

    /** The token key, made on first use; its JWKS is (re)written whenever it is missing. */
    private ECKey key() throws IOException {
        Path keyFile = dir.resolve(TOKEN_KEY);
        KeyPair pair;
        if (Files.isRegularFile(keyFile)) {
            PrivateKey privateKey = PemFiles.readPrivateKey(keyFile);
            if (!(privateKey instanceof ECPrivateKey ec)) {
                throw new IOException(keyFile + ": not an EC private key");
            }
            pair = new KeyPair(publicOf(ec), ec);
        } else {
            pair = generate();
            PemFiles.writePrivateKey(keyFile, pair.getPrivate());
        }
        ECKey key;
        try {
            ECKey unnamed = new ECKey.Builder(Curve.P_256, (ECPublicKey) pair.getPublic()).build();
            // The RFC 7638 thumbprint: the same key always gets the same kid.
            key = new ECKey.Builder(Curve.P_256, (ECPublicKey) pair.getPublic())
                    .privateKey((ECPrivateKey) pair.getPrivate())
                    .keyID(unnamed.computeThumbprint().toString())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .build();
        } catch (JOSEException e) {
            throw new IOException("cannot use " + keyFile + ": " + e.getMessage(), e);
        }
        Path jwks = dir.resolve(JWKS_FILE);
        String published = new JWKSet(key.toPublicJWK()).toString(true) + "\n";
        if (!Files.isRegularFile(jwks) || !Files.readString(jwks, StandardCharsets.UTF_8).equals(published)) {
            // Replaced in one step: a gateway watching the file never reads half of it.
            Path temp = Files.createTempFile(dir, ".token-jwks", ".tmp");
            try {
                Files.writeString(temp, published, StandardCharsets.UTF_8);
                setPublic(temp);
                Files.move(temp, jwks, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(temp);
            }
        }
        return key;
    }

    /** The JWKS is public, and a gateway running as another user must read it. */
    private static void setPublic(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r--r--"));
        } catch (UnsupportedOperationException e) {
            // Not a POSIX file system: its ACLs are the operator's to set.
        }
    }

    private static KeyPair generate() throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            return generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot make a P-256 key: " + e.getMessage(), e);
        }
    }

    /** The public point of a P-256 private key, computed with BouncyCastle. */
    private static ECPublicKey publicOf(ECPrivateKey key) throws IOException {
        try {
            org.bouncycastle.jce.spec.ECNamedCurveParameterSpec curve =
                    org.bouncycastle.jce.ECNamedCurveTable.getParameterSpec("secp256r1");
            org.bouncycastle.math.ec.ECPoint q = curve.getG().multiply(key.getS()).normalize();
            java.security.spec.ECPoint point = new java.security.spec.ECPoint(
                    q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
            return (ECPublicKey) KeyFactory.getInstance("EC")
                    .generatePublic(new java.security.spec.ECPublicKeySpec(point, key.getParams()));
        } catch (GeneralSecurityException e) {
            throw new IOException("cannot read the token key: " + e.getMessage(), e);
        }
    }

    private static boolean printable(String text) {
        return text.chars().allMatch(c -> c >= 0x20 && c < 0x7f);
    }
}
