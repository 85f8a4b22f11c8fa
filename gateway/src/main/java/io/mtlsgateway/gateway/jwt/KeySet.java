package io.mtlsgateway.gateway.jwt;

import com.nimbusds.jose.Algorithm;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyOperation;
import com.nimbusds.jose.jwk.KeyUse;
import com.nimbusds.jose.jwk.OctetKeyPair;
import com.nimbusds.jose.jwk.RSAKey;
import java.text.ParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * The public signing keys of one issuer, parsed from a JWKS document (RFC 7517). Only keys that
 * can verify a signature are kept: symmetric keys, encryption keys and RSA keys under 2048 bits are
 * left out (each noted in {@link #notes()}), and private parts are dropped.
 *
 * @param keys the usable public keys, in document order
 * @param notes what was left out or dropped, and why (for {@code check} and the log)
 */
public record KeySet(List<JWK> keys, List<String> notes) {
    /** The largest JWKS document read: a few dozen keys fit easily. */
    public static final int MAX_DOCUMENT_CHARS = 512 * 1024;
    static final int MIN_RSA_BITS = 2048;

    public KeySet {
        keys = List.copyOf(keys);
        notes = List.copyOf(notes);
    }

    /**
     * Parses a JWKS document.
     *
     * @throws KeySetException when it is not a JWKS, or has no usable signing key
     */
    public static KeySet parse(String json) throws KeySetException {
        Objects.requireNonNull(json, "json");
        if (json.length() > MAX_DOCUMENT_CHARS) {
            throw new KeySetException("larger than " + MAX_DOCUMENT_CHARS + " characters (expected: a JWKS document)");
        }
        JWKSet set;
        try {
            set = JWKSet.parse(json);
        } catch (ParseException e) {
            throw new KeySetException("not a JWKS document (" + e.getMessage() + ")");
        }
        List<JWK> usable = new ArrayList<>();
        List<String> notes = new ArrayList<>();
        for (JWK key : set.getKeys()) {
            Optional<String> unusable = unusable(key);
            if (unusable.isPresent()) {
                notes.add(name(key) + " left out: " + unusable.get());
                continue;
            }
            if (key.isPrivate()) {
                notes.add(name(key) + " holds a private key; only its public part is used"
                        + " (a JWKS should be public)");
            }
            usable.add(key.toPublicJWK());
        }
        if (usable.isEmpty()) {
            throw new KeySetException("no usable signing key"
                    + (notes.isEmpty() ? " (the 'keys' list is empty)" : " (" + String.join("; ", notes) + ")"));
        }
        return new KeySet(usable, notes);
    }

    private static Optional<String> unusable(JWK key) {
        if (key instanceof RSAKey rsa) {
            return rsa.size() < MIN_RSA_BITS
                    ? Optional.of("RSA key of " + rsa.size() + " bits (expected: at least " + MIN_RSA_BITS + ")")
                    : purpose(key);
        }
        if (key instanceof ECKey ec) {
            return curveAlgorithm(ec.getCurve()).isEmpty()
                    ? Optional.of("EC curve " + ec.getCurve() + " (expected: P-256, P-384 or P-521)")
                    : purpose(key);
        }
        if (key instanceof OctetKeyPair okp) {
            return Curve.Ed25519.equals(okp.getCurve()) || Curve.Ed448.equals(okp.getCurve())
                    ? purpose(key)
                    : Optional.of("OKP curve " + okp.getCurve() + " (expected: Ed25519 or Ed448)");
        }
        return Optional.of("key type " + key.getKeyType() + " (symmetric keys are never used; expected: EC, RSA or OKP)");
    }

    private static Optional<String> purpose(JWK key) {
        if (key.getKeyUse() != null && !KeyUse.SIGNATURE.equals(key.getKeyUse())) {
            return Optional.of("use '" + key.getKeyUse().identifier() + "' (expected: sig)");
        }
        if (key.getKeyOperations() != null && !key.getKeyOperations().contains(KeyOperation.VERIFY)) {
            return Optional.of("key_ops without 'verify'");
        }
        Algorithm alg = key.getAlgorithm();
        if (alg != null && !compatible(key, JWSAlgorithm.parse(alg.getName()))) {
            return Optional.of("alg " + alg.getName() + " does not fit a " + key.getKeyType() + " key");
        }
        return Optional.empty();
    }

    /** The ES algorithm a curve signs with, if it is one the gateway verifies. */
    private static Optional<JWSAlgorithm> curveAlgorithm(Curve curve) {
        if (Curve.P_256.equals(curve)) {
            return Optional.of(JWSAlgorithm.ES256);
        }
        if (Curve.P_384.equals(curve)) {
            return Optional.of(JWSAlgorithm.ES384);
        }
        if (Curve.P_521.equals(curve)) {
            return Optional.of(JWSAlgorithm.ES512);
        }
        return Optional.empty();
    }

    /** Whether {@code key} can verify a signature made with {@code alg} (and its own alg allows it). */
    static boolean compatible(JWK key, JWSAlgorithm alg) {
        if (key.getAlgorithm() != null && !key.getAlgorithm().getName().equals(alg.getName())) {
            return false;
        }
        if (key instanceof ECKey ec) {
            return curveAlgorithm(ec.getCurve()).map(alg::equals).orElse(false);
        }
        if (key instanceof RSAKey) {
            return JWSAlgorithm.Family.RSA.contains(alg);
        }
        return key instanceof OctetKeyPair && JWSAlgorithm.EdDSA.equals(alg);
    }

    /** The keys that may have signed a token with this {@code kid} (if any) and {@code alg}. */
    List<JWK> candidates(Optional<String> keyId, JWSAlgorithm alg) {
        List<JWK> found = new ArrayList<>();
        for (JWK key : keys) {
            if (keyId.isPresent() && !keyId.get().equals(key.getKeyID())) {
                continue;
            }
            if (compatible(key, alg)) {
                found.add(key);
            }
        }
        return found;
    }

    /** Whether any key has this id, whatever its type. */
    boolean hasKeyId(String keyId) {
        return keys.stream().anyMatch(k -> keyId.equals(k.getKeyID()));
    }

    /** One line per key: id, type, curve or size, and algorithm, for {@code check}. */
    public List<String> describe() {
        List<String> lines = new ArrayList<>();
        for (JWK key : keys) {
            String shape = key instanceof ECKey ec ? "EC " + ec.getCurve()
                    : key instanceof OctetKeyPair okp ? "OKP " + okp.getCurve()
                    : "RSA " + key.size() + " bits";
            String alg = key.getAlgorithm() != null ? key.getAlgorithm().getName()
                    : key instanceof ECKey ec ? curveAlgorithm(ec.getCurve()).orElseThrow().getName()
                    : key instanceof OctetKeyPair ? "EdDSA" : "RS*/PS*";
            lines.add(name(key) + ": " + shape + ", alg " + alg);
        }
        return lines;
    }

    private static String name(JWK key) {
        return key.getKeyID() == null ? "key without kid" : "kid '" + printable(key.getKeyID()) + "'";
    }

    /** A key id (or other text from a token) safe to put on one log line: printable, cut at 80. */
    static String printable(String text) {
        return printable(text, 80);
    }

    static String printable(String text, int max) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < text.length() && i < max; i++) {
            char c = text.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return text.length() > max ? out + "..." : out.toString();
    }
}
