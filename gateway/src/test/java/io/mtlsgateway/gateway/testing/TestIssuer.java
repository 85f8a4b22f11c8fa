package io.mtlsgateway.gateway.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A token issuer made in the test: one signing key of a chosen algorithm, its public JWKS, and
 * tokens signed with it. EdDSA keys are the JDK's own (nimbus would need Tink to make them).
 */
public final class TestIssuer {
    public static final String ISSUER = "https://idp.test.example";
    public static final String AUDIENCE = "payments-api";

    private final JWSAlgorithm algorithm;
    private final String keyId;
    private final JWK publicKey;
    private final JWSSigner signer;
    private final PrivateKey edPrivateKey;

    private TestIssuer(JWSAlgorithm algorithm, String keyId, JWK publicKey, JWSSigner signer, PrivateKey edPrivateKey) {
        this.algorithm = algorithm;
        this.keyId = keyId;
        this.publicKey = publicKey;
        this.signer = signer;
        this.edPrivateKey = edPrivateKey;
    }

    /** A fresh key for {@code algorithm} (ES256, ES384, RS256, PS256, EdDSA), named {@code keyId}. */
    public static TestIssuer create(String algorithm, String keyId) {
        JWSAlgorithm alg = JWSAlgorithm.parse(algorithm);
        try {
            if (JWSAlgorithm.Family.EC.contains(alg)) {
                Curve curve = alg.equals(JWSAlgorithm.ES256) ? Curve.P_256
                        : alg.equals(JWSAlgorithm.ES384) ? Curve.P_384 : Curve.P_521;
                ECKey key = new ECKeyGenerator(curve).keyID(keyId).generate();
                return new TestIssuer(alg, keyId, key.toPublicJWK(), new ECDSASigner(key), null);
            }
            if (JWSAlgorithm.Family.RSA.contains(alg)) {
                RSAKey key = new RSAKeyGenerator(2048).keyID(keyId).generate();
                return new TestIssuer(alg, keyId, key.toPublicJWK(), new RSASSASigner(key), null);
            }
            KeyPair pair = KeyPairGenerator.getInstance("Ed25519").generateKeyPair();
            byte[] spki = pair.getPublic().getEncoded();
            byte[] x = Arrays.copyOfRange(spki, spki.length - 32, spki.length);
            OctetKeyPair key = new OctetKeyPair.Builder(Curve.Ed25519, Base64URL.encode(x)).keyID(keyId).build();
            return new TestIssuer(alg, keyId, key, null, pair.getPrivate());
        } catch (JOSEException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String keyId() {
        return keyId;
    }

    /** The public key as one JWK. */
    public JWK publicJwk() {
        return publicKey;
    }

    /** A JWKS document with this issuer's key and {@code others}. */
    public String jwks(TestIssuer... others) {
        List<JWK> keys = new java.util.ArrayList<>(List.of(publicKey));
        for (TestIssuer other : others) {
            keys.add(other.publicKey);
        }
        return new JWKSet(keys).toString(true);
    }

    /** Claims valid now for {@link #ISSUER} and {@link #AUDIENCE}, for subject alice, bound to nothing. */
    public static JWTClaimsSet.Builder validClaims() {
        Instant now = Instant.now();
        return new JWTClaimsSet.Builder()
                .issuer(ISSUER)
                .audience(AUDIENCE)
                .subject("alice")
                .jwtID("token-1")
                .issueTime(Date.from(now.minusSeconds(5)))
                .expirationTime(Date.from(now.plus(Duration.ofMinutes(10))));
    }

    /** {@code cnf: {"x5t#S256": base64url(SHA-256(DER))}} for {@code certificate} (RFC 8705). */
    public static JWTClaimsSet.Builder boundTo(JWTClaimsSet.Builder claims, X509Certificate certificate) {
        return claims.claim("cnf", Map.of("x5t#S256", thumbprint(certificate)));
    }

    public static String thumbprint(X509Certificate certificate) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(sha256(certificate));
    }

    public static byte[] sha256(X509Certificate certificate) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(certificate.getEncoded());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    public String sign(JWTClaimsSet claims) {
        return sign(claims, header -> {});
    }

    /** Signs with this key; {@code header} may add parameters (typ, jwk, ...). */
    public String sign(JWTClaimsSet claims, Consumer<JWSHeader.Builder> header) {
        JWSHeader.Builder builder = new JWSHeader.Builder(algorithm).keyID(keyId).type(JOSEObjectType.JWT);
        header.accept(builder);
        JWSHeader built = builder.build();
        try {
            if (edPrivateKey == null) {
                SignedJWT jwt = new SignedJWT(built, claims);
                jwt.sign(signer);
                return jwt.serialize();
            }
            Base64URL head = built.toBase64URL();
            Base64URL payload = Base64URL.encode(claims.toString().getBytes(StandardCharsets.UTF_8));
            Signature signature = Signature.getInstance("Ed25519");
            signature.initSign(edPrivateKey);
            signature.update((head + "." + payload).getBytes(StandardCharsets.US_ASCII));
            return head + "." + payload + "." + Base64URL.encode(signature.sign());
        } catch (JOSEException | GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
