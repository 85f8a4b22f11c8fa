package io.mtlsgateway.gateway.jwt;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSVerifier;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jwt.SignedJWT;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.HexFormat;

/**
 * Verifies a JWS signature with one key from the issuer's key set, never with a key the token
 * carries. ECDSA and RSA go through nimbus; EdDSA through the JDK's own Ed25519/Ed448 (nimbus would
 * need Tink for it, a large dependency for one algorithm).
 */
final class SignatureCheck {
    // DER SubjectPublicKeyInfo prefixes for the raw Ed25519 (32-byte) and Ed448 (57-byte) keys, RFC 8410.
    private static final byte[] ED25519_SPKI = HexFormat.of().parseHex("302a300506032b6570032100");
    private static final byte[] ED448_SPKI = HexFormat.of().parseHex("3043300506032b6571033a00");

    private SignatureCheck() {}

    /** Whether {@code key} verifies {@code jwt}'s signature; {@code key} is compatible with its alg. */
    static boolean verifies(SignedJWT jwt, JWK key) {
        try {
            if (key instanceof OctetKeyPair okp) {
                return verifiesEdDsa(jwt, okp);
            }
            JWSVerifier verifier = key instanceof ECKey ec ? new ECDSAVerifier(ec) : new RSASSAVerifier((RSAKey) key);
            return jwt.verify(verifier);
        } catch (JOSEException | GeneralSecurityException | IllegalStateException e) {
            // A key the token's signature cannot even be checked against does not verify it.
            return false;
        }
    }

    private static boolean verifiesEdDsa(SignedJWT jwt, OctetKeyPair key) throws GeneralSecurityException {
        if (!JWSAlgorithm.EdDSA.equals(jwt.getHeader().getAlgorithm())) {
            return false;
        }
        boolean ed25519 = Curve.Ed25519.equals(key.getCurve());
        byte[] raw = key.getDecodedX();
        byte[] prefix = ed25519 ? ED25519_SPKI : ED448_SPKI;
        if (raw.length != (ed25519 ? 32 : 57)) {
            return false;
        }
        byte[] spki = new byte[prefix.length + raw.length];
        System.arraycopy(prefix, 0, spki, 0, prefix.length);
        System.arraycopy(raw, 0, spki, prefix.length, raw.length);
        String name = ed25519 ? "Ed25519" : "Ed448";
        PublicKey publicKey = KeyFactory.getInstance(name).generatePublic(new X509EncodedKeySpec(spki));
        Signature signature = Signature.getInstance(name);
        signature.initVerify(publicKey);
        signature.update(jwt.getSigningInput());
        return signature.verify(jwt.getSignature().decode());
    }
}
