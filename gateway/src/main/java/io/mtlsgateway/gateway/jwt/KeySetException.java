package io.mtlsgateway.gateway.jwt;

/** A JWKS document the gateway cannot use; the message says why, without key material. */
public final class KeySetException extends Exception {
    private static final long serialVersionUID = 1L;

    public KeySetException(String message) {
        super(message, null, false, false);
    }
}
