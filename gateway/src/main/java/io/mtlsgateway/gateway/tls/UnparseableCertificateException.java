package io.mtlsgateway.gateway.tls;

import java.io.IOException;

/**
 * A file holds a block that says it is a certificate, but its bytes are not a certificate this
 * gateway can parse (bad DER, explicit EC parameters, an unknown algorithm encoding). Apart from
 * other read errors because it is a verdict about the certificate, not about the file: in a
 * handshake the same bytes are rejected as {@code malformed}, and so is {@code verify}'s answer.
 */
public final class UnparseableCertificateException extends IOException {
    private static final long serialVersionUID = 1L;

    UnparseableCertificateException(String message) {
        super(message);
    }
}
