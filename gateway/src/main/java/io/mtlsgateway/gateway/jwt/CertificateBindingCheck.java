package io.mtlsgateway.gateway.jwt;

import io.mtlsgateway.config.CertificateBinding;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * RFC 8705 section 3: a certificate-bound token carries {@code cnf: {"x5t#S256": T}} where T is
 * the base64url (no padding) SHA-256 of the DER of the client certificate it was issued to. The
 * gateway compares T with the certificate this very connection proved, which no header can fake.
 */
final class CertificateBindingCheck {
    static final String CONFIRMATION = "cnf";
    static final String THUMBPRINT = "x5t#S256";
    private static final Base64.Encoder BASE64URL = Base64.getUrlEncoder().withoutPadding();

    /** Why the binding does not hold. */
    record Failure(JwtRejection reason, String detail) {}

    private CertificateBindingCheck() {}

    /**
     * @param cnf the token's {@code cnf} claim, or null
     * @param leafSha256 SHA-256 of the connection's client-certificate DER, empty without one
     */
    static Optional<Failure> check(CertificateBinding mode, Object cnf, Optional<byte[]> leafSha256) {
        if (mode == CertificateBinding.OFF) {
            return Optional.empty();
        }
        Object thumbprint = cnf instanceof Map<?, ?> confirmation ? confirmation.get(THUMBPRINT) : null;
        if (cnf != null && !(cnf instanceof Map<?, ?>)) {
            return Optional.of(new Failure(JwtRejection.MALFORMED, "cnf is not a JSON object"));
        }
        if (thumbprint == null) {
            return mode == CertificateBinding.REQUIRED
                    ? Optional.of(new Failure(JwtRejection.UNBOUND, "no cnf.x5t#S256 claim; this issuer requires"
                            + " certificate-bound tokens (RFC 8705)"))
                    : Optional.empty();
        }
        if (!(thumbprint instanceof String claimed)) {
            return Optional.of(new Failure(JwtRejection.MALFORMED, "cnf.x5t#S256 is not a string"));
        }
        if (leafSha256.isEmpty()) {
            return Optional.of(new Failure(JwtRejection.BINDING_MISMATCH,
                    "the token is certificate-bound but the connection presented no client certificate"));
        }
        byte[] digest = leafSha256.get();
        String expected = BASE64URL.encodeToString(digest);
        if (MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII),
                claimed.getBytes(StandardCharsets.UTF_8))) {
            return Optional.empty();
        }
        return Optional.of(new Failure(JwtRejection.BINDING_MISMATCH, mismatch(claimed, digest, expected)));
    }

    /** Names the encoding mistakes other implementations make, so an operator can tell them from theft. */
    private static String mismatch(String claimed, byte[] digest, String expected) {
        if (claimed.equalsIgnoreCase(HexFormat.of().formatHex(digest))) {
            return "cnf.x5t#S256 is this certificate's SHA-256 as hex; RFC 8705 requires base64url without"
                    + " padding, so it is refused (the issuer encodes it wrongly)";
        }
        if (claimed.equals(expected + "=")) {
            return "cnf.x5t#S256 is this certificate's SHA-256 with base64 padding; RFC 8705 requires base64url"
                    + " without padding, so it is refused (the issuer encodes it wrongly)";
        }
        if (claimed.equals(Base64.getEncoder().encodeToString(digest))
                || claimed.equals(Base64.getEncoder().withoutPadding().encodeToString(digest))) {
            return "cnf.x5t#S256 is this certificate's SHA-256 in standard base64; RFC 8705 requires base64url"
                    + " without padding, so it is refused (the issuer encodes it wrongly)";
        }
        return "cnf.x5t#S256 names another certificate than the one this connection presented";
    }
}
