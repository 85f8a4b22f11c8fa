package io.mtlsgateway.gateway.tls;

import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.internal.tcnative.SSL;
import java.security.cert.CertificateEncodingException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;

/**
 * Withholds session tickets from a client whose certificate chain is too large to travel in one.
 * BoringSSL puts the client's chain into the ticket, and a ticket of more than 64 KiB cannot be
 * sent: with client chains from about 20 KiB up, issuing the ticket failed after the handshake and
 * the client saw its connection closed without an answer. Such a client is served with a full
 * handshake on every connection instead; the gate counts it.
 */
public final class TicketSizeGuard {
    /** Chains above this many DER bytes get no ticket: below the size at which issuing one failed. */
    public static final int MAX_CHAIN_BYTES = 16 * 1024;
    private static final String WITHHELD = "io.mtlsgateway.tls.ticketWithheld";

    private TicketSizeGuard() {}

    /**
     * Called with an accepted client chain during the handshake, before BoringSSL issues tickets
     * (TLS 1.3 sends them after the client's Finished), on the thread that runs the verification task.
     */
    public static void check(X509Certificate[] chain, SSLEngine engine) {
        if (encodedLength(chain) <= MAX_CHAIN_BYTES || !(engine instanceof ReferenceCountedOpenSslEngine openSsl)) {
            return;
        }
        long ssl = openSsl.sslPointer();
        if (ssl != 0) {
            SSL.setOptions(ssl, SSL.SSL_OP_NO_TICKET);
            SSLSession session = engine.getHandshakeSession();
            if (session != null) {
                session.putValue(WITHHELD, Boolean.TRUE);
            }
        }
    }

    /** Whether {@link #check} withheld tickets from {@code engine}'s completed handshake. */
    public static boolean withheld(SSLEngine engine) {
        return Boolean.TRUE.equals(engine.getSession().getValue(WITHHELD));
    }

    private static long encodedLength(X509Certificate[] chain) {
        long bytes = 0;
        for (X509Certificate certificate : chain) {
            try {
                bytes += certificate.getEncoded().length;
            } catch (CertificateEncodingException e) {
                return Long.MAX_VALUE; // cannot be encoded: cannot go into a ticket either
            }
        }
        return bytes;
    }
}
